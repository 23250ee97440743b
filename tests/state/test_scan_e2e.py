"""``trafficscan scan --state`` end to end, in real subprocesses, against a local test site.

The site (a tiny threaded HTTP server on 127.0.0.1, started here) has paginated listing pages
of inline ads; one page can be held back, so a scan is reliably *in the middle of a crawl*
when the test kills it or starts a second scan beside it. Never touches the network.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from trafficscan.state.lock import lock_path_for, read_holder


def _scan_command_missing() -> bool:
    """True only while ``trafficscan scan`` (CLI command + pipeline) does not exist yet."""
    try:
        from trafficscan.cli import app as cli
        from trafficscan.pipeline.scan import run_scan  # noqa: F401
    except ImportError:
        return True
    names = {
        c.name or (c.callback.__name__ if c.callback else "") for c in cli.app.registered_commands
    }
    return "scan" not in names


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(_scan_command_missing(), reason="`trafficscan scan` does not exist yet"),
]

PAGES = 8
ADS_PER_PAGE = 50  # pages before the held page hold several of the pipeline's 64-ad batches
HELD_PAGE = 5
TOTAL_ADS = PAGES * ADS_PER_PAGE


class _Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.gate = threading.Event()  # set: the held page answers at once
        self.held = threading.Event()  # set once a crawler asked for the held page

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Site

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self._send("text/plain", "User-agent: *\nDisallow:\n")
            return
        try:
            page = int(self.path.removeprefix("/list/").removesuffix(".html"))
        except ValueError:
            self.send_error(404)
            return
        if not 1 <= page <= PAGES:
            self.send_error(404)
            return
        if page == HELD_PAGE:
            self.server.held.set()
            self.server.gate.wait(timeout=60)
        ads = "\n".join(
            f'<article class="ad"><h2>Listing {page}-{i}</h2>'
            f'<p class="body">New girl {page}-{i} in town, ask for room {page * 100 + i}.</p>'
            f'<span class="phone">+91 98110 2{(page * ADS_PER_PAGE + i) % 37:04d}</span></article>'
            for i in range(ADS_PER_PAGE)
        )
        nxt = f'<a class="next" href="/list/{page + 1}.html">next</a>' if page < PAGES else ""
        self._send("text/html; charset=utf-8", f"<html><body>{ads}\n{nxt}</body></html>")

    def _send(self, kind: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def site() -> Iterator[_Site]:
    server = _Site()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.gate.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def config(site: _Site, tmp_path: Path) -> Path:
    path = tmp_path / "scan.yaml"
    path.write_text(
        f"""version: 1
defaults:
  per_host_rate: 500
  concurrency: 4
  timeout: 90
  retries: 0
sources:
  - name: e2e-site
    kind: html
    start_urls: ["{site.base}/list/1.html"]
    listing:
      item: "article.ad"
      next_page: "a.next@href"
      max_pages: {PAGES + 2}
    fields:
      title: "h2"
      body: "p.body"
      contact: "span.phone"
