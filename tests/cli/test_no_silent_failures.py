"""No silent failures: what an analyst at a terminal and a cron job are told (issue 18).

Every test runs the real CLI in a subprocess against a copy of the demo site served by the
test itself on 127.0.0.1, so a site can be broken on purpose (a redesign, a dead host).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from trafficscan.core.resources import demo_dir
from trafficscan.sources.demo.server import serve_site

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A private copy of the demo site, served for this test: (folder, base URL)."""
    folder = tmp_path / "site"
    shutil.copytree(demo_dir() / "site", folder)
    with serve_site(str(folder)) as base:
        yield folder, base


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh user: HOME and XDG folders inside the test, so the real state is never touched."""
    path = tmp_path / "home"
    path.mkdir()
    return path


def env_for(home: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "COLUMNS": "200",
        "NO_COLOR": "1",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        **extra,
    }


Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path, home: Path) -> Cli:
    """``cli(*args, **env)``: the CLI run to the end in ``tmp_path`` as the test's fresh user,
    with ``env`` added to its environment."""

    def go(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "trafficscan", *args],
            cwd=tmp_path,
            env=env_for(home, **env),
            capture_output=True,
            text=True,
            timeout=120,
        )

    return go


def write_config(path: Path, base: str, *, replace: dict[str, str] | None = None) -> Path:
    text = (demo_dir() / "demo.yaml").read_text(encoding="utf-8").replace("{base}", base)
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path: Path, site: tuple[Path, str]) -> Path:
    """``scan.yaml``: the demo config pointed at this test's copy of the demo site."""
    return write_config(tmp_path / "scan.yaml", site[1])


Scan = Callable[..., subprocess.CompletedProcess[str]]


def scan_args(
    cfg: Path, *args: str, sources: tuple[str, ...] = ("demo-jobs",), state: Path | None = None
) -> list[str]:
    """``scan -c CFG -s SOURCE... --state STATE|--no-state ARGS``; ``sources=()``: all."""
    where = ["--state", str(state)] if state is not None else ["--no-state"]
    picked = [arg for name in sources for arg in ("-s", name)]
    return ["scan", "-c", str(cfg), *picked, *where, *args]


@pytest.fixture
def scan(cli: Cli) -> Scan:
    """``scan(cfg, *args, sources=..., state=..., **env)``: ``trafficscan scan`` (see
    :func:`scan_args`) run by :func:`cli`."""

    def go(
        cfg: Path,
        *args: str,
        sources: tuple[str, ...] = ("demo-jobs",),
        state: Path | None = None,
        **env: str,
    ) -> subprocess.CompletedProcess[str]:
        return cli(*scan_args(cfg, *args, sources=sources, state=state), **env)

    return go


def scan_summary(path: Path) -> dict[str, Any]:
    """The ``scan`` summary of a JSON output file."""
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["scan"]
    return summary


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


NOTHING_MATCHES = {'item: "div.job-card"': 'item: "li[data-aut-id=itemBox]"'}


# ------------------------------------------------------------------ empty sources, error kinds


@pytest.mark.slow
def test_selector_that_matches_nothing_fails_loudly_even_quiet(
    tmp_path: Path, site: tuple[Path, str], scan: Scan
) -> None:
    cfg = write_config(tmp_path / "scan.yaml", site[1], replace=NOTHING_MATCHES)
    proc = scan(cfg, "--quiet", "-o", "out.json")
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == ""
    # the selector, escaped (rich would print "li" alone), on stderr despite --quiet
    assert "li[data-aut-id=itemBox]" in proc.stderr and "no ads found" in proc.stderr
    assert "1 source with too few ads" in proc.stderr
    summary = scan_summary(tmp_path / "out.json")
    assert summary["errors_by_kind"] == {"empty": 1}
    (err,) = summary["errors"]
    assert err["kind"] == "empty" and err["source"] == "demo-jobs"
    assert "listing.item selector 'li[data-aut-id=itemBox]' matched nothing" in err["error"]


@pytest.mark.slow
def test_source_yielding_far_fewer_ads_than_usual_fails(
    tmp_path: Path, site: tuple[Path, str], config: Path, scan: Scan
) -> None:
    folder, _ = site
    state = tmp_path / "state.db"
    for n in range(2):
        proc = scan(config, "-q", "-o", f"run{n}.json", state=state)
        assert proc.returncode == 0, proc.stderr
    # a redesign: 11 of the 12 cards lose their class
    page = folder / "jobs" / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(
        html.replace('class="job-card"', 'class="card"').replace(
            'class="card"', 'class="job-card"', 1
        ),
        encoding="utf-8",
    )
    proc = scan(config, "-q", "-o", "run2.json", state=state)
    assert proc.returncode == 3, proc.stderr
    assert re.search(
        r"demo-jobs: .* only 1 ad, far fewer than the recent average of 1\d: "
        r"listing.item 'div.job-card'",
        proc.stderr,
    )
    summary = scan_summary(tmp_path / "run2.json")
    assert [e["kind"] for e in summary["errors"]] == ["empty"]


