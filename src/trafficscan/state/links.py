"""``seen_with``: the other postings that share a phone, e-mail or handle with an ad.

The obvious query (join every linked posting, sort, count) costs time in proportion to how
many postings share the contact, once per ad. Real data has contacts on thousands of ads (an
agency number, a placeholder like +910000000000), and that made one batch take seconds. So
the work is organised per batch and per *contact*, using only the primary-key index of
``posting_contacts`` (``contact_id, posting_id``):

* the listed ads are the lowest posting ids of each contact (an ordered index range, so only
  ``limit + 1`` entries are read however big the contact is), merged across the ad's contacts.
  Posting ids grow as postings are first recorded, so this is "first seen first";
* the count of one contact is one index range count per batch; an ad with several contacts
  counts the largest contact's postings plus those of the others that are not linked to the
  largest (probing its index), so a big contact is never enumerated per ad.
"""

from __future__ import annotations

import sqlite3
from typing import Any


class LinkFinder:
    """Answers ``seen_with`` for the postings of one batch, inside its transaction."""

    def __init__(self, conn: sqlite3.Connection, limit: int) -> None:
        self._conn = conn
        self._limit = limit
        self._sizes: dict[int, int] = {}
        self._firsts: dict[int, list[int]] = {}
        self._unions: dict[frozenset[int], int] = {}
        self._postings: dict[int, dict[str, Any]] = {}

    def seen_with(self, posting_id: int, contact_ids: list[int]) -> dict[str, Any] | None:
        """``{"count", "ads"}`` for one posting, or ``None`` if it shares no contact."""
        if not contact_ids:
            return None
        count = self._union(frozenset(contact_ids)) - 1  # minus the posting itself
        if count <= 0:
            return None
        firsts = sorted({p for c in contact_ids for p in self._first(c) if p != posting_id})
        return {"count": count, "ads": [self._posting(p) for p in firsts[: self._limit]]}

    def _size(self, contact_id: int) -> int:
        if contact_id not in self._sizes:
            self._sizes[contact_id] = self._conn.execute(
                "SELECT COUNT(*) FROM posting_contacts WHERE contact_id = ?", (contact_id,)
            ).fetchone()[0]
        return self._sizes[contact_id]

    def _first(self, contact_id: int) -> list[int]:
        """The contact's ``limit + 1`` oldest postings: enough after dropping the asker."""
        if contact_id not in self._firsts:
            self._firsts[contact_id] = [
                row[0]
                for row in self._conn.execute(
                    "SELECT posting_id FROM posting_contacts WHERE contact_id = ? "
                    "ORDER BY posting_id LIMIT ?",
                    (contact_id, self._limit + 1),
                )
            ]
        return self._firsts[contact_id]

    def _union(self, contact_ids: frozenset[int]) -> int:
        """How many distinct postings carry any of these contacts."""
        if contact_ids not in self._unions:
            largest = max(contact_ids, key=self._size)
            others = sorted(contact_ids - {largest})
            extra = 0
            if others:
                marks = ", ".join("?" * len(others))
                extra = self._conn.execute(
                    f"SELECT COUNT(DISTINCT pc.posting_id) FROM posting_contacts AS pc "
                    f"WHERE pc.contact_id IN ({marks}) AND NOT EXISTS ("
                    "  SELECT 1 FROM posting_contacts AS big"
                    "  WHERE big.contact_id = ? AND big.posting_id = pc.posting_id)",
                    (*others, largest),
                ).fetchone()[0]
            self._unions[contact_ids] = self._size(largest) + extra
        return self._unions[contact_ids]

    def _posting(self, posting_id: int) -> dict[str, Any]:
        if posting_id not in self._postings:
            ad_id, url, source, first_seen = self._conn.execute(
                "SELECT ad_id, url, source, first_seen FROM postings WHERE id = ?", (posting_id,)
            ).fetchone()
            self._postings[posting_id] = {
                "id": ad_id,
                "url": url,
                "source": source,
                "first_seen": first_seen,
            }
        return dict(self._postings[posting_id])
