"""Generate N realistic ads for benchmarks by recombining sentences of the labelled corpus.

Not training data: the same sentences recur. It gives benchmark inputs the length, language mix,
obfuscations and entity density of real ads, deterministically for a seed.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sentences() -> tuple[list[str], list[str]]:
    titles, sentences = [], []
    for path in sorted((ROOT / "data" / "corpus").glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            rec = json.loads(line)
            titles.append(rec.get("title") or "")
            sentences.extend(s for s in re.split(r"(?<=[.!?।])\s+", rec.get("body", "")) if s)
    return titles, sentences


def generate(n: int, seed: int = 7) -> Iterator[dict[str, str]]:
    rng = random.Random(seed)
    titles, sentences = _sentences()
    for i in range(n):
        k = rng.choice((1, 2, 2, 3, 3, 4, 6))
        yield {
            "id": f"bench-{i:06d}",
            "title": rng.choice(titles),
            "body": " ".join(rng.choice(sentences) for _ in range(k)),
            "source": "bench",
            "url": f"https://ads.example.org/{i}",
        }


def write_jsonl(path: Path, n: int, seed: int = 7) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for rec in generate(n, seed):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path
