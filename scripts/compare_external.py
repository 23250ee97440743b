#!/usr/bin/env python3
"""Retraining on data the project did not write: trafficscan vs a plain TF-IDF + LR baseline.

    python scripts/compare_external.py [--data ../shared/data/sms_phishing_mendeley_5971/Dataset_5971.csv]

Both are trained on the same stratified 80 % and scored on the same held-out 20 % (seed 13,
the split `trafficscan train --test-size 0.2 --seed 13` makes). The baseline is what a
data scientist would try first: word TF-IDF (1-2-grams) + logistic regression at 0.5.
trafficscan's numbers are those of its own `train` pipeline (normalisation, rule and entity
columns, char n-grams, calibrated threshold); positives: spam and smishing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "sms_phishing_mendeley_5971" / "Dataset_5971.csv"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--text-column", default="TEXT")
    ap.add_argument("--label-column", default="LABEL")
    ap.add_argument("--positive", action="append", default=None)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    positive = args.positive or ["spam", "smishing"]

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    from trafficscan.score.classifier.metrics import binary_metrics
    from trafficscan.score.classifier.train import TrainSettings, prepare, train_model
    from trafficscan.score.rules import load_rules
    from trafficscan.sources.records import RecordOptions, read_records

    opts = RecordOptions(
        text_columns=(args.text_column,),
        label_column=args.label_column,
        positive=tuple(positive),
        need_label=True,
    )
    ads = list(read_records([args.data], opts))
    y = np.array([a.label for a in ads])
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=0.2, random_state=args.seed, stratify=y)
    tr, te = np.sort(tr), np.sort(te)

    t0 = time.perf_counter()
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    Xtr = vec.fit_transform([ads[i].text for i in tr])
    base = LogisticRegression(max_iter=2000).fit(Xtr, y[tr])
    pb = base.predict_proba(vec.transform([ads[i].text for i in te]))[:, 1]
    base_m = binary_metrics(y[te], pb, 0.5)
    base_t = time.perf_counter() - t0
    # the same baseline with balanced class weights: the fairer comparison on skewed data
    bal = LogisticRegression(max_iter=2000, class_weight="balanced").fit(Xtr, y[tr])
    bal_m = binary_metrics(
        y[te], bal.predict_proba(vec.transform([ads[i].text for i in te]))[:, 1], 0.5
    )

    t0 = time.perf_counter()
    prepared = prepare(ads, load_rules())
    _, _, meta = train_model(
        prepared,
        TrainSettings(test_size=0.2, seed=args.seed),
        data_sha256="-",
        sources=[str(args.data)],
    )
    ts_t = time.perf_counter() - t0
    print(
        f"{args.data.name}: {len(y):,} messages, {int(y.sum()):,} positive "
        f"({', '.join(positive)}); held-out {len(te):,}"
    )
    print(f"{'':<28}{'precision':>10}{'recall':>8}{'F1':>7}{'PR-AUC':>8}{'seconds':>9}")
    rows = [
        ("baseline TF-IDF + LR", base_m, base_t),
        ("baseline, balanced classes", bal_m, base_t),
        ("trafficscan model", meta["metrics"]["model"], ts_t),
        ("trafficscan combined", meta["metrics"]["combined"], ts_t),
    ]
    for name, m, t in rows:
        print(
            f"{name:<28}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['pr_auc']:>8.3f}{t:>9.1f}"
        )


if __name__ == "__main__":
    main()
