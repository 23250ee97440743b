"""Crawler throughput and rate-limit accuracy against a local server with simulated latency.

Run: ``python benchmarks/crawl.py [--latency 0.05] [--rate 10] [--links 400]``

The server runs in a separate process (so its threads do not compete with the crawler for the
GIL) and answers every request after ``latency`` seconds. It logs arrival times, which is how
the achieved per-host rate is measured: from what the server saw, not what the client thinks.

Measures
  * pages/s at concurrency 1, 4 and 16 with a per-host rate high enough not to matter;
  * the achieved rate when ``per_host_rate`` is the limit (goal: 90-100 % of it, never more);
  * peak RSS of this process.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing as mp
import resource
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from trafficscan.crawl import Crawler

from trafficscan.sources.config import Config, Defaults, Listing, Selector, Source


def _serve(port_q: Any, latency: float, links: int) -> None:
    arrivals: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = (
            True  # headers and body are separate writes: avoid 40 ms ACK stalls
        )

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/_arrivals":
                body = json.dumps(arrivals).encode()
                arrivals.clear()
                ctype = "application/json"
            else:
                arrivals.append(time.time())
                time.sleep(latency)
                ctype = "text/html; charset=utf-8"
                if self.path == "/robots.txt":
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path.startswith("/list"):
                    n = int(self.path.rpartition("n=")[2]) if "n=" in self.path else links
                    items = "".join(
                        f'<article><a href="/ad{self.path}/{i}">ad {i}</a></article>'
                        for i in range(n)
                    )
                    body = f"<html><body>{items}</body></html>".encode()
                else:
                    body = (
                        f"<html><body><h1>Ad {self.path}</h1><div class=body>"
                        + "Some text of an ad. " * 100
                        + "</div></body></html>"
                    ).encode()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_q.put(server.server_address[1])
    server.serve_forever(0.05)


def _config(base: str, run: str, concurrency: int, rate: float, links: int) -> Config:
    src = Source(
        name="bench",
        kind="html",
        start_urls=(f"{base}/list-{run}?n={links}",),
        listing=Listing(item=Selector.parse("article"), link=Selector.parse("a@href"), max_pages=1),
        fields={"title": Selector.parse("h1"), "body": Selector.parse(".body")},
    )
    return Config(
        path="<bench>",
        sources=(src,),
        defaults=Defaults(concurrency=concurrency, per_host_rate=rate, timeout=10),
    )


def _crawl(cfg: Config) -> tuple[int, int, float]:
    crawler = Crawler(cfg, cfg.sources)

    async def go() -> int:
        return sum([1 async for _ in crawler.ads()])

    t0 = time.perf_counter()
    ads = asyncio.run(go())
    elapsed = time.perf_counter() - t0
    assert not crawler.stats.errors, crawler.stats.errors
    return crawler.stats.pages_fetched, ads, elapsed


def _arrivals(base: str) -> list[float]:
    import urllib.request

    with urllib.request.urlopen(f"{base}/_arrivals") as resp:
        return list(json.loads(resp.read()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--rate", type=float, default=10.0, help="per_host_rate for the rate run")
    ap.add_argument("--links", type=int, default=400, help="ad pages per throughput run")
    ap.add_argument("--rate-links", type=int, default=100, help="ad pages in the rate run")
    args = ap.parse_args(argv)

    q: Any = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(
        target=_serve, args=(q, args.latency, args.links), daemon=True
    )
    proc.start()
    base = f"http://127.0.0.1:{q.get(timeout=10)}"
    rows: list[tuple[str, ...]] = []
    try:
        for conc in (1, 4, 16):
            _arrivals(base)
            pages, ads, secs = _crawl(_config(base, f"c{conc}", conc, 1000.0, args.links))
            ideal = conc / args.latency
            rows.append(
                (
                    f"concurrency {conc}",
                    "1000",
                    f"{pages}",
                    f"{pages / secs:.1f}",
                    f"{min(ideal, 1000):.0f}",
                    f"{ads}",
                )
            )
        _arrivals(base)
        pages, ads, secs = _crawl(_config(base, "rate", 16, args.rate, args.rate_links))
        ts = sorted(_arrivals(base))
        achieved = (len(ts) - 1) / (ts[-1] - ts[0])
        min_gap = min(b - a for a, b in itertools.pairwise(ts))
        # the strictest reading of "requests per second": any 1-second window
        window_max = max(sum(1 for t in ts[i:] if t < start + 1.0) for i, start in enumerate(ts))
        rows.append(
            (
                "rate-limited (c=16)",
                f"{args.rate:g}",
                f"{pages}",
                f"{pages / secs:.1f}",
                f"{args.rate:g}",
                f"{ads}",
            )
        )
    finally:
        proc.terminate()
        proc.join(5)

    head = ("run", "per_host_rate", "pages", "pages/s", "ceiling", "ads")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print(
        f"\nrate-limited run: server saw {achieved:.2f} req/s against per_host_rate "
        f"{args.rate:g} ({100 * achieved / args.rate:.1f} %), smallest gap {min_gap * 1000:.1f} ms "
        f"(allowed {1000 / args.rate:.1f} ms), busiest 1-s window {window_max} requests"
    )
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"peak RSS: {rss_kb / 1024:.1f} MiB  (latency {args.latency * 1000:.0f} ms, "
        f"Python {sys.version.split()[0]})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
