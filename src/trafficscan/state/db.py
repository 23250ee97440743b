"""The state database: what earlier scans saw, so a scan can tell new ads and linked ads.

Design choices, each for an unattended hourly cron job:

* **One writer, enforced by the OS.** :meth:`StateDB.open` takes an exclusive file lock
  (:mod:`trafficscan.state.lock`) before touching the file and keeps it until :meth:`close`.
  Everything below can therefore assume it is the only writer.
* **Every write is one SQLite transaction** (``BEGIN IMMEDIATE`` ... ``COMMIT``): a batch of
  ads is recorded entirely or not at all, so a SIGKILL at any instant leaves the previous
  batch boundary on disk. WAL mode makes the commit an append to the ``-wal`` file that
  readers and a crash recovery can both cope with.
* **synchronous=NORMAL, not FULL.** In WAL mode NORMAL never corrupts the file; after an
  *application* crash (SIGKILL, OOM kill) every committed transaction survives, because it
  already sits in the OS page cache. Only an OS crash or power cut can lose the last few
  commits, and what they held (sightings) is re-observed by the next hourly scan. FULL
  would fsync on every batch for no gain that matters here.
* **Identity.** A *posting* is ``(content id, url)``: the same text at two URLs is two
  postings, so an ad moving between sites or cities stays visible. "New" is about content:
  ``is_new`` is true when no *completed* earlier scan saw that content id at any URL, so
  ``scan.ads_new`` counts new content and a re-scan of an unchanged site gives 0. Sightings
  by a scan that was killed or failed do not count as "seen": that scan never delivered its
  output, and its new ads must still reach the analyst on the next run. They do count for
  ``first_seen`` (the earliest observation) and for ``seen_with`` (a shared phone number is
  a fact, whoever saw it). Within one scan, every posting of a new content id is new,
  whatever the order in which the concurrent crawler delivered them.
* **Times** are the scan's start time (ISO-8601 UTC, ``...Z``, whole seconds) for every
  sighting in it, so one scan's results carry one timestamp and golden files stay stable.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from platformdirs import user_data_path

from trafficscan.core.ad import ScoredAd
from trafficscan.core.errors import InputError, Problem
from trafficscan.features.contact_keys import Contact, contacts_of
from trafficscan.state import schema
from trafficscan.state.links import seen_with_all
from trafficscan.state.lock import ScanLock, utc_now

FinalStatus = Literal["completed", "interrupted", "failed"]
FINAL_STATUSES: frozenset[str] = frozenset({"completed", "interrupted", "failed"})

#: How many linked postings ``seen_with["ads"]`` lists; ``count`` still says how many in all.
SEEN_WITH_LIMIT = 5

_SQLITE_MAGIC = b"SQLite format 3\x00"
_FRESH_HINT = (
    "it is left untouched; move it aside to start a new history, point --state at another "
    "file, or scan with --no-state"
)

_UPSERT_POSTING = """
INSERT INTO postings (ad_id, url, source, title, first_seen, last_seen, first_scan, last_scan,
                      last_score, flagged)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (ad_id, url) DO UPDATE SET
    source = excluded.source, title = excluded.title, last_seen = excluded.last_seen,
    last_scan = excluded.last_scan, last_score = excluded.last_score, flagged = excluded.flagged
"""


def default_state_path() -> Path:
    """Where ``scan`` keeps its history without ``--state``: per user, outside the work folder,
    so hourly cron runs from any directory share one history."""
    return user_data_path("trafficscan", appauthor=False) / "state.sqlite3"


def state_path(state: Path | None) -> Path:
    """``--state`` or the history ``scan`` keeps by default: verdicts, labels and clusters
    belong with it, since that is the database the next scan reads."""
    return state if state is not None else default_state_path()


def normalize_time(value: str | datetime) -> str:
    """ISO-8601 in, ``YYYY-MM-DDTHH:MM:SSZ`` out, so times sort and compare as plain strings."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # a naive time from our own code is UTC by convention
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Sighting:
    """What the history says of one scored ad, as :meth:`StateDB.record` found it.

    A value the pipeline composes into the ad it writes (``ScoredAd.first_seen`` …): the state
    layer reports, it does not change the ads it was given.
    """

    first_seen: str  # the earliest sighting of this content, at any URL, by any scan
    last_seen: str  # this scan's start time
    is_new: bool  # no completed earlier scan saw this content
    seen_with: dict[str, Any] | None  # postings sharing a contact (see state.links)


