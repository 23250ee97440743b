"""One :class:`Features` object per ad: everything the rules and the classifier read.

``extract(text)`` normalises once (two views, see :mod:`trafficscan.features.normalize`), runs
every extractor, and returns an immutable :class:`Features`. Its three outputs serve three
readers:

* :meth:`Features.entities` — the ``entities`` object of the output file (``SPEC.md``);
* :meth:`Features.entity_spans` — the ``entity:`` / ``with_entity:`` rule patterns
  (``docs/rules.md``, "Entity names"), as spans of the original text;
* :meth:`Features.numeric` — a fixed vector of counts and flags for the classifier.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from trafficscan.features._regex import trie
from trafficscan.features.ages import extract_ages
from trafficscan.features.contacts import (
    extract_emails,
    extract_handles,
    extract_urls,
    is_bare_domain,
)
from trafficscan.features.money import extract_prices
from trafficscan.features.normalize import NormalizedText, normalize_both
from trafficscan.features.phones import extract_phones
from trafficscan.features.places import extract_locations
from trafficscan.features.types import Age, Email, Handle, Location, Person, Phone, Price, Url
from trafficscan.rules.model import ENTITY_NAMES as RULE_ENTITY_NAMES

__all__ = ["ENTITY_NAMES", "INR_PER_UNIT", "NUMERIC_FEATURES", "Features", "extract"]

#: Entity names for rule patterns: the contract of docs/rules.md (``rules.model``), then plain
#: "an entity of this kind is present" names, handy for ``near: with_entity``.
ENTITY_NAMES: tuple[str, ...] = (
    *RULE_ENTITY_NAMES,
    "phone",
    "email",
    "handle",
    "url",
    "age",
    "location",
    "person",
)

#: Numeric features for the classifier, in the order :meth:`Features.numeric` returns them.
#: Ratios are in [0, 1]; flags are 0.0/1.0; counts are raw counts.
NUMERIC_FEATURES: tuple[str, ...] = (
    "text_length",  # characters of the original text
    "n_words",  # words of the normalised text
    "caps_ratio",  # upper-case letters / letters (shouting, typical of ads)
    "digit_ratio",  # digits / characters
    "n_emojis",  # emoji characters
    "n_distinct_emojis",
    "n_phones",  # distinct phone numbers
    "n_obfuscated_phones",
    "n_foreign_phones",  # numbers with a country code other than the default region's
    "n_emails",
    "n_handles",  # distinct (platform, value) accounts, WhatsApp numbers included
    "n_urls",
    "has_whatsapp",
    "has_telegram",
    "messaging_only_contact",
    "n_prices",
    "n_foreign_currency_prices",
    "log10_max_price_inr",  # log10(1 + largest amount, converted with INR_PER_UNIT); 0 if none
    "n_ages",
    "min_age",  # lowest stated age; 0 if none
    "has_minor_age",
    "has_young_age",
    "n_locations",
    "n_foreign_locations",
    "n_scam_hubs",
    "n_persons",  # people counted in the ad ("2 girls" + "3 ladies" = 5), capped at 100
)

#: Rough exchange rates, only to put amounts on one scale for the classifier (not for reports).
INR_PER_UNIT: dict[str, float] = {
    "INR": 1.0, "USD": 83.0, "USDT": 83.0, "AED": 22.6, "SAR": 22.1, "QAR": 22.8,
    "KWD": 270.0, "OMR": 216.0, "BHD": 220.0, "MYR": 17.7, "THB": 2.3, "EUR": 90.0,
    "GBP": 105.0, "NPR": 0.625, "BDT": 0.76, "KHR": 0.02, "RUB": 0.9,
}  # fmt: skip

_REGION_CURRENCY = {"IN": "INR", "AE": "AED", "SA": "SAR", "QA": "QAR", "MY": "MYR", "TH": "THB",
                    "NP": "NPR", "BD": "BDT", "US": "USD", "GB": "GBP", "KH": "KHR"}  # fmt: skip

_EMOJI = re.compile(
    "[\U0001f300-\U0001f5ff\U0001f600-\U0001f64f\U0001f680-\U0001f6ff\U0001f900-\U0001faff"
    "\U0001f100-\U0001f1ff\u2600-\u27bf\u2b50\u2b55\u2764\u2763\U0001f004\U0001f0cf]"
)
# counted by deleting everything else: one C call, no per-character Python
_NOT_UPPER = re.compile(r"[^A-ZÀ-ÖØ-ÞА-Я]+")
_NOT_LETTER = re.compile(r"[\W\d_]+")
_NOT_ASCII_LETTER = re.compile(r"[^A-Za-z]+")  # same count for ASCII text, 5x faster
_NOT_DIGIT = re.compile(r"\D+")
_DIGIT = re.compile(r"\d")
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "twenty": 20, "do": 2, "teen": 3, "char": 4, "paanch": 5, "panch": 5,
    "dono": 2, "दो": 2, "तीन": 3, "चार": 4, "पांच": 5, "पाँच": 5, "दस": 10,
}  # fmt: skip
_PERSON_NOUNS = [
    "girls", "girl", "ladies", "lady", "women", "woman", "females", "female", "boys", "boy",
    "models", "model", "escorts", "ladkiyan", "ladkiyaan", "ladkiya", "ladki", "bhabhi",
    "bhabhis", "aunties", "aunty", "housewives", "children", "child", "kids", "maids", "maid",
    "workers", "candidates", "persons", "people", "brides", "babies", "baby", "लड़कियां",
    "लड़कियाँ", "लड़की", "महिलाएं", "बच्चे", "लड़के",
]  # fmt: skip
# found noun first (cheap), then the count is read backwards from it
_PERSON_NOUN = re.compile(rf"{trie(_PERSON_NOUNS)}(?![a-z\u0900-\u097f])")
_PERSON_COUNT = re.compile(
    r"(?P<n>\d{1,3}|" + trie(_NUMBER_WORDS) + r")\s?\+?\s?"
    r"(?:(?:new|young|fresh|hot|college|beautiful|sexy|indian|russian|nepali|bengali|assamese|"
    r"north[\s-]?east|local|foreign|vip|more|other|genuine|real|smart|educated|unmarried|"
    r"married|single|female|male|fit|healthy|strong|small)\s){0,2}$"
)
_OFFICE = re.compile(
    trie(
        ["office", "address", "pvt ltd", "pvt. ltd", "pvt.ltd", "private limited", "llp",
         "plot no", "plotno", "floor", "walk-in interview", "walk in interview",
         "walkin interview", "कार्यालय", "ऑफिस", "पता"]
    )
    + r"(?![a-z])"
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Features:
    """Everything extracted from one ad; spans are spans of ``normalized.original``."""

    normalized: NormalizedText
    contact: NormalizedText
    region: str
    phones: list[Phone] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)
    handles: list[Handle] = field(default_factory=list)
    urls: list[Url] = field(default_factory=list)
    prices: list[Price] = field(default_factory=list)
    ages: list[Age] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    emojis: list[str] = field(default_factory=list)
    office_address: bool = False

    @property
    def text(self) -> str:
        return self.normalized.original

    # ---------------------------------------------------------------------------------------
    # Derived facts

    def messaging_contacts(self) -> list[tuple[int, int]]:
        """Spans of messaging handles and of numbers given for WhatsApp/Telegram only."""
        spans = [(h.start, h.end) for h in self.handles]
        spans += [(p.start, p.end) for p in self.phones if p.messaging_only]
        return sorted(set(spans))

    @property
    def messaging_only_contact(self) -> bool:
        """Messaging is the only way to reach the advertiser (docs/rules.md, Entity names).

        True when there is at least one messaging handle or messaging-only number and no
        e-mail, no website (a link that is neither a chat link nor a profile), no number
        offered for calls and no office address.
        """
        if not self.handles and not any(p.messaging_only for p in self.phones):
            return False
        if self.emails or self.office_address:
            return False
        if any(p.voice for p in self.phones):
            return False
        handle_spans = {(h.start, h.end) for h in self.handles}
        return all(u.messaging or (u.start, u.end) in handle_spans for u in self.urls)

    # ---------------------------------------------------------------------------------------
    # Outputs

    def entities(self) -> dict[str, Any]:
        """The ``entities`` object of the output (SPEC.md), first-seen order, no duplicates.

        Amounts are written as integers when whole (``2000``, as in SPEC.md), else as floats;
        a price carries ``unit`` when the ad says what it is per.
        """
        prices: list[dict[str, Any]] = []
        for p in self.prices:
            amount: float | int = int(p.amount) if p.amount.is_integer() else p.amount
            d: dict[str, Any] = {"amount": amount, "currency": p.currency}
            if p.unit:
                d["unit"] = p.unit
            prices.append(d)
        ages: list[int] = []
        for a in self.ages:
            ages.extend((a.low,) if a.low == a.high else (a.low, a.high))
        return {
            "phones": _unique(p.e164 for p in self.phones),
            "emails": _unique(e.value for e in self.emails),
            "handles": [
                {"platform": p, "value": v}
                for p, v in _unique((h.platform, h.value) for h in self.handles)
            ],
            "urls": _unique(u.value for u in self.urls),
            "ages": _unique(ages),
            "prices": _unique_dicts(prices),
            "locations": _unique(loc.name for loc in self.locations),
        }

    def entity_spans(self, name: str) -> list[tuple[int, int]]:
        """Original-text spans that make entity ``name`` true; an empty list means false.

        Whole-ad predicates (``messaging_only_contact``, ``multiple_phones``) return the spans
        of the contacts concerned. Raises ``KeyError`` for a name not in :data:`ENTITY_NAMES`.
        """
        fn = _ENTITY_SPANS.get(name)
        if fn is None:
            raise KeyError(f"unknown entity {name!r}; known: {', '.join(ENTITY_NAMES)}")
        return sorted(set(fn(self)))

    def numeric(self) -> dict[str, float]:
        """The :data:`NUMERIC_FEATURES` of this ad, same keys in the same order for every ad."""
        original = self.normalized.original
        n_chars = len(original)
        not_letter = _NOT_ASCII_LETTER if original.isascii() else _NOT_LETTER
        n_letters = len(not_letter.sub("", original)) if n_chars else 0
        phones = {p.e164: p for p in self.phones}
        handles = {(h.platform, h.value) for h in self.handles}
        inr = [p.amount * INR_PER_UNIT.get(p.currency, 1.0) for p in self.prices]
        ages = [a.low for a in self.ages]
        default_cc = self.region
        values = (
            float(n_chars),
            float(len(self.normalized.text.split())),
            len(_NOT_UPPER.sub("", original)) / n_letters if n_letters else 0.0,
            len(_NOT_DIGIT.sub("", original)) / n_chars if n_chars else 0.0,
            float(len(self.emojis)),
            float(len(set(self.emojis))),
            float(len(phones)),
            float(sum(p.obfuscated for p in phones.values())),
            float(sum(p.country != default_cc for p in phones.values())),
            float(len({e.value for e in self.emails})),
            float(len(handles)),
            float(len({u.value for u in self.urls})),
            float(any(p == "whatsapp" for p, _ in handles)),
            float(any(p == "telegram" for p, _ in handles)),
            float(self.messaging_only_contact),
            float(len(self.prices)),
            float(sum(p.currency != "INR" for p in self.prices)),
            math.log10(1.0 + max(inr)) if inr else 0.0,
            float(len(self.ages)),
            float(min(ages)) if ages else 0.0,
            float(any(a.low < 18 for a in self.ages)),
            float(any(_is_young(a) for a in self.ages)),
            float(len(self.locations)),
            float(sum(loc.foreign for loc in self.locations)),
            float(sum(loc.scam_hub for loc in self.locations)),
            float(min(100, sum(p.count for p in self.persons))),
        )
        return dict(zip(NUMERIC_FEATURES, values, strict=True))


def _unique(items: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _unique_dicts(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for d in items:
        key = tuple(d.items())
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _is_young(a: Age) -> bool:
    """An age of 18 or 19 is stated: a single age, or either end of a range."""
    return a.low in (18, 19) or a.high in (18, 19)


def _multiple_phones(f: Features) -> list[tuple[int, int]]:
    if len({p.e164 for p in f.phones}) < 2:
        return []
    return [(p.start, p.end) for p in f.phones]


def _messaging_only(f: Features) -> list[tuple[int, int]]:
    return f.messaging_contacts() if f.messaging_only_contact else []


_ENTITY_SPANS: dict[str, Callable[[Features], list[tuple[int, int]]]] = {
    "minor_age": lambda f: [(a.start, a.end) for a in f.ages if a.low < 18],
    "young_age": lambda f: [(a.start, a.end) for a in f.ages if _is_young(a)],
    "foreign_destination": lambda f: [(x.start, x.end) for x in f.locations if x.foreign],
    "scam_hub": lambda f: [(x.start, x.end) for x in f.locations if x.scam_hub],
    "messaging_only_contact": _messaging_only,
    "obfuscated_phone": lambda f: [(p.start, p.end) for p in f.phones if p.obfuscated],
    "multiple_phones": _multiple_phones,
    "price": lambda f: [(p.start, p.end) for p in f.prices],
    "foreign_currency": lambda f: [(p.start, p.end) for p in f.prices if p.currency != "INR"],
    "phone": lambda f: [(p.start, p.end) for p in f.phones],
    "email": lambda f: [(e.start, e.end) for e in f.emails],
    "handle": lambda f: [(h.start, h.end) for h in f.handles],
    "url": lambda f: [(u.start, u.end) for u in f.urls],
    "age": lambda f: [(a.start, a.end) for a in f.ages],
    "location": lambda f: [(x.start, x.end) for x in f.locations],
    "person": lambda f: [(p.start, p.end) for p in f.persons],
}
assert tuple(_ENTITY_SPANS) == ENTITY_NAMES


def _persons(view: NormalizedText) -> list[Person]:
    text = view.text
    out: list[Person] = []
    for m in _PERSON_NOUN.finditer(text):
        s = m.start()
        if s > 0 and text[s - 1].isalpha():
            continue
        c = _PERSON_COUNT.search(text, max(0, s - 40), s)
        if c is None:
            continue
        n0 = c.start("n")
        if n0 > 0 and (text[n0 - 1].isalnum() or text[n0 - 1] in ".,/-–"):
            continue  # "age 14-18 girls", "covid19 girls"
        if text[max(0, n0 - 3) : n0] == "to ":
            continue  # "14 to 18 girls"
        raw = c.group("n")
        if raw.isdigit():
            count = int("".join(str(unicodedata.decimal(ch, 0)) for ch in raw))
        else:
            count = _NUMBER_WORDS.get(raw, 0)
        if 0 < count <= 500:
            out.append(Person(count, m.group(), *view.span(n0, m.end())))
    return out


def extract(text: str, *, region: str = "IN") -> Features:
    """Normalise ``text`` and run every extractor; ``region`` is the default phone region.

    Never raises on any string: extraction must not lose an ad over odd Unicode.
    """
    if not isinstance(text, str):
        raise TypeError(f"extract() needs a str, not {type(text).__name__}")
    contact, norm = normalize_both(text)
    emails = extract_emails(contact)
    urls = extract_urls(contact, [(e.start, e.end) for e in emails])
    # digits inside an e-mail or an ordinary link are not a contact number; a chat link is
    not_phone = [(e.start, e.end) for e in emails] + [
        (u.start, u.end) for u in urls if not u.messaging
    ]
    phones = [
        p
        for p in extract_phones(contact, region)
        if not any(p.start < xe and xs < p.end for xs, xe in not_phone)
    ]
    handles = extract_handles(contact, urls, emails, region)
    if handles and urls:
        # "fb: rosy.page" is an account name that happens to look like a domain
        urls = [
            u
            for u in urls
            if not (
                is_bare_domain(u) and any(h.start <= u.start and u.end <= h.end for h in handles)
            )
        ]
    if phones:
        for p in phones:
            for platform in p.platforms:
                if not any(
                    h.platform == platform
                    and h.value == p.e164
                    and h.start < p.end
                    and p.start < h.end
                    for h in handles
                ):
                    handles.append(Handle(platform, p.e164, p.start, p.end))
        handles.sort(key=lambda h: h.start)
    # one digit test for the two extractors that need digits (each would scan for them)
    has_digits = _DIGIT.search(contact.text) is not None
    prices: list[Price] = []
    if has_digits:
        taken = not_phone + [(p.start, p.end) for p in phones] + [(u.start, u.end) for u in urls]
        prices = extract_prices(contact, taken, _REGION_CURRENCY.get(region, "INR"))
    return Features(
        normalized=norm,
        contact=contact,
        region=region,
        phones=phones,
        emails=emails,
        handles=handles,
        urls=urls,
        prices=prices,
        ages=extract_ages(norm) if has_digits else [],
        locations=extract_locations(norm),
        persons=_persons(norm),
        emojis=[] if text.isascii() else _EMOJI.findall(text),
        office_address=_OFFICE.search(norm.text) is not None,
    )
