"""Training: features once, cross-validated choice of threshold and blend, a held-out report.

Procedure (reproducible for a given data set and seed):

1. extract features and rule hits for every ad once;
2. stratified split into a training part and a held-out part (``--test-size``);
3. k-fold cross-validation on the training part gives out-of-fold probabilities, from which the
   blend weight α and the flagging thresholds are chosen (best F1 with precision ≥ 0.9);
4. the final model is fitted on the whole training part and reported on the held-out part,
   which it never saw.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from trafficscan import __version__
from trafficscan.ad import Ad
from trafficscan.classifier.metrics import best_threshold, binary_metrics, by_category
from trafficscan.classifier.model import TOKEN_PATTERN, design_matrix, fingerprint, rule_columns

ALPHAS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass
class TrainSettings:
    test_size: float = 0.2
    seed: int = 13
    cv: int = 5
    ngram_max: int = 2
    min_df: int = 2
    max_features: int = 200_000
    C: float = 4.0
    min_precision: float = 0.9


@dataclass
class Prepared:
    """Ads with their features, rule hits and rule scores, computed once."""

    ads: list[Ad]
    feats: list[Any]
    rule_scores: list[Any]
    y: np.ndarray
    categories: list[str] = field(default_factory=list)


def prepare(ads: Sequence[Ad], ruleset: Any, progress: Callable[[int], None] | None = None) -> Prepared:
    from trafficscan.features import extract
    from trafficscan.rules import score_hits

    feats, scores = [], []
    for i, ad in enumerate(ads):
        f = extract(ad.text)
        feats.append(f)
        scores.append(score_hits(ruleset.match(f)))
        if progress and i % 500 == 0:
            progress(i)
    y = np.array([int(ad.label or 0) for ad in ads])
    return Prepared(list(ads), feats, scores, y, [ad.category for ad in ads])


def _fit(p: Prepared, idx: np.ndarray, s: TrainSettings, numeric: Sequence[str],
         rules: Sequence[str]) -> tuple[Any, Any]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, s.ngram_max), lowercase=False,
                          min_df=s.min_df if len(idx) > 50 else 1, max_features=s.max_features,
                          sublinear_tf=True, dtype=np.float64)
    vec.fit([p.feats[i].normalized.text for i in idx])
    X = design_matrix(vec, [p.feats[i] for i in idx], [p.rule_scores[i] for i in idx], numeric, rules)
    y = p.y[idx]
    folds = int(min(3, np.bincount(y).min()))
    lr = LogisticRegression(C=s.C, class_weight="balanced", max_iter=3000, solver="liblinear",
                            random_state=s.seed)
    clf = CalibratedClassifierCV(lr, method="sigmoid", cv=folds) if folds >= 2 else lr
    clf.fit(X, y)
    return vec, clf


def _proba(vec: Any, clf: Any, p: Prepared, idx: np.ndarray, numeric: Sequence[str],
           rules: Sequence[str]) -> np.ndarray:
    X = design_matrix(vec, [p.feats[i] for i in idx], [p.rule_scores[i] for i in idx], numeric, rules)
    return clf.predict_proba(X)[:, 1]


def _blend(model: np.ndarray, rule: np.ndarray, alpha: float) -> np.ndarray:
    return alpha * model + (1 - alpha) * rule


def train_model(p: Prepared, s: TrainSettings, *, data_sha256: str, sources: Sequence[str],
                step: Callable[[str], None] = lambda _msg: None) -> tuple[Any, Any, dict[str, Any]]:
    """Fit, choose α and thresholds, report; returns ``(vectorizer, classifier, metadata)``."""
    from sklearn.model_selection import StratifiedKFold, train_test_split

    from trafficscan.features import NUMERIC_FEATURES

    numeric, rules = tuple(NUMERIC_FEATURES), rule_columns()
    all_idx = np.arange(len(p.y))
    train_idx, test_idx = train_test_split(all_idx, test_size=s.test_size, random_state=s.seed,
                                           stratify=p.y)
    train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    rule_all = np.array([rs.score for rs in p.rule_scores])

    # out-of-fold probabilities on the training part choose α and the thresholds
    folds = int(min(s.cv, np.bincount(p.y[train_idx]).min()))
    oof = np.zeros(len(p.y))
    cv_f1: list[float] = []
    if folds >= 2:
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=s.seed)
        for k, (a, b) in enumerate(skf.split(train_idx, p.y[train_idx]), start=1):
            step(f"cross-validation fold {k}/{folds}")
            tr, va = train_idx[a], train_idx[b]
            vec, clf = _fit(p, tr, s, numeric, rules)
            oof[va] = _proba(vec, clf, p, va, numeric, rules)
            cv_f1.append(binary_metrics(p.y[va], oof[va], 0.5)["f1"])
        y_tr, m_tr, r_tr = p.y[train_idx], oof[train_idx], rule_all[train_idx]
        model_threshold = best_threshold(y_tr, m_tr, min_precision=s.min_precision)
        best = None
        for alpha in ALPHAS:
            blended = _blend(m_tr, r_tr, alpha)
            t = best_threshold(y_tr, blended, min_precision=s.min_precision)
            f1 = binary_metrics(y_tr, blended, t)["f1"]
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, alpha, t)
        assert best is not None
        _, alpha, threshold = best
    else:
        model_threshold, alpha, threshold = 0.5, 0.7, 0.5

    step("fitting the final model")
    vec, clf = _fit(p, train_idx, s, numeric, rules)
    held = _proba(vec, clf, p, test_idx, numeric, rules)
    y_te = p.y[test_idx]
    combined = _blend(held, rule_all[test_idx], alpha)
    cats = [p.categories[i] for i in test_idx]
    metrics = {
        "n": len(test_idx),
        "positives": int(y_te.sum()),
        "model": binary_metrics(y_te, held, model_threshold),
        "combined": binary_metrics(y_te, combined, threshold),
        "rules": binary_metrics(y_te, rule_all[test_idx], 0.5),
        "cv": {"folds": folds, "f1_mean": round(float(np.mean(cv_f1)), 4) if cv_f1 else None,
               "f1_std": round(float(np.std(cv_f1)), 4) if cv_f1 else None},
    }
    if any(cats):
        metrics["by_category"] = by_category(y_te.tolist(), combined.tolist(), cats, threshold)
    import sklearn

    meta = {
        "name": "trafficscan-classifier",
        "version": 1,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "trafficscan": __version__,
        "sklearn": sklearn.__version__,
        "python": platform.python_version(),
        "data": {"sources": [Path(x).name for x in sources], "sha256": data_sha256,
                 "rows": len(p.y), "positives": int(p.y.sum()), "train_rows": len(train_idx),
                 "test_rows": len(test_idx)},
        "seed": s.seed,
        "settings": {"test_size": s.test_size, "cv": s.cv, "ngram_range": [1, s.ngram_max],
                     "min_df": s.min_df, "max_features": s.max_features, "C": s.C,
                     "min_precision": s.min_precision, "calibration": "sigmoid"},
        "features": {"text": "word TF-IDF on normalised text", "numeric": list(numeric), "rules": list(rules)},
        "threshold": round(float(threshold), 4),
        "model_threshold": round(float(model_threshold), 4),
        "combine_weight": alpha,
        "metrics": metrics,
        "fingerprint": fingerprint(vec, clf),
    }
    return vec, clf, meta


def data_sha256(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(Path(path).read_bytes())
    return h.hexdigest()
