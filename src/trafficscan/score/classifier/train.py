"""Training: features once, cross-validated calibration, a threshold for the base rate, a report.

Procedure (reproducible for a given data set and seed):

1. extract features and rule hits for every ad once;
2. stratified split into a training part and a held-out part (``--test-size``);
3. k-fold cross-validation on the training part (folds run in parallel) gives out-of-fold
   decision values. In each fold only indicator-bearing terms may carry a weight
   (``vocabulary.py``). A sigmoid fitted to the out-of-fold values calibrates the
   probabilities (Platt scaling, as ``CalibratedClassifierCV(method="sigmoid")`` does, without
   refitting the model k more times); they are then read at the base rate (prior shift);
4. the flagging threshold is the one that keeps the most recall while the precision expected
   at the base rate — from the out-of-fold true- and false-positive rates — stays at least
   ``min_precision``;
5. the final model is fitted on the whole training part and reported on the held-out part,
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
from trafficscan.core.ad import Ad
from trafficscan.score.classifier.metrics import base_rate_threshold, binary_metrics, by_category
from trafficscan.score.classifier.model import (
    DEFAULT_BASE_RATE,
    DENSE_SCALE,
    TOKEN_PATTERN,
    dense_features,
    fingerprint,
    logit,
    rule_columns,
    sigmoid,
)
from trafficscan.score.classifier.vocabulary import VocabularyFilter, indicator_mask

#: The entity features the model may use: each is an indicator an analyst can name. Style
#: features (text length, capitals, digits, emojis, counts of phones or prices) are left out:
#: in any hand-made corpus they say more about who wrote it than about trafficking.
INDICATOR_NUMERIC = (
    "n_obfuscated_phones",
    "messaging_only_contact",
    "has_minor_age",
    "has_young_age",
    "n_scam_hubs",
)


def model_numeric_keys() -> tuple[str, ...]:
    return INDICATOR_NUMERIC


@dataclass
class TrainSettings:
    test_size: float = 0.2
    seed: int = 13
    cv: int = 5
    ngram_max: int = 2
    #: character n-grams see through Hinglish spelling variants; only those that pass the
    #: vocabulary's frequency tests get a weight (``None``: word n-grams only)
    char_ngrams: tuple[int, int] | None = (3, 5)
    char_max_features: int = 100_000
    #: how much of the fit's capacity character n-grams get (1: as much as words); below 1
    #: they only support the word terms an analyst can cite (round five: 0.5 chosen over 1,
    #: 0.7, 0.35 and 0.25 on holdouts 01-05 and the real benign sets)
    char_weight: float = 0.5
    min_df: int = 2
    max_features: int = 200_000
    C: float = 64.0
    dense_scale: float = DENSE_SCALE
    base_rate: float = DEFAULT_BASE_RATE
    #: precision the threshold must keep at the base rate (estimated out of fold)
    min_precision: float = 0.2
    vocabulary: VocabularyFilter = field(default_factory=VocabularyFilter)
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


def prepare(
    ads: Sequence[Ad],
    ruleset: Any,
    settings: TrainSettings | None = None,
    progress: Callable[[int], None] | None = None,
) -> Prepared:
    """Extract features and rule hits once for every ad (the slow, per-ad part)."""
    from trafficscan.score.analysis import analyse

    s = settings or TrainSettings()
    texts, feats, scores = [], [], []
    dense_rows = []
    numeric, rules = model_numeric_keys(), rule_columns()
    for i, ad in enumerate(ads):
        # what Scorer.score_batch reads, for the same inputs
        (f,), _, (rs,) = analyse([ad.text], ruleset)
        texts.append(f.normalized.text)
        scores.append(rs)
        feats.append(f)
        if len(feats) == 1000:  # dense rows a block at a time: features are not kept
            dense_rows.append(
                dense_features(feats, scores[-len(feats) :], numeric, rules, s.dense_scale)
            )
            feats = []
        if progress and i % 500 == 0:
            progress(i)
    if feats:
        dense_rows.append(
            dense_features(feats, scores[-len(feats) :], numeric, rules, s.dense_scale)
        )
    dense = np.vstack(dense_rows) if dense_rows else np.zeros((0, len(numeric) + len(rules)))
    return Prepared(
        texts=texts,
        dense=dense,
        rule_base=np.array([r.base for r in scores]),
        dampening=np.array([r.dampening for r in scores]),
        rule_score=np.array([r.score for r in scores]),
        y=np.array([int(ad.label or 0) for ad in ads]),
        categories=[ad.category for ad in ads],
    )


def make_vectorizer(s: TrainSettings, n_docs: int) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    min_df = s.min_df if n_docs > 50 else 1
    words = TfidfVectorizer(
        token_pattern=TOKEN_PATTERN,
        ngram_range=(1, s.ngram_max),
        lowercase=False,
        min_df=min_df,
        max_features=s.max_features,
        sublinear_tf=True,
        dtype=np.float64,
    )
    if not s.char_ngrams:
        return words
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=s.char_ngrams,
        lowercase=False,
        min_df=min_df,
        max_features=s.char_max_features,
        sublinear_tf=True,
        dtype=np.float64,
    )
    return FeatureUnion([("words", words), ("chars", chars)])


def _matrix(vec: Any, texts: Sequence[str], dense: np.ndarray) -> Any:
    import scipy.sparse as sp

    return sp.hstack([vec.transform(texts), sp.csr_matrix(dense)], format="csr")


def _word_terms(vec: Any) -> tuple[list[str], int]:
    """The word block's terms and the number of text columns (word block first)."""
    parts = [t for _, t in getattr(vec, "transformer_list", [("words", vec)])]
    vocab = parts[0].vocabulary_
    return sorted(vocab, key=vocab.__getitem__), sum(len(p.vocabulary_) for p in parts)


