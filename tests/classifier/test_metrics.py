"""``evaluate`` numbers: scikit-learn's measures, our rules for files that lack a class, and the
base-rate pieces that are ours alone (threshold choice, expected precision, smoothed FPR)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from trafficscan.score.classifier.metrics import (
    base_rate_threshold,
    binary_metrics,
    by_category,
    precision_at,
)

# 3 positives, 5 negatives; at 0.5: tp 2 (0.9, 0.6), fn 1 (0.4), fp 1 (0.7), tn 4
Y = [1, 1, 1, 0, 0, 0, 0, 0]
S = [0.9, 0.6, 0.4, 0.7, 0.3, 0.2, 0.1, 0.05]


def _quiet(*args, **kw) -> dict:
    """``binary_metrics`` with every warning an error: no UndefinedMetricWarning leaks out."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return binary_metrics(*args, **kw)


def test_worked_example() -> None:
    m = _quiet(Y, S, 0.5, base_rate=0.01)
    assert m["confusion"] == [[4, 1], [1, 2]]
    assert m["precision"] == round(2 / 3, 4) and m["recall"] == round(2 / 3, 4)
    assert m["f1"] == round(2 / 3, 4)
    # ROC-AUC: of the 15 positive/negative pairs, the positive scores higher in 13
    assert m["roc_auc"] == round(13 / 15, 4)
    # average precision: positives at ranks 1, 3, 4 -> (1/1 + 2/3 + 3/4) / 3
    assert m["pr_auc"] == round((1 + 2 / 3 + 3 / 4) / 3, 4)
    assert m["fpr"] == 0.2 and m["threshold"] == 0.5
    want = 0.01 * (2 / 3) / (0.01 * (2 / 3) + 0.99 * 0.2)
    assert m["base_rate"] == 0.01 and m["precision_at_base_rate"] == round(want, 4)


def test_f1_halfway_values_round_from_the_exact_fraction() -> None:
    """tp 23, fp 14, fn 4: F1 is exactly 46/64 = 0.71875, reported 0.7188 (the product
    formula 2PR/(P+R) used to land a hair below and report 0.7187)."""
    y = [1] * 27 + [0] * 21
    s = [0.9] * 23 + [0.1] * 4 + [0.9] * 14 + [0.1] * 7
    m = _quiet(y, s, 0.5)
    assert m["confusion"] == [[7, 14], [4, 23]] and m["f1"] == 0.7188


def test_nothing_flagged_in_a_file_of_both_classes() -> None:
    m = _quiet(Y, S, 0.95)
    assert m["confusion"] == [[5, 0], [3, 0]]
    assert (m["precision"], m["recall"], m["f1"], m["fpr"]) == (0.0, 0.0, 0.0, 0.0)
    assert m["roc_auc"] == round(13 / 15, 4)  # ranking measures do not depend on the threshold


def test_file_of_positives_only() -> None:
    m = _quiet([1, 1, 1, 1], [0.9, 0.8, 0.2, 0.6], 0.5, base_rate=0.01)
    assert m["confusion"] == [[0, 0], [1, 3]]
    assert m["recall"] == 0.75 and m["precision"] == 1.0
    assert m["f1"] is None and m["roc_auc"] is None and m["pr_auc"] is None
    assert m["fpr"] is None and m["precision_at_base_rate"] is None
    m = _quiet([1, 1], [0.1, 0.2], 0.5)
    assert (m["precision"], m["recall"]) == (None, 0.0)


def test_file_of_negatives_only() -> None:
    m = _quiet([0, 0, 0, 0], [0.9, 0.1, 0.2, 0.3], 0.5)
    assert m["confusion"] == [[3, 1], [0, 0]]
    assert m["fpr"] == 0.25 and m["precision"] == 0.0
    assert m["recall"] is None and m["f1"] is None and m["roc_auc"] is None
    m = _quiet([0, 0], [0.1, 0.2], 0.5)
    assert (m["precision"], m["recall"], m["fpr"]) == (None, None, 0.0)


def test_empty_file() -> None:
    m = _quiet([], [], 0.5, base_rate=0.01)
    assert m["confusion"] == [[0, 0], [0, 0]]
    assert all(
        m[k] is None
        for k in ("precision", "recall", "f1", "roc_auc", "pr_auc", "fpr", "precision_at_base_rate")
    )


def test_precision_at_base_rate() -> None:
    assert precision_at(0.5, 1.0, 0.0) == 1.0
    assert precision_at(0.01, 0.9, 0.01) == pytest.approx(0.009 / (0.009 + 0.0099))
    assert precision_at(0.01, 0.0, 0.0) is None


def test_base_rate_threshold_smooths_fpr_and_cuts_between_scores() -> None:
    y = np.array([1] * 10 + [0] * 90)
    s = np.r_[np.linspace(0.95, 0.5, 10), np.linspace(0.45, 0.0, 90)]
    got = base_rate_threshold(y, s, base_rate=0.01, min_precision=0.5)
    # every positive is above every negative: the cut is half-way between 0.5 and 0.45
    assert got["threshold"] == pytest.approx(0.475) and got["recall"] == 1.0
    assert got["fpr"] == 0.0
    # the expected precision uses (0 + 1/2) / (90 + 1), not 0: a small sample is not proof
    want = 0.01 / (0.01 + 0.99 * 0.5 / 91)
    assert got["expected_precision"] == round(want, 4)
    # unreachable bar: the threshold of the best expected precision is taken instead
    hard = base_rate_threshold(y, s, base_rate=0.001, min_precision=0.99)
    assert hard["expected_precision"] < 0.99 and hard["threshold"] > 0.45


def test_by_category() -> None:
    cats = ["youth", "youth", "movement", "", "youth"]
    got = by_category([1, 0, 1, 0, 1], [0.9, 0.8, 0.2, 0.9, 0.4], cats, 0.5)
    assert got == {
        "movement": {"n": 1, "positives": 1, "recall": 0.0},
        "youth": {"n": 3, "positives": 2, "recall": 0.5, "negatives": 1, "flagged": 1},
    }
