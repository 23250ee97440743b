"""The evidence tables of the state database: record → file and offset, ad → record, exports.

Kept apart from :mod:`trafficscan.state.db` so the history's core stays about postings; every
statement goes through :meth:`StateDB.transaction` / :meth:`StateDB.query`, under its lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from trafficscan.evidence.record import StoredRecord

if TYPE_CHECKING:
    from trafficscan.state.db import StateDB

_COLUMNS = "warc, record_id, offset, length, url, sha256, fetched_at"


def add_record(db: StateDB, rec: StoredRecord, scan_id: int | None) -> None:
    """Index a record that is already on disk."""
    with db.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO evidence (record_id, warc, offset, length, url, sha256, "
            "fetched_at, scan_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rec.record_id,
                rec.warc,
                rec.offset,
                rec.length,
                rec.url,
                rec.sha256,
                rec.fetched_at,
                scan_id,
            ),
        )


def find_record(db: StateDB, url: str, sha256: str) -> StoredRecord | None:
    """The newest stored record of ``url`` with exactly this body."""
    rows = db.query(
        f"SELECT {_COLUMNS} FROM evidence WHERE url = ? AND sha256 = ? ORDER BY id DESC LIMIT 1",
        (url, sha256),
    )
    return StoredRecord(*rows[0]) if rows else None


def link_ads(db: StateDB, links: Iterable[tuple[str, str, str, bool]]) -> None:
    """Remember which ads a record shows: ``(ad id, ad url, record id, flagged)``."""
    rows = list(links)
    if not rows:
        return
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO ad_evidence (ad_id, url, evidence_id, flagged) "
            "SELECT ?, ?, id, ? FROM evidence WHERE record_id = ? "
            "ON CONFLICT (ad_id, url, evidence_id) DO UPDATE SET "
            "flagged = MAX(flagged, excluded.flagged)",
            [(ad_id, url, int(flagged), record_id) for ad_id, url, record_id, flagged in rows],
        )


def records_of_ads(db: StateDB, ad_ids: Sequence[str]) -> dict[str, list[StoredRecord]]:
    """Every stored record of each ad id (oldest first); ids without any are left out."""
    found: dict[str, list[StoredRecord]] = {}
    for ad_id in ad_ids:
        rows = db.query(
            f"SELECT {', '.join('e.' + c.strip() for c in _COLUMNS.split(','))} "
            "FROM ad_evidence a JOIN evidence e ON e.id = a.evidence_id "
            "WHERE a.ad_id = ? GROUP BY e.id ORDER BY e.id",
            (ad_id,),
        )
        if rows:
            found[ad_id] = [StoredRecord(*r) for r in rows]
    return found


def record_by_id(db: StateDB, record_id: str) -> StoredRecord | None:
    rows = db.query(f"SELECT {_COLUMNS} FROM evidence WHERE record_id = ?", (record_id,))
    return StoredRecord(*rows[0]) if rows else None


def scan_of(db: StateDB, record_id: str) -> int | None:
    rows = db.query("SELECT scan_id FROM evidence WHERE record_id = ?", (record_id,))
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def mark_exported(db: StateDB, record_ids: Iterable[str], bundle: str, when: str) -> None:
    """Record that these records went into a case bundle: pruning keeps them for good."""
    with db.transaction() as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO evidence_exports (evidence_id, exported_at, bundle) "
            "SELECT id, ?, ? FROM evidence WHERE record_id = ?",
            [(when, bundle, rid) for rid in record_ids],
        )
