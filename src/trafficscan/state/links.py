"""``seen_with``: the other postings that share a phone, e-mail or handle with an ad.

The obvious query (join every linked posting, sort, count) costs time in proportion to how
many postings share the contact, once per ad. Real data has contacts on thousands of ads (an
agency number, a placeholder like +910000000000), and that made one batch take seconds. So
the work is done once per batch, per *contact*, with a handful of set-wise queries on the
primary-key index of ``posting_contacts`` (``contact_id, posting_id``):

* every contact's size comes from one grouped count;
* *small* contacts (the usual case) have all their postings read in one query, and unions
  are taken in Python;
* a *big* contact is never enumerated: its oldest postings are an ordered index range with a
  LIMIT, and an ad's count is the big contact's size plus the postings of its other contacts
  that are not linked to the big one (an index probe each).

Listed ads are the lowest posting ids, merged across the ad's contacts. Posting ids grow as
postings are first recorded, so that is "first seen first".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

#: A contact on more postings than this is "big": never read whole.
SMALL_CONTACT = 64
#: Parameters per ``IN (...)`` list; old SQLite builds allow 999 in all.
_CHUNK = 500


def _chunks(values: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _marks(values: list[int]) -> str:
    return ", ".join("?" * len(values))


class LinkFinder:
    """Answers ``seen_with`` for the postings of one batch, inside its transaction."""

    def __init__(self, conn: sqlite3.Connection, limit: int, contact_ids: Iterable[int]) -> None:
        self._conn = conn
        self._limit = limit
        self._sizes: dict[int, int] = {}
        self._members: dict[int, list[int]] = {}  # small contacts: all postings, sorted
        self._firsts: dict[int, list[int]] = {}  # big contacts: the limit + 1 oldest
        self._unions: dict[frozenset[int], int] = {}
        self._load(sorted(set(contact_ids)))

    def _load(self, ids: list[int]) -> None:
        for chunk in _chunks(ids):
            self._sizes.update(
                self._conn.execute(
                    "SELECT contact_id, COUNT(*) FROM posting_contacts "
                    f"WHERE contact_id IN ({_marks(chunk)}) GROUP BY contact_id",
                    chunk,
                ).fetchall()
            )
        small = [c for c in ids if self._sizes.get(c, 0) <= SMALL_CONTACT]
        for chunk in _chunks(small):
            rows = self._conn.execute(
                "SELECT contact_id, posting_id FROM posting_contacts "
                f"WHERE contact_id IN ({_marks(chunk)}) ORDER BY contact_id, posting_id",
                chunk,
            )
            for contact_id, posting_id in rows:
                self._members.setdefault(contact_id, []).append(posting_id)
        for contact_id in ids:
            if self._sizes.get(contact_id, 0) > SMALL_CONTACT:
                self._firsts[contact_id] = [
                    row[0]
                    for row in self._conn.execute(
                        "SELECT posting_id FROM posting_contacts WHERE contact_id = ? "
                        "ORDER BY posting_id LIMIT ?",
                        (contact_id, self._limit + 1),
                    )
                ]

    def links(self, posting_id: int, contact_ids: list[int]) -> tuple[int, list[int]]:
        """How many other postings share a contact with this one, and the oldest few ids."""
        if not contact_ids:
            return 0, []
        key = frozenset(contact_ids)
        if all(c in self._members for c in key):
            linked = set().union(*(self._members[c] for c in key))
            linked.discard(posting_id)
            return len(linked), sorted(linked)[: self._limit]
        count = self._union(key) - 1  # minus the posting itself
        firsts: set[int] = set()
        for c in key:
            firsts.update((self._members.get(c) or self._firsts.get(c) or [])[: self._limit + 1])
        firsts.discard(posting_id)
        return count, sorted(firsts)[: self._limit]

    def _union(self, contact_ids: frozenset[int]) -> int:
        """How many distinct postings carry any of these contacts (one of them big)."""
        if contact_ids not in self._unions:
            largest = max(contact_ids, key=lambda c: self._sizes.get(c, 0))
            others = sorted(contact_ids - {largest})
            extra = 0
            if others:
                extra = self._conn.execute(
                    "SELECT COUNT(DISTINCT pc.posting_id) FROM posting_contacts AS pc "
                    f"WHERE pc.contact_id IN ({_marks(others)}) AND NOT EXISTS ("
                    "  SELECT 1 FROM posting_contacts AS big"
                    "  WHERE big.contact_id = ? AND big.posting_id = pc.posting_id)",
                    (*others, largest),
                ).fetchone()[0]
            self._unions[contact_ids] = self._sizes.get(largest, 0) + extra
        return self._unions[contact_ids]

    def describe(self, posting_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """``{"id", "url", "source", "first_seen"}`` of each posting, by posting id."""
        wanted = sorted(set(posting_ids))
        found: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(wanted):
            for pid, ad_id, url, source, first_seen in self._conn.execute(
                "SELECT id, ad_id, url, source, first_seen FROM postings "
                f"WHERE id IN ({_marks(chunk)})",
                chunk,
            ):
                found[pid] = {"id": ad_id, "url": url, "source": source, "first_seen": first_seen}
        return found


def seen_with_all(
    conn: sqlite3.Connection, limit: int, posting_ids: list[int], contact_ids: list[list[int]]
) -> list[dict[str, Any] | None]:
    """``seen_with`` for each posting of a batch: ``{"count", "ads"}`` or ``None``."""
    finder = LinkFinder(conn, limit, (c for ids in contact_ids for c in ids))
    found = [finder.links(pid, ids) for pid, ids in zip(posting_ids, contact_ids, strict=True)]
    details = finder.describe(p for _, firsts in found for p in firsts)
    return [
        {"count": count, "ads": [dict(details[p]) for p in firsts]} if count > 0 else None
        for count, firsts in found
    ]
