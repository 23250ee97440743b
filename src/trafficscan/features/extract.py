"""Run every extractor over one ad: the :class:`Features` it returns is what later stages read.

``extract(text)`` normalises once (two views, see :mod:`trafficscan.features.normalize`), runs
the recognizers (:mod:`trafficscan.features.recognizers` lists them: phones, e-mails, handles,
links, prices, ages, places, counted persons; emoji and an office address are read here), in
an order where each may exclude the spans of another (no phone inside an e-mail, no price
inside a phone), and returns an immutable :class:`Features` with spans into the original
text. What the later stages read from it lives beside it, one job a module:

* :mod:`~trafficscan.features.entity_values` — the ``entities`` object of the output (SPEC.md);
* :mod:`~trafficscan.features.entity_names` — the entity names rules may use and their spans
  (``docs/rules.md``, "Entity names");
* :mod:`~trafficscan.features.numeric` — a fixed vector of counts and flags for the classifier;
* :mod:`~trafficscan.features.findings` — every record and derived signal as one
  :class:`~trafficscan.core.finding.Finding` (kind, span, value, normal form, confidence,
  explanation): what redaction masks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from trafficscan.core.finding import Finding
from trafficscan.features._regex import digit_runs
from trafficscan.features.ages import ages_from_digits
from trafficscan.features.contacts import (
    extract_emails,
    extract_handles,
    extract_urls,
    is_bare_domain,
)
from trafficscan.features.entity_names import ENTITY_NAMES, entity_spans
from trafficscan.features.entity_values import entities_of
from trafficscan.features.findings import contact_findings, findings_of
from trafficscan.features.money import prices_from_digits
from trafficscan.features.normalize import NormalizedText, normalize_both
from trafficscan.features.numeric import INR_PER_UNIT, NUMERIC_FEATURES, numeric_vector
from trafficscan.features.persons import extract_persons
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

__all__ = ["ENTITY_NAMES", "INR_PER_UNIT", "NUMERIC_FEATURES", "Features", "extract"]

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
    # What the later stages read, each kept in its own module (one job a file):

    def entities(self) -> dict[str, Any]:
        """The output's ``entities`` object (:func:`trafficscan.features.entity_values.entities_of`)."""
        return entities_of(self)

    def entity_spans(self, name: str) -> list[tuple[int, int]]:
        """What makes entity ``name`` true for the rules (:mod:`trafficscan.features.entity_names`)."""
        return entity_spans(self, name)

    def numeric(self) -> dict[str, float]:
        """The classifier's counts and flags (:func:`trafficscan.features.numeric.numeric_vector`)."""
        return numeric_vector(self)

    def findings(self) -> tuple[Finding, ...]:
        """Every recognizer's findings and every derived signal as one type, sorted by
        (start, -end, kind) (:func:`trafficscan.features.findings.findings_of`). Built on each
        call, from the records above: scoring never asks for them."""
        return findings_of(self)

    def contact_findings(self) -> tuple[Finding, ...]:
        """The phone, e-mail and handle findings: what redaction masks, by span."""
        return contact_findings(self)


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
        extract_persons(norm),
        _emojis(text),
        _OFFICE.search(norm.text) is not None,  # office_address
    )
