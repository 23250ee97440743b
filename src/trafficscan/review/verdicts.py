"""Analyst verdicts on flagged ads, kept in the state database's ``verdicts`` table.

A verdict is keyed by the ad's content id *and* a SHA-256 of its exact text: the content id
ignores case and spacing, but an analyst cleared the words they read, so any edit to the text
makes it a new ad that must reach an analyst again.

Writes do not take the scan lock (:mod:`trafficscan.state.lock`): a review session lasts an
hour, and holding the lock that long would make every cron scan in between exit 4. The lock
exists so two *scans* never interleave their histories; a verdict is one row in a table no
scan writes, and SQLite's own write lock (WAL, ``BEGIN IMMEDIATE``, a busy timeout) keeps each
write whole. Only creating or migrating the file goes through :meth:`StateDB.open`.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

from trafficscan.core.errors import InputError, Problem
from trafficscan.state import schema
from trafficscan.state.lock import utc_now

if TYPE_CHECKING:
    from trafficscan.state import StateDB

Label = Literal["signal", "not_signal", "skip"]
LABELS: tuple[Label, ...] = ("signal", "not_signal", "skip")

#: Seconds a verdict write or the first open waits for a scan that holds the database.
WAIT_SECONDS = 60.0


def text_hash(text: str) -> str:
    """SHA-256 of the exact text: unlike the content id, a changed comma is a changed ad."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_analyst() -> str:
    """The login name: who decided is part of the record, and nobody should have to type it."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in a container without a passwd entry
        return "analyst"


@dataclass(frozen=True, slots=True)
class Verdict:
    """One analyst's decision on one ad text."""

    ad_id: str
    text_hash: str
    label: Label
    analyst: str
    labelled_at: str
    note: str = ""
    score: float | None = None
    record: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_record(
        cls,
        record: dict[str, Any],
        label: Label,
        analyst: str,
        note: str = "",
        labelled_at: str | None = None,
    ) -> Verdict:
        """A verdict on an output record (a flagged-ads item) as the analyst saw it."""
        text = str(record.get("text") or "")
        score = record.get("score")
        return cls(
            ad_id=str(record.get("id") or ""),
            text_hash=text_hash(text),
            label=label,
            analyst=analyst,
            labelled_at=labelled_at or utc_now(),
            note=note,
            score=float(score) if isinstance(score, int | float) else None,
            record=ad_fields(record),
        )


#: The fields of an output record that make it an ad record again (SPEC "Ad records").
AD_FIELDS = ("id", "source", "url", "title", "text", "price", "location", "posted_at")


def ad_fields(record: dict[str, Any]) -> dict[str, Any]:
    """Keep the ad, drop scores, spans and history: they describe one scan, not the ad."""
    return {k: record[k] for k in AD_FIELDS if k in record}


class VerdictStore:
    """The verdicts of one state database, read and written in short transactions."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> VerdictStore:
        """Open ``path``; make or migrate it first (under the scan lock) when needed.

        Without ``create`` a missing file is an input error: reviewing into a fresh, empty
        database would store verdicts that no scan of the real history ever reads.
        """
        from trafficscan.state import StateDB

        path = Path(path).expanduser().absolute()
        if not path.exists() and not create:
            raise InputError(
                Problem(
                    file=str(path),
                    message="no state database here",
                    hint="pass the --state your scans use",
                )
            )
        if not path.exists() or _version(path) != schema.SCHEMA_VERSION:
            StateDB.open(path, wait=True, timeout=WAIT_SECONDS).close()
        conn = sqlite3.connect(path, isolation_level=None, timeout=WAIT_SECONDS)
        conn.execute(f"PRAGMA busy_timeout = {int(WAIT_SECONDS * 1000)}")
        return cls(path, conn)

    def put(self, verdict: Verdict) -> None:
        """Record a verdict, replacing an earlier one on the same text."""
        self.put_many([verdict])

    def put_many(self, verdicts: Iterable[Verdict]) -> int:
        """Record all of them in one transaction: all land, or none do."""
        n = 0
        with self._write() as conn:
            for v in verdicts:
                conn.execute(
                    "INSERT OR REPLACE INTO verdicts (ad_id, text_hash, label, analyst, "
                    "labelled_at, note, score, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        v.ad_id,
                        v.text_hash,
                        v.label,
                        v.analyst,
                        v.labelled_at,
                        v.note,
                        v.score,
                        json.dumps(v.record, ensure_ascii=False, sort_keys=True),
                    ),
                )
                n += 1
        return n

    def remove(self, ad_id: str, hash_: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM verdicts WHERE ad_id = ? AND text_hash = ?", (ad_id, hash_))

    def get(self, ad_id: str, hash_: str) -> Verdict | None:
        rows = self._select("WHERE ad_id = ? AND text_hash = ?", (ad_id, hash_))
        return rows[0] if rows else None

    def all(self, labels: Iterable[Label] = LABELS) -> list[Verdict]:
        """Verdicts with these labels, oldest first."""
        wanted = list(labels)
        marks = ", ".join("?" * len(wanted))
        return self._select(f"WHERE label IN ({marks}) ORDER BY labelled_at, ad_id", wanted)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _select(self, where: str, params: Iterable[Any]) -> list[Verdict]:
        rows = self._conn.execute(
            "SELECT ad_id, text_hash, label, analyst, labelled_at, note, score, record "
            f"FROM verdicts {where}",
            tuple(params),
        ).fetchall()
        return [
            Verdict(
                ad_id=r[0],
                text_hash=r[1],
                label=r[2],
                analyst=r[3],
                labelled_at=r[4],
                note=r[5],
                score=r[6],
                record=json.loads(r[7]),
            )
            for r in rows
        ]

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")


def cleared_keys(db: StateDB) -> set[tuple[str, str]]:
    """``(content id, text hash)`` of every ad an analyst marked "not a signal".

    The scan reads them once, at its start, through its own open state database.
    """
    rows = db.query("SELECT ad_id, text_hash FROM verdicts WHERE label = 'not_signal'")
    return {(str(r[0]), str(r[1])) for r in rows}


def is_cleared(cleared: set[tuple[str, str]], ad_id: str, text: str) -> bool:
    """Did an analyst clear exactly this text? (The scan asks only for flagged ads.)"""
    return bool(cleared) and (ad_id, text_hash(text)) in cleared


def _version(path: Path) -> int:
    """The file's schema version, read without locking or writing; -1 if it cannot be read
    (then :meth:`StateDB.open` reports what is wrong with it)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return schema.user_version(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return -1
