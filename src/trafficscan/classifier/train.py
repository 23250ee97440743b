"""Training: features once, cross-validated calibration, threshold and blend, a held-out report.

Procedure (reproducible for a given data set and seed):

1. extract features and rule hits for every ad once;
2. stratified split into a training part and a held-out part (``--test-size``);
3. k-fold cross-validation on the training part (folds run in parallel) gives out-of-fold
   decision values. A sigmoid fitted to them calibrates the probabilities (Platt scaling, as
   ``CalibratedClassifierCV(method="sigmoid")`` does, without refitting the model k more times);
   the blend weight α and the flagging thresholds are chosen on them (best F1 with
   precision ≥ 0.9);
4. the final model is fitted on the whole training part and reported on the held-out part,
   which it never saw.
"""

from __future__ import annotations

import hashlib
import os
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
from trafficscan.classifier.model import (
    DENSE_SCALE,
    TOKEN_PATTERN,
    dense_features,
    fingerprint,
    rule_columns,
    sigmoid,
)
from trafficscan.scoring import blend

ALPHAS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
#: Numeric features left out of the model. Text length says more about who wrote a corpus than
#: about trafficking (in ours, benign texts run longer), so the model must not learn it.
EXCLUDED_NUMERIC = ("length", "len_", "_len", "chars", "words", "tokens")


def model_numeric_keys() -> tuple[str, ...]:
    from trafficscan.features import NUMERIC_FEATURES

    return tuple(k for k in NUMERIC_FEATURES if not any(x in k for x in EXCLUDED_NUMERIC))


@dataclass
class TrainSettings:
    test_size: float = 0.2
    seed: int = 13
    cv: int = 5
    ngram_max: int = 2
    char_ngrams: tuple[int, int] | None = (3, 5)
    char_max_features: int = 100_000
    min_df: int = 2
    max_features: int = 200_000
    C: float = 64.0
    dense_scale: float = DENSE_SCALE
    min_precision: float = 0.9
    jobs: int = 0  # parallel folds; 0: all cores


@dataclass
class Prepared:
    """Ads reduced to what training needs: normalised texts, dense columns, rule scores."""

    texts: list[str]
    dense: np.ndarray
    rule_base: np.ndarray
    dampening: np.ndarray
    rule_score: np.ndarray
    y: np.ndarray
    categories: list[str] = field(default_factory=list)


def prepare(ads: Sequence[Ad], ruleset: Any, settings: TrainSettings | None = None,
            progress: Callable[[int], None] | None = None) -> Prepared:
    """Extract features and rule hits once for every ad (the slow, per-ad part)."""
    from trafficscan.features import extract
    from trafficscan.rules import score_hits

    s = settings or TrainSettings()
    texts, feats, scores = [], [], []
    dense_rows = []
    numeric, rules = model_numeric_keys(), rule_columns()
    for i, ad in enumerate(ads):
        f = extract(ad.text)
        rs = score_hits(ruleset.match(f))
        texts.append(f.normalized.text)
        scores.append(rs)
        feats.append(f)
        if len(feats) == 1000:  # dense rows a block at a time: features are not kept
            dense_rows.append(dense_features(feats, scores[-len(feats):], numeric, rules, s.dense_scale))
            feats = []
        if progress and i % 500 == 0:
            progress(i)
    if feats:
        dense_rows.append(dense_features(feats, scores[-len(feats):], numeric, rules, s.dense_scale))
    dense = np.vstack(dense_rows) if dense_rows else np.zeros((0, len(numeric) + len(rules)))
    return Prepared(
        texts=texts, dense=dense,
        rule_base=np.array([r.base for r in scores]),
        dampening=np.array([r.dampening for r in scores]),
        rule_score=np.array([r.score for r in scores]),
        y=np.array([int(ad.label or 0) for ad in ads]),
        categories=[ad.category for ad in ads])


def make_vectorizer(s: TrainSettings, n_docs: int) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    min_df = s.min_df if n_docs > 50 else 1
    words = TfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, s.ngram_max),
                            lowercase=False, min_df=min_df, max_features=s.max_features,
                            sublinear_tf=True, dtype=np.float64)
    if not s.char_ngrams:
        return words
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=s.char_ngrams, lowercase=False,
                            min_df=min_df, max_features=s.char_max_features, sublinear_tf=True,
                            dtype=np.float64)
    return FeatureUnion([("words", words), ("chars", chars)])


def _matrix(vec: Any, texts: Sequence[str], dense: np.ndarray) -> Any:
    import scipy.sparse as sp

    return sp.hstack([vec.transform(texts), sp.csr_matrix(dense)], format="csr")


