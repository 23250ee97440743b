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

from trafficscan.features._regex import digit_runs, match_after, trie
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


_L = r"a-z0-9\u0900-\u097f"  # letters and digits that make a word go on
_SYMBOLS = ("₹", "$", "€", "£", "฿", "৳", "₽")
# Prices are found number by number (a handful per ad) and their context is read with anchored
# regexes and a few character tests; scanning the whole text for dozens of currency words, or
# searching backwards with "...$" regexes, was the slowest part of extraction.
_SYMBOL_CHARS = frozenset("₹$€£฿৳₽")
# the currency words a run of letters right before an amount can be ("rs." as "rs"), and their
# lengths by last letter
_WORDS_BEFORE = frozenset(
    w.removesuffix(".")
    for w in CURRENCY_WORDS
    if all(c.isalpha() or "\u0900" <= c <= "\u097f" for c in w.removesuffix("."))
)
_WORD_LENGTHS: dict[str, tuple[int, ...]] = {
    last: tuple(sorted({len(w) for w in _WORDS_BEFORE if w[-1] == last}))
    for last in {w[-1] for w in _WORDS_BEFORE}
}
# their last two characters (every one is two or more long): the word before most amounts
# ("age", "the", "for") is ruled out by one set lookup
_WORD_ENDINGS = frozenset(w[-2:] for w in _WORDS_BEFORE)
assert min(map(len, _WORDS_BEFORE)) >= 2
_AFTER = re.compile(
    rf"(?:\s?(?P<mul>{trie(_MULT)})(?![{_L}]))?"
    rf"(?:\s?(?P<cur>{trie(CURRENCY_WORDS)})(?![{_L}])|(?P<dash>\s?/-))?"
)
# what _AFTER can start with, after one optional whitespace character (see match_after)
_AFTER_FIRST = frozenset({w[0] for w in _MULT} | {w[0] for w in CURRENCY_WORDS} | {"/"})
_UNIT = re.compile(
    rf"\s?(?:/|per|a|an|each|for\s(?:one|1|a|an|the))?\s?(?P<unit>{trie(_UNITS)})(?![{_L}])"
)
_MONEY_WORDS = [
    "salary", "salery", "pay", "paid", "payment", "rate", "rates", "charge", "charges", "fee",
    "fees", "price", "cost", "earn", "earning", "earnings", "income", "tips", "cash", "advance",
    "deposit", "rent", "budget", "amount", "package", "ctc", "stipend", "kamai", "kamao",
    "kamaye", "paisa", "paise", "तनख्वाह", "वेतन", "सैलरी", "कमाई", "रेट", "फीस",
]  # fmt: skip
_MONEY_FILLER = (
    r"(?:\s?(?:is|of|:|-|=|only|upto|up to|around|approx\.?|~|from|se|starts?|starting|at))*\s?"
)
_MONEY_BEFORE = re.compile(trie(_MONEY_WORDS) + _MONEY_FILLER + "$")
_BIG_MULT_WORDS = ["lakh", "lakhs", "lac", "lacs", "crore", "crores", "लाख", "करोड़", "करोड"]
# _number() checks the grouping of an amount, \d+(?:[,.]\d+)* (see _amounts)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{2,3})+(?:\.\d+)?")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_BIG_MULTS = frozenset(_BIG_MULT_WORDS)


def _number(text: str) -> float | None:
    """The value of "2000", "1,20,000", "1.5" (any script's digits); None for "12.05.2024"."""
    if text.isascii() and text.isdecimal():
        return float(text)  # the usual amount, ASCII digits only: no pattern needed
    if not (_DECIMAL.fullmatch(text) or ("," in text and _GROUPED.fullmatch(text))):
        return None
    if not text.isascii():
        text = "".join(str(unicodedata.decimal(c, 0)) if c.isdigit() else c for c in text)
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _currency_before(text: str, s: int) -> tuple[str, int] | None:
    """``(currency word or symbol, its start)`` right before position ``s``: "Rs. ", "₹", "AED "."""
    k = s
    if k > 0 and text[k - 1].isspace():
        k -= 1
    if k > 0 and text[k - 1] in ".:-":
        k -= 1
    if k > 0 and text[k - 1].isspace():
        k -= 1
    if k == 0:
        return None
    if text[k - 1] in _SYMBOL_CHARS:
        if text.startswith("us$", k - 3):
            return "us$", k - 3
        return text[k - 1], k - 1
    # The word before is the run of letters ending at k. Only a currency word can matter, so
    # only the lengths of those ending with this letter are tried: the run is that long when
    # the slice is such a word (all letters) and no letter stands before it.
    if k < 2 or text[k - 2 : k] not in _WORD_ENDINGS:
        return None  # no currency word ends here
    for n in _WORD_LENGTHS.get(text[k - 1], ()):
        j = k - n
        if j < 0:
            break
        word = text[j:k]
        if word not in _WORDS_BEFORE or (j > 0 and _is_letter(text[j - 1])):
            continue
        if j > 0 and text[j - 1].isdigit():
            return None
        if word in CURRENCY_WORDS:
            return word, j
        if text.startswith(".", k) and word + "." in CURRENCY_WORDS:
            return word + ".", j
        return None
    return None


