"""Benchmark the rule engine: ads/second on generated ads, bundled rules and +5,000 keywords.

    /work/venv/bin/python benchmarks/rules.py [--ads 20000] [--keywords 5000] [--seed 13]

The features stage (``extract``) is timed separately from the engine (``RuleSet.match``), so
the engine's own cost is visible: the goal is >= 4,000 ads/s on one core with 5,000 extra
keywords, engine time. Peak RSS is printed at the end.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from trafficscan.score.rules import RuleSet, load_rules, score_hits
from trafficscan.score.rules.examples import default_extract

BENIGN = [
    "2BHK flat for rent near metro station, family only, no brokers.",
    "Wanted: experienced cook for a restaurant in Pune, salary 18000 per month.",
    "Selling used Honda Activa 2019 model, single owner, 12000 km driven.",
    "Yoga classes every morning at the community hall, first class free.",
    "Home tuition for class 10 maths and science, CBSE and ICSE boards.",
    "Spa and wellness centre: aromatherapy, foot reflexology, couples welcome.",
    "Data entry operator required, graduate, Excel knowledge, office in Noida.",
    "Beautiful saree collection for Diwali, new arrivals every week!",
    "Call 98110 23456 or mail info@example.org for details.",
    "Police advisory: beware of fake job offers abroad, verify agents on eMigrate.",
    "Driver needed for school van, morning and evening shift, Lucknow.",
    "Furnished PG for working women, meals included, Koramangala.",
]
FILLER = [
    "good",
    "nice",
    "call",
    "now",
    "available",
    "today",
    "contact",
    "whatsapp",
    "city",
    "hotel",
    "service",
    "best",
    "price",
    "genuine",
    "safe",
    "location",
    "area",
    "near",
    "station",
    "morning",
    "evening",
    "weekend",
    "only",
    "serious",
    "people",
    "please",
    "message",
    "details",
    "time",
    "book",
    "fast",
    "limited",
    "offer",
]


def make_ads(n: int, signals: list[str], rng: random.Random) -> list[str]:
    """Ads of 1-5 sentences: benign text, filler words, and in ~30% a rule example (signal)."""
    ads = []
    for _ in range(n):
        parts = rng.sample(BENIGN, rng.randint(1, 3))
        parts.append(" ".join(rng.choices(FILLER, k=rng.randint(5, 40))))
        if signals and rng.random() < 0.3:
            for _ in range(rng.randint(1, 3)):
                parts.insert(rng.randrange(len(parts) + 1), rng.choice(signals))
        if rng.random() < 0.1:  # obfuscation the normaliser must undo
            parts.append(rng.choice(["N E W  G I R L S", "y0ung c0llege g1rl", "fr3sh 18yo"]))
        ads.append(" ".join(parts))
    return ads


def _syllables(rng: random.Random, k: int) -> str:
    return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(k))


def write_keyword_pack(
    folder: Path, count: int, rng: random.Random, per_rule: int = 50
) -> list[str]:
    """A pack of ``count`` synthetic keywords (1-3 word phrases), ``per_rule`` per rule.

    One keyword in 20 is built from FILLER words, so the big pack does fire on the generated
    ads and the engine pays for real hits, not just for scanning.
    """
    keywords: list[str] = []
    seen: set[str] = set()
    while len(keywords) < count:
        if len(keywords) % 20 == 0:
            phrase = " ".join(rng.sample(FILLER, 2))
        else:
            phrase = " ".join(_syllables(rng, rng.randint(2, 4)) for _ in range(rng.randint(1, 3)))
        if phrase not in seen:
            seen.add(phrase)
            keywords.append(phrase)
    lines = []
    categories = ["youth", "movement", "payment", "commercial-sex", "third-party-control"]
    for r, start in enumerate(range(0, count, per_rule)):
        chunk = keywords[start : start + per_rule]
        kw = ", ".join(f'"{k}"' for k in chunk)
        lines.append(
            f"- id: synthetic.rule-{r}\n  title: Synthetic rule {r}\n"
            f"  category: {categories[r % len(categories)]}\n  weight: 0.2\n"
            f'  patterns:\n    - keywords: [{kw}]\n  references: ["benchmark"]\n'
            f'  examples:\n    match: ["{chunk[0]}"]\n    no_match: ["qqqq"]\n'
        )
    (folder / "synthetic.yaml").write_text("\n".join(lines), encoding="utf-8")
    return keywords


def time_engine(ruleset: RuleSet, feats: list[Any], repeat: int = 3) -> tuple[float, int]:
    """Best-of-``repeat`` seconds to match all ads, and the number of hits."""
    best = float("inf")
    hits = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        hits = 0
        for f in feats:
            found = ruleset.match(f)
            hits += len(found)
            score_hits(found)
        best = min(best, time.perf_counter() - t0)
    return best, hits


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ads", type=int, default=20_000)
    ap.add_argument("--keywords", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)

    t0 = time.perf_counter()
    bundled = load_rules()
    load_s = time.perf_counter() - t0
    print(
        f"bundled rules: {len(bundled)} rules, {len(bundled.packs)} packs, "
        f"{bundled.keyword_count} distinct phrases; load+validate+compile {load_s * 1000:.0f} ms"
    )

    signals = [e.text for r in bundled.rules for e in r.match_examples]
    ads = make_ads(args.ads, signals, rng)
    chars = sum(map(len, ads)) / len(ads)
    print(f"ads: {len(ads)} generated, mean {chars:.0f} characters")

    extract = default_extract()
    t0 = time.perf_counter()
    feats = [extract(a) for a in ads]
    ext_s = time.perf_counter() - t0
    print(f"extract:              {len(ads) / ext_s:10,.0f} ads/s  ({ext_s:.2f} s)")

    eng_s, hits = time_engine(bundled, feats, args.repeat)
    print(f"engine, bundled:      {len(ads) / eng_s:10,.0f} ads/s  ({eng_s:.2f} s, {hits} hits)")

    with tempfile.TemporaryDirectory() as tmp:
        write_keyword_pack(Path(tmp), args.keywords, rng)
        t0 = time.perf_counter()
        big = load_rules([Path(tmp)])
        load_s = time.perf_counter() - t0
    print(
        f"+{args.keywords} keywords: {len(big)} rules, {big.keyword_count} distinct phrases; "
        f"load+validate+compile {load_s * 1000:.0f} ms"
    )
    eng_s, hits = time_engine(big, feats, args.repeat)
    rate = len(ads) / eng_s
    print(
        f"engine, +{args.keywords} kw:   {rate:10,.0f} ads/s  ({eng_s:.2f} s, {hits} hits)"
        f"  goal >= 4,000: {'OK' if rate >= 4000 else 'MISSED'}"
    )
    both = ext_s + eng_s
    print(f"extract + engine:     {len(ads) / both:10,.0f} ads/s")

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
