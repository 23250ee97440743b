"""Which flagged ads belong together: one operation behind several ads is the finding a
superior acts on, more than any single ad.

An item's ``cluster`` (``{id, size}``), when the file has one, is the grouping. Without it, ads
are linked when they share a contact: a phone in ``entities.phones``, an e-mail, a messaging
handle, or an earlier ad named in ``seen_with`` (kept by the state database across scans).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(slots=True)
class Member:
    """One flagged ad as the cluster picture shows it."""

    number: int  # its number in the report (#3), and its anchor (#ad-3)
    title: str
    city: str
    day: date | None


@dataclass(slots=True)
class Cluster:
    label: str  # "cluster 7f3a" or the contacts the ads share
    members: list[Member] = field(default_factory=list)
    size: int = 0  # ads in the cluster, those outside this report included
    shared: list[str] = field(default_factory=list)


def contact_keys(item: dict[str, Any]) -> set[str]:
    """The contacts that link ads: ``phone:+91...``, ``email:...``, ``handle:telegram:...``."""
    ents = item.get("entities") or {}
    keys: set[str] = set()
    for phone in ents.get("phones") or []:
        if isinstance(phone, str) and phone:
            keys.add(f"phone:{phone}")
    for email in ents.get("emails") or []:
        if isinstance(email, str) and email:
            keys.add(f"email:{email.lower()}")
    for handle in ents.get("handles") or []:
        if not isinstance(handle, dict):
            continue
        value = str(handle.get("value") or "")
        if value.startswith("+"):  # a WhatsApp/Telegram number: the phone itself
            keys.add(f"phone:{value}")
        elif value:
            keys.add(f"handle:{handle.get('platform', '')}:{value}")
    return keys


def _day(item: dict[str, Any]) -> date | None:
    for key in ("posted_at", "first_seen"):
        value = item.get(key)
        if not isinstance(value, str) or len(value) < 10:
            continue
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def city_of(item: dict[str, Any]) -> str:
    """The ad's place as written (``location``), else the places found in its text."""
    location = item.get("location")
    if isinstance(location, str) and location.strip():
        return location.strip()
    places = [p for p in (item.get("entities") or {}).get("locations") or [] if isinstance(p, str)]
    return ", ".join(places[:2])


def find_clusters(
    items: Sequence[dict[str, Any]], shown: Sequence[tuple[str, str]] | None = None
) -> list[Cluster]:
    """Groups of two or more ads (by ``cluster.id``, else by shared contact), largest first.

    ``shown`` gives each item's title and city as the report prints them (masked when it is
    redacted); by default they are taken from the items as they are.
    """
    if shown is None:
        shown = [(str(i.get("title") or ""), city_of(i)) for i in items]
    by_id: dict[str, list[int]] = defaultdict(list)
    sizes: dict[str, int] = {}
    loose: list[int] = []
    for n, item in enumerate(items):
        cluster = item.get("cluster")
        if isinstance(cluster, dict) and cluster.get("id") not in (None, ""):
            cid = str(cluster["id"])
            by_id[cid].append(n)
            size = cluster.get("size")
            sizes[cid] = max(sizes.get(cid, 0), size if isinstance(size, int) else 0)
        else:
            loose.append(n)

    clusters: list[Cluster] = []
    for cid, idx in by_id.items():
        size = max(sizes[cid], len(idx))
        if size >= 2:
            clusters.append(
                Cluster(f"cluster {cid}", [_member(n, items, shown) for n in idx], size)
            )

    # contact links among the ads without a cluster id: union-find over shared keys
    parent = {n: n for n in loose}

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    first_with: dict[str, int] = {}
    keys_of: dict[int, set[str]] = {}
    position = {str(items[n].get("id")): n for n in loose}
    for n in loose:
        keys = contact_keys(items[n])
        seen_with = items[n].get("seen_with")
        if isinstance(seen_with, dict):
            for ad in seen_with.get("ads") or []:
                other = position.get(str(ad.get("id"))) if isinstance(ad, dict) else None
                if other is not None and other != n:
                    keys.add(f"ad:{items[other].get('id')}")
                    keys_of.setdefault(other, set()).add(f"ad:{items[other].get('id')}")
        keys_of.setdefault(n, set()).update(keys)
    for n in loose:
        for key in keys_of[n]:
            if key in first_with:
                parent[root(n)] = root(first_with[key])
            else:
                first_with[key] = n
    groups: dict[int, list[int]] = defaultdict(list)
    for n in loose:
        groups[root(n)].append(n)
    for idx in groups.values():
        if len(idx) < 2:
            continue
        counts: dict[str, int] = defaultdict(int)
        for n in idx:
            for key in keys_of[n]:
                counts[key] += 1
        shared = sorted(k for k, c in counts.items() if c >= 2 and not k.startswith("ad:"))
        clusters.append(Cluster("", [_member(n, items, shown) for n in idx], len(idx), shared))
    clusters.sort(key=lambda c: (-len(c.members), c.members[0].number))
    return clusters


def _member(n: int, items: Sequence[dict[str, Any]], shown: Sequence[tuple[str, str]]) -> Member:
    title, city = shown[n]
    return Member(n + 1, title, city, _day(items[n]))


def describe_contact(key: str, redact: bool) -> str:
    """A shared contact for a label: ``+919000012345`` or, redacted, just ``phone``."""
    kind, _, value = key.partition(":")
    if redact:
        return {"phone": "a phone", "email": "an e-mail", "handle": "a handle"}.get(kind, kind)
    if kind == "handle":
        platform, _, name = value.partition(":")
        return f"{platform} {name}".strip()
    return value


__all__ = ["Cluster", "Member", "city_of", "contact_keys", "describe_contact", "find_clusters"]
