"""One scan at a time per state database: an OS file lock that names its holder.

The lock is :mod:`filelock`'s native lock on ``<db>.lock`` (``flock`` on Unix,
``LockFileEx`` on Windows). The kernel drops such a lock when the holding process exits for any
reason, SIGKILL and power cuts included, so there is no stale-lock file to clean up and no
"lock older than N minutes" guess that could let two scans write at once.

The holder writes ``{"pid", "started", "host"}`` into the lock file right after it gets the lock,
so a refused scan can say who is in the way. filelock (4.x) neither truncates nor deletes the file
on open or release, so the record stays readable while the lock is held; it is stale once the
lock is free, which is why it is only read after a failed attempt.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from trafficscan.core.errors import LockedError


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds (or last held) the lock, as recorded in the lock file."""

    pid: int | None = None
    started: str | None = None
    host: str | None = None

    def describe(self) -> str:
        parts = [f"pid {self.pid}" if self.pid is not None else "pid unknown"]
        if self.host and self.host != socket.gethostname():
            parts.append(f"on host {self.host}")
        if self.started:
            parts.append(f"started {self.started}")
        return ", ".join(parts)


def utc_now() -> str:
    """ISO-8601 UTC with a ``Z``, second precision: the format of every time in the database."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def read_holder(lock_path: Path) -> Holder:
    """Best effort: the holder may be between taking the lock and writing its record."""
    try:
        data: Any = json.loads(lock_path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return Holder()
    if not isinstance(data, dict):
        return Holder()
    pid = data.get("pid")
    return Holder(
        pid=pid if isinstance(pid, int) else None,
        started=str(data["started"]) if data.get("started") else None,
        host=str(data["host"]) if data.get("host") else None,
    )


def _write_holder(fd: int) -> None:
    """Record this process in the locked file, through the locked descriptor itself."""
    record = json.dumps({"pid": os.getpid(), "started": utc_now(), "host": socket.gethostname()})
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (record + "\n").encode("utf-8"))


class ScanLock:
    """The exclusive lock of one state database; release it with :meth:`release`."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path_for(db_path)
        try:
            # on_acquired hands us the locked descriptor (filelock >= 4); thread_local=False so
            # the pipeline may release from another thread than the one that acquired.
            self._lock = FileLock(self.path, thread_local=False, on_acquired=_write_holder)
            self._writes_itself = True
        except TypeError:  # older filelock: write the record after acquiring
            self._lock = FileLock(self.path, thread_local=False)
            self._writes_itself = False

    def acquire(self, *, wait: bool, timeout: float | None) -> None:
        """Take the lock, or raise :class:`LockedError` naming the holder.

        ``wait=False``: one attempt. ``wait=True``: block until the holder exits, at most
        ``timeout`` seconds when given (``None`` waits for ever, which is what ``--wait`` in a
        cron job means: queue behind the running scan).
        """
        if not wait:
            limit = 0.0
        elif timeout is None:
            limit = -1.0
        else:
            limit = max(0.0, timeout)
        began = time.monotonic()
        try:
            self._lock.acquire(timeout=limit, poll_interval=0.05)
        except Timeout:
            holder = read_holder(self.path).describe()
            if wait:
                waited = time.monotonic() - began
                raise LockedError(
                    f"gave up after waiting {waited:.0f} s for another scan ({holder}) "
                    f"on {self.db_path}"
                ) from None
            raise LockedError(
                f"another scan is already running ({holder}) on {self.db_path}; "
                "use --wait to queue behind it"
            ) from None
        if not self._writes_itself:
            fd = os.open(self.path, os.O_RDWR)
            try:
                _write_holder(fd)
            finally:
                os.close(fd)

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)