def fit_fold(
    texts: list[str],
    dense: np.ndarray,
    y: np.ndarray,
    s: TrainSettings,
    eval_texts: list[str] | None = None,
    eval_dense: np.ndarray | None = None,
) -> tuple[Any, Any, np.ndarray | None]:
    """Fit vectorizer + logistic regression; optionally return decision values on eval rows.

    The regression sees only the columns that may carry a weight: indicator-bearing word terms
    (:func:`~trafficscan.score.classifier.vocabulary.indicator_mask`), character n-grams when
    trained with them, and the dense columns. Its coefficients are then laid out over all
    columns, zero for the rest, so the saved model has the usual shape.
    """
    from sklearn.linear_model import LogisticRegression

    vec = make_vectorizer(s, len(texts))
    X = _matrix(vec.fit(texts), texts, dense)
    terms, n_text = _word_terms(vec)
    keep = np.ones(X.shape[1], dtype=bool)
    keep[: len(terms)] = indicator_mask(terms, X[:, : len(terms)], y, s.vocabulary)
    if n_text > len(terms):  # character n-grams: the frequency tests only
        keep[len(terms) : n_text] = indicator_mask(
            [""] * (n_text - len(terms)), X[:, len(terms) : n_text], y, s.vocabulary, words=False
        )
    cols = np.flatnonzero(keep)
    # Character n-grams enter the fit scaled down by char_weight, and their coefficients are
    # scaled back after it: the same decision values at scoring time, but an L2 penalty
    # 1/char_weight² times heavier on them, so the evidence moves into word terms, which an
    # analyst can cite (see docs/model.md, "Words carry the evidence").
    chars = slice(len(terms), n_text)
    scale = s.char_weight if n_text > len(terms) else 1.0
    if scale != 1:
        import scipy.sparse as sp

        column_scale = np.ones(X.shape[1])
        column_scale[chars] = scale
        X = X @ sp.diags(column_scale, format="csr")
    clf = LogisticRegression(
        C=s.C, class_weight="balanced", max_iter=5000, solver="liblinear", random_state=s.seed
    )
    clf.fit(X[:, cols], y)
    coef = np.zeros((1, X.shape[1]))
    coef[0, cols] = clf.coef_[0]
    coef[0, chars] *= scale
    clf.coef_ = coef
    clf.n_features_in_ = X.shape[1]
    out = None
    if eval_texts is not None and eval_dense is not None:
        out = clf.decision_function(_matrix(vec, eval_texts, eval_dense))
    return vec, clf, out


