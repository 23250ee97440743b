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
from functools import cached_property
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
DENSE_SCALE = 0.1


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

    texts = [f.normalized.text for f in feats]
    blocks = [_transform(part, texts) for part in _vectorizer_parts(vectorizer)]
    dense = dense_features(feats, rule_scores, numeric_keys, rule_keys, scale)
    return sp.hstack([*blocks, sp.csr_matrix(dense)], format="csr")


def _transform(part: Any, texts: list[str]) -> Any:
    """``part.transform(texts)``, with a faster exact path for character n-grams."""
    if (getattr(part, "analyzer", None) == "char_wb" and part.preprocessor is None
            and part.tokenizer is None and not part.lowercase and part.strip_accents is None
            and part.use_idf and part.sublinear_tf and part.norm == "l2"):
        return _CharWB.of(part).transform(texts)
    return part.transform(texts)


class _CharWB:
    """The TF-IDF of a fitted ``char_wb`` vectorizer, computed word by word with a cache.

    sklearn builds every character n-gram of every word of every ad in Python; the n-grams of
    a word depend only on the word, and ad vocabularies repeat, so caching the vocabulary
    indices per word makes the character block about 4x cheaper. The result equals
    ``part.transform`` (tests/classifier/test_model_files.py checks it).
    """

    MAX_WORDS = 200_000

    def __init__(self, part: Any) -> None:
        self.vocab: dict[str, int] = part.vocabulary_
        self.idf = np.asarray(part.idf_, dtype=np.float64)
        self.min_n, self.max_n = part.ngram_range
        self.cache: dict[str, np.ndarray] = {}

    @classmethod
    def of(cls, part: Any) -> _CharWB:
        fast = part.__dict__.get("_trafficscan_fast")
        if fast is None or fast.vocab is not part.vocabulary_:
            fast = cls(part)
            part.__dict__["_trafficscan_fast"] = fast
        return fast

    def _word(self, word: str) -> tuple[int, ...]:
        vocab = self.vocab
        w = " " + word + " "
        w_len = len(w)
        out = []
        for n in range(self.min_n, self.max_n + 1):
            if w_len <= n:  # sklearn counts a short word once, as itself
                j = vocab.get(w)
                if j is not None:
                    out.append(j)
                break
            for i in range(w_len - n + 1):
                j = vocab.get(w[i : i + n])
                if j is not None:
                    out.append(j)
        return tuple(out)

    def transform(self, texts: list[str]) -> Any:
        import scipy.sparse as sp

        cache = self.cache
        if len(cache) > self.MAX_WORDS:
            cache.clear()
        pieces: list[np.ndarray] = []
        rows: list[int] = []
        for r, text in enumerate(texts):
            for word in text.split():
                ids = cache.get(word)
                if ids is None:
                    ids = cache[word] = np.asarray(self._word(word), dtype=np.int64)
                if len(ids):
                    pieces.append(ids)
                    rows.append(r)
        n_rows, n_cols = len(texts), len(self.idf)
        if not pieces:
            return sp.csr_matrix((n_rows, n_cols), dtype=np.float64)
        lengths = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=len(pieces))
        keys = np.repeat(np.asarray(rows, dtype=np.int64), lengths) * n_cols + np.concatenate(pieces)
        keys, counts = np.unique(keys, return_counts=True)  # sorted: row-major, columns ascending
        row_of, col = np.divmod(keys, n_cols)
        val = (np.log(counts.astype(np.float64)) + 1.0) * self.idf[col]
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_of, minlength=n_rows), out=indptr[1:])
        norms = np.sqrt(np.bincount(row_of, weights=val * val, minlength=n_rows))
        norms[norms == 0] = 1.0
        val /= norms[row_of]
        return sp.csr_matrix((val, col.astype(np.int32), indptr), shape=(n_rows, n_cols))


_VOCAB_SEP = "\x00"


def _looks_like_number(term: str) -> bool:
    return sum(ch.isdigit() for ch in term) >= 4


