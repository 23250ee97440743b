"""The registry of entity names: what the features stage answers for, and so what rule packs
may name, each with the spans of the original text that make it true. The names are the
registered recognizers' kinds and derived signals (:mod:`trafficscan.features.recognizers`).

One list for both sides: ``Features.entity_spans(name)`` answers every name here (an assertion
in ``extract`` holds the table to it), and the rules loader accepts exactly these names in
``entity`` and ``near.with_entity``. Kept in a module of its own so that validating a rule pack
does not load the extractors.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from trafficscan.features.recognizers import KINDS, SIGNALS

if TYPE_CHECKING:
    from trafficscan.features.extract import Features
    from trafficscan.features.types import Age

#: Indicators (docs/rules.md, "Entity names"): true when the ad states something an analyst
#: cites. The registered signals (:data:`trafficscan.features.recognizers.SIGNALS`).
INDICATOR_ENTITIES: tuple[str, ...] = tuple(s.name for s in SIGNALS)

#: Presence: "an entity of this kind is in the ad", handy for ``near: with_entity``. The
#: registered finding kinds not already an indicator (``price`` is both).
PRESENCE_ENTITIES: tuple[str, ...] = tuple(k for k in KINDS if k not in INDICATOR_ENTITIES)

ENTITY_NAMES: tuple[str, ...] = (*INDICATOR_ENTITIES, *PRESENCE_ENTITIES)


def entity_spans(f: Features, name: str) -> list[tuple[int, int]]:
    """Original-text spans that make entity ``name`` true; an empty list means false.

    Whole-ad predicates (``messaging_only_contact``, ``multiple_phones``) return the spans
    of the contacts concerned. Raises ``KeyError`` for a name not in :data:`ENTITY_NAMES`.
    """
    entry = _ENTITY_SPANS.get(name)
    if entry is None:
        raise KeyError(f"unknown entity {name!r}; known: {', '.join(ENTITY_NAMES)}")
    source, fn = entry
    if not source(f):
        return []  # nothing of that kind: most ads, for most names
    return sorted(set(fn(f)))


def is_young(a: Age) -> bool:
    """An age of 18 or 19 is stated: a single age, or either end of a range."""
    return a.low in (18, 19) or a.high in (18, 19)


def _multiple_phones(f: Features) -> list[tuple[int, int]]:
    if len({p.e164 for p in f.phones}) < 2:
        return []
    return [(p.start, p.end) for p in f.phones]


def _messaging_only(f: Features) -> list[tuple[int, int]]:
    return f.messaging_contacts() if f.messaging_only_contact else []


_Spans = Callable[["Features"], list[tuple[int, int]]]
_ages, _locations, _phones = attrgetter("ages"), attrgetter("locations"), attrgetter("phones")
_prices = attrgetter("prices")
# name -> (what it is read from, its spans): when the first is empty, so are the spans, which
# one C call tells for most names of most ads
_ENTITY_SPANS: dict[str, tuple[Callable[[Features], Any], _Spans]] = {
    "minor_age": (_ages, lambda f: [(a.start, a.end) for a in f.ages if a.low < 18]),
    "young_age": (_ages, lambda f: [(a.start, a.end) for a in f.ages if is_young(a)]),
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
