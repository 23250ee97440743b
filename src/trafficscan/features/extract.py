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
from operator import attrgetter
from typing import Any

from trafficscan.features._regex import digit_runs, trie
from trafficscan.features.ages import ages_from_digits
from trafficscan.features.contacts import (
    extract_emails,
    extract_handles,
    extract_urls,
    is_bare_domain,
)
from trafficscan.features.money import prices_from_digits
from trafficscan.features.normalize import NormalizedText, normalize_both
from trafficscan.features.phones import phones_from_digits
from trafficscan.features.places import extract_locations
from trafficscan.features.types import (
    Age,
    Email,
    Handle,
    Location,
    Person,
    Phone,
    Price,
    Url,
    fast_init,
)
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
# Every emoji above is U+2600 or higher. re tests one range per character several times faster
# than the list of ranges above, and most ads have no character that high: one cheap search
# spares the slow one.
_EMOJI_RANGE = re.compile("[\u2600-\U0010ffff]")
# Character classes of numeric(), counted by deleting everything else. ASCII characters are
# classified on the UTF-8 bytes with one bytes.translate (a C loop over a 256-byte table; every
# byte of a non-ASCII character is >= 0x80 and maps to "."), then counted with bytes.count; the
# non-ASCII characters, few in most ads, are counted with the regexes. Each character is
# counted once, so the sums are exactly what the regexes give on the whole text.
_NOT_UPPER = re.compile(r"[^A-ZÀ-ÖØ-ÞА-Я]+")
_NOT_LETTER = re.compile(r"[\W\d_]+")
_NOT_DIGIT = re.compile(r"\D\D*")  # \D+, spelled to scan fast (see _regex)
_ASCII_CLASS = bytes(
    ord("U") if 65 <= b <= 90 else ord("L") if 97 <= b <= 122 else ord("D") if 48 <= b <= 57
    else ord(".")
    for b in range(256)
)  # fmt: skip
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
_PERSON_ADJECTIVES = (
    "new|young|fresh|hot|college|beautiful|sexy|indian|russian|nepali|bengali|assamese|"
    r"north[\s-]?east|local|foreign|vip|more|other|genuine|real|smart|educated|unmarried|"
    "married|single|female|male|fit|healthy|strong|small"
)
# Found noun first, then the count is read backwards from it. The noun pattern starts with the
# character before the noun ([^a-z]: the noun must start a word, checked exactly in _persons),
# so re only stops at word starts; a noun at the very start has no count before it anyway.
_PERSON_NOUN = re.compile(rf"[^a-z]({trie(_PERSON_NOUNS)})(?![a-z\u0900-\u097f])")
_PERSON_COUNT = re.compile(
    r"(?P<n>\d{1,3}|" + trie(_NUMBER_WORDS) + r")\s?\+?\s?"
    rf"(?:(?:{_PERSON_ADJECTIVES})\s){{0,2}}$"
)
# what the text right before a counted noun must end with (see _may_have_count)
_COUNT_ENDINGS = tuple(_NUMBER_WORDS)
_ADJECTIVE_ENDINGS = tuple(
    "east" if a.startswith("north") else a for a in _PERSON_ADJECTIVES.split("|")
)


def _from_letter(word: str, at: int) -> str:
    """A pattern for ``word`` that starts at its letter ``at``, the letters before it checked
    by a look-behind: the same matches end in the same places, but re stops only at that
    (rarer) letter. Good for a pattern that is only searched for, as _OFFICE."""
    return re.escape(word[at:]) + (f"(?<={re.escape(word)})" if at else "")


# Each word from a rare letter: re stops at every "f", "d", "v", "p", "k" of the text rather
# than at every "o", "a", "l", "w" (a quarter of the letters of an English text).
_OFFICE = re.compile(
    "(?:"
    + "|".join(
        _from_letter(word, at)
        for word, at in [
            ("office", 1), ("address", 1), ("pvt ltd", 1), ("pvt. ltd", 1), ("pvt.ltd", 1),
            ("private limited", 3), ("llp", 2), ("plot no", 0), ("plotno", 0), ("floor", 0),
            ("walk-in interview", 3), ("walk in interview", 3), ("walkin interview", 3),
            ("कार्यालय", 0), ("ऑफिस", 0), ("पता", 0),
        ]
    )
    + r")(?![a-z])"
)  # fmt: skip


