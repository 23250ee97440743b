"""SIGKILL a real writer process mid-write: the database must stay intact and usable.

The child (``child_process.py write``) records batches of new ads in a loop, finishing a
scan every 5 batches, so the kill lands inside a record transaction, a commit, a
finish_scan or between them. Each round reopens the same file, so recovery from a WAL left
by a killed writer is exercised again and again.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from state_helpers import make_item, read_line, spawn_child

from trafficscan.state import StateDB

BATCH = 200
ROUNDS = 4


def _integrity(path: Path) -> tuple[str, int]:
    """(integrity check, how many scans the dead writer left "running")."""
    conn = sqlite3.connect(path)  # plain SQLite, no lock: the writer is dead
    try:
        check = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        running = conn.execute("SELECT COUNT(*) FROM scans WHERE status = 'running'").fetchone()
        return check, int(running[0])
    finally:
        conn.close()


def _kill_mid_write(path: Path, rng: random.Random) -> tuple[int, str]:
    """Start a writer, let it commit a few batches, SIGKILL it at a random instant."""
    proc = spawn_child("write", str(path), str(BATCH))
    opened = read_line(proc, "opened")
    for _ in range(rng.randint(2, 7)):
        read_line(proc, "batch")
    time.sleep(rng.uniform(0, 0.02))  # land anywhere inside the next write
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    return proc.pid, opened


@pytest.mark.slow
def test_sigkill_mid_write_leaves_an_intact_db_and_the_next_scan_completes(db_path: Path) -> None:
    rng = random.Random(20261128)
    db_path.parent.mkdir(parents=True)
    killed: list[int] = []
    left_running: list[int] = []
    for _ in range(ROUNDS):
        pid, opened = _kill_mid_write(db_path, rng)
        # the child of this round recovered the scan the previous child left running (none
        # when the kill fell between one scan's finish and the next one's begin)
        if left_running:
            assert (opened != "opened") == (left_running[-1] == 1)
        killed.append(pid)
        check, running = _integrity(db_path)
        assert check == "ok"
        assert running <= 1  # every earlier running scan was recovered
        left_running.append(running)
    assert sum(left_running) >= 2  # the kill seldom falls between two scans: recovery was tested

    with StateDB.open(db_path) as db:  # no --wait: the kernel released the dead child's lock
        assert db._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(db.recovered_scans) == left_running[-1]  # the last child's running scan
        for scan_id in db.recovered_scans:
            recovered = db.get_scan(scan_id)
            assert recovered is not None
            assert recovered["status"] == "interrupted"
            assert f"pid {killed[-1]}" in recovered["errors"][-1]["error"]
        statuses = dict(db._conn.execute("SELECT status, COUNT(*) FROM scans GROUP BY status"))
        assert "running" not in statuses
        # one killed scan per round that had one running, all recovered
        assert statuses["interrupted"] == sum(left_running)

        # every batch is all or nothing: a killed transaction left no partial batch
        per_scan = db._conn.execute(
            "SELECT first_scan, COUNT(*) FROM postings GROUP BY first_scan"
        ).fetchall()
        assert per_scan and all(count % BATCH == 0 for _, count in per_scan)
        links = db._conn.execute(
            "SELECT COUNT(*) FROM posting_contacts pc LEFT JOIN postings p ON p.id = pc.posting_id "
            "WHERE p.id IS NULL"
        ).fetchone()[0]
        assert links == 0
        assert db._conn.execute("PRAGMA foreign_key_check").fetchall() == []

        # and a new scan runs to completion on the recovered file
        scan_id = db.begin_scan(["after-crash"], "2026-11-28T06:00:00Z")
        items = [
            make_item(f"after the crash {i}", f"https://after.test/{i}", phones=["+919810000001"])
            for i in range(50)
        ]
        found = db.record(scan_id, items)
        db.finish_scan(scan_id, status="completed", counts={"ads_seen": 50}, errors=[])
        assert len(found) == 50 and all(seen.is_new for seen in found)
        finished = db.get_scan(scan_id)
        assert finished is not None and finished["status"] == "completed"
    assert _integrity(db_path) == ("ok", 0)
