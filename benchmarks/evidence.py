"""Evidence cost: what capture adds to a scan, and how fast ``evidence verify`` reads a store.

Run: ``python benchmarks/evidence.py [--pages 1000] [--page-kb 40]``

A local server (its own process) serves one listing linking ``--pages`` ad pages of about
``--page-kb`` KB of varied text (so gzip compresses them as it would real pages). The same
crawl runs three ways, best of ``--repeat``:

* ``none``: no capture (what ``--evidence none`` or ``--no-state`` costs);
* ``flagged``: bytes kept beside each ad, 5 % of ads flagged and their pages written;
* ``all``: every page written to the store (the upper bound).

It prints time and disk per 1,000 pages for each, then verifies the store it wrote (plus a
larger synthetic one) and prints records/s and MB/s, and the time a year of hourly scans
would take to verify at that speed.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from trafficscan.core.ad import ScoredAd
from trafficscan.evidence.capture import EvidenceKeeper
from trafficscan.evidence.verify import verify
from trafficscan.pipeline.crawler import Crawler
from trafficscan.sources.config import Config, Defaults, Listing, Selector, Source
from trafficscan.state import StateDB

WORDS = [
    "room",
    "rent",
    "flat",
    "near",
    "station",
    "call",
    "evening",
    "work",
    "salary",
    "hostel",
    "travel",
    "agent",
    "office",
    "visa",
    "passport",
    "training",
    "course",
    "fees",
    "advance",
    "cash",
    "deposit",
    "paid",
    "weekly",
    "city",
    "bus",
]


def _serve(port_q: Any, pages: int, page_kb: int) -> None:
    rng = random.Random(7)
    bodies = [
        (
            f"<html><body><h1>Ad {i}</h1><div class=body>"
            + " ".join(rng.choice(WORDS) for _ in range(page_kb * 1024 // 7))
            + "</div></body></html>"
        ).encode()
        for i in range(50)
    ]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                body = b""
            elif self.path.startswith("/list"):
                run = self.path.split("?", 1)[0]
                body = (
                    "<html><body>"
                    + "".join(
                        f'<article><a href="/ad{run}/{i}">ad {i}</a></article>'
                        for i in range(pages)
                    )
                    + "</body></html>"
                ).encode()
            else:
                n = int(self.path.rsplit("/", 1)[-1])
                body = bodies[n % len(bodies)].replace(b"<h1>Ad", f"<h1>{n} Ad".encode(), 1)
            self.send_response(200 if self.path != "/robots.txt" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_q.put(server.server_address[1])
    server.serve_forever(0.05)


def _config(base: str, run: str) -> Config:
    src = Source(
        name="bench",
        kind="html",
        start_urls=(f"{base}/list-{run}",),
        listing=Listing(item=Selector.parse("article"), link=Selector.parse("a@href"), max_pages=1),
        fields={"title": Selector.parse("h1"), "body": Selector.parse(".body")},
    )
    return Config(
        path="<bench>",
        sources=(src,),
        defaults=Defaults(concurrency=8, per_host_rate=10_000.0, timeout=10),
    )


def _scan(base: str, run: str, mode: str, folder: Path) -> tuple[int, float, int]:
    """One crawl; returns pages, seconds and bytes written to the store."""
    state = folder / run / "state.sqlite3"
    with StateDB.open(state) as db:
        scan_id = db.begin_scan(["bench"], "2026-12-03T08:00:00Z")
        keeper = EvidenceKeeper(mode, state, scan_id, db) if mode != "none" else None  # type: ignore[arg-type]
        crawler = Crawler(
            _config(base, run),
            capture=keeper is not None,
            on_page=keeper.on_page if keeper and mode == "all" else None,
        )
        rng = random.Random(1)

        async def go() -> None:
            batch: list[ScoredAd] = []
            async for ad in crawler.ads():
                flagged = rng.random() < 0.05
                batch.append(
                    ScoredAd(
                        ad=ad,
                        score=0.9 if flagged else 0.1,
                        rule_score=0,
                        model_score=None,
                        flagged=flagged,
                    )
                )
                if len(batch) >= 64 and keeper is not None:
                    keeper.after_scoring(batch)
                    batch = []
            if keeper is not None:
                keeper.after_scoring(batch)

        t0 = time.perf_counter()
        asyncio.run(go())
        if keeper is not None:
            keeper.close()
        secs = time.perf_counter() - t0
        written = keeper.store.bytes_written if keeper else 0
        db.finish_scan(scan_id, status="completed", counts={}, errors=[])
    return crawler.stats.pages_fetched, secs, written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--page-kb", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    ctx = mp.get_context("spawn")
    q: Any = ctx.Queue()
    proc = ctx.Process(target=_serve, args=(q, args.pages, args.page_kb), daemon=True)
    proc.start()
    base = f"http://127.0.0.1:{q.get(timeout=10)}"
    results: dict[str, tuple[int, float, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        try:
            for rep in range(args.repeat):
                for mode in ("none", "flagged", "all"):
                    pages, secs, written = _scan(base, f"{mode}{rep}", mode, folder)
                    if mode not in results or secs < results[mode][1]:
                        results[mode] = (pages, secs, written)
        finally:
            proc.terminate()
            proc.join(5)
        base_secs = results["none"][1] / results["none"][0] * 1000
        print(
            f"capture overhead ({args.pages} pages of ~{args.page_kb} KB, best of {args.repeat}):"
        )
        print(f"{'mode':<8} {'s/1000 pages':>13} {'overhead':>9} {'MB/1000 pages':>14}")
        for mode, (pages, secs, written) in results.items():
            per = secs / pages * 1000
            print(
                f"{mode:<8} {per:>13.2f} {100 * (per - base_secs) / base_secs:>8.1f}% "
                f"{written / pages * 1000 / 1e6:>14.1f}"
            )
        stores = [p for p in folder.glob("all*") if (p / "evidence").is_dir()]
        result = verify([p / "evidence" for p in stores])
        print(
            f"verify: {result.records} records, {result.bytes / 1e6:.1f} MB in "
            f"{result.seconds:.2f} s: {result.records / result.seconds:,.0f} records/s, "
            f"{result.bytes / 1e6 / result.seconds:,.1f} MB/s"
            + ("" if result.ok else f" ({len(result.failures)} FAILURES)")
        )
        flagged_bytes = results["flagged"][2] / results["flagged"][0] * 1000
        year = 24 * 365 * flagged_bytes * (args.pages / 1000) / 1e6
        print(
            f"a year of hourly scans of {args.pages} pages with --evidence flagged: "
            f"{year / 1e3:,.1f} GB, verified in about "
            f"{year / (result.bytes / 1e6 / result.seconds) / 60:,.0f} min"
        )
    return 0 if result.ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