@dataclass(frozen=True, slots=True)
class StateStats:
    """What the state database holds, counted: scans by status, ads, postings, contacts."""

    path: str
    schema_version: int
    scans: int
    scans_by_status: dict[str, int] = field(default_factory=dict)
    ads: int = 0  # distinct content ids
    postings: int = 0  # (content id, url) pairs
    contacts: int = 0
    last_completed_scan: str | None = None  # its start time

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class StateDB:
    """An open, locked state database. Use :meth:`open`; close it (or use ``with``) to unlock."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock: ScanLock) -> None:
        self.path = path
        self._conn = conn
        self._lock = lock
        self._mutex = threading.Lock()  # the pipeline may call from worker threads
        self._scan_times: dict[int, str] = {}
        #: Scans a killed process had left ``running``, marked ``interrupted`` by this open.
        self.recovered_scans: list[int] = []
        self._closed = False
        self._cluster_store: Any = None  # trafficscan.clusters.store.ClusterStore, once used

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, wait: bool = False, timeout: float | None = None) -> StateDB:
        """Lock, open, migrate and recover the database at ``path``, creating it if needed.

        Raises :class:`LockedError` (exit 4) when another scan holds it and ``wait`` is false
        (or ``timeout`` ran out), and :class:`InputError` (exit 2) when the file is not a
        usable state database: corrupt, someone else's, or written by a newer trafficscan.
        """
        path = Path(path).expanduser().absolute()
        _prepare_folder(path)
        lock = ScanLock(path)
        try:
            lock.acquire(wait=wait, timeout=timeout)
        except OSError as exc:
            raise InputError(
                Problem(
                    file=str(lock.path),
                    message=f"cannot create the lock file: {exc.strerror or exc}",
                    hint="check that the state database's folder is writable by this user",
                )
            ) from exc
        try:
            conn = _connect(path)
            try:
                db = cls(path, conn, lock)
                db.recovered_scans = db._recover_stale_scans()
            except BaseException:
                conn.close()
                raise
        except sqlite3.DatabaseError as exc:
            lock.release()
            raise _unusable(path, exc) from exc
        except BaseException:
            lock.release()
            raise
        return db

    # -- scans -----------------------------------------------------------------------------

    def begin_scan(self, sources: Sequence[str], started: str | datetime) -> int:
        """Start a scan and return its id; it stays ``running`` until :meth:`finish_scan`."""
        when = normalize_time(started)
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO scans (started, status, sources, pid) VALUES (?, 'running', ?, ?)",
                (when, json.dumps(list(sources), ensure_ascii=False), os.getpid()),
            )
        scan_id = int(cur.lastrowid or 0)
        self._scan_times[scan_id] = when
        return scan_id

    def finish_scan(
        self,
        scan_id: int,
        *,
        status: FinalStatus,
        counts: dict[str, Any],
        errors: list[dict[str, Any]],
        finished: str | datetime | None = None,
    ) -> None:
        """End a running scan.

        Call it with ``completed`` once the output is written, also when some sources failed
        (exit 3): only a completed scan's sightings make its ads "seen" for later scans.
        """
        if status not in FINAL_STATUSES:
            raise ValueError(f"status must be one of {sorted(FINAL_STATUSES)}, not {status!r}")
        end = normalize_time(finished) if finished is not None else utc_now()
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE scans SET finished = ?, status = ?, counts = ?, errors = ? "
                "WHERE id = ? AND status = 'running'",
                (end, status, _json(counts), _json(errors), scan_id),
            )
            if cur.rowcount != 1:
                raise ValueError(f"scan {scan_id} is not a running scan of {self.path}")
            if status == "completed":
                conn.execute(
                    "UPDATE postings SET first_completed_scan = ?1 "
                    "WHERE last_scan = ?1 AND first_completed_scan IS NULL",
                    (scan_id,),
                )
        self._scan_times.pop(scan_id, None)

    def get_scan(self, scan_id: int) -> dict[str, Any] | None:
        """One scan's row, JSON columns decoded; ``None`` if there is no such scan."""
        with self._mutex:
            row = self._conn.execute(
                "SELECT id, started, finished, status, sources, counts, errors, pid "
                "FROM scans WHERE id = ?",
                (scan_id,),
            ).fetchone()
        if row is None:
            return None
        keys = ("id", "started", "finished", "status", "sources", "counts", "errors", "pid")
        scan = dict(zip(keys, row, strict=True))
        for key in ("sources", "counts", "errors"):
            scan[key] = json.loads(scan[key])
        return scan

    # -- ads -------------------------------------------------------------------------------

    def record(self, scan_id: int, items: Sequence[ScoredAd]) -> list[Sighting]:
        """Store one batch of scored ads; return each one's :class:`Sighting`, in item order.

        The items are read, never changed: the pipeline composes the sightings into the ads it
        writes. The batch is one transaction: on any error nothing is stored and nothing is
        returned. ``seen_with`` links postings recorded before this call and all others in
        this batch.
        """
        if not items:
            return []
        seen = self._running_scan_time(scan_id)
        contacts = [contacts_of(item.entities) for item in items]
        with self._write() as conn:
            conn.executemany(
                _UPSERT_POSTING,
                [
                    (
                        it.ad.id,
                        it.ad.url,
                        it.ad.source,
                        it.ad.title,
                        seen,
                        seen,
                        scan_id,
                        scan_id,
                        float(it.score),
                        int(bool(it.flagged)),
                    )
                    for it in items
                ],
            )
            posting_ids = [
                conn.execute(
                    "SELECT id FROM postings WHERE ad_id = ? AND url = ?", (it.ad.id, it.ad.url)
                ).fetchone()[0]
                for it in items
            ]
            contact_ids = self._link_contacts(conn, posting_ids, contacts, seen)
            content = {
                ad_id: conn.execute(
                    "SELECT MIN(first_seen), MAX(first_completed_scan IS NOT NULL) "
                    "FROM postings WHERE ad_id = ?",
                    (ad_id,),
                ).fetchone()
                for ad_id in {it.ad.id for it in items}
            }
            links = seen_with_all(conn, SEEN_WITH_LIMIT, posting_ids, contact_ids)
        out = []
        for item, seen_with in zip(items, links, strict=True):
            first_seen, reported = content[item.ad.id]
            out.append(Sighting(first_seen, seen, not reported, seen_with))
        return out

    def cluster(self, scan_id: int, items: Sequence[ScoredAd]) -> list[dict[str, Any]]:
        """Add a batch of scored ads to the history's clusters; return each one's cluster.

        A label is ``{"id": "c-…", "size": n}``, one per item in item order; the items are not
        changed. One transaction per batch, after :meth:`record`; links reach every ad ever
        clustered (``trafficscan.clusters.store``), without recomputing the history.
        """
        if not items:
            return []
        from trafficscan.clusters.store import ClusterStore

        seen = self._running_scan_time(scan_id)
        with self._write() as conn:
            if self._cluster_store is None:
                self._cluster_store = ClusterStore(conn)
            try:
                labels: list[dict[str, Any]] = self._cluster_store.add(items, seen)
            except BaseException:
                self._cluster_store = None  # its in-memory sketch may be ahead of the rollback
                raise
        return labels

    @staticmethod
    def _link_contacts(
        conn: sqlite3.Connection, posting_ids: list[int], contacts: list[list[Contact]], seen: str
    ) -> list[list[int]]:
        """Store the contacts and their links; return each item's contact ids."""
        distinct = {c for found in contacts for c in found}
        if not distinct:
            return [[] for _ in contacts]
        conn.executemany(
            "INSERT OR IGNORE INTO contacts (kind, value, first_seen) VALUES (?, ?, ?)",
            [(kind, value, seen) for kind, value in distinct],
        )
        ids = {
            c: conn.execute("SELECT id FROM contacts WHERE kind = ? AND value = ?", c).fetchone()[0]
            for c in distinct
        }
        conn.executemany(
            "INSERT OR IGNORE INTO posting_contacts (contact_id, posting_id) VALUES (?, ?)",
            [
                (ids[c], pid)
                for pid, found in zip(posting_ids, contacts, strict=True)
                for c in found
            ],
        )
        return [[ids[c] for c in found] for found in contacts]

    def recent_source_ads(self, last: int = 5) -> dict[str, float]:
        """Mean ads per source over the last ``last`` completed scans that counted it
        (``counts.per_source_ads``), so a scan can tell a source that suddenly yields far
        fewer ads (its selectors broke) from one that is always small."""
        with self._mutex:
            rows = self._conn.execute(
                "SELECT counts FROM scans WHERE status = 'completed' ORDER BY id DESC LIMIT 50"
            ).fetchall()
        seen: dict[str, list[int]] = {}
        for (text,) in rows:
            per_source = json.loads(text or "{}").get("per_source_ads")
            if not isinstance(per_source, dict):
                continue
            for name, n in per_source.items():
                if isinstance(n, int) and len(seen.setdefault(name, [])) < last:
                    seen[name].append(n)
        return {name: sum(ns) / len(ns) for name, ns in seen.items() if ns}

    # -- housekeeping ----------------------------------------------------------------------

    def stats(self) -> StateStats:
        """Counts of what the database holds (:class:`StateStats`), read under the lock so they
        agree with each other; what tests and a debugging session use to see what scans stored."""
        with self._mutex:
            conn = self._conn
            by_status = dict(conn.execute("SELECT status, COUNT(*) FROM scans GROUP BY status"))
            (ads,) = conn.execute("SELECT COUNT(DISTINCT ad_id) FROM postings").fetchone()
            (postings,) = conn.execute("SELECT COUNT(*) FROM postings").fetchone()
            (n_contacts,) = conn.execute("SELECT COUNT(*) FROM contacts").fetchone()
            (last,) = conn.execute(
                "SELECT MAX(started) FROM scans WHERE status = 'completed'"
            ).fetchone()
            version = schema.user_version(conn)
        return StateStats(
            path=str(self.path),
            schema_version=version,
            scans=sum(by_status.values()),
            scans_by_status=by_status,
            ads=ads,
            postings=postings,
            contacts=n_contacts,
            last_completed_scan=last,
        )

    def close(self) -> None:
        """Close the file and release the lock. Safe to call twice.

        A scan this object began and nobody finished is marked ``interrupted`` (the caller was
        stopped by an exception or a signal it handles), so the history never says ``running``
        for a scan that is not.
        """
        if self._closed:
            return
        try:
            if self._scan_times:
                with suppress(sqlite3.Error):
                    self._mark_interrupted(
                        list(self._scan_times), "the scan was closed without being finished"
                    )
                self._scan_times.clear()
            with suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()
        finally:
            self._closed = True
            self._lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- for feature modules with tables of their own (evidence) -----------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, for a module that keeps its own tables in this database."""
        with self._write() as conn:
            yield conn

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read-only statement, under the same mutex as the writes."""
        with self._mutex:
            return list(self._conn.execute(sql, tuple(params)))

    # -- internals -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE takes SQLite's write lock up front."""
        if self._closed:
            raise RuntimeError(f"state database {self.path} is closed")
        with self._mutex:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _running_scan_time(self, scan_id: int) -> str:
        try:
            return self._scan_times[scan_id]
        except KeyError:
            raise ValueError(
                f"scan {scan_id} was not begun by this StateDB or is already finished"
            ) from None

    def _recover_stale_scans(self) -> list[int]:
        """Mark scans a dead process left ``running`` as ``interrupted``.

        We hold the exclusive lock, and every writer holds it while its scan runs, so any
        ``running`` row belongs to a process that died without finishing (killed, OOM, power
        loss). Its ``finished`` time stays empty: we do not know when it died.
        """
        with self._mutex:
            stale = [
                int(row[0])
                for row in self._conn.execute("SELECT id FROM scans WHERE status = 'running'")
            ]
        if stale:
            self._mark_interrupted(
                stale, f"the scan process ended without finishing; found at {utc_now()}"
            )
        return stale

    def _mark_interrupted(self, scan_ids: list[int], why: str) -> None:
        with self._write() as conn:
            for scan_id in scan_ids:
                row = conn.execute(
                    "SELECT errors, pid FROM scans WHERE id = ? AND status = 'running'",
                    (scan_id,),
                ).fetchone()
                if row is None:
                    continue
                errors = _json_list(row[0])
                errors.append({"source": None, "url": None, "error": f"{why} (pid {row[1]})"})
                conn.execute(
                    "UPDATE scans SET status = 'interrupted', errors = ? WHERE id = ?",
                    (_json(errors), scan_id),
                )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _json_list(text: str | None) -> list[Any]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _prepare_folder(path: Path) -> None:
    """Create the folder (private: the history holds phone numbers) and refuse a directory."""
    if path.is_dir():
        raise InputError(
            Problem(
                file=str(path),
                message="is a folder, not a state database file",
                hint="pass --state with a file path, e.g. state.sqlite3 inside it",
            )
        )
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            Problem(
                file=str(path),
                message=f"cannot create its folder: {exc.strerror or exc}",
            )
        ) from exc