@fast_init
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
        # most ads have none of most kinds: an empty kind costs one truth test
        phones, emails, handles, urls = self.phones, self.emails, self.handles, self.urls
        ages, prices, locations = self.ages, self.prices, self.locations
        return {
            "phones": _unique([p.e164 for p in phones]) if phones else [],
            "emails": _unique([e.value for e in emails]) if emails else [],
            "handles": [
                {"platform": p, "value": v}
                for p, v in _unique([(h.platform, h.value) for h in handles])
            ]
            if handles
            else [],
            "urls": _unique([u.value for u in urls]) if urls else [],
            "ages": _unique(_age_values(ages)) if ages else [],
            "prices": _unique_dicts([_price_dict(p) for p in prices]) if prices else [],
            "locations": _unique([loc.name for loc in locations]) if locations else [],
        }

    def entity_spans(self, name: str) -> list[tuple[int, int]]:
        """Original-text spans that make entity ``name`` true; an empty list means false.

        Whole-ad predicates (``messaging_only_contact``, ``multiple_phones``) return the spans
        of the contacts concerned. Raises ``KeyError`` for a name not in :data:`ENTITY_NAMES`.
        """
        entry = _ENTITY_SPANS.get(name)
        if entry is None:
            raise KeyError(f"unknown entity {name!r}; known: {', '.join(ENTITY_NAMES)}")
        source, fn = entry
        if not source(self):
            return []  # nothing of that kind: most ads, for most names
        return sorted(set(fn(self)))

    def numeric(self) -> dict[str, float]:
        """The :data:`NUMERIC_FEATURES` of this ad, same keys in the same order for every ad."""
        original = self.normalized.original
        n_chars = len(original)
        # every feature is 0.0 when there is nothing of its kind, as in most ads for most kinds
        out = _NUMERIC_ZEROS.copy()
        out["text_length"] = float(n_chars)
        out["n_words"] = float(_count_words(self.normalized.text))
        if n_chars:
            n_letters, n_upper, n_digits = _char_counts(original)
            if n_letters:
                out["caps_ratio"] = n_upper / n_letters
            out["digit_ratio"] = n_digits / n_chars
        if self.emojis:
            out["n_emojis"] = float(len(self.emojis))
            out["n_distinct_emojis"] = float(len(set(self.emojis)))
        if self.phones:
            phones = {p.e164: p for p in self.phones}  # the last record of each number counts
            default_cc = self.region
            out["n_phones"] = float(len(phones))
            out["n_obfuscated_phones"] = float(sum(p.obfuscated for p in phones.values()))
            out["n_foreign_phones"] = float(sum(p.country != default_cc for p in phones.values()))
        if self.emails:
            out["n_emails"] = float(len({e.value for e in self.emails}))
        if self.handles:
            handles = {(h.platform, h.value) for h in self.handles}
            out["n_handles"] = float(len(handles))
            out["has_whatsapp"] = float(any(p == "whatsapp" for p, _ in handles))
            out["has_telegram"] = float(any(p == "telegram" for p, _ in handles))
        if self.urls:
            out["n_urls"] = float(len({u.value for u in self.urls}))
        if self.handles or self.phones:
            out["messaging_only_contact"] = float(self.messaging_only_contact)
        if self.prices:
            inr = [p.amount * INR_PER_UNIT.get(p.currency, 1.0) for p in self.prices]
            out["n_prices"] = float(len(self.prices))
            out["n_foreign_currency_prices"] = float(sum(p.currency != "INR" for p in self.prices))
            out["log10_max_price_inr"] = math.log10(1.0 + max(inr))
        if self.ages:
            out["n_ages"] = float(len(self.ages))
            out["min_age"] = float(min(a.low for a in self.ages))
            out["has_minor_age"] = float(any(a.low < 18 for a in self.ages))
            out["has_young_age"] = float(any(_is_young(a) for a in self.ages))
        if self.locations:
            out["n_locations"] = float(len(self.locations))
            out["n_foreign_locations"] = float(sum(loc.foreign for loc in self.locations))
            out["n_scam_hubs"] = float(sum(loc.scam_hub for loc in self.locations))
        if self.persons:
            out["n_persons"] = float(min(100, sum(p.count for p in self.persons)))
        return out


_NUMERIC_ZEROS: dict[str, float] = dict.fromkeys(NUMERIC_FEATURES, 0.0)