@pytest.mark.slow
def test_unreachable_site_is_a_connection_error_not_a_robots_block(
    tmp_path: Path, scan: Scan
) -> None:
    cfg = write_config(
        tmp_path / "scan.yaml",
        f"http://127.0.0.1:{closed_port()}",
        replace={"retries: 1": "retries: 0"},
    )
    proc = scan(cfg, "-o", "out.json")
    assert proc.returncode == 3, proc.stderr
    assert "robots.txt" not in proc.stdout.split("\n")[0]  # the summary line: no "blocked"
    assert "2 connection errors" in proc.stdout
    summary = scan_summary(tmp_path / "out.json")
    assert summary["robots_forbidden"] == 0
    assert summary["errors_by_kind"] == {"connection": 2}
    assert summary["errors"][1]["error"].startswith("not fetched: robots.txt of http://127.0.0.1:")


@pytest.mark.slow
def test_http_error_and_robots_block_are_told_apart(
    tmp_path: Path, site: tuple[Path, str], config: Path, scan: Scan
) -> None:
    folder, _ = site
    (folder / "jobs" / "index.html").unlink()  # 404
    (folder / "robots.txt").write_text("User-agent: *\nDisallow: /feed.xml\n", encoding="utf-8")
    proc = scan(config, "-o", "out.json", sources=("demo-jobs", "demo-notices"))
    assert proc.returncode == 3, proc.stderr
    assert "1 HTTP error · 1 blocked by robots.txt" in proc.stdout
    summary = scan_summary(tmp_path / "out.json")
    assert {e["source"]: e["kind"] for e in summary["errors"]} == {
        "demo-jobs": "http",
        "demo-notices": "robots",
    }


# ------------------------------------------------------------------ outputs and logs


@pytest.mark.slow
def test_output_and_log_folders_are_created_and_format_follows_the_extension(
    tmp_path: Path, config: Path, scan: Scan
) -> None:
    proc = scan(
        config, "-q", "--all", "-o", "a/b/flagged.csv", "--log-file", "logs/deep/scan.jsonl"
    )
    assert proc.returncode == 0, proc.stderr
    raw = (tmp_path / "a/b/flagged.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,source,url,")  # CSV, with the BOM Excel needs
    assert "₹" in raw.decode("utf-8-sig")
    assert (tmp_path / "logs/deep/scan.jsonl").read_text(encoding="utf-8").count(
        "scan_finished"
    ) == 1


@pytest.mark.slow
def test_existing_output_is_never_silently_replaced(
    tmp_path: Path, config: Path, scan: Scan
) -> None:
    (tmp_path / "out.json").write_text("yesterday's evidence\n", encoding="utf-8")
    proc = scan(config, "-q", "-o", "out.json")
    assert proc.returncode == 2
    assert "out.json: already exists" in proc.stderr and "--force" in proc.stderr
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == "yesterday's evidence\n"
    proc = scan(config, "-q", "-o", "out.json", "--force")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["schema"]


