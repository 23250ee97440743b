"""Benchmark: clustering a million generated ads, then adding 10,000 more to that history.

    python benchmarks/cluster.py                       # 1,000,000 ads, then +10,000
    python benchmarks/cluster.py --ads 100000          # a scaled-down run
    python benchmarks/cluster.py --compare 20000       # MinHash LSH against an exact join

The ads go through :class:`trafficscan.clusters.store.ClusterStore` into a fresh state
database, 10,000 per transaction, exactly as ``scan`` adds its batches: the history is built
incrementally, so "clustering 1,000,000 ads" and "adding 10,000 ads" are the same code at two
sizes. Entities are generated with the ads (feature extraction is benchmarked elsewhere).
Memory is sampled after every chunk: it must stay flat, not grow with the history.

The generated ads: 60 % stand alone (random words, each its own phone, a third with the same
site footer), 20 % share a phone in groups of 2-20, 20 % re-post a template in groups of 2-10
with new names, ages, cities, prices and phones.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from trafficscan.core.ad import Ad, ScoredAd

FOOTER = "Posted on City Classifieds, terms apply, report misuse to the site team. Call now."
CITIES = ["Guwahati", "Siliguri", "Patna", "Kolkata", "Lucknow", "Jaipur", "Bhopal", "Ranchi"]
NAMES = ["Rina", "Mala", "Sita", "Asha", "Gita", "Nila", "Puja", "Devi"]


def _vocab(rng: random.Random, n: int = 3000) -> list[str]:
    letters = "abcdefghiklmnoprstuvy"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(n)]


def generate(n: int, seed: int, start: int = 0) -> Iterator[tuple[ScoredAd, str]]:
    """``n`` scored ads with their true group; phone numbers from ``start`` on (fictional)."""
    rng = random.Random(seed)
    vocab = _vocab(random.Random(1))
    words = lambda k: " ".join(rng.choice(vocab) for _ in range(k))  # noqa: E731
    counter = iter(range(start, start + 10 * n + 10))
    made = 0
    while made < n:
        roll = rng.random()
        if roll < 0.6:
            size, group = 1, None
        else:
            size = rng.randint(2, 20 if roll < 0.8 else 10)
            group = "phone" if roll < 0.8 else "text"
        size = min(size, n - made)
        gid = f"g{seed}-{made}"
        shared = f"+9190{next(counter):08d}"
        template = f"{{name}} {{age}} {words(15)} {{city}} {words(15)} Rs {{price}} {words(5)}"
        for _ in range(size):
            own = f"+9180{next(counter):08d}"
            if group == "text":
                text = template.format(
                    name=rng.choice(NAMES),
                    age=rng.randint(20, 40),
                    city=rng.choice(CITIES),
                    price=rng.randint(2, 90) * 500,
                )
                phone = own
            else:
                text = words(rng.randint(15, 40))
                phone = shared if group == "phone" else own
            if rng.random() < 0.33:
                text += " " + FOOTER
            text += f" Call {phone[3:]}"
            ad = Ad(
                source=rng.choice(["olx", "quikr", "locanto"]),
                url=f"https://x.example.org/{made}",
                text=text,
            )
            yield (
                ScoredAd(
                    ad=ad,
                    score=0.0,
                    rule_score=0.0,
                    model_score=None,
                    flagged=False,
                    entities={
                        "phones": [phone],
                        "emails": [],
                        "handles": [],
                        "locations": [rng.choice(CITIES)],
                    },
                ),
                gid if group else ad.id,
            )
            made += 1


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def build(conn: sqlite3.Connection, n: int, seed: int, start: int, chunk: int, label: str) -> Spent:
    """Cluster ``n`` generated ads in chunks; the time spent, in all and in clustering alone.

    CPU time is reported too because the machine is shared: wall time alone says as much
    about the neighbours as about the code. "Clustering alone" leaves out generating the ads
    (a quarter of the total), which a scan does not do.
    """
    from trafficscan.clusters.store import ClusterStore

    store = ClusterStore(conn)
    spent = Spent()
    began, cpu = time.perf_counter(), _cpu()
    batch: list[ScoredAd] = []
    done = 0
    day = f"2026-11-{1 + seed % 28:02d}T06:00:00Z"
    for item, _ in generate(n, seed, start):
        batch.append(item)
        if len(batch) == chunk:
            _commit(conn, store, batch, day, spent)
            done += len(batch)
            batch = []
            if done % (chunk * 10) == 0:
                rate = done / (time.perf_counter() - began)
                print(
                    f"  {label}: {done:,} ads · {rate:,.0f} ads/s · RSS {rss_mib():,.0f} MiB",
                    flush=True,
                )
    if batch:
        _commit(conn, store, batch, day, spent)
    spent.wall, spent.cpu = time.perf_counter() - began, _cpu() - cpu
    return spent


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


@dataclass
class Spent:
    """Seconds: ``wall``/``cpu`` in all, ``add_wall``/``add_cpu`` in clustering transactions."""

    wall: float = 0.0
    cpu: float = 0.0
    add_wall: float = 0.0
    add_cpu: float = 0.0

    def __str__(self) -> str:
        return (
            f"{self.wall:.1f} s (CPU {self.cpu:.1f} s); clustering alone "
            f"{self.add_wall:.1f} s (CPU {self.add_cpu:.1f} s)"
        )


def _commit(
    conn: sqlite3.Connection, store: object, batch: list[ScoredAd], day: str, spent: Spent
) -> None:
    began, cpu = time.perf_counter(), _cpu()
    conn.execute("BEGIN IMMEDIATE")
    store.add(batch, day)  # type: ignore[attr-defined]
    conn.execute("COMMIT")
    spent.add_wall += time.perf_counter() - began
    spent.add_cpu += _cpu() - cpu


def compare(n: int) -> None:
    """MinHash LSH against an exact similarity join (inverted index, Jaccard ≥ MIN_JACCARD)."""
    from trafficscan.clusters.memory import cluster_items
    from trafficscan.clusters.neardup import MIN_JACCARD, MIN_SHINGLES, DocFreq, shingles

    items = [item for item, _ in generate(n, 99)]
    for item in items:  # text links only: no contacts
        item.entities = {"phones": [], "emails": [], "handles": []}
    t = time.perf_counter()
    lsh = cluster_items(items)
    t_lsh = time.perf_counter() - t
    t = time.perf_counter()
    freq = DocFreq()
    sets = {}
    for item in items:
        sets[item.ad.id] = s = shingles(item.ad.text)
        freq.add(s)
    index: dict[int, list[str]] = {}
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    pairs = 0
    for ad_id, found in sets.items():
        mine = freq.distinctive(found)
        if len(mine) < MIN_SHINGLES:
            continue
        overlap: dict[str, int] = {}
        for sh in mine:
            for other in index.get(sh, ()):
                overlap[other] = overlap.get(other, 0) + 1
            index.setdefault(sh, []).append(ad_id)
        for other, k in overlap.items():
            if k / (len(mine) + len(freq.distinctive(sets[other])) - k) >= MIN_JACCARD:
                pairs += 1
                parent[find(ad_id)] = find(other)
    t_exact = time.perf_counter() - t
    exact = {a: find(a) for a in sets}
    from itertools import combinations

    same_lsh = {frozenset(p) for c in _members(lsh.cluster_of).values() for p in combinations(c, 2)}
    same_exact = {frozenset(p) for c in _members(exact).values() for p in combinations(c, 2)}
    both = len(same_lsh & same_exact)
    print(
        f"compare on {n:,} ads: MinHash LSH {t_lsh:.1f} s, exact join {t_exact:.1f} s "
        f"({pairs:,} similar pairs); LSH pairs {len(same_lsh):,}, exact pairs {len(same_exact):,}, "
        f"shared {both:,} (LSH recall of exact {both / max(len(same_exact), 1):.3f}, "
        f"precision {both / max(len(same_lsh), 1):.3f})"
    )


def _members(cluster_of: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ad_id, cid in cluster_of.items():
        out.setdefault(cid, []).append(ad_id)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ads", type=int, default=1_000_000)
    ap.add_argument("--add", type=int, default=10_000)
    ap.add_argument("--chunk", type=int, default=10_000)
    ap.add_argument("--compare", type=int, default=0, help="only compare LSH with an exact join")
    ap.add_argument("--db", type=Path, default=None, help="keep the database here")
    args = ap.parse_args()
    if args.compare:
        compare(args.compare)
        return
    from trafficscan.state.schema import migrate

    folder = tempfile.TemporaryDirectory(prefix="trafficscan-cluster-bench-")
    path = args.db or Path(folder.name) / "state.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    migrate(conn)
    print(f"clustering {args.ads:,} generated ads into {path}", flush=True)
    full = build(conn, args.ads, 1, 0, args.chunk, "history")
    rss = rss_mib()
    print(
        f"history: {args.ads:,} ads in {full} ({args.ads / full.wall:,.0f} ads/s), "
        f"RSS {rss:,.0f} MiB, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )
    added = build(conn, args.add, 2, 10 * args.ads + 100, args.chunk, "added")
    clusters = conn.execute("SELECT COUNT(*), SUM(size > 1), MAX(size) FROM clusters").fetchone()
    print(
        f"incremental: +{args.add:,} ads in {added}; "
        f"{clusters[0]:,} clusters, "
        f"{clusters[1]:,} with 2+ ads, largest {clusters[2]:,}; "
        f"database {path.stat().st_size / 2**20:,.0f} MiB"
    )
    conn.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
