"""A listing's own structured fields, merged into the entities read from its text.

Records and crawled ads may give the contact, price and location as separate fields. The ad
``text`` does not always hold them (a record with its own ``text`` never includes its
``contact``), yet they are what links ads into networks and what an analyst filters on. So each
non-empty field is read on its own and merged: ``contact`` into phones, e-mails and handles,
``price`` into ``prices``, ``location`` into ``locations`` (the gazetteer's name when it knows
the place, else the field as written). Ads without those fields get their entities unchanged.
"""

from __future__ import annotations

from typing import Any

from trafficscan.core.ad import Ad


def merge_structured(ad: Ad, entities: dict[str, Any], region: str = "IN") -> dict[str, Any]:
    """``entities`` with the ad's ``contact``, ``price`` and ``location`` fields added."""
    contact, price, location = ad.contact.strip(), ad.price.strip(), ad.location.strip()
    if not (contact or price or location):
        return entities
    from trafficscan.features import extract

    if contact:
        found = extract(contact, region=region).entities()
        for kind in ("phones", "emails", "handles"):
            _merge(entities, kind, found[kind])
    if price:
        _merge(entities, "prices", extract(price, region=region).entities()["prices"])
    if location:
        names = extract(location, region=region).entities()["locations"]
        _merge(entities, "locations", names or [" ".join(location.split())])
    return entities


def _merge(entities: dict[str, Any], kind: str, values: list[Any]) -> None:
    have = entities.setdefault(kind, [])
    for v in values:
        if v not in have:
            have.append(v)
