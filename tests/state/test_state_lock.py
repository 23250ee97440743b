"""One scan at a time: a second process is refused (exit 4) or queues with --wait."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from state_helpers import read_line, spawn_child

from trafficscan.core.errors import EXIT_LOCKED, LockedError
from trafficscan.state import StateDB
from trafficscan.state.lock import lock_path_for, read_holder


@pytest.fixture
def holder(db_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A separate Python process holding the database's lock until told to let go."""
    proc = spawn_child("hold", str(db_path))
    read_line(proc, "locked")
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=10)


def test_second_scan_is_refused_with_who_holds_the_lock(
    holder: subprocess.Popen[str], db_path: Path
) -> None:
    with pytest.raises(LockedError) as refused:
        StateDB.open(db_path)
    message = str(refused.value)
    assert message.startswith(f"another scan is already running (pid {holder.pid}, started 20")
    assert message.endswith(f"on {db_path}; use --wait to queue behind it")
    assert refused.value.exit_code == EXIT_LOCKED == 4
    # the lock file records the holder while it runs
    recorded = read_holder(lock_path_for(db_path))
    assert recorded.pid == holder.pid and recorded.started and recorded.started.endswith("Z")


def test_wait_queues_behind_the_holder_then_proceeds(
    holder: subprocess.Popen[str], db_path: Path
) -> None:
    def let_go() -> None:
        time.sleep(0.5)
        assert holder.stdin is not None
        holder.stdin.write("done\n")
        holder.stdin.flush()

    threading.Thread(target=let_go, daemon=True).start()
    began = time.monotonic()
    with StateDB.open(db_path, wait=True, timeout=15) as db:
        waited = time.monotonic() - began
        scan_id = db.begin_scan(["a"], "2026-11-28T05:00:00Z")
        db.finish_scan(scan_id, status="completed", counts={}, errors=[])
    assert waited >= 0.4
    assert read_holder(lock_path_for(db_path)).pid == os.getpid()  # we held it last
    assert read_line(holder, "released")


def test_wait_with_a_timeout_gives_up_with_exit_4(
    holder: subprocess.Popen[str], db_path: Path
) -> None:
    began = time.monotonic()
    with pytest.raises(
        LockedError, match=rf"gave up after waiting \d+ s for another scan \(pid {holder.pid}"
    ):
        StateDB.open(db_path, wait=True, timeout=0.3)
    assert 0.25 <= time.monotonic() - began < 5


def test_the_os_releases_the_lock_of_a_killed_holder(
    holder: subprocess.Popen[str], db_path: Path
) -> None:
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    with StateDB.open(db_path) as db:  # no --wait needed: flock died with the process
        assert db.stats().scans == 0


def test_a_second_open_in_the_same_process_is_refused_too(db_path: Path) -> None:
    with StateDB.open(db_path), pytest.raises(LockedError, match=f"pid {os.getpid()}"):
        StateDB.open(db_path)
    with StateDB.open(db_path):  # and the failed attempt left nothing held
        pass
