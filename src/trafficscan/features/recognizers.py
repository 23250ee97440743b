"""The registry of recognizers and of the signals derived from what they find.

One entry per recognizer module: the finding kinds it returns and one line on what it reads.
One entry per derived signal: the kinds it is read from and when it is true. The entity names
rule packs may use (:data:`trafficscan.features.entity_names.ENTITY_NAMES`) are made from these
two lists, so a new recognizer is one registration here (plus its converter to
:class:`~trafficscan.core.finding.Finding` in :mod:`trafficscan.features.findings`, which an
assertion holds to this list). Module names are strings: validating a rule pack reads this
registry without loading a single extractor.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KINDS", "RECOGNIZERS", "SIGNALS", "Recognizer", "Signal"]


@dataclass(frozen=True, slots=True)
class Recognizer:
    """A recognizer module and the finding kinds it returns."""

    module: str
    kinds: tuple[str, ...]
    doc: str


@dataclass(frozen=True, slots=True)
class Signal:
    """A fact derived from findings (an indicator an analyst cites), and the kinds it reads.

    A signal named like a kind (``price``) is that kind's findings under another role: no
    separate findings are derived for it.
    """

    name: str
    reads: tuple[str, ...]
    doc: str


RECOGNIZERS: tuple[Recognizer, ...] = (
    Recognizer(
        "trafficscan.features.phones",
        ("phone",),
        "phone numbers in digits, digit words, Indic digits or spaced out; validated, E.164",
    ),
    Recognizer(
        "trafficscan.features.contacts",
        ("email", "handle", "url"),
        "e-mail addresses (also 'name [at] domain'), messaging and social handles, web links",
    ),
    Recognizer(
        "trafficscan.features.money",
        ("price",),
        "amounts of money with currency and period (k, lakh and crore applied)",
    ),
    Recognizer("trafficscan.features.ages", ("age",), "stated ages and age ranges"),
    Recognizer(
        "trafficscan.features.places",
        ("location",),
        "places from the gazetteer: Indian cities and states, destinations, scam compounds",
    ),
    Recognizer(
        "trafficscan.features.persons",
        ("person",),
        "counted mentions of people on offer or wanted ('2 girls', 'do ladkiyan')",
    ),
)

#: In the order ``docs/rules.md`` lists them ("Entity names": indicators).
SIGNALS: tuple[Signal, ...] = (
    Signal("minor_age", ("age",), "an age (or the low end of a range) under 18 is stated"),
    Signal("young_age", ("age",), "an age of 18 or 19 is stated"),
    Signal("foreign_destination", ("location",), "a place outside India is named"),
    Signal("scam_hub", ("location",), "a known scam-compound location is named"),
    Signal(
        "messaging_only_contact",
        ("phone", "email", "handle", "url"),
        "the only contacts are messaging handles or numbers for WhatsApp/Telegram",
    ),
    Signal("obfuscated_phone", ("phone",), "a number was read only after undoing obfuscation"),
    Signal("multiple_phones", ("phone",), "two or more different phone numbers"),
    Signal("price", ("price",), "a price or amount of money is stated"),
    Signal("foreign_currency", ("price",), "an amount in a currency other than INR is stated"),
)

#: Every finding kind, in registry order.
KINDS: tuple[str, ...] = tuple(k for r in RECOGNIZERS for k in r.kinds)

assert len(set(KINDS)) == len(KINDS), "a kind belongs to one recognizer"
assert all(set(s.reads) <= set(KINDS) for s in SIGNALS), "a signal reads registered kinds"
