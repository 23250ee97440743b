#!/usr/bin/env python3
"""Detection quality where it matters: recall on our holdouts, false flags on real text.

    python benchmarks/quality.py [--model MODEL] [--threshold T] [--json]

For the model at its default threshold and base rate, through the same ``Scorer`` that ``scan``
and ``score`` use (indicator gate included), prints:

* recall (and false-positive rate on its negatives) on each independent holdout in
  ``data/holdout/`` — written by authors who saw neither rules nor corpus;
* the false-positive rate on real benign text nobody here wrote and nothing was trained on:
  the 409 items of ``../shared/data/real-pages``, the legitimate EMSCAD job ads and the held-out
  half of the SMS "ham" messages (``scripts/realdata.py``);
* the precision to expect on a real platform at base rates 1/100 and 1/1000:
  ``b·recall / (b·recall + (1 − b)·fpr)``, with recall from the holdouts and fpr pooled over
  the real benign sets (add-½ smoothed when nothing was flagged).

Also the flagged real items, so a reader sees what an analyst would be shown.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def _ads(records: list[dict]) -> list:
    from trafficscan.core.ad import Ad

    return [
        Ad(
            source=r.get("source", ""),
            title=r.get("title", ""),
            body=r.get("body", ""),
            text=r.get("text", ""),
            price=r.get("price", ""),
            location=r.get("location", ""),
            id=r.get("id", ""),
            label=int(r.get("label", 0)),
            category=r.get("category", ""),
        )
        for r in records
    ]


def _score(scorer, records: list[dict]) -> list:
    ads = _ads(records)
    return [s for i in range(0, len(ads), 1000) for s in scorer.score_batch(ads[i : i + 1000])]


def measure(model: str | None = None, threshold: float | None = None) -> dict:
    import realdata

    from trafficscan.score.scorer import ScorerSpec

    scorer = ScorerSpec(model=model, threshold=threshold).build()
    out: dict = {
        "threshold": scorer.threshold,
        "base_rate": scorer.base_rate,
        "holdouts": {},
        "real": {},
        "flagged_real": [],
    }
    for path in sorted((ROOT / "data" / "holdout").glob("holdout-*.jsonl")):
        recs = [json.loads(line) for line in path.open(encoding="utf-8")]
        scored = _score(scorer, recs)
        pos = [s for s in scored if s.ad.label == 1]
        neg = [s for s in scored if s.ad.label == 0]
        out["holdouts"][path.stem] = {
            "positives": len(pos),
            "recall": sum(s.flagged for s in pos) / max(len(pos), 1),
            "negatives": len(neg),
            "fpr": sum(s.flagged for s in neg) / max(len(neg), 1),
            "missed": [s.ad.id for s in pos if not s.flagged],
        }
    real_sets = {
        "real-pages": realdata.real_pages,
        "emscad (legitimate)": realdata.emscad,
        "sms ham (check half)": realdata.sms_ham,
    }
    for name, load in real_sets.items():
        t0 = time.perf_counter()
        scored = _score(scorer, list(load()))
        flagged = [s for s in scored if s.flagged]
        out["real"][name] = {
            "n": len(scored),
            "flagged": len(flagged),
            "fpr": len(flagged) / max(len(scored), 1),
            "seconds": round(time.perf_counter() - t0, 2),
        }
        for s in flagged:
            why = [
                i.get("title") or i.get("name") or i.get("term")
                for i in s.explanation.get("indicators", [])
            ]
            out["flagged_real"].append(
                {
                    "set": name,
                    "id": s.ad.id,
                    "score": s.score,
                    "text": s.ad.text[:120],
                    "indicators": why,
                }
            )
    n_real = sum(r["n"] for r in out["real"].values())
    fp_real = sum(r["flagged"] for r in out["real"].values())
    fpr = (fp_real if fp_real else 0.5) / n_real
    recalls = [h["recall"] for h in out["holdouts"].values()]
    recall = min(recalls) if recalls else 0.0
    out["pooled_real_fpr"] = fp_real / n_real
    out["expected_precision"] = {
        str(b): round(b * recall / (b * recall + (1 - b) * fpr), 4) for b in (0.01, 0.001)
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model")
    ap.add_argument("--threshold", type=float)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    r = measure(args.model, args.threshold)
    if args.json:
        print(json.dumps(r, indent=2, ensure_ascii=False))
        return
    print(f"threshold {r['threshold']:.4g} at base rate {r['base_rate']}")
    print(f"{'set':<24}{'n':>7}{'recall':>9}{'flagged':>9}{'fpr':>9}")
    for name, h in r["holdouts"].items():
        print(f"{name + ' positives':<24}{h['positives']:>7}{h['recall']:>9.3f}")
        print(
            f"{name + ' negatives':<24}{h['negatives']:>7}{'':>9}{round(h['fpr'] * h['negatives']):>9}"
            f"{h['fpr']:>9.2%}"
        )
    for name, x in r["real"].items():
        print(f"{name:<24}{x['n']:>7}{'':>9}{x['flagged']:>9}{x['fpr']:>9.2%}")
    print(
        f"pooled real benign fpr {r['pooled_real_fpr']:.3%}; expected precision at base rate "
        + ", ".join(f"1/{round(1 / float(b))}: {p:.2f}" for b, p in r["expected_precision"].items())
        + " (with the lowest holdout recall)"
    )
    for f in r["flagged_real"]:
        print(
            f"  flagged [{f['set']}] {f['score']:.3f} {f['text']!r} ← {'; '.join(map(str, f['indicators']))}"
        )


if __name__ == "__main__":
    main()
