#!/usr/bin/env python3
"""Benchmark the state database's per-batch write: ``StateDB.record`` of batches of 1,000 ads.

    python benchmarks/state.py [--batches 10] [--size 1000]

A scan records every batch of 64 scored ads as one transaction while the crawl goes on, so a
slow write stalls the crawl. Prints seconds and ads/s per batch (the goal: a 1,000-ad batch in
well under 0.1 s on a laptop disk) and the peak RSS. Was a timed test; timings belong here.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from trafficscan.core.ad import Ad, ScoredAd
from trafficscan.state import StateDB


def batch(n: int, size: int) -> list[ScoredAd]:
    out = []
    for i in range(size):
        ad = Ad(
            source="bench",
            url=f"https://a.example/{n}/{i}",
            title=f"ad {n}-{i}",
            body=f"ad {n}-{i} body",
        )
        out.append(
            ScoredAd(
                ad=ad,
                score=0.7,
                rule_score=0.7,
                model_score=None,
                flagged=True,
                entities={
                    "phones": [f"+9190000{(i * 7919) % 700:05d}"],
                    "emails": [f"u{i % 300}@example.org"],
                    "handles": [],
                },
            )
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--size", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, StateDB.open(Path(tmp) / "state.sqlite3") as db:
        scan_id = db.begin_scan(["bench"], "2026-12-01T00:00:00Z")
        timings = []
        for n in range(args.batches):
            items = batch(n, args.size)
            t0 = time.perf_counter()
            db.record(scan_id, items)
            timings.append(time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"StateDB.record, {args.batches} batches of {args.size:,} ads (contacts shared across ads)"
    )
    print(
        f"  best {min(timings):.3f} s · median {sorted(timings)[len(timings) // 2]:.3f} s · "
        f"worst {max(timings):.3f} s · {args.size / min(timings):,.0f} ads/s best"
    )
    print(f"  peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