""",
        encoding="utf-8",
    )
    return path


def _scan_args(config: Path, db: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "trafficscan",
        "scan",
        "-c",
        str(config),
        "--state",
        str(db),
        "--no-model",
        "--quiet",
        *extra,
    ]


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _run(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _sql(db: Path, query: str) -> list[tuple]:
    conn = sqlite3.connect(db)  # a plain reader: never blocks the scan's writer in WAL mode
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def _wait_for(
    condition: Callable[[], bool], what: str, proc: subprocess.Popen[str], timeout: float = 60
) -> None:
    """Poll ``condition``; fail at once, with its stderr, if the scan process ended first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(f"scan exited {proc.returncode} before {what}:\n{err}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _postings(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        return int(_sql(db, "SELECT COUNT(*) FROM postings")[0][0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _summary(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["scan"]


def _kill_mid_crawl(site: _Site, config: Path, out: Path, db: Path) -> list[str]:
    """Start a scan writing its default output into ``out``; SIGKILL it once it has recorded
    ads and is waiting on the held page. Returns what it left in ``out``."""
    scan = _start(_scan_args(config, db), cwd=out)
    try:
        _wait_for(site.held.is_set, "the crawl reached the held page", scan)
        _wait_for(lambda: _postings(db) > 0, "a first batch was recorded", scan)
    finally:
        if scan.poll() is None:
            os.kill(scan.pid, signal.SIGKILL)
        scan.communicate(timeout=30)
    assert scan.returncode == -signal.SIGKILL
    return sorted(p.name for p in out.iterdir())


def test_sigkill_mid_crawl_then_rerun_to_completion(
    site: _Site, config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    db = tmp_path / "state.sqlite3"

    leftovers = _kill_mid_crawl(site, config, out, db)
    assert not [n for n in leftovers if n.startswith("flagged-")], leftovers
    assert _sql(db, "PRAGMA integrity_check") == [("ok",)]
    assert _sql(db, "SELECT status FROM scans") == [("running",)]  # as the kill left it

    site.gate.set()
    rerun = _run(_scan_args(config, db, "--all"), cwd=out)
    assert rerun.returncode == 0, rerun.stderr
    outputs = sorted(out.glob("flagged-*.json"))
    assert len(outputs) == 1
    summary = _summary(outputs[0])
    assert summary["ads_seen"] == TOTAL_ADS
    # the killed scan delivered nothing, so everything it saw is still new
    assert summary["ads_new"] == TOTAL_ADS
    assert _sql(db, "SELECT status FROM scans ORDER BY id") == [("interrupted",), ("completed",)]
    assert _sql(db, "PRAGMA integrity_check") == [("ok",)]
    # the rerun itself leaves no temporary file behind
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".part")) == [
        n for n in leftovers if n.endswith(".part")
    ]


def test_sigkill_mid_crawl_leaves_no_partial_output(
    site: _Site, config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    leftovers = _kill_mid_crawl(site, config, out, tmp_path / "state.sqlite3")
    assert leftovers == []


def test_two_concurrent_scans_one_refuses_with_exit_4(
    site: _Site, config: Path, tmp_path: Path
) -> None:
    db = tmp_path / "state.sqlite3"
    first = _start(_scan_args(config, db, "-o", "first.json"), cwd=tmp_path)
    try:
        _wait_for(site.held.is_set, "the first scan was mid-crawl", first)
        holder = read_holder(lock_path_for(db))
        assert holder.pid == first.pid

        second = _run(_scan_args(config, db, "-o", "second.json"), cwd=tmp_path)
        assert second.returncode == 4, second.stderr
        assert f"another scan is already running (pid {first.pid}, started " in second.stderr
        assert "use --wait to queue behind it" in second.stderr
        assert not (tmp_path / "second.json").exists()

        queued = _start(_scan_args(config, db, "--wait", "-o", "queued.json"), cwd=tmp_path)
        time.sleep(1.0)
        assert queued.poll() is None  # queued behind the first scan, not refused
        site.gate.set()
        assert first.wait(timeout=120) == 0, first.communicate()[1]
        _, err = queued.communicate(timeout=120)
        assert queued.returncode == 0, err
    finally:
        site.gate.set()
        for proc in (first,):
            if proc.poll() is None:
                proc.kill()
    assert _summary(tmp_path / "first.json")["ads_new"] == TOTAL_ADS
    assert _summary(tmp_path / "queued.json")["ads_new"] == 0  # ran after the first completed


def test_rescan_of_an_unchanged_site_finds_nothing_new(
    site: _Site, config: Path, tmp_path: Path
) -> None:
    site.gate.set()
    db = tmp_path / "state.sqlite3"
    for name in ("one.json", "two.json"):
        result = _run(_scan_args(config, db, "-o", name), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    one, two = _summary(tmp_path / "one.json"), _summary(tmp_path / "two.json")
    assert one["ads_seen"] == two["ads_seen"] == TOTAL_ADS
    assert one["ads_new"] == TOTAL_ADS
    assert two["ads_new"] == 0
    assert _sql(db, "SELECT status FROM scans ORDER BY id") == [("completed",), ("completed",)]