def test_output_folder_that_cannot_be_made_is_exit_2_and_one_message(
    tmp_path: Path, cli: Cli
) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "in.jsonl").write_text('{"text": "maths tuition"}\n', encoding="utf-8")
    proc = cli("score", "in.jsonl", "--no-model", "-o", "file/sub/out.json")
    assert proc.returncode == 2
    assert "cannot create the output folder file/sub" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_readme_cron_line_runs_as_printed(
    tmp_path: Path, site: tuple[Path, str], home: Path
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```cron\n(.+?)\n```", readme, re.S)
    assert block is not None
    line = block.group(1).strip()
    fields = line.split(None, 5)
    assert len(fields) == 6 and fields[5].startswith("cd /srv/trafficscan && ")
    command = fields[5].replace("\\%", "%")  # what cron hands to /bin/sh
    work = tmp_path / "srv"
    work.mkdir()
    _, base = site
    write_config(work / "scan.yaml", base)
    assert not (work / "out").exists() and not (work / "log").exists()
    proc = subprocess.run(
        ["/bin/sh", "-c", command.replace("/srv/trafficscan", str(work))],
        env=env_for(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""  # cron mails anything printed
    (out,) = (work / "out").glob("flagged-*.json")
    assert json.loads(out.read_text(encoding="utf-8"))["scan"]["ads_seen"] == 39
    assert (work / "log" / "scan.jsonl").is_file()


# ------------------------------------------------------------------ demo, --new-only


@pytest.mark.slow
def test_demo_never_touches_the_users_state(home: Path, cli: Cli) -> None:
    for _ in range(2):
        proc = cli("scan", "-o", "-", "-q")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["scan"]["ads_new"] == 39  # no history carried over
    assert not list(home.rglob("*.sqlite3"))


@pytest.mark.slow
def test_new_only_shows_no_table_of_ads_it_did_not_write(
    tmp_path: Path, config: Path, scan: Scan
) -> None:
    state = tmp_path / "state.db"
    first = scan(config, "--new-only", "-o", "1.json", state=state)
    assert first.returncode == 0 and "Top flagged ads" in first.stdout
    second = scan(config, "--new-only", "-o", "2.json", state=state)
    assert second.returncode == 0, second.stderr
    assert json.loads((tmp_path / "2.json").read_text(encoding="utf-8"))["items"] == []
    assert "Top flagged ads" not in second.stdout and "Wrote 0 ads" in second.stdout


def test_positional_config_suggests_dash_c(cli: Cli) -> None:
    proc = cli("scan", "olx.yaml")
    assert proc.returncode == 2
    assert "did you mean -c olx.yaml?" in proc.stderr


# ------------------------------------------------------------------ markup from users and the web


@pytest.mark.slow
def test_markup_in_titles_urls_and_paths_is_printed_literally(
    tmp_path: Path, site: tuple[Path, str], cli: Cli, scan: Scan
) -> None:
    folder, base = site
    page = folder / "jobs" / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("<h2>", "<h2>[bold]Girls[/] [red]"), encoding="utf-8")
    (folder / "feed.xml").unlink()  # an HTTP error whose URL is printed too
    cfg = write_config(
        tmp_path / "[cyan]cfg.yaml",
        base,
        replace={'item: "div.job-card"': 'item: "div.job-card:not([data-x=y])"'},
    )
    proc = scan(cfg, "--all", "-o", "[b]out.json", sources=("demo-jobs", "demo-notices"))
    assert proc.returncode == 3, proc.stderr
    assert "Top flagged ads" in proc.stdout and "[bold]Girls[/] [red]" in proc.stdout
    assert "[b]out.json" in proc.stdout and "/feed.xml — HTTP 404" in proc.stdout
    check = cli("sources", "check", "-c", str(cfg))
    assert "[bold]Girls[/] [red]" in check.stdout  # the sample ad's title, as the site wrote it
    missing = cli("scan", "-c", "[red]missing[/].yaml")
    assert missing.returncode == 2 and "[red]missing[/].yaml: file not found" in missing.stderr
    empty = write_config(tmp_path / "empty.yaml", base, replace=NOTHING_MATCHES)
    checked = cli("sources", "check", "-c", str(empty))
    assert "li[data-aut-id=itemBox]" in checked.stdout


# ------------------------------------------------------------------ input records


def test_unknown_fields_are_reported_once_with_did_you_mean(tmp_path: Path, cli: Cli) -> None:
    rows = [
        {"title": "Maths tuition", "boddy": "Class 10 maths, Kothrud", "case_id": f"C-{n}"}
        for n in range(3)
    ]
    (tmp_path / "in.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
    )
    proc = cli("score", "in.jsonl", "--no-model", "--all", "-o", "out.jsonl")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("did you mean 'body'?") == 1
    items = [
        json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [i["extra"]["case_id"] for i in items] == ["C-0", "C-1", "C-2"]


@pytest.mark.slow
def test_skip_bad_skips_and_lists_bad_lines(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "in.jsonl").write_text(
        '{"text": "maths tuition"}\n{"text": broken\n[1, 2]\n{"text": "used scooter for sale"}\n',
        encoding="utf-8",
    )
    strict = cli("score", "in.jsonl", "--no-model", "-o", "a.json")
    assert strict.returncode == 2 and "in.jsonl:2: invalid JSON" in strict.stderr
    assert "--skip-bad" in strict.stderr and not (tmp_path / "a.json").exists()
    proc = cli("score", "in.jsonl", "--no-model", "--all", "--skip-bad", "-o", "b.json", "-q")
    assert proc.returncode == 3
    assert "skipped 2 bad input lines" in proc.stderr
    assert (
        "in.jsonl:2: invalid JSON" in proc.stderr
        and "in.jsonl:3: expected a JSON object" in proc.stderr
    )
    summary = scan_summary(tmp_path / "b.json")
    assert summary["ads_seen"] == 2 and [e["line"] for e in summary["errors"]] == [2, 3]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_csv_dialect_is_sniffed_and_extra_columns_pass_through(
    tmp_path: Path, cli: Cli, sep: str
) -> None:
    lines = [
        ["case_id", "TEXT", "phone_col", "price"],
        ["C-1", "Maths tuition, class 10", "90000 12345", "₹500"],
        ["C-2", "Used scooter; 2019 model", "80000 12345", "₹40,000"],
    ]
    body = "\n".join(
        sep.join(f'"{c}"' if sep in c or "," in c or ";" in c else c for c in row) for row in lines
    )
    (tmp_path / "in.csv").write_text(body + "\n", encoding="utf-8")
    proc = cli(
        "score",
        "in.csv",
        "--text-column",
        "TEXT",
        "--no-model",
        "--all",
        "-o",
        "out.csv",
    )
    assert proc.returncode == 0, proc.stderr
    import csv

    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["case_id"] for r in rows] == ["C-1", "C-2"]
    assert [r["phone_col"] for r in rows] == ["90000 12345", "80000 12345"]
    assert rows[1]["text"] == "Used scooter; 2019 model" and rows[1]["price"] == "₹40,000"


@pytest.mark.slow
def test_positive_accepts_a_comma_separated_list(tmp_path: Path, cli: Cli) -> None:
    rows = [
        ("Win a prize, send your bank PIN now", "spam"),
        ("Your OTP is 1234, share to claim", "smishing"),
        ("Class 10 maths tuition in Kothrud", "ham"),
        ("Used scooter for sale, Pune", "ham"),
    ]
    (tmp_path / "sms.csv").write_text(
        "TEXT,LABEL\n" + "".join(f'"{t}",{label}\n' for t, label in rows), encoding="utf-8"
    )
    proc = cli(
        "evaluate",
        "sms.csv",
        "--text-column",
        "TEXT",
        "--label-column",
        "LABEL",
        "--positive",
        "spam,smishing",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["positives"] == 2


# ------------------------------------------------------------------ init, local time


def test_init_writes_a_commented_starter_config_that_loads(tmp_path: Path, cli: Cli) -> None:
    from trafficscan.sources.config import load_config

    proc = cli("init", "conf/scan.yaml")
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "conf" / "scan.yaml"
    text = path.read_text(encoding="utf-8")
    config = load_config(path)
    assert [s.kind for s in config.sources] == ["html", "html", "rss"]
    assert config.defaults.base_rate == 0.005 and config.sources[0].base_rate == 0.02
    for key in (
        "user_agent",
        "contact",
        "concurrency",
        "per_host_rate",
        "timeout",
        "retries",
        "backoff_base",
        "retry_after_cap",
        "max_bytes",
        "max_redirects",
        "respect_robots",
        "base_rate",
        "allowed_hosts",
        "item:",
        "link:",
        "next_page:",
        "max_pages:",
        "strip:",
    ):
        line = next(x for x in text.splitlines() if key in x)
        assert "#" in line, f"{key} is not explained"
    again = cli("init", "conf/scan.yaml")
    assert again.returncode == 2 and "already exists" in again.stderr


@pytest.mark.slow
def test_terminal_shows_local_time_beside_utc_and_json_keeps_utc(
    tmp_path: Path, config: Path, scan: Scan
) -> None:
    proc = scan(config, "-o", "o.json", TZ="UTC")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"Finished \d{4}-\d\d-\d\d \d\d:\d\d IST \(\d\d:\d\d UTC\)", proc.stdout)
    assert scan_summary(tmp_path / "o.json")["finished_at"].endswith("Z")


def test_with_local_converts_to_the_chosen_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    from trafficscan.core.localtime import with_local

    monkeypatch.setenv("TRAFFICSCAN_TZ", "Asia/Kolkata")
    assert with_local("2026-01-01T04:30:00Z") == "2026-01-01 10:00 IST (04:30 UTC)"
    monkeypatch.setenv("TRAFFICSCAN_TZ", "Europe/Berlin")
    assert with_local("2026-07-01T04:30:00Z") == "2026-07-01 06:30 CEST (04:30 UTC)"


# ------------------------------------------------------------------ signals and --wait


class SlowSite:
    """A listing of 30 ads whose every ad page takes ``delay`` seconds; ``hits`` lists requests."""

    def __init__(self, tmp_path: Path, delay: float) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                hits.append(self.path)
                if self.path == "/robots.txt":
                    body = b"User-agent: *\nAllow: /\n"
                elif self.path == "/list":
                    body = (
                        "<html><body>"
                        + "".join(
                            f'<article class="ad"><a class="title" href="/ad/{n}">Ad {n}</a></article>'
                            for n in range(30)
                        )
                        + "</body></html>"
                    ).encode()
                else:
                    time.sleep(delay)
                    body = (
                        f"<html><h1>Tuition {self.path}</h1>"
                        "<div class='d'>Class 10 maths</div></html>"
                    ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.config = tmp_path / "slow.yaml"
        self.config.write_text(
            f"""version: 1
defaults: {{per_host_rate: 100, concurrency: 2, timeout: 30, retries: 0}}
sources:
  - name: slow
    kind: html
    start_urls: ["{base}/list"]
    listing: {{item: "article.ad", link: "a.title@href"}}
    fields: {{title: "h1", body: "div.d"}}
""",
            encoding="utf-8",
        )

    def ad_requests(self) -> int:
        return sum(h.startswith("/ad/") for h in self.hits)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_site(tmp_path: Path) -> Iterator[SlowSite]:
    site = SlowSite(tmp_path, delay=0.5)
    yield site
    site.close()


def _wait_for(predicate: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _first_line(proc: subprocess.Popen[str], timeout: float = 30) -> str:
    """The first line on the process's stderr, or "" after ``timeout`` (never hang the suite)."""
    import threading

    got: list[str] = []
    assert proc.stderr is not None
    stream = proc.stderr
    reader = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return got[0] if got else ""


Start = Callable[..., subprocess.Popen[str]]


@pytest.fixture
def start(tmp_path: Path, home: Path) -> Start:
    """``start(*args)``: the CLI started in ``tmp_path`` as the test's user, not waited for."""

    def go(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "trafficscan", *args],
            cwd=tmp_path,
            env=env_for(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    return go


@pytest.mark.slow
def test_first_ctrl_c_says_so_and_stops_new_requests_at_once(
    tmp_path: Path, slow_site: SlowSite, start: Start
) -> None:
    proc = start(*scan_args(slow_site.config, "-q", "-o", "out.json", sources=()))
    try:
        _wait_for(lambda: slow_site.ad_requests() >= 2)
        proc.send_signal(signal.SIGINT)
        started = time.monotonic()
        sent = slow_site.ad_requests()
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert time.monotonic() - started < 3.0  # not the 7 s the other 28 pages would take
    assert slow_site.ad_requests() <= sent + 2  # at most the requests already on their way
    assert "stopping — finishing writes (Ctrl-C again to abort)" in err
    assert proc.returncode == 3
    assert scan_summary(tmp_path / "out.json")["status"] == "interrupted"


def test_second_ctrl_c_aborts(capsys: pytest.CaptureFixture[str]) -> None:
    from trafficscan.pipeline.stop import GracefulStop as _Stop

    woken: list[bool] = []
    stop = _Stop()
    stop.wake = lambda: woken.append(True)
    stop._handle(signal.SIGINT, None)
    assert stop.signal == "SIGINT" and woken == [True]
    assert "stopping — finishing writes (Ctrl-C again to abort)" in capsys.readouterr().err
    with pytest.raises(KeyboardInterrupt):
        stop._handle(signal.SIGINT, None)


@pytest.mark.slow
def test_wait_says_what_it_waits_for(tmp_path: Path, config: Path, start: Start) -> None:
    from trafficscan.state import StateDB

    state = tmp_path / "state.db"
    holder = StateDB.open(state)
    proc = start(*scan_args(config, "--wait", "-q", "-o", "out.json", state=state))
    try:
        first = _first_line(proc)
        assert "waiting for another scan to release" in first and f"pid {os.getpid()}" in first
        holder.close()
        _, err = proc.communicate(timeout=60)
    finally:
        holder.close()
        proc.kill()
    assert proc.returncode == 0, err


@pytest.mark.slow
def test_ctrl_c_while_waiting_aborts_with_a_message(
    tmp_path: Path, config: Path, start: Start
) -> None:
    from trafficscan.state import StateDB

    state = tmp_path / "state.db"
    with StateDB.open(state):
        proc = start(*scan_args(config, "--wait", "-o", "out.json", sources=(), state=state))
        try:
            assert "waiting for another scan" in _first_line(proc)
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == 130
    assert "aborted: stopped at once; no output file was written" in err and "Traceback" not in err
    assert not (tmp_path / "out.json").exists()
