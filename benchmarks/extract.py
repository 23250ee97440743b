"""Benchmark: normalisation + every extractor, ads per second on one core, peak RSS.

    python benchmarks/extract.py [--n 20000] [--seed 1] [--profile] [--corpus]

The ads are composed from a few dozen hand-written fragments (benign and suspicious, English,
Hinglish and Hindi, with the obfuscations the extractors must undo) and random made-up numbers,
so phone validation is not served from a warm cache. ``--corpus`` instead recombines sentences
of the labelled corpus in data/corpus (benchmarks/_corpus.py). Goal: >= 5,000 ads/s.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections.abc import Callable

OPENERS = [
    "NEW GIRLS in town!!!",
    "N E W  G I R L S available",
    "Fresh y.o.u.n.g college girls",
    "Hot n3w m0dels just arrived",
    "Nеw gіrls in Dеlhi",  # Cyrillic homoglyphs
    "2 BHK flat for rent in Andheri West",
    "Experienced cook needed for a family of four",
    "Urgent hiring for data entry jobs in Bangkok",
    "Overseas job offer: customer support in Sihanoukville",
    "Nai ladkiyan aayi hain",
    "नई लड़कियां उपलब्ध",
    "Second-hand Honda Activa 2019 model for sale",
    "Massage spa with full service",
    "Bride wanted for well settled boy",
    "Maid available for 24x7 live-in work",
]
MIDDLES = [
    "Just 18, 19yo, very friendly.",
    "age 14-18 girls needed for hotel work.",
    "umar 16-19, gaon se nayi aayi.",
    "उम्र 16 साल, बिहार से।",
    "18 years of experience in sales preferred.",
    "Salary 1,20,000 per month, no interview, visa free.",
    "₹1.5 lakh per month plus food and stay.",
    "Rs. 2,000/- per hour, full night 8k.",
    "AED 3,500 per month, ticket and visa by company.",
    "Pay 500 USD deposit to agent before travel.",
    "Working in KK Park, Myawaddy. Passport kept by company for safety.",
    "Tour: Mumbai, Pune, Goa, then Dubai next week.",
    "Contact office at Plot no 5, 2nd floor, Sector 18, Noida 201301.",
    "PIN 110001, order no 4512 9987 3321.",
    "Price negotiable, call after 6 pm only. Helpline 1098 for children.",
    "2 girls and 3 ladies available 🌹🌹💋",
    "Cash only, advance payment required 😘🔥",
    "Family of four, 2 kids, looking for part-time help.",
    "Delivered on 12/05/2024, warranty 2 years.",
    "Visit us at www.example-shop.in for more.",
    "Rent Rs 25000 per month, deposit 2 lakh.",
    "दिल्ली और मुंबई में काम, वेतन 15000 रुपये।",
]

Phone = Callable[[random.Random], str]


def _digits(rng: random.Random) -> str:
    return rng.choice("987") + "000" + "0" + f"{rng.randrange(100_000):05d}"


_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_HINDI = ["shunya", "ek", "do", "teen", "char", "paanch", "chhe", "saat", "aath", "nau"]
_DEVA = ["शून्य", "एक", "दो", "तीन", "चार", "पांच", "छह", "सात", "आठ", "नौ"]
_KEYCAP = [f"{d}\ufe0f\u20e3" for d in "0123456789"]


def _spell(table: list[str], sep: str) -> Phone:
    return lambda rng: sep.join(table[int(c)] for c in _digits(rng))


PHONES: list[Phone] = [
    lambda rng: _digits(rng),
    lambda rng: (d := _digits(rng))[:5] + " " + d[5:],
    lambda rng: "+91 " + (d := _digits(rng))[:5] + " " + d[5:],
    lambda rng: "+91-" + _digits(rng),
    lambda rng: "0" + _digits(rng),
    lambda rng: " ".join(_digits(rng)),
    lambda rng: _digits(rng).replace("0", "O", 3),
    _spell(_WORDS, " "),
    _spell(_HINDI, " "),
    _spell(_DEVA, " "),
    lambda rng: _digits(rng).translate(str.maketrans("0123456789", "०१२३४५६७८९")),
    _spell(_KEYCAP, ""),
    lambda rng: "nine" + _digits(rng)[1:],
    lambda rng: f"+971 50 000 {rng.randrange(10_000):04d}",
    lambda rng: f"+855 12 000 {rng.randrange(1000):03d}",
]
CONTACTS = [
    "Call/WhatsApp {p}",
    "WhatsApp only {p}, no calls",
    "Contact: {p}",
    "call me on {p} anytime",
    "फोन करें {p}",
    "Telegram @rosy_models or t.me/hr_desk_{n}",
    "Insta: @model.{n} DM for rates",
    "mail us: hr{n} [at] gmail [dot] com",
    "Email jobs{n}@example.org or call {p}",
    "wa.me/91{d}",
    "",
]
CLOSERS = [
    "",
    "Genuine clients only.",
    "Limited seats!!!",
    "Hurry up 🔥🔥",
    "T&C apply.",
    "जल्दी करें।",
]


def make_ads(n: int, seed: int) -> list[str]:
    """``n`` ads of one to six sentences, deterministic for ``seed``."""
    rng = random.Random(seed)
    ads = []
    for _ in range(n):
        parts = [rng.choice(OPENERS)]
        parts += rng.sample(MIDDLES, rng.randint(0, 4))
        for _ in range(rng.choice((0, 1, 1, 1, 2))):
            parts.append(
                rng.choice(CONTACTS).format(
                    p=rng.choice(PHONES)(rng), n=rng.randrange(1000), d=_digits(rng)
                )
            )
        parts.append(rng.choice(CLOSERS))
        ads.append(" ".join(p for p in parts if p))
    return ads


def corpus_ads(n: int, seed: int) -> list[str]:
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from _corpus import generate

    return [
        "\n".join(x for x in (ad.get("title", ""), ad.get("body", "")) if x)
        for ad in generate(n, seed)
    ]


def run_once(ads: list[str], outputs: bool) -> tuple[float, float, dict[str, int]]:
    """Extract every ad once: (wall seconds, CPU seconds, what was found)."""
    from trafficscan.features import extract
    from trafficscan.features.phones import validate_phone

    validate_phone.cache_clear()  # every round starts cold, as a fresh process would
    counts = dict.fromkeys(
        ("phones", "obfuscated", "emails", "handles", "prices", "ages", "locations"), 0
    )
    t0 = time.perf_counter()
    c0 = time.process_time()
    for text in ads:
        f = extract(text)
        if outputs:
            f.entities()
            f.numeric()
        counts["phones"] += len(f.phones)
        counts["obfuscated"] += sum(p.obfuscated for p in f.phones)
        counts["emails"] += len(f.emails)
        counts["handles"] += len(f.handles)
        counts["prices"] += len(f.prices)
        counts["ages"] += len(f.ages)
        counts["locations"] += len(f.locations)
    return time.perf_counter() - t0, time.process_time() - c0, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="rounds; the median is reported")
    ap.add_argument("--outputs", action="store_true", help="also build entities() and numeric()")
    ap.add_argument("--profile", action="store_true", help="profile with pyinstrument")
    ap.add_argument("--corpus", action="store_true", help="ads from data/corpus sentences")
    args = ap.parse_args()

    ads = corpus_ads(args.n, args.seed) if args.corpus else make_ads(args.n, args.seed)
    chars = sum(map(len, ads))

    t0 = time.perf_counter()
    from trafficscan.features import extract

    extract("warm up: call 9000012345, Dubai, Rs 500, age 18")  # lazy imports, automaton
    t_import = time.perf_counter() - t0

    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    rounds = [run_once(ads, args.outputs) for _ in range(max(1, args.repeat))]
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    walls = sorted(r[0] for r in rounds)
    cpus = sorted(r[1] for r in rounds)
    wall, cpu = walls[len(walls) // 2], cpus[len(cpus) // 2]
    what = "extract + entities() + numeric()" if args.outputs else "extract"
    print(f"ads:            {len(ads):,} ({chars / len(ads):.0f} chars on average)")
    print(f"first call:     {t_import * 1000:.0f} ms (imports, gazetteer automaton)")
    print(f"measured:       {what}, {len(rounds)} round(s), median")
    print(f"wall:           {wall:.2f} s -> {len(ads) / wall:,.0f} ads/s on one core")
    print(
        f"cpu:            {cpu:.2f} s -> {len(ads) / cpu:,.0f} ads/s (excludes time other processes took)"
    )
    if len(rounds) > 1:
        print("rounds (ads/s): " + ", ".join(f"{len(ads) / r[0]:,.0f}" for r in rounds))
    print(f"per ad:         {wall / len(ads) * 1e6:.0f} µs")
    print(f"peak RSS:       {rss / 1024:.1f} MiB")
    print("found:          " + ", ".join(f"{k} {v:,}" for k, v in rounds[0][2].items()))


if __name__ == "__main__":
    main()