def fit_fold(texts: list[str], dense: np.ndarray, y: np.ndarray, s: TrainSettings,
             eval_texts: list[str] | None = None,
             eval_dense: np.ndarray | None = None) -> tuple[Any, Any, np.ndarray | None]:
    """Fit vectorizer + logistic regression; optionally return decision values on eval rows."""
    from sklearn.linear_model import LogisticRegression

    vec = make_vectorizer(s, len(texts))
    vec.fit(texts)
    clf = LogisticRegression(C=s.C, class_weight="balanced", max_iter=5000, solver="liblinear",
                             random_state=s.seed)
    clf.fit(_matrix(vec, texts, dense), y)
    out = None
    if eval_texts is not None and eval_dense is not None:
        out = clf.decision_function(_matrix(vec, eval_texts, eval_dense))
    return vec, clf, out


def fit_platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Sigmoid calibration ``p = 1 / (1 + exp(-(a·d + b)))`` fitted on out-of-fold values."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000).fit(decision.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def train_model(p: Prepared, s: TrainSettings, *, data_sha256: str, sources: Sequence[str],
                step: Callable[[str], None] = lambda _msg: None) -> tuple[Any, Any, dict[str, Any]]:
    """Fit, calibrate, choose α and thresholds, report; returns ``(vectorizer, classifier, meta)``."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold, train_test_split

    numeric, rules = model_numeric_keys(), rule_columns()
    all_idx = np.arange(len(p.y))
    train_idx, test_idx = train_test_split(all_idx, test_size=s.test_size, random_state=s.seed,
                                           stratify=p.y)
    train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    T = lambda idx: [p.texts[i] for i in idx]  # noqa: E731

    folds = int(min(s.cv, np.bincount(p.y[train_idx]).min()))
    cv_f1: list[float] = []
    if folds >= 2:
        step(f"cross-validation: {folds} folds")
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=s.seed)
        splits = [(train_idx[a], train_idx[b]) for a, b in skf.split(train_idx, p.y[train_idx])]
        jobs = s.jobs or min(folds, os.cpu_count() or 1)
        results = Parallel(n_jobs=jobs)(
            delayed(fit_fold)(T(tr), p.dense[tr], p.y[tr], s, T(va), p.dense[va]) for tr, va in splits)
        oof_dec = np.zeros(len(p.y))
        for (_, va), (_, _, dec) in zip(splits, results, strict=True):
            oof_dec[va] = dec
        y_tr = p.y[train_idx]
        a, b = fit_platt(oof_dec[train_idx], y_tr)
        m_tr = sigmoid(a * oof_dec[train_idx] + b)
        for _, va in splits:
            cv_f1.append(binary_metrics(p.y[va], sigmoid(a * oof_dec[va] + b), 0.5)["f1"])
        model_threshold = best_threshold(y_tr, m_tr, min_precision=s.min_precision)
        b_tr, d_tr = p.rule_base[train_idx], p.dampening[train_idx]
        best: tuple[float, float, float] | None = None
        for alpha in ALPHAS:
            blended = blend(m_tr, b_tr, d_tr, alpha)
            t = best_threshold(y_tr, blended, min_precision=s.min_precision)
            f1 = binary_metrics(y_tr, blended, t)["f1"]
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, alpha, t)
        assert best is not None
        _, alpha, threshold = best
    else:
        a, b = 1.0, 0.0
        model_threshold, alpha, threshold = 0.5, 0.7, 0.5

    step("fitting the final model")
    vec, clf, dec = fit_fold(T(train_idx), p.dense[train_idx], p.y[train_idx], s,
                             T(test_idx), p.dense[test_idx])
    assert dec is not None
    held = sigmoid(a * dec + b)
    y_te = p.y[test_idx]
    combined = blend(held, p.rule_base[test_idx], p.dampening[test_idx], alpha)
    cats = [p.categories[i] for i in test_idx]
    metrics: dict[str, Any] = {
        "n": len(test_idx),
        "positives": int(y_te.sum()),
        "model": binary_metrics(y_te, held, model_threshold),
        "combined": binary_metrics(y_te, combined, threshold),
        "rules": binary_metrics(y_te, p.rule_score[test_idx], 0.5),
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
                     "char_ngram_range": list(s.char_ngrams) if s.char_ngrams else None,
                     "char_max_features": s.char_max_features, "min_df": s.min_df,
                     "max_features": s.max_features, "C": s.C, "min_precision": s.min_precision,
                     "class_weight": "balanced"},
        "features": {"text": "word 1-2-gram + char_wb n-gram TF-IDF on normalised text"
                     if s.char_ngrams else "word TF-IDF on normalised text",
                     "numeric": list(numeric), "rules": list(rules), "dense_scale": s.dense_scale},
        "calibration": {"method": "sigmoid on out-of-fold decision values", "a": a, "b": b},
        "threshold": round(float(threshold), 4),
        "model_threshold": round(float(model_threshold), 4),
        "combine_weight": alpha,
        "metrics": metrics,
    }
    meta["fingerprint"] = fingerprint(vec, clf, (a, b))
    return vec, clf, meta


def data_sha256(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(Path(path).read_bytes())
    return h.hexdigest()
