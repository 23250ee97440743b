"""Metrics in the SPEC ``evaluate --json`` shape, and threshold selection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def binary_metrics(y: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray,
                   threshold: float) -> dict[str, Any]:
    """precision, recall, F1, ROC-AUC, PR-AUC, threshold and ``[[tn, fp], [fn, tp]]``."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    y_arr = np.asarray(y, dtype=int)
    s = np.asarray(scores, dtype=float)
    pred = s >= threshold
    tp = int(np.sum(pred & (y_arr == 1)))
    fp = int(np.sum(pred & (y_arr == 0)))
    fn = int(np.sum(~pred & (y_arr == 1)))
    tn = int(np.sum(~pred & (y_arr == 0)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    both = len(set(y_arr.tolist())) == 2
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "roc_auc": round(float(roc_auc_score(y_arr, s)), 4) if both else None,
        "pr_auc": round(float(average_precision_score(y_arr, s)), 4) if both else None,
        "threshold": round(float(threshold), 4),
        "confusion": [[tn, fp], [fn, tp]],
    }


def best_threshold(y: Sequence[int], scores: Sequence[float], *, min_precision: float = 0.9) -> float:
    """The threshold with the best F1 among those reaching ``min_precision`` (else best F1).

    Candidate thresholds sit half-way between neighbouring distinct scores, so a model that
    is retrained on the same data lands on the same threshold.
    """
    y_arr = np.asarray(y, dtype=int)
    s = np.asarray(scores, dtype=float)
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y_arr[order]
    tp = np.cumsum(y_sorted)
    fp = np.cumsum(1 - y_sorted)
    pos = max(int(y_arr.sum()), 1)
    last = np.r_[s_sorted[1:] != s_sorted[:-1], True]  # cut after each distinct score
    precision = tp / np.maximum(tp + fp, 1)
    recall = tp / pos
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)
    idx = np.nonzero(last)[0]
    ok = idx[precision[idx] >= min_precision]
    pick_from = ok if len(ok) else idx
    best = pick_from[np.argmax(f1[pick_from])]
    nxt = s_sorted[best + 1] if best + 1 < len(s_sorted) else 0.0
    return float(np.clip((s_sorted[best] + nxt) / 2, 0.01, 0.99))


def by_category(y: Sequence[int], scores: Sequence[float], categories: Sequence[str],
                threshold: float) -> dict[str, dict[str, Any]]:
    """Per category: recall over its positives, and the flagged share of its negatives."""
    out: dict[str, dict[str, Any]] = {}
    for cat in sorted({c for c in categories if c}):
        rows = [i for i, c in enumerate(categories) if c == cat]
        pos = [i for i in rows if y[i] == 1]
        neg = [i for i in rows if y[i] == 0]
        entry: dict[str, Any] = {"n": len(rows)}
        if pos:
            entry["positives"] = len(pos)
            entry["recall"] = round(sum(scores[i] >= threshold for i in pos) / len(pos), 4)
        if neg:
            entry["negatives"] = len(neg)
            entry["flagged"] = int(sum(scores[i] >= threshold for i in neg))
        out[cat] = entry
    return out
