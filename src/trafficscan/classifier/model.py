"""The model file: what is in it, how it is built into a feature matrix, how it is loaded safely.

A model file is a skops archive holding only scikit-learn objects, plain data and a JSON
metadata string. It is loaded with an explicit allowlist of types (:data:`ALLOWED_TYPES`):
any other type in the file — a pickle smuggled in, a tampered archive — is refused with
exit 2 before anything in it is constructed, so a model file can never run code.

The feature matrix is the same at training and scoring time (:func:`design_matrix`):

* word 1–2-gram and character 3–5-gram TF-IDF over the *normalised* ad text (leetspeak undone,
  spaced letters joined, Devanagari kept, emojis as tokens); character n-grams see through the
  spelling variants of Hinglish and obfuscated words (they lifted held-out F1 from 0.91 to 0.97
  on the repo corpus, docs/model.md);
* the rule engine's per-category strengths, the rule score and the awareness dampening;
* the numeric entity features of the features stage (log-scaled counts and flags).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trafficscan.errors import InputError, Problem

FORMAT = "trafficscan-model/1"
#: Types a model file may hold beyond skops' default trusted set. Nothing else is loaded.
ALLOWED_TYPES: tuple[str, ...] = ()
#: Tokens: words of letters/digits (Devanagari with its vowel signs), and single emojis.
TOKEN_PATTERN = r"(?u)[\w\u0900-\u097f]{2,}|[\U0001f300-\U0001faff\u2600-\u27bf]"
#: Weight of the rule and entity columns beside the TF-IDF block (tuned: larger hurts, docs/model.md).
DENSE_SCALE = 0.3


def rule_columns() -> tuple[str, ...]:
    from trafficscan.rules.model import CATEGORIES

    return (*(f"rule:{c}" for c in CATEGORIES), "rule:score", "rule:dampening")


def dense_features(feats: Sequence[Any], rule_scores: Sequence[Any],
                   numeric_keys: Sequence[str], rule_keys: Sequence[str],
                   scale: float = DENSE_SCALE) -> np.ndarray:
    """Rule and entity columns: bounded to about 0..1 so they sit beside TF-IDF weights."""
    out = np.zeros((len(feats), len(rule_keys) + len(numeric_keys)), dtype=np.float64)
    for i, (f, rs) in enumerate(zip(feats, rule_scores, strict=True)):
        row = out[i]
        cats = rs.by_category
        for j, key in enumerate(rule_keys):
            if key == "rule:score":
                row[j] = rs.score
            elif key == "rule:dampening":
                row[j] = rs.dampening
            else:
                row[j] = cats.get(key[5:], 0.0)
        numeric = f.numeric()
        base = len(rule_keys)
        for j, key in enumerate(numeric_keys):
            v = float(numeric.get(key, 0.0))
            row[base + j] = np.log1p(v) / 3.0 if v > 1.0 else v
    return out * scale


def design_matrix(vectorizer: Any, feats: Sequence[Any], rule_scores: Sequence[Any],
                  numeric_keys: Sequence[str], rule_keys: Sequence[str],
                  scale: float = DENSE_SCALE) -> Any:
    import scipy.sparse as sp

    text = vectorizer.transform([f.normalized.text for f in feats])
    dense = dense_features(feats, rule_scores, numeric_keys, rule_keys, scale)
    return sp.hstack([text, sp.csr_matrix(dense)], format="csr")


_VOCAB_SEP = "\x00"


def _vectorizer_parts(vectorizer: Any) -> list[Any]:
    return [t for _, t in getattr(vectorizer, "transformer_list", [("text", vectorizer)])]


def sigmoid(x: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-x))


def fingerprint(vectorizer: Any, clf: Any, calibration: tuple[float, float] = (1.0, 0.0)) -> str:
    """A hash of what the model computes (vocabulary and coefficients), not of when it was saved."""
    h = hashlib.sha256()
    for part in _vectorizer_parts(vectorizer):
        for term, idx in sorted(part.vocabulary_.items()):
            h.update(f"{term}\x00{idx}\x01".encode())
        h.update(np.round(part.idf_, 6).tobytes())
    h.update(np.round(clf.coef_.toarray() if hasattr(clf.coef_, "toarray") else clf.coef_, 6).tobytes())
    h.update(np.round(clf.intercept_, 6).tobytes())
    h.update(np.round(np.array(calibration, dtype=float), 6).tobytes())
    return h.hexdigest()


@dataclass
class LoadedModel:
    """A trained model and its metadata, ready to score batches."""

    vectorizer: Any
    clf: Any
    meta: dict[str, Any]
    path: str = ""
    sha256: str = ""

    @property
    def threshold(self) -> float:
        return float(self.meta["threshold"])

    @property
    def model_threshold(self) -> float:
        return float(self.meta.get("model_threshold", self.meta["threshold"]))

    @property
    def combine_weight(self) -> float:
        return float(self.meta.get("combine_weight", 1.0))

    @property
    def dense_scale(self) -> float:
        return float(self.meta["features"].get("dense_scale", DENSE_SCALE))

    @property
    def numeric_keys(self) -> tuple[str, ...]:
        return tuple(self.meta["features"]["numeric"])

    @property
    def rule_keys(self) -> tuple[str, ...]:
        return tuple(self.meta["features"]["rules"])

    def predict_proba(self, feats: Sequence[Any], hits: Sequence[Any],
                      rule_scores: Sequence[Any]) -> list[float]:
        """Probability of a trafficking signal for each ad of a batch (one matrix, one call)."""
        X = design_matrix(self.vectorizer, feats, rule_scores, self.numeric_keys, self.rule_keys,
                          self.dense_scale)
        cal = self.meta.get("calibration") or {"a": 1.0, "b": 0.0}
        return [float(p) for p in sigmoid(cal["a"] * self.clf.decision_function(X) + cal["b"])]

    def info(self) -> dict[str, Any]:
        return {"name": self.meta.get("name", Path(self.path).stem), "version": self.meta.get("version"),
                "sha256": self.sha256, "created": self.meta.get("created"),
                "threshold": self.threshold, "combine_weight": self.combine_weight}


def save_model(path: Path, vectorizer: Any, clf: Any, meta: dict[str, Any]) -> str:
    """Write the model atomically; returns the file's SHA-256."""
    import copy
    import os
    import tempfile

    import skops.io as sio

    vectorizer = copy.deepcopy(vectorizer)
    vocabularies = []
    for part in _vectorizer_parts(vectorizer):
        # ``stop_words_`` lists every n-gram pruned by min_df/max_features: introspection only
        # (sklearn documents it as safe to remove). The vocabulary dict is stored as one string:
        # skops writes dicts as typed JSON, which made the file 25 MB and loading take 4 s.
        if hasattr(part, "stop_words_"):
            delattr(part, "stop_words_")
        terms = sorted(part.vocabulary_, key=part.vocabulary_.__getitem__)
        vocabularies.append(_VOCAB_SEP.join(terms))
        part.vocabulary_ = {}
    payload = {"format": FORMAT, "vectorizer": vectorizer, "classifier": clf,
               "vocabularies": vocabularies,
               "meta": json.dumps(meta, ensure_ascii=False, sort_keys=True)}
    data = sio.dumps(payload)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()