def _count_words(text: str) -> int:
    """``len(text.split())`` without building the list.

    Printable text has no whitespace but the plain space (every other whitespace character is
    a separator or a control), so with no double, leading or trailing space the words are the
    spaces plus one. The normalised text is like that but for rare invisible characters.
    """
    if not text:
        return 0
    if "  " in text or text[0] == " " or text[-1] == " " or not text.isprintable():
        return len(text.split())
    return text.count(" ") + 1


def _char_counts(text: str) -> tuple[int, int, int]:
    """(letters, capitals, digits) of ``text``, as ``_NOT_LETTER``, ``_NOT_UPPER`` and
    ``_NOT_DIGIT`` would count them (see the tables above)."""
    enc = text.encode("utf-8", "surrogatepass")
    classes = enc.translate(_ASCII_CLASS)
    upper = classes.count(b"U")
    letters = upper + classes.count(b"L")
    digits = classes.count(b"D")
    if not text.isascii():
        # the non-ASCII characters in order: the UTF-8 without its ASCII bytes (a C call)
        rest = enc.translate(None, _ASCII_BYTES)
        counts = _rest_counts.get(rest)
        if counts is None:
            chars = rest.decode("utf-8", "surrogatepass")
            counts = (
                len(_NOT_LETTER.sub("", chars)),
                len(_NOT_UPPER.sub("", chars)),
                len(_NOT_DIGIT.sub("", chars)),
            )
            if len(rest) <= 48 and len(_rest_counts) < 4096:
                _rest_counts[rest] = counts
        letters += counts[0]
        upper += counts[1]
        digits += counts[2]
    return letters, upper, digits


# The non-ASCII characters of most ads are a dash or two and a rupee sign: their counts are
# kept for short strings of them (UTF-8 of at most 48 bytes, at most 4,096 of them: a few
# hundred KiB).
_rest_counts: dict[bytes, tuple[int, int, int]] = {}
_ASCII_BYTES = bytes(range(128))