def _connect(path: Path) -> sqlite3.Connection:
    """Open, configure and migrate; raises sqlite3.DatabaseError or InputError."""
    _check_header(path)
    if not path.exists():
        # Create it ourselves so it is private from the start; SQLite gives the -wal and -shm
        # files the same permissions as the database.
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        version = schema.user_version(conn)  # first read: fails here on a non-database
        if version > schema.SCHEMA_VERSION:
            raise InputError(
                Problem(
                    file=str(path),
                    message=(
                        f"the state database has schema version {version}, but this "
                        f"trafficscan only knows versions up to {schema.SCHEMA_VERSION}: it was "
                        "written by a newer trafficscan"
                    ),
                    hint="upgrade trafficscan, or point --state at another file",
                )
            )
        if version == 0:
            tables = {
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            }
            if tables - schema.KNOWN_TABLES:
                raise InputError(
                    Problem(
                        file=str(path),
                        message=(
                            "is an SQLite database but not a trafficscan state database "
                            f"(it has tables {', '.join(sorted(tables))})"
                        ),
                        hint=_FRESH_HINT,
                    )
                )
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        # NORMAL is safe with WAL (see the module docstring); with a rollback journal (WAL
        # refused, e.g. on a network share) only FULL keeps a power cut from losing commits.
        conn.execute(
            "PRAGMA synchronous = NORMAL" if mode == "wal" else "PRAGMA synchronous = FULL"
        )
        schema.migrate(conn, schema.MIGRATIONS)
    except BaseException:
        conn.close()
        raise
    return conn


def _check_header(path: Path) -> None:
    """A non-empty file without SQLite's magic bytes is not ours: say so before SQLite does."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(
            Problem(
                file=str(path),
                message=f"cannot be read: {exc.strerror or exc}",
                hint="check that the file and its folder are readable and writable by this user",
            )
        ) from exc
    if head and head != _SQLITE_MAGIC:
        raise InputError(
            Problem(
                file=str(path),
                message="is not an SQLite database (corrupt, or some other file)",
                hint=_FRESH_HINT,
            )
        )


def _unusable(path: Path, exc: sqlite3.DatabaseError) -> InputError:
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and any(
        word in text for word in ("readonly", "unable to open", "permission")
    ):
        hint = "check that the file and its folder are writable by this user"
    elif "locked" in text:
        hint = "another program holds the database open; close it and retry"
    else:
        hint = _FRESH_HINT
    return InputError(
        Problem(
            file=str(path),
            message=f"cannot be used as a state database: {text}",
            hint=hint,
        )
    )
