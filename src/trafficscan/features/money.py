"""Prices and amounts of money, with currency and what they are per.

A price is a weak signal alone, but the *currency* says where the money changes hands (dirhams,
riyals, baht in an Indian ad point abroad) and the unit separates an hourly rate from a monthly
salary. Read from the contact view, where ``₹``, ``$`` and ``/-`` are still as written.

Bare numbers are not prices: an amount needs a currency, an Indian multiplier (lakh, crore), or
a money word right before it ("salary 15000", "charges 2k").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from trafficscan.features.normalize import NormalizedText
from trafficscan.features.types import Price

__all__ = ["CURRENCY_WORDS", "extract_prices"]

# spelling -> ISO 4217; matched after case folding
CURRENCY_WORDS: dict[str, str] = {
    "₹": "INR", "rs": "INR", "rs.": "INR", "inr": "INR", "rupees": "INR", "rupee": "INR",
    "rupaye": "INR", "rupaiye": "INR", "rupay": "INR", "rupaya": "INR", "rupiya": "INR",
    "रुपये": "INR", "रुपए": "INR", "रूपये": "INR", "रुपया": "INR", "रु": "INR", "रु.": "INR",
    "$": "USD", "us$": "USD", "usd": "USD", "dollars": "USD", "dollar": "USD",
    "aed": "AED", "dhs": "AED", "dh": "AED", "dirham": "AED", "dirhams": "AED",
    "sar": "SAR", "riyal": "SAR", "riyals": "SAR", "saudi riyal": "SAR", "saudi riyals": "SAR",
    "qar": "QAR", "qr": "QAR", "qatari riyal": "QAR", "qatari riyals": "QAR",
    "kwd": "KWD", "kd": "KWD", "kuwaiti dinar": "KWD", "omr": "OMR", "omani rial": "OMR",
    "bhd": "BHD", "bahraini dinar": "BHD",
    "rm": "MYR", "myr": "MYR", "ringgit": "MYR",
    "thb": "THB", "฿": "THB", "baht": "THB",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pounds": "GBP",
    "npr": "NPR", "nepali rupees": "NPR", "nrs": "NPR",
    "bdt": "BDT", "taka": "BDT", "৳": "BDT", "tk": "BDT",
    "khr": "KHR", "riel": "KHR", "riels": "KHR",
    "usdt": "USDT", "rub": "RUB", "rubles": "RUB", "roubles": "RUB", "₽": "RUB",
}  # fmt: skip
_MULT: dict[str, float] = {
    "k": 1e3, "thousand": 1e3, "hazar": 1e3, "hazaar": 1e3, "hajar": 1e3, "हजार": 1e3,
    "हज़ार": 1e3, "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5, "l": 1e5, "लाख": 1e5,
    "crore": 1e7, "crores": 1e7, "cr": 1e7, "करोड़": 1e7, "करोड": 1e7,
    "million": 1e6, "mn": 1e6, "m": 1e6,
}  # fmt: skip
_UNITS: dict[str, str] = {
    "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "h": "hour", "hourly": "hour",
    "ghanta": "hour", "घंटा": "hour", "घंटे": "hour",
    "night": "night", "nights": "night", "nite": "night", "nt": "night", "nightly": "night",
    "full night": "night", "raat": "night", "रात": "night",
    "day": "day", "days": "day", "daily": "day", "din": "day", "दिन": "day",
    "week": "week", "wk": "week", "weekly": "week",
    "month": "month", "months": "month", "mon": "month", "mo": "month", "pm": "month",
    "p.m.": "month", "p.m": "month", "monthly": "month", "mahina": "month", "mahine": "month",
    "mahine ka": "month", "महीना": "month", "महीने": "month", "माह": "month",
    "year": "year", "years": "year", "yr": "year", "annum": "year", "pa": "year",
    "p.a.": "year", "p.a": "year", "yearly": "year", "annual": "year", "saal": "year",
    "session": "session", "shot": "session", "shots": "session", "visit": "session",
}  # fmt: skip


def _alt(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_W = r"(?![a-z0-9\u0900-\u097f])"  # end of a word (Latin or Devanagari)
_B = r"(?<![a-z0-9\u0900-\u097f])"  # start of a word
_AMOUNT = r"(?P<amt>\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_MULTS = rf"(?:\s?(?P<mul>{_alt(list(_MULT))}){_W})?"
_SYMBOLS = ("₹", "$", "€", "£", "฿", "৳", "₽", "us$")
_CUR_WORDS = [c for c in CURRENCY_WORDS if c not in _SYMBOLS]
_PRICE = re.compile(
    # currency first: "Rs. 2,000/-", "$500", "AED 3k"
    rf"(?:(?P<sym>{_alt(_SYMBOLS)})|{_B}(?P<cur1>{_alt(_CUR_WORDS)}))\s?[.:\-]?\s?{_AMOUNT}{_MULTS}"
    r"(?P<dash1>\s?/-)?"
    # amount first: "2000 rs", "5k AED", "1.5 lakh rupees", "2000/-"
    rf"|{_B}(?P<amt2>\d{{1,3}}(?:,\d{{2,3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"(?:\s?(?P<mul2>{_alt(list(_MULT))}){_W})?"
    rf"(?:\s?(?P<cur2>{_alt(list(CURRENCY_WORDS))}){_W}|(?P<dash2>\s?/-))"
    # bare amount: checked against the context afterwards
    rf"|{_B}(?P<amt3>\d{{1,3}}(?:,\d{{2,3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"(?:\s?(?P<mul3>{_alt(list(_MULT))}){_W})?(?![\d,.]?\d)"
)
_UNIT = re.compile(
    rf"\s?(?:/|per|a|an|each|for\s(?:one|1|a|an|the))?\s?(?P<unit>{_alt(list(_UNITS))}){_W}"
)
_MONEY_BEFORE = re.compile(
    r"(?:salary|salery|pay|paid|payment|rate|rates|charge|charges|fee|fees|price|cost|earn|"
    r"earning|earnings|income|tips|cash|advance|deposit|rent|budget|amount|package|ctc|stipend|"
    r"kamai|kamao|kamaye|paisa|paise|तनख्वाह|वेतन|सैलरी|कमाई|रेट|फीस)"
    r"\s?(?:is|of|:|-|=|only|upto|up to|around|approx\.?|~|from|rs|se|starts?|starting)*\s?$"
)
_BIG_MULTS = frozenset({"lakh", "lakhs", "lac", "lacs", "crore", "crores", "लाख", "करोड़", "करोड"})


def _number(text: str) -> float | None:
    if not text.isascii():
        text = "".join(str(unicodedata.decimal(c, 0)) if c.isdigit() else c for c in text)
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def extract_prices(
    view: NormalizedText,
    exclude: Sequence[tuple[int, int]] = (),
    default_currency: str = "INR",
) -> list[Price]:
    """Amounts of money, in order. ``exclude`` holds original spans taken by phone numbers."""
    text = view.text
    out: list[Price] = []
    for m in _PRICE.finditer(text):
        g = m.groupdict()
        if g["amt"] is not None:
            amount_s, mul = g["amt"], g["mul"]
            cur = g["sym"] or g["cur1"] or ""
            currency = CURRENCY_WORDS.get(cur, default_currency)
        elif g["amt2"] is not None:
            amount_s, mul = g["amt2"], g["mul2"]
            currency = CURRENCY_WORDS[g["cur2"]] if g["cur2"] else "INR"
        else:
            amount_s, mul = g["amt3"], g["mul3"]
            currency = default_currency
            if mul not in _BIG_MULTS:
                before = text[max(0, m.start() - 30) : m.start()]
                if _MONEY_BEFORE.search(before) is None:
                    continue
                if mul is None and "," not in amount_s and (_number(amount_s) or 0) < 100:
                    continue
        amount = _number(amount_s)
        if amount is None:
            continue
        if mul:
            if mul in ("m", "l") and g["amt3"] is not None:
                continue  # "5 m" / "2 l" alone are metres and litres more often than money
            amount *= _MULT[mul]
        end = m.end()
        unit = None
        u = _UNIT.match(text, end)
        if u is not None:
            unit = _UNITS[u.group("unit")]
            end = u.end()
        start, oend = view.span(m.start(), end)
        if any(start < xe and xs < oend for xs, xe in exclude):
            continue
        out.append(Price(amount, currency, start, oend, unit))
    return out
