"""``trafficscan review`` as an analyst runs it: a real process on a real 80×24 pseudo-terminal.

The pilot tests (test_review_screen.py) cover each key; this one covers the wiring around the
screen: the command finds the newest flagged file, opens the state database, takes keys from
the terminal, and says on exit how many verdicts it kept and how many ads are left.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import sqlite3
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from trafficscan.review.verdicts import text_hash

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "flagged.json"


def _read(fd: int, seconds: float, until: bytes | None = None) -> tuple[bytes, bool]:
    """What the app writes in ``seconds`` (or until ``until`` shows); True once it closed."""
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until and until in out):
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal: it exited
                return out, True
            if not chunk:
                return out, True
            out += chunk
    return out, False


def _run_in_pty(args: list[str], cwd: Path, keys: list[bytes], timeout: float = 60) -> str:
    """Run ``trafficscan ARGS`` on an 80×24 pty, press ``keys`` a second apart once the first
    ad shows (an analyst reads before pressing), and return everything it wrote."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: an interactive terminal session
        os.chdir(cwd)
        os.environ.update(TERM="xterm-256color", COLUMNS="80", LINES="24")
        os.execv(sys.executable, [sys.executable, "-m", "trafficscan", *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    out, closed = _read(fd, timeout, until=b"\xc2\xb7 score ")  # an ad is on screen
    more, closed = _read(fd, 1.0)
    out += more
    for key in keys:
        if closed:
            break
        os.write(fd, key)
        more, closed = _read(fd, 1.0)
        out += more
    if not closed:
        more, closed = _read(fd, timeout, until=b"verdicts recorded")
        out += more
        more, closed = _read(fd, 2.0)
        out += more
    finished, status = 0, 0
    for _ in range(200):  # it closed its terminal: reap it
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            break
        time.sleep(0.05)
    os.close(fd)
    if not finished:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail(f"review did not exit; it wrote: {out[-2000:]!r}")
    assert os.waitstatus_to_exitcode(status) == 0, out[-2000:]
    return out.decode("utf-8", "replace")


@pytest.mark.slow
def test_review_on_a_terminal_records_verdicts_and_resumes(tmp_path: Path) -> None:
    doc = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for item in doc["items"]:  # three ads to review (the golden file flags two of them)
        item["flagged"] = True
    (tmp_path / "flagged-20261201-090000.json").write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "flagged-20261130-090000.json").write_text('{"items": []}', encoding="utf-8")
    os.utime(tmp_path / "flagged-20261130-090000.json", (1, 1))  # older: not the one reviewed
    items = sorted(doc["items"], key=lambda r: -r["score"])
    assert len(items) == 3
    db = tmp_path / "state.sqlite3"
    args = ["review", "--state", str(db), "--analyst", "meena"]

    out = _run_in_pty(args, tmp_path, [b"s", b"n", b"q"])
    assert f"2 verdicts recorded in {db}" in out and f"{len(items) - 2} ads left" in out
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT ad_id, text_hash, label, analyst FROM verdicts").fetchall()
    conn.close()
    assert sorted(rows) == sorted(
        [
            (items[0]["id"], text_hash(items[0]["text"]), "signal", "meena"),
            (items[1]["id"], text_hash(items[1]["text"]), "not_signal", "meena"),
        ]
    )

    out = _run_in_pty(args, tmp_path, [b"k", b"q"])  # carries on at the third ad
    assert f"Ad 3 of {len(items)}" in out
    assert "1 verdicts recorded" in out
