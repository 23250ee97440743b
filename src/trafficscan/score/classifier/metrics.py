"""Metrics in the SPEC ``evaluate --json`` shape, and threshold selection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def precision_at(base_rate: float, tpr: float, fpr: float) -> float | None:
    """Precision expected where a share ``base_rate`` of ads are positive (Bayes' rule)."""
    hit = base_rate * tpr
    noise = (1 - base_rate) * fpr
    return hit / (hit + noise) if hit + noise else None


def binary_metrics(
    y: Sequence[int] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    threshold: float,
    *,
    base_rate: float | None = None,
) -> dict[str, Any]:
    """precision, recall, F1, ROC-AUC, PR-AUC, threshold and ``[[tn, fp], [fn, tp]]``; ``fpr``
    (share of benign ads flagged) and, given a base rate, the precision expected at it.

    The measures are scikit-learn's. What is ``None`` is ours: a file of one class gives what
    it can, recall for positives only, ``fpr`` for negatives only; precision is ``None`` when
    nothing is flagged in such a file, and ``0.0`` when nothing is flagged in a file of both
    classes (a model that flags nothing has found nothing).
    """
    from sklearn.metrics import (
        average_precision_score,
        confusion_matrix,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    y_arr = np.asarray(y, dtype=int)
    s = np.asarray(scores, dtype=float)
    pred = (s >= threshold).astype(int)
    tn = fp = fn = tp = 0
    if len(y_arr):
        (tn, fp), (fn, tp) = confusion_matrix(y_arr, pred, labels=[0, 1]).tolist()
    both = len(set(y_arr.tolist())) == 2
    precision = (
        round(float(precision_score(y_arr, pred, zero_division=0.0)), 4)
        if tp + fp
        else (0.0 if both else None)
    )
    recall = float(recall_score(y_arr, pred, zero_division=0.0)) if tp + fn else None
    fpr = fp / (fp + tn) if fp + tn else None
    out = {
        "precision": precision,
        "recall": None if recall is None else round(recall, 4),
        "f1": round(float(f1_score(y_arr, pred, zero_division=0.0)), 4) if both else None,
        "roc_auc": round(float(roc_auc_score(y_arr, s)), 4) if both else None,
        "pr_auc": round(float(average_precision_score(y_arr, s)), 4) if both else None,
        "threshold": round(float(threshold), 4),
        "confusion": [[tn, fp], [fn, tp]],
        "fpr": None if fpr is None else round(fpr, 5),
    }
    if base_rate is not None:
        at = (
            precision_at(base_rate, recall, fpr) if recall is not None and fpr is not None else None
        )
        out["base_rate"] = base_rate
        out["precision_at_base_rate"] = None if at is None else round(at, 4)
    return out


def base_rate_threshold(
    y: Sequence[int] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    *,
    base_rate: float,
    min_precision: float,
) -> dict[str, Any]:
    """The threshold that keeps the most recall while the precision expected at ``base_rate``
    stays at least ``min_precision``.

    The false-positive rate behind that estimate is add-½ smoothed (a threshold that flags no
    benign ad of a small sample is not taken to flag none in the world). Candidates sit
    half-way between neighbouring distinct scores, so retraining on the same data lands on the
    same threshold. If no threshold reaches ``min_precision``, the one with the best expected
    precision is taken. Returns the threshold and the out-of-fold recall, ``fpr`` and
    expected precision at it.
    """
    y_arr = np.asarray(y, dtype=int)
    s = np.asarray(scores, dtype=float)
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y_arr[order]
    tp = np.cumsum(y_sorted)
    fp = np.cumsum(1 - y_sorted)
    pos, neg = max(int(y_arr.sum()), 1), max(int(len(y_arr) - y_arr.sum()), 1)
    idx = np.flatnonzero(
        np.r_[s_sorted[1:] != s_sorted[:-1], True]
    )  # cut after each distinct score
    tpr = tp[idx] / pos
    fpr = (fp[idx] + 0.5) / (neg + 1)
    precision = base_rate * tpr / (base_rate * tpr + (1 - base_rate) * fpr)
    ok = np.flatnonzero(precision >= min_precision)
    k = int(ok[np.argmax(tpr[ok])]) if len(ok) else int(np.argmax(precision))
    best = idx[k]
    nxt = s_sorted[best + 1] if best + 1 < len(s_sorted) else 0.0
    return {
        "threshold": float(np.clip((s_sorted[best] + nxt) / 2, 1e-4, 0.99)),
        "recall": round(float(tpr[k]), 4),
        "fpr": round(float(fp[idx][k] / neg), 5),
        "expected_precision": round(float(precision[k]), 4),
        "base_rate": base_rate,
        "min_precision": min_precision,
    }


def by_category(
    y: Sequence[int], scores: Sequence[float], categories: Sequence[str], threshold: float
) -> dict[str, dict[str, Any]]:
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