#: Function words left out of the listed ``terms`` (they still count in ``parts["words"]``): an
#: analyst cannot quote "will" or "ko" in a report. English, Hinglish and Hindi.
FUNCTION_WORDS = frozenset((  # noqa: SIM905 (a word list reads better as text)
    "a an the be been being will would shall should can could may might must is are was were "
    "am by to of in on at for from with without into onto about as than then so if or and but "
    "nor it its this that these those there here he she his her him they them their we our us "
    "you your i me my what which who whom whose when where why how all any each some such "
    "very just also only not no do does did done has have had having get gets got up out off "
    "over under after before per via etc "
    "ka ki ke ko se me mein hai hain tha thi the ho hoga hogi honge hum ham aap tum woh yeh "
    "ye wo aur ya bhi to na nahi nahin kar karo karna karte karein kiya diya diye de do liye "
    "liya jayega jayegi jayenge jaayega wala wali wale koi kuch sab ek par pe tak "
    "में की का के को है हैं था थी थे से और ही भी पर यह वह ये वो हम आप तो ना नहीं कि एक लिए "
).split())


def _quotable(term: str) -> bool:
    return not _looks_like_number(term) and not all(w in FUNCTION_WORDS for w in term.split())


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

    def matrix(self, feats: Sequence[Any], rule_scores: Sequence[Any]) -> Any:
        """The batch's design matrix (build once, then :meth:`proba` and :meth:`explain`)."""
        return design_matrix(self.vectorizer, feats, rule_scores, self.numeric_keys, self.rule_keys,
                             self.dense_scale)

    @property
    def _calibration(self) -> tuple[float, float]:
        cal = self.meta.get("calibration") or {"a": 1.0, "b": 0.0}
        return float(cal["a"]), float(cal["b"])

    def proba(self, X: Any) -> list[float]:
        a, b = self._calibration
        return [float(p) for p in sigmoid(a * self.clf.decision_function(X) + b)]

    def predict_proba(self, feats: Sequence[Any], hits: Sequence[Any],
                      rule_scores: Sequence[Any]) -> list[float]:
        """Probability of a trafficking signal for each ad of a batch (one matrix, one call)."""
        return self.proba(self.matrix(feats, rule_scores))

    def explain(self, X: Any, row: int, top: int = 5) -> dict[str, Any]:
        """Why the model scored row ``row`` of ``X`` as it did, in calibrated log-odds.

        The model is linear, so its log-odds split exactly into parts: ``words`` (word n-grams),
        ``characters`` (character n-grams), ``rules_and_entities`` (the rule and entity
        columns) and ``bias``; they add up to ``logit(model_score)``. ``terms`` are the words
        that pushed the score up most, each with its own share of the log-odds (function
        words and numbers are not listed; they still count in ``words``).
        """
        a, b = self._calibration
        coef = self._coef_row
        lo, hi = X.indptr[row], X.indptr[row + 1]
        idx, val = X.indices[lo:hi], X.data[lo:hi]
        contrib = a * val * coef[idx]
        n_words, n_text = self._block_sizes
        words = idx < n_words
        chars = (idx >= n_words) & (idx < n_text)
        dense = idx >= n_text
        word_contrib, word_idx = contrib[words], idx[words]
        parts = {"words": round(float(word_contrib.sum()), 3),
                 "characters": round(float(contrib[chars].sum()), 3),
                 "rules_and_entities": round(float(contrib[dense].sum()), 3),
                 "bias": round(a * float(np.ravel(self.clf.intercept_)[0]) + b, 3)}
        names = self._word_names
        order = np.argsort(-word_contrib)
        terms = []
        for k in order[: top * 4]:
            c = float(word_contrib[k])
            term = names[int(word_idx[k])]
            if c < 0.05 or not _quotable(term):
                continue  # tiny, a function word, or a number (never echo contact digits)
            terms.append({"term": term, "weight": round(c, 3)})
            if len(terms) == top:
                break
        return {"terms": terms, "parts": parts}

    @cached_property
    def _coef_row(self) -> Any:
        c = self.clf.coef_
        return np.ravel(c.toarray() if hasattr(c, "toarray") else c)

    @cached_property
    def _block_sizes(self) -> tuple[int, int]:
        """Columns of the word block, and of the word + character blocks together."""
        sizes = [len(p.vocabulary_) for p in _vectorizer_parts(self.vectorizer)]
        return sizes[0], sum(sizes)

    @cached_property
    def _word_names(self) -> list[str]:
        vocab = _vectorizer_parts(self.vectorizer)[0].vocabulary_
        names = [""] * len(vocab)
        for term, i in vocab.items():
            names[i] = term
        return names

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


def load_model(path: Path | str) -> LoadedModel:
    """Load a model file through skops with the allowlist; refuse anything else (exit 2)."""
    path = Path(path)
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