def load_model(path: Path) -> LoadedModel:
    """Load a model file through skops with the allowlist; refuse anything else (exit 2)."""
    file = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(Problem(file=file, message="model file not found",
                                 hint="train one with 'trafficscan train', or leave out --model")) from None
    except OSError as exc:
        raise InputError(Problem(file=file, message=f"cannot read model: {exc.strerror}")) from None
    if data[:2] == b"\x80\x04" or data[:1] == b"\x80" or path.suffix in (".pkl", ".pickle", ".joblib"):
        raise InputError(Problem(file=file, message="this is a pickle/joblib file, which could run code when loaded; refused",
                                 hint="trafficscan loads only .skops models it trained itself"))
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # not a zip, no schema, broken archive
        raise InputError(Problem(file=file, message=f"not a trafficscan model file ({type(exc).__name__}: {exc})",
                                 hint="retrain it with 'trafficscan train'")) from None
    unexpected = sorted(set(untrusted) - set(ALLOWED_TYPES))
    if unexpected:
        raise InputError(Problem(file=file, message=f"model file holds types that are not allowed: {', '.join(unexpected)}; refused",
                                 hint="the file was not made by trafficscan, or was tampered with"))
    try:
        payload = sio.loads(data, trusted=list(ALLOWED_TYPES))
        meta = json.loads(payload["meta"])
        if payload.get("format") != FORMAT:
            raise ValueError(f"format {payload.get('format')!r}")
        vectorizer = payload["vectorizer"]
        parts = _vectorizer_parts(vectorizer)
        vocabularies = payload["vocabularies"]
        if len(vocabularies) != len(parts):
            raise ValueError("vocabularies do not match the vectorizer")
        for part, joined in zip(parts, vocabularies, strict=True):
            part.vocabulary_ = {t: i for i, t in enumerate(joined.split(_VOCAB_SEP))}
        model = LoadedModel(vectorizer, payload["classifier"], meta, file,
                            hashlib.sha256(data).hexdigest())
        _ = (model.threshold, model.numeric_keys, model.rule_keys)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(Problem(file=file, message=f"invalid model file ({type(exc).__name__}: {exc})",
                                 hint="retrain it with 'trafficscan train'")) from None
    from trafficscan.features import NUMERIC_FEATURES

    missing = [k for k in model.numeric_keys if k not in NUMERIC_FEATURES]
    if missing:
        raise InputError(Problem(file=file, message=f"model uses features this version does not compute: {', '.join(missing)}",
                                 hint="retrain it with this trafficscan"))
    return model
