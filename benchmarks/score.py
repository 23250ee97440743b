#!/usr/bin/env python3
"""Benchmark `trafficscan score` end to end against a plain TF-IDF + logistic-regression script.

    python benchmarks/score.py [--n 40000]

Prints whole-process wall time and peak RSS of:
  * reference: a script that only reads the JSONL, runs a word TF-IDF + LR model in batches of
    1,000 and writes JSONL (the floor any scorer pays);
  * trafficscan score --all --format jsonl, with --jobs 1 and with the default (all cores);
and the ratios the issue sets goals for (≤ 2.0 with --jobs 1, ≤ 1.5 with all cores; RSS of
40,000 ads / 4,000 ads ≤ 1.3), plus `trafficscan --help` against `python -c "import typer, rich"`.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import ROOT, write_jsonl

REFERENCE = r"""
import json, pickle, sys
model = pickle.load(open(sys.argv[1], "rb"))   # the benchmark's own file, made just above
vec, clf = model
out = open(sys.argv[3], "w", encoding="utf-8")
batch = []
def flush(batch):
    texts = [r.get("title", "") + "\n" + r.get("body", "") for r in batch]
    probs = clf.predict_proba(vec.transform(texts))[:, 1]
    for r, p in zip(batch, probs):
        r["score"] = float(p)
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
for line in open(sys.argv[2], encoding="utf-8"):
    batch.append(json.loads(line))
    if len(batch) == 1000:
        flush(batch); batch = []
if batch:
    flush(batch)
out.close()
"""


def run(cmd: list[str], repeat: int = 1) -> tuple[float, float]:
    """Best wall time of ``repeat`` runs and the peak RSS (MiB) of the child processes."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return best, rss


def peak_rss(cmd: list[str]) -> float:
    """Peak RSS (MiB) of one command and its children, via /usr/bin/time-free wait4."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, cmd
    return usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40_000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    ts = [sys.executable, "-m", "trafficscan"]
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        big = write_jsonl(tmp / "big.jsonl", args.n)
        small = write_jsonl(tmp / "small.jsonl", args.n // 10)
        # the reference model: word TF-IDF + LR on the repo corpus
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        rows = [
            json.loads(x)
            for p in sorted((ROOT / "data" / "corpus").glob("*.jsonl"))
            for x in p.open()
        ]
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
        X = vec.fit_transform([r["title"] + "\n" + r["body"] for r in rows])
        clf = LogisticRegression(max_iter=2000).fit(X, [r["label"] for r in rows])
        (tmp / "ref.pkl").write_bytes(pickle.dumps((vec, clf)))
        (tmp / "ref.py").write_text(REFERENCE)

        # The first run of a model file compiles it into the model cache (classifier/cache.py),
        # as every later run finds it: warm it in a cache of our own, and time a cold start too.
        os.environ["TRAFFICSCAN_CACHE_DIR"] = str(tmp / "cache")
        one = tmp / "one.jsonl"
        one.write_text(big.read_text(encoding="utf-8").split("\n", 1)[0] + "\n", encoding="utf-8")
        cold_t, _ = run(
            [
                *ts,
                "score",
                str(one),
                "--all",
                "--format",
                "jsonl",
                "-o",
                str(tmp / "cold.jsonl"),
                "-q",
            ]
        )
        warm_t = min(
            run(
                [
                    *ts,
                    "score",
                    str(one),
                    "--all",
                    "--format",
                    "jsonl",
                    "-o",
                    str(tmp / "warm.jsonl"),
                    "-q",
                    "--force",
                ]
            )[0]
            for _ in range(3)
        )
        ref_t, _ = run(
            [
                sys.executable,
                str(tmp / "ref.py"),
                str(tmp / "ref.pkl"),
                str(big),
                str(tmp / "ref.out"),
            ],
            args.repeat,
        )
        one_t, _ = run(
            [
                *ts,
                "score",
                str(big),
                "--all",
                "--format",
                "jsonl",
                "-o",
                str(tmp / "a.jsonl"),
                "--jobs",
                "1",
                "-q",
                "--force",
            ],
            args.repeat,
        )
        all_t, _ = run(
            [
                *ts,
                "score",
                str(big),
                "--all",
                "--format",
                "jsonl",
                "-o",
                str(tmp / "b.jsonl"),
                "-q",
                "--force",
            ],
            args.repeat,
        )
        rss_big = peak_rss(
            [
                *ts,
                "score",
                str(big),
                "--all",
                "--format",
                "jsonl",
                "-o",
                str(tmp / "c.jsonl"),
                "--jobs",
                "1",
                "-q",
            ]
        )
        rss_small = peak_rss(
            [
                *ts,
                "score",
                str(small),
                "--all",
                "--format",
                "jsonl",
                "-o",
                str(tmp / "d.jsonl"),
                "--jobs",
                "1",
                "-q",
            ]
        )
        help_t = min(
            run(
                [
                    *ts[:1],
                    "-c",
                    "from trafficscan.cli.app import main; import sys; sys.argv=['trafficscan','--help']; main()",
                ]
            )[0]
            for _ in range(5)
        )
        base_t = min(run([sys.executable, "-c", "import typer, rich"])[0] for _ in range(5))

    n = args.n
    print(f"ads: {n:,} generated ({os.cpu_count()} cores)")
    print(f"{'run':<38}{'seconds':>9}{'ads/s':>10}{'ratio':>8}{'goal':>8}")
    print(f"{'reference TF-IDF + LR script':<38}{ref_t:>9.2f}{n / ref_t:>10,.0f}{1:>8.2f}{'':>8}")
    print(
        f"{'trafficscan score --jobs 1':<38}{one_t:>9.2f}{n / one_t:>10,.0f}{one_t / ref_t:>8.2f}{'≤ 2.0':>8}"
    )
    print(
        f"{'trafficscan score (all cores)':<38}{all_t:>9.2f}{n / all_t:>10,.0f}{all_t / ref_t:>8.2f}{'≤ 1.5':>8}"
    )
    print(
        f"start-up (score one ad): {warm_t:.2f} s; first run of a model file (compiles the "
        f"model cache): {cold_t:.2f} s"
    )
    print(
        f"peak RSS --jobs 1: {rss_big:.0f} MiB for {n:,} ads, {rss_small:.0f} MiB for {n // 10:,}: "
        f"ratio {rss_big / rss_small:.2f} (goal ≤ 1.3)"
    )
    print(
        f"--help: {help_t * 1000:.0f} ms vs import typer, rich: {base_t * 1000:.0f} ms: "
        f"ratio {help_t / base_t:.2f} (goal ≤ 2.0)"
    )


if __name__ == "__main__":
    main()