def fit_platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Sigmoid calibration ``p = 1 / (1 + exp(-(a·d + b)))`` fitted on out-of-fold values."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000).fit(decision.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def train_model(
    p: Prepared,
    s: TrainSettings,
    *,
    data_sha256: str,
    sources: Sequence[str],
    step: Callable[[str], None] = lambda _msg: None,
) -> tuple[Any, Any, dict[str, Any]]:
    """Fit, calibrate, choose α and thresholds, report; returns ``(vectorizer, classifier, meta)``."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold, train_test_split

    numeric, rules = model_numeric_keys(), rule_columns()
    all_idx = np.arange(len(p.y))
    train_idx, test_idx = train_test_split(
        all_idx, test_size=s.test_size, random_state=s.seed, stratify=p.y
    )
    train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    T = lambda idx: [p.texts[i] for i in idx]  # noqa: E731

    prior = float(p.y[train_idx].mean())
    folds = int(min(s.cv, np.bincount(p.y[train_idx]).min()))
    cv_f1: list[float] = []
    if folds >= 2:
        step(f"cross-validation: {folds} folds")
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=s.seed)
        splits = [(train_idx[a], train_idx[b]) for a, b in skf.split(train_idx, p.y[train_idx])]
        jobs = s.jobs or min(folds, os.cpu_count() or 1)
        results = Parallel(n_jobs=jobs)(
            delayed(fit_fold)(T(tr), p.dense[tr], p.y[tr], s, T(va), p.dense[va])
            for tr, va in splits
        )
        oof_dec = np.zeros(len(p.y))
        for (_, va), (_, _, dec) in zip(splits, results, strict=True):
            oof_dec[va] = dec
        y_tr = p.y[train_idx]
        a, b = fit_platt(oof_dec[train_idx], y_tr)
        shift = logit(s.base_rate) - logit(prior)
        m_tr = sigmoid(a * oof_dec[train_idx] + b + shift)
        choice = base_rate_threshold(
            y_tr, m_tr, base_rate=s.base_rate, min_precision=s.min_precision
        )
        threshold = choice["threshold"]
        for _, va in splits:
            cv_f1.append(
                binary_metrics(p.y[va], sigmoid(a * oof_dec[va] + b + shift), threshold)["f1"]
            )
    else:
        a, b, shift = 1.0, 0.0, logit(s.base_rate) - logit(prior)
        threshold = 0.5
        choice = {"threshold": threshold}

    step("fitting the final model")
    vec, clf, dec = fit_fold(
        T(train_idx), p.dense[train_idx], p.y[train_idx], s, T(test_idx), p.dense[test_idx]
    )
    assert dec is not None
    held = sigmoid(a * dec + b + shift)
    y_te = p.y[test_idx]
    cats = [p.categories[i] for i in test_idx]
    metrics: dict[str, Any] = {
        "n": len(test_idx),
        "positives": int(y_te.sum()),
        "model": binary_metrics(y_te, held, threshold, base_rate=s.base_rate),
        "combined": binary_metrics(y_te, held, threshold, base_rate=s.base_rate),
        "rules": binary_metrics(y_te, p.rule_score[test_idx], 0.5, base_rate=s.base_rate),
        "cv": {
            "folds": folds,
            "f1_mean": round(float(np.mean(cv_f1)), 4) if cv_f1 else None,
            "f1_std": round(float(np.std(cv_f1)), 4) if cv_f1 else None,
        },
    }
    if any(cats):
        metrics["by_category"] = by_category(y_te.tolist(), held.tolist(), cats, threshold)
    import sklearn

    meta = {
        "name": "trafficscan-classifier",
        "version": 1,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "trafficscan": __version__,
        "sklearn": sklearn.__version__,
        "python": platform.python_version(),
        "data": {
            "sources": [Path(x).name for x in sources],
            "sha256": data_sha256,
            "rows": len(p.y),
            "positives": int(p.y.sum()),
            "train_rows": len(train_idx),
            "test_rows": len(test_idx),
        },
        "seed": s.seed,
        "settings": {
            "test_size": s.test_size,
            "cv": s.cv,
            "ngram_range": [1, s.ngram_max],
            "char_ngram_range": list(s.char_ngrams) if s.char_ngrams else None,
            "char_max_features": s.char_max_features,
            "char_weight": s.char_weight,
            "min_df": s.min_df,
            "max_features": s.max_features,
            "C": s.C,
            "min_precision": s.min_precision,
            "class_weight": "balanced",
            "vocabulary": {
                "min_positive_df": s.vocabulary.min_positive_df,
                "min_ratio": s.vocabulary.min_ratio,
            },
        },
        "features": {
            "text": "word 1-2-gram + char_wb n-gram TF-IDF on normalised text"
            if s.char_ngrams
            else "word TF-IDF on normalised text",
            "indicator_terms": int(np.count_nonzero(clf.coef_[0][: _word_terms(vec)[1]])),
            "numeric": list(numeric),
            "rules": list(rules),
            "dense_scale": s.dense_scale,
        },
        "calibration": {
            "method": "sigmoid on out-of-fold decision values, read at the base rate",
            "a": a,
            "b": b,
            "train_prior": round(prior, 6),
        },
        "base_rate": s.base_rate,
        "threshold": round(float(threshold), 4),
        "threshold_choice": {k: v for k, v in choice.items() if k != "threshold"},
        "metrics": metrics,
    }
    meta["fingerprint"] = fingerprint(vec, clf, (a, b))
    return vec, clf, meta


def data_sha256(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(Path(path).read_bytes())
    return h.hexdigest()
