"""Helpers for the case report tests: a small flagged file with hostile ads, a real Chromium.

The flagged items are built the way ``scan`` builds them: entities from the real extractor,
rule matches with their offsets into ``text``. Chromium is Debian's ``chromium`` package
(``.ci/run`` installs it); the browser tests skip, saying why, only where it is missing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# An address no test may ever reach (TEST-NET-2, RFC 5737): what a hostile ad tries to load.
BEACON = "198.51.100.7"

SCRIPT_AD = (
    "Hostess wanted, new girls every week.\n"
    "<script>document.title='PWNED';"
    "document.body.insertAdjacentHTML('beforeend','<p id=\"pwned\">ran</p>')</script>\n"
    "<img src=x onerror=\"document.title='PWNED-IMG';"
    "document.body.appendChild(document.createElement('blink')).id='pwned-img'\">\n"
    f'<img src="http://{BEACON}/beacon.png"><link rel=stylesheet href="https://{BEACON}/x.css">\n'
    f'<div style="background:url(http://{BEACON}/bg.png)">apply</div></mark></div><!--\n'
    "Manager keeps passports. Call 80000 54321."
)


def item(
    text: str,
    *,
    title: str,
    words: list[str],
    context: Sequence[str] = (),
    score: float = 0.97,
    rule: str = "youth.new-girls",
    category: str = "youth",
    **extra: Any,
) -> dict[str, Any]:
    """A flagged item as ``scan`` writes it: real entities, rule matches with offsets."""
    from trafficscan.features import extract

    def spans(phrases: list[str]) -> list[dict[str, Any]]:
        out = []
        for phrase in phrases:
            start = text.index(phrase)
            out.append({"text": phrase, "start": start, "end": start + len(phrase)})
        return out

    hit: dict[str, Any] = {
        "id": rule,
        "category": category,
        "weight": 0.4,
        "title": f"Rule {rule}",
        "matches": spans(words),
    }
    if context:
        hit["context"] = spans(list(context))
    rec: dict[str, Any] = {
        "id": hashlib.sha256(title.encode()).hexdigest()[:16],
        "source": "city-classifieds",
        "url": f"http://127.0.0.1/ads/{len(title)}.html",
        "title": title,
        "text": text,
        "price": None,
        "location": None,
        "posted_at": None,
        "score": score,
        "rule_score": 0.8,
        "model_score": 0.9,
        "flagged": True,
        "entities": extract(text).entities(),
        "rules": [hit],
        "explanation": {
            "formula": "score = σ(logit(base_rate) + evidence)",
            "base_rate": 0.005,
            "evidence": 8.2,
            "model": {
                "terms": [{"term": "girls", "weight": 1.07}, {"term": "manager", "weight": 0.31}],
                "parts": {"words": 1.2, "characters": 3.1, "rules_and_entities": 5.0, "bias": -1.1},
            },
            "indicators": [
                {
                    "kind": "rule",
                    "id": rule,
                    "category": category,
                    "title": f"Rule {rule}",
                    "words": words,
                },
                {"kind": "word", "term": "girls", "weight": 1.07},
            ],
        },
    }
    rec.update(extra)
    return rec


def case_items() -> list[dict[str, Any]]:
    """Four ads: two share a phone (one spelt in words), one is hostile, one not flagged."""
    spa = item(
        "New girls at Lotus spa, Andheri. Manager handles booking. "
        "WhatsApp 90000 12345 or mail lotus.desk@example.com",
        title="Lotus spa – new girls (Andheri)",
        words=["New girls"],
        context=["spa"],
        location="Andheri East, Mumbai",
        posted_at="2026-11-28T21:40:00+05:30",
    )
    job = item(
        "Data entry job in Thailand, tourist visa arranged. Call nine zero zero zero zero, "
        "one two three four five. Telegram @siam_desk_demo only.",
        title="Data entry job in Thailand",
        words=["Data entry", "tourist visa"],
        rule="recruitment-fraud.scam-hub",
        category="recruitment-fraud",
        score=0.91,
        location="Bangkok, Thailand",
        posted_at="2026-11-24",
    )
    hostile = item(
        SCRIPT_AD,
        title="<script>document.title='PWNED-TITLE'</script>Hostess <b>wanted</b>",
        words=["new girls", "keeps passports"],
        rule="restricted-freedom.documents-held",
        category="restricted-freedom",
        score=0.88,
        location="Baga, North Goa",
        posted_at="2026-11-22",
        cluster={"id": "c-7", "size": 3},
        evidence={"page_sha256": "ab" * 32, "text_sha256": "cd" * 32},
    )
    benign = item(
        "Maths tuition for class 10, Kothrud.",
        title="Maths tuition",
        words=["tuition"],
        score=0.01,
        flagged=False,
    )
    return [spa, job, hostile, benign]


HEADER = {
    "schema": "trafficscan/flagged/v1",
    "generated_at": "2026-12-01T04:30:00Z",
    "trafficscan": "0.1.0",
    "threshold": 0.0334,
    "model": {"name": "trafficscan-classifier", "version": 1, "base_rate": 0.005},
    "scan": {
        "sources": ["city-classifieds", "job-board"],
        "started_at": "2026-12-01T04:20:00Z",
        "finished_at": "2026-12-01T04:29:30Z",
        "status": "completed",
        "pages_fetched": 12,
        "ads_seen": 40,
        "ads_new": 31,
        "ads_flagged": 3,
        "errors_count": 1,
        "per_source": {
            "city-classifieds": {"pages": 10, "ads": 30, "errors": 1},
            "job-board": {"pages": 2, "ads": 10, "errors": 0},
        },
        "errors": [
            {
                "source": "city-classifieds",
                "url": "http://127.0.0.1/ads/9.html",
                "error": "HTTP 503 after 3 tries",
                "kind": "http",
            }
        ],
    },
}


def write_flagged(path: Path, items: list[dict[str, Any]], header: dict[str, Any] = HEADER) -> Path:
    path.write_text(
        json.dumps({**header, "items": items}, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return path


# ----------------------------------------------------------------------------------------
# Chromium

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
]


class Chromium:
    """Debian's headless Chromium, one fresh profile a call, every request sent to ``proxy``."""

    def __init__(self, binary: str, workdir: Path, proxy: RequestLog) -> None:
        self.binary, self.workdir, self.proxy = binary, workdir, proxy
        self._n = 0

    def run(self, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        self._n += 1
        profile = self.workdir / f"profile-{self._n}"
        cmd = [
            self.binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            # nothing leaves the machine: names do not resolve, and any request at all goes
            # to the test's own proxy on 127.0.0.1, which records it and answers 404
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            f"--proxy-server=http://127.0.0.1:{self.proxy.port}",
            "--proxy-bypass-list=<-loopback>",
            *args,
        ]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)

    def dump_dom(self, page: Path) -> str:
        proc = self.run("--dump-dom", page.resolve().as_uri())
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    def print_pdf(self, page: Path, pdf: Path) -> bytes:
        proc = self.run(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.resolve().as_uri())
        assert proc.returncode == 0 and pdf.exists(), proc.stderr[-2000:]
        return pdf.read_bytes()


class RequestLog:
    """A tiny HTTP proxy on 127.0.0.1 that records every request Chromium makes and fails it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        log = self.requests

        class Handler(BaseHTTPRequestHandler):
            def _refuse(self) -> None:
                log.append(f"{self.command} {self.path}")
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_HEAD = do_CONNECT = _refuse

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def hosts(self) -> set[str]:
        """The hosts asked for: ``CONNECT host:443`` and ``GET http://host/...`` alike."""
        out = set()
        for line in self.requests:
            target = line.split(" ", 1)[1].split("://", 1)[-1]
            out.add(target.split("/", 1)[0].rsplit(":", 1)[0])
        return out

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None
