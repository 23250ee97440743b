"""SIGKILL a scan while it writes evidence: every record it finished stays verifiable."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from trafficscan.evidence.verify import check_index, verify

CHILD = Path(__file__).with_name("evidence_child.py")


def _kill_mid_write(state: Path, rng: random.Random) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), "write", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("opened"), proc.stderr.read() if proc.stderr else ""
    for _ in range(rng.randint(3, 9)):
        line = proc.stdout.readline()
        assert line.startswith("stored"), line
    time.sleep(rng.uniform(0, 0.02))  # anywhere inside the next record
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_a_killed_scan_leaves_every_indexed_record_whole(tmp_path: Path, trafficscan: Any) -> None:
    state = tmp_path / "st" / "state.sqlite3"
    rng = random.Random(20261203)
    for _ in range(3):
        _kill_mid_write(state, rng)
    result = verify([state.parent / "evidence"])
    check_index(state, result)
    assert result.failures == []
    indexed = sqlite3.connect(state).execute("SELECT COUNT(*) FROM evidence").fetchone()[0]
    assert indexed >= 9 and len(result.payload_sha256) >= indexed
    assert len(result.incomplete) <= 3  # at most the record each kill interrupted

    cli = trafficscan("evidence", "verify", "--state", str(state))
    assert cli.code == 0, cli.err


@pytest.mark.slow
def test_a_record_cut_short_at_the_end_of_a_file_is_reported_not_failed(
    tmp_path: Path, trafficscan: Any
) -> None:
    """What a kill inside the write() itself leaves: the tail of the last member missing."""
    state = tmp_path / "st" / "state.sqlite3"
    _kill_mid_write(state, random.Random(1))
    warc = sorted((state.parent / "evidence").rglob("*.warc.gz"))[-1]
    whole = warc.read_bytes()
    with warc.open("ab") as fh:  # the start of one more record, as a killed write leaves it
        import gzip

        fh.write(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + os.urandom(5000))[:900])
    cli = trafficscan("evidence", "verify", "--state", str(state))
    assert cli.code == 0, cli.err
    assert "incomplete" in cli.err and str(warc) in cli.err

    # bytes that are no record, before the records (not a cut-off tail): a failure. Not at the
    # end: the kill may already have left an incomplete record there, which hides what follows
    warc.write_bytes(b"not a record at all" + whole)
    bad = trafficscan("evidence", "verify", "--state", str(state))
    assert bad.code == 5
