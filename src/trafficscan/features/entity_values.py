"""The ``entities`` object of the output (SPEC.md): each entity's normalised value, once, in
first-seen order — phones in E.164, e-mails lower-cased, handles as platform and account,
ages as numbers, prices as amount, currency and unit, places by their gazetteer name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trafficscan.features.extract import Features
    from trafficscan.features.types import Age, Price


def entities_of(f: Features) -> dict[str, Any]:
    """The ``entities`` object of the output (SPEC.md), first-seen order, no duplicates.

    Amounts are written as integers when whole (``2000``, as in SPEC.md), else as floats;
    a price carries ``unit`` when the ad says what it is per.
    """
    # most ads have none of most kinds: an empty kind costs one truth test
    phones, emails, handles, urls = f.phones, f.emails, f.handles, f.urls
    ages, prices, locations = f.ages, f.prices, f.locations
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