def _is_letter(c: str) -> bool:
    """A character of a word before an amount: a letter, or any Devanagari (vowel signs too)."""
    return c.isalpha() or "\u0900" <= c <= "\u097f"


def _amounts(text: str, digit_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of ``\\d+(?:[,.]\\d+)*`` ("2000", "1,20,000", "12.05.2024") in ``text``, from its
    digit runs: runs joined by one comma or dot are one amount."""
    if len(digit_spans) == 1:
        return digit_spans
    out: list[tuple[int, int]] = []
    for s, e in digit_spans:
        if out and s == out[-1][1] + 1 and text[s - 1] in ",.":
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def extract_prices(
    view: NormalizedText,
    exclude: Sequence[tuple[int, int]] = (),
    default_currency: str = "INR",
) -> list[Price]:
    """Amounts of money, in order. ``exclude`` holds original spans taken by phones and links."""
    return prices_from_digits(view, digit_runs(view.text), exclude, default_currency)


def prices_from_digits(
    view: NormalizedText,
    digit_spans: list[tuple[int, int]],
    exclude: Sequence[tuple[int, int]] = (),
    default_currency: str = "INR",
) -> list[Price]:
    """:func:`extract_prices`, given the digit runs of the view's text (``_regex.digit_runs``)."""
    text = view.text
    out: list[Price] = []
    skip = [(view.to_norm(a), view.to_norm(b)) for a, b in exclude] if exclude else []
    for s, e in _amounts(text, digit_spans):
        if s > 1 and text[s - 1] in ".," and text[s - 2].isdigit():
            continue  # the tail of "1.2.3" or "12,345,6"
        if skip and any(a <= s < b for a, b in skip):
            continue
        amount_s = text[s:e]
        pre = _currency_before(text, s)
        post = match_after(_AFTER, _AFTER_FIRST, text, e)
        if post is not None:
            mul, cur, dash = post.group("mul", "cur", "dash")
            post_end = post.end()
        else:
            mul = cur = dash = None  # the empty match
            post_end = e
        start = s
        if pre is not None:
            currency = CURRENCY_WORDS[pre[0]]
            start = pre[1]
        elif cur or dash:
            currency = CURRENCY_WORDS[cur] if cur else "INR"
        else:
            if s > 0 and (text[s - 1].isalpha() or text[s - 1].isdigit()):
                continue  # covid19, 24x7
            currency = default_currency
            if mul not in _BIG_MULTS:
                # "5 m" / "2 l" alone are metres and litres; "salary 2.5L" is money. Amounts
                # under 100 are left out, and two characters without a comma are at most 99.
                if (
                    mul is None
                    and "," not in amount_s
                    and (len(amount_s) < 3 or (_number(amount_s) or 0) < 100)
                ):
                    continue
                if _MONEY_BEFORE.search(text, max(0, s - 30), s) is None:
                    continue
        if pre is None and cur is None and dash is None and mul is None:
            end = e
        else:
            end = max(post_end, e)
        amount = _number(amount_s)
        if amount is None:
            continue
        if mul:
            amount *= _MULT[mul]
        elif amount >= 1e9:
            continue  # ten digits after "Rs" are a phone number written oddly, not a price
        unit = None
        u = _UNIT.match(text, end)
        if u is not None:
            unit = _UNITS[u.group("unit")]
            end = u.end()
        ostart, oend = view.span(start, end)
        if exclude and any(ostart < xe and xs < oend for xs, xe in exclude):
            continue
        out.append(Price(amount, currency, ostart, oend, unit))
    return out