def _unique(items: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _age_values(ages: list[Age]) -> list[int]:
    """Each age once, each range as its two ends."""
    out: list[int] = []
    for a in ages:
        if a.low == a.high:
            out.append(a.low)
        else:
            out += (a.low, a.high)
    return out


def _price_dict(p: Price) -> dict[str, Any]:
    amount: float | int = int(p.amount) if p.amount.is_integer() else p.amount
    d: dict[str, Any] = {"amount": amount, "currency": p.currency}
    if p.unit:
        d["unit"] = p.unit
    return d


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


_Spans = Callable[[Features], list[tuple[int, int]]]
_ages, _locations, _phones = attrgetter("ages"), attrgetter("locations"), attrgetter("phones")
_prices = attrgetter("prices")
# name -> (what it is read from, its spans): when the first is empty, so are the spans, which
# one C call tells for most names of most ads
_ENTITY_SPANS: dict[str, tuple[Callable[[Features], Any], _Spans]] = {
    "minor_age": (_ages, lambda f: [(a.start, a.end) for a in f.ages if a.low < 18]),
    "young_age": (_ages, lambda f: [(a.start, a.end) for a in f.ages if _is_young(a)]),
    "foreign_destination": (
        _locations,
        lambda f: [(x.start, x.end) for x in f.locations if x.foreign],
    ),
    "scam_hub": (_locations, lambda f: [(x.start, x.end) for x in f.locations if x.scam_hub]),
    "messaging_only_contact": (lambda f: f.handles or f.phones, _messaging_only),
    "obfuscated_phone": (_phones, lambda f: [(p.start, p.end) for p in f.phones if p.obfuscated]),
    "multiple_phones": (_phones, _multiple_phones),
    "price": (_prices, lambda f: [(p.start, p.end) for p in f.prices]),
    "foreign_currency": (
        _prices,
        lambda f: [(p.start, p.end) for p in f.prices if p.currency != "INR"],
    ),
    "phone": (_phones, lambda f: [(p.start, p.end) for p in f.phones]),
    "email": (attrgetter("emails"), lambda f: [(e.start, e.end) for e in f.emails]),
    "handle": (attrgetter("handles"), lambda f: [(h.start, h.end) for h in f.handles]),
    "url": (attrgetter("urls"), lambda f: [(u.start, u.end) for u in f.urls]),
    "age": (_ages, lambda f: [(a.start, a.end) for a in f.ages]),
    "location": (_locations, lambda f: [(x.start, x.end) for x in f.locations]),
    "person": (attrgetter("persons"), lambda f: [(p.start, p.end) for p in f.persons]),
}
assert tuple(_ENTITY_SPANS) == ENTITY_NAMES


def _may_have_count(text: str, s: int) -> bool:
    """Whether ``_PERSON_COUNT`` can match right before ``s``: a necessary condition, tested
    with a few string calls instead of a regex search of the whole window.

    Before the noun stands an adjective and one whitespace character, or the count followed by
    ``\\s?\\+?\\s?``; the count is a digit or a number word. (``$`` also matches before a
    final newline, so a newline right before the noun is always worth the search.)
    """
    k = s
    if k and text[k - 1] == "\n":
        return True
    if k and text[k - 1].isspace():
        k -= 1
        if text.endswith(_ADJECTIVE_ENDINGS, 0, k):
            return True
    if k and text[k - 1] == "+":
        k -= 1
    if k and text[k - 1].isspace():
        k -= 1
    return k > 0 and (text[k - 1].isdecimal() or text.endswith(_COUNT_ENDINGS, 0, k))


def _persons(view: NormalizedText) -> list[Person]:
    text = view.text
    out: list[Person] = []
    for m in _PERSON_NOUN.finditer(text):
        s = m.start(1)
        if text[s - 1].isalpha() or not _may_have_count(text, s):
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
            out.append(Person(count, m.group(1), *view.span(n0, m.end())))
    return out


def _emojis(text: str) -> list[str]:
    if text.isascii() or _EMOJI_RANGE.search(text) is None:
        return []
    return _EMOJI.findall(text)


def _normalized_digits(
    contact: NormalizedText, norm: NormalizedText, digit_spans: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The digit runs of the normalised text, from ``digit_spans``, those of the contact view.

    Normalisation never makes a digit (leetspeak turns some into letters). When it moved no
    character (the two views share their offsets, as for most ads), it only replaced some in
    place: a run still all digits is still a run, and only a run that lost digits is read again.
    """
    if not digit_spans:
        return []
    text = norm.text
    if norm.offsets is not contact.offsets:
        return digit_runs(text)
    out: list[tuple[int, int]] = []
    for s, e in digit_spans:
        if text[s:e].isdecimal():  # \d is isdecimal
            out.append((s, e))
        else:
            out += [(s + a, s + b) for a, b in digit_runs(text[s:e])]
    return out


def extract(text: str, *, region: str = "IN") -> Features:
    """Normalise ``text`` and run every extractor; ``region`` is the default phone region.

    Never raises on any string: extraction must not lose an ad over odd Unicode.
    """
    if not isinstance(text, str):
        raise TypeError(f"extract() needs a str, not {type(text).__name__}")
    contact, norm = normalize_both(text)
    # Most ads have no e-mail, link or phone: the empty cases below cost a truth test each.
    emails = extract_emails(contact)
    email_spans = [(e.start, e.end) for e in emails] if emails else []
    urls = extract_urls(contact, email_spans)
    # digits inside an e-mail or an ordinary link are not a contact number; a chat link is
    not_phone = email_spans
    if urls:
        not_phone = email_spans + [(u.start, u.end) for u in urls if not u.messaging]
    digit_spans = digit_runs(contact.text)  # read once for phones, prices and ages (see _regex)
    phones = phones_from_digits(contact, digit_spans, region)
    if phones and not_phone:
        phones = [p for p in phones if not any(p.start < xe and xs < p.end for xs, xe in not_phone)]
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
    prices: list[Price] = []
    if digit_spans:
        taken = not_phone
        if phones or urls:
            taken = (
                not_phone + [(p.start, p.end) for p in phones] + [(u.start, u.end) for u in urls]
            )
        currency = _REGION_CURRENCY.get(region, "INR")
        prices = prices_from_digits(contact, digit_spans, taken, currency)
        ages = ages_from_digits(norm, _normalized_digits(contact, norm, digit_spans))
    else:
        ages = []  # normalisation never makes a digit
    # positional: matching 13 keywords to parameters costs about as much as the __init__ itself
    return Features(
        norm,  # normalized
        contact,
        region,
        phones,
        emails,
        handles,
        urls,
        prices,
        ages,
        extract_locations(norm),
        _persons(norm),
        _emojis(text),
        _OFFICE.search(norm.text) is not None,  # office_address
    )
