"""The model file: what is in it, how it is built into a feature matrix, how it is loaded safely.

A model file is a skops archive holding only scikit-learn objects, plain data and a JSON
metadata string. It is loaded with an explicit allowlist of types (:data:`ALLOWED_TYPES`):
any other type in the file — a pickle smuggled in, a tampered archive — is refused with
exit 2 before anything in it is constructed, so a model file can never run code.

The feature matrix is the same at training time (scikit-learn's ``transform`` plus
:func:`dense_features`) and at scoring time (:meth:`LoadedModel.matrix`, which computes the
same numbers from :class:`TextBlock` tables without scikit-learn; tests hold them equal):

* word 1–2-gram TF-IDF over the *normalised* ad text (leetspeak undone, spaced letters
  joined, Devanagari kept, emojis as tokens). Only *indicator-bearing* terms carry a weight
  (``classifier/vocabulary.py``): generic job, sales and service words, place names and
  numbers have a coefficient of zero, so they cannot move the score;
* the rule engine's per-category strengths and the awareness dampening;
* the entity signals of the features stage (obfuscated phones, messaging-only contact, stated
  minor or young ages, scam-compound towns).

The score is a probability **at the base rate** of the source (docs/scoring.md): the Platt-
calibrated log-odds, shifted from the training set's class balance to the base rate.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trafficscan.core.errors import InputError, Problem

FORMAT = "trafficscan-model/1"
#: Types a model file may hold beyond skops' default trusted set. Nothing else is loaded.
ALLOWED_TYPES: tuple[str, ...] = ()
#: Tokens: words of letters/digits (Devanagari with its vowel signs), and single emojis.
TOKEN_PATTERN = r"(?u)[\w\u0900-\u097f]{2,}|[\U0001f300-\U0001faff\u2600-\u27bf]"
#: Weight of the rule and entity columns beside the TF-IDF block (chosen on out-of-fold
#: predictions and real benign text, docs/model.md).
DENSE_SCALE = 0.3
#: The base rate a model is calibrated for when training does not say otherwise: on a real
#: platform well under 1 ad in 100 is a lead.
DEFAULT_BASE_RATE = 0.005


def rule_columns() -> tuple[str, ...]:
    from trafficscan.score.rules.spec import AWARENESS, CATEGORIES

    return (*(f"rule:{c}" for c in CATEGORIES if c != AWARENESS), "rule:dampening")


def logit(p: Any) -> Any:
    """Log-odds of a probability (floats or arrays); 0 and 1 are clipped to stay finite."""
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def dense_features(
    feats: Sequence[Any],
    rule_scores: Sequence[Any],
    numeric_keys: Sequence[str],
    rule_keys: Sequence[str],
    scale: float = DENSE_SCALE,
) -> np.ndarray:
    """Rule and entity columns: bounded to about 0..1 so they sit beside TF-IDF weights.

    Counts above 1 are squashed to ``log1p(v) / 3``; ratios and flags stay as they are.
    """
    from trafficscan.features import NUMERIC_FEATURES

    n = len(feats)
    try:
        positions = [NUMERIC_FEATURES.index(k) for k in numeric_keys]
    except ValueError as exc:
        raise ValueError(f"unknown numeric feature: {exc}") from None
    numeric = np.array([tuple(f.numeric().values()) for f in feats], dtype=np.float64)
    numeric = numeric.reshape(n, len(NUMERIC_FEATURES))[:, positions]
    numeric = np.where(numeric > 1.0, np.log1p(numeric) / 3.0, numeric)
    categories = [k[5:] for k in rule_keys]  # "rule:<category>", "rule:score", "rule:dampening"
    rules = np.array(
        [
            [
                rs.score
                if c == "score"
                else rs.dampening
                if c == "dampening"
                else rs.by_category.get(c, 0.0)
                for c in categories
            ]
            for rs in rule_scores
        ],
        dtype=np.float64,
    ).reshape(n, len(rule_keys))
    return np.hstack([rules, numeric]) * scale


# --- the scoring form of a fitted vectorizer -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    """One TF-IDF block of a batch in CSR form (``indptr``/``indices``/``data``), plus each
    entry's row, so the model's decision is one ``bincount`` and needs no SciPy."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    rows: np.ndarray
    n_cols: int


def _tfidf(cols: np.ndarray, rows: np.ndarray, n_rows: int, idf: np.ndarray) -> Block:
    """Column ids and their rows (in row order, repeats counted) → l2-normalised sublinear
    TF-IDF, as ``TfidfVectorizer(sublinear_tf=True, norm="l2")`` computes it."""
    n_cols = len(idf)
    if not len(cols):
        empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return Block(np.zeros(n_rows + 1, dtype=np.int64), empty_i, empty_f, empty_i, n_cols)
    keys = rows * n_cols + cols
    # np.unique, done by hand: rows arrive in order, so a stable sort (timsort, which merges
    # runs) is about twice as fast as np.unique's quicksort here. Sorted row-major, columns
    # ascending within a row, as CSR wants.
    keys.sort(kind="stable")
    first = np.empty(len(keys), dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(starts, append=len(keys))
    row_of, col = np.divmod(keys[starts], n_cols)
    val = (np.log(counts.astype(np.float64)) + 1.0) * idf[col]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of, minlength=n_rows), out=indptr[1:])
    norms = np.sqrt(np.bincount(row_of, weights=val * val, minlength=n_rows))
    norms[norms == 0] = 1.0
    val /= norms[row_of]
    return Block(indptr, col, val, row_of, n_cols)


class _GramCache(dict[str, np.ndarray]):
    """Word → column ids of its character n-grams, computed on first use."""

    def __init__(self, grams: Any) -> None:
        super().__init__()
        self.grams = grams

    def __missing__(self, word: str) -> np.ndarray:
        ids = self[word] = self.grams(word)
        return ids


#: Fitted-vectorizer settings the scoring form reproduces exactly; training uses these.
_REQUIRED = {
    "lowercase": False,
    "preprocessor": None,
    "tokenizer": None,
    "stop_words": None,
    "strip_accents": None,
    "binary": False,
    "use_idf": True,
    "sublinear_tf": True,
    "norm": "l2",
    "input": "content",
}


class TextBlock:
    """A fitted ``TfidfVectorizer`` (``word`` or ``char_wb``) reduced to its vocabulary and IDF.

    :meth:`transform` gives exactly what the vectorizer's ``transform`` gives (tested), without
    scikit-learn: the scorer needs neither it nor skops once a model is cached (``cache.py``).
    Character n-grams are computed word by word with a cache of each word's column ids (ad
    vocabularies repeat), about 4x cheaper than building every n-gram of every ad.
    """

    MAX_CACHED_WORDS = 200_000

    def __init__(
        self,
        analyzer: str,
        terms: Sequence[str],
        idf: np.ndarray,
        ngram_range: tuple[int, int],
        token_pattern: str = "",
    ) -> None:
        if analyzer not in ("word", "char_wb"):
            raise ValueError(f"unsupported analyzer {analyzer!r}")
        if len(terms) != len(idf):
            raise ValueError(f"{len(terms)} terms but {len(idf)} IDF weights")
        self.analyzer = analyzer
        self.terms = list(terms)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.token_pattern = token_pattern
        self.vocab = {t: i for i, t in enumerate(self.terms)}
        if len(self.vocab) != len(self.terms):
            raise ValueError("duplicate terms in the vocabulary")
        if analyzer == "word":
            tokens = re.compile(token_pattern)
            if tokens.groups > 1:
                raise ValueError("token pattern has more than one capturing group")
            self._findall = tokens.findall
        self._words = _GramCache(self._word_grams)

    @classmethod
    def from_sklearn(cls, part: Any) -> TextBlock:
        for name, want in _REQUIRED.items():
            if getattr(part, name, want) != want:
                raise ValueError(f"unsupported vectorizer setting {name}={getattr(part, name)!r}")
        vocab = part.vocabulary_
        terms = sorted(vocab, key=vocab.__getitem__)
        if [vocab[t] for t in terms] != list(range(len(terms))):
            raise ValueError("vocabulary indices are not 0..n-1")
        return cls(
            part.analyzer,
            terms,
            part.idf_,
            part.ngram_range,
            part.token_pattern if part.analyzer == "word" else "",
        )

    def __len__(self) -> int:
        return len(self.terms)

    def transform(self, texts: Sequence[str]) -> Block:
        if self.analyzer == "word":
            return self._transform_words(texts)
        return self._transform_chars(texts)

    def _transform_words(self, texts: Sequence[str]) -> Block:
        vocab_get = self.vocab.get
        findall = self._findall
        min_n, max_n = self.ngram_range
        ids: list[int] = []
        per_row: list[int] = []
        for text in texts:
            tokens = findall(text)
            grams = tokens if min_n == 1 else []
            for n in range(max(min_n, 2), min(max_n, len(tokens)) + 1):
                grams = grams + list(
                    map(" ".join, zip(*[tokens[i:] for i in range(n)], strict=False))
                )
            before = len(ids)
            ids += [j for j in map(vocab_get, grams) if j is not None]
            per_row.append(len(ids) - before)
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), per_row)
        return _tfidf(np.array(ids, dtype=np.int64), rows, len(texts), self.idf)

    def _word_grams(self, word: str) -> np.ndarray:
        """Column ids of the ``char_wb`` n-grams of one word (sklearn pads it with spaces)."""
        vocab_get = self.vocab.get
        w = " " + word + " "
        w_len = len(w)
        out = []
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            if w_len <= n:  # sklearn counts a short word once, as itself
                j = vocab_get(w)
                if j is not None:
                    out.append(j)
                break
            for i in range(w_len - n + 1):
                j = vocab_get(w[i : i + n])
                if j is not None:
                    out.append(j)
        return np.asarray(out, dtype=np.int64)

    def _transform_chars(self, texts: Sequence[str]) -> Block:
        cache = self._words
        if len(cache) > self.MAX_CACHED_WORDS:
            cache.clear()
        ids_of = cache.__getitem__
        pieces: list[np.ndarray] = []
        per_row: list[int] = []
        for text in texts:
            words = text.split()  # what sklearn's char_wb does after folding whitespace
            pieces += map(ids_of, words)
            per_row.append(len(words))
        if not pieces:
            return _tfidf(
                np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), len(texts), self.idf
            )
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        piece_rows = np.repeat(np.arange(len(texts), dtype=np.int64), per_row)
        return _tfidf(np.concatenate(pieces), np.repeat(piece_rows, lengths), len(texts), self.idf)


@dataclass(frozen=True, slots=True)
class Batch:
    """The design matrix of a batch: the text blocks, then the dense rule/entity columns."""

    blocks: tuple[Block, ...]
    dense: np.ndarray

    @property
    def n_rows(self) -> int:
        return self.dense.shape[0]

    def decision(self, coef: np.ndarray, intercept: float) -> np.ndarray:
        n = self.n_rows
        out = self.dense @ coef[sum(b.n_cols for b in self.blocks) :] + intercept
        offset = 0
        for b in self.blocks:
            out += np.bincount(b.rows, weights=b.data * coef[offset + b.indices], minlength=n)
            offset += b.n_cols
        return out

    def to_csr(self) -> Any:
        """The same matrix as SciPy CSR (tests and training compare against scikit-learn)."""
        import scipy.sparse as sp

        parts = [
            sp.csr_matrix((b.data, b.indices, b.indptr), shape=(self.n_rows, b.n_cols))
            for b in self.blocks
        ]
        return sp.hstack([*parts, sp.csr_matrix(self.dense)], format="csr")


_VOCAB_SEP = "\x00"


def _looks_like_number(term: str) -> bool:
    return sum(ch.isdigit() for ch in term) >= 4


#: Function words left out of the listed ``terms`` (they still count in ``parts["words"]``): an
#: analyst cannot quote "will" or "ko" in a report. English, Hinglish and Hindi.
FUNCTION_WORDS = frozenset(
    (  # noqa: SIM905 (a word list reads better as text)
        "a an the be been being will would shall should can could may might must is are was were "
        "am by to of in on at for from with without into onto about as than then so if or and but "
        "nor it its this that these those there here he she his her him they them their we our us "
        "you your i me my what which who whom whose when where why how all any each some such "
        "very just also only not no do does did done has have had having get gets got up out off "
        "over under after before per via etc within during next "
        "ka ki ke ko se me mein hai hain tha thi the ho hoga hogi honge hum ham aap tum woh yeh "
        "ye wo aur ya bhi to na nahi nahin kar karo karna karte karein kiya diya diye de do liye "
        "liya jayega jayegi jayenge jaayega wala wali wale koi kuch sab ek par pe tak "
        # Hinglish adverbs, pronouns and auxiliaries: in round five "toh", "aaj" and "wahan"
        # were cited as the indicator of flagged chats
        "toh aaj kal ab abhi phir fir wahan wahaan yahan yahaan jab tab agar lekin magar kyunki "
        "kya kab kaise kaun kahan kahaan uska uski uske unka unki unke iska iski iske mera meri "
        "mere tera teri tere apna apni apne hamara hamari hamare raha rahi rahe gaya gayi gaye "
        "sakta sakti sakte "
        "में की का के को है हैं था थी थे से और ही भी पर यह वह ये वो हम आप तो ना नहीं कि एक लिए "
        "अब फिर जब तब अगर लेकिन क्या कब कैसे कौन कहाँ यहाँ वहाँ उसका उसकी उसके मेरा मेरी अपना "
        "अपनी अपने रहा रही रहे गया गई गए सकता सकती सकते तक "
    ).split()
)


@functools.lru_cache(maxsize=65_536)
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
    h.update(
        np.round(clf.coef_.toarray() if hasattr(clf.coef_, "toarray") else clf.coef_, 6).tobytes()
    )
    h.update(np.round(clf.intercept_, 6).tobytes())
    h.update(np.round(np.array(calibration, dtype=float), 6).tobytes())
    return h.hexdigest()


@dataclass
class LoadedModel:
    """A trained model in scoring form, and its metadata, ready to score batches.

    ``blocks`` are the text blocks (word n-grams, then character n-grams), ``coef`` the
    logistic regression's weights over all columns (text blocks, then the dense rule and
    entity columns), ``intercept`` its bias; ``meta`` holds calibration and thresholds.
    """

    blocks: tuple[TextBlock, ...]
    coef: np.ndarray
    intercept: float
    meta: dict[str, Any]
    path: str = ""
    sha256: str = ""

    @classmethod
    def from_fitted(
        cls, vectorizer: Any, clf: Any, meta: dict[str, Any], path: str = "", sha256: str = ""
    ) -> LoadedModel:
        """The scoring form of a fitted vectorizer + ``LogisticRegression`` (``ValueError`` if
        they are not what ``trafficscan train`` makes)."""
        blocks = tuple(TextBlock.from_sklearn(p) for p in _vectorizer_parts(vectorizer))
        c = clf.coef_
        coef = np.ravel(c.toarray() if hasattr(c, "toarray") else c).astype(np.float64)
        intercept = np.ravel(clf.intercept_)
        if len(intercept) != 1:
            raise ValueError("not a binary classifier")
        return cls(blocks, coef, float(intercept[0]), meta, path, sha256)

    def __post_init__(self) -> None:
        want = sum(len(b) for b in self.blocks) + len(self.rule_keys) + len(self.numeric_keys)
        if self.coef.shape != (want,):
            raise ValueError(f"{self.coef.size} coefficients for {want} columns")
        _ = self.threshold

    @property
    def threshold(self) -> float:
        return float(self.meta["threshold"])

    @property
    def base_rate(self) -> float:
        """The base rate the stored threshold was chosen for (``DEFAULT_BASE_RATE`` if unsaid)."""
        return float(self.meta.get("base_rate") or DEFAULT_BASE_RATE)

    @property
    def train_prior(self) -> float | None:
        """Share of positives the calibration was fitted on; ``None`` for a model from before
        base rates (its probabilities are read as they are, without a prior shift)."""
        prior = (self.meta.get("calibration") or {}).get("train_prior")
        return None if prior is None else float(prior)

    @property
    def dense_scale(self) -> float:
        return float(self.meta["features"].get("dense_scale", DENSE_SCALE))

    @property
    def numeric_keys(self) -> tuple[str, ...]:
        return tuple(self.meta["features"]["numeric"])

    @property
    def rule_keys(self) -> tuple[str, ...]:
        return tuple(self.meta["features"]["rules"])

    def matrix(self, feats: Sequence[Any], rule_scores: Sequence[Any]) -> Batch:
        """The batch's design matrix (build once, then :meth:`proba` and :meth:`explain`)."""
        texts = [f.normalized.text for f in feats]
        dense = dense_features(
            feats, rule_scores, self.numeric_keys, self.rule_keys, self.dense_scale
        )
        return Batch(tuple(b.transform(texts) for b in self.blocks), dense)

    @property
    def _calibration(self) -> tuple[float, float]:
        cal = self.meta.get("calibration") or {"a": 1.0, "b": 0.0}
        return float(cal["a"]), float(cal["b"])

    def prior_shift(self, base_rate: Any) -> Any:
        """What to add to the calibrated log-odds to read them at ``base_rate`` (Bayes' rule:
        the likelihood ratio stays, the prior odds change from the training set's to the base
        rate's). Zero for a model from before base rates."""
        prior = self.train_prior
        if prior is None:
            return np.zeros_like(np.asarray(base_rate, dtype=np.float64))
        return logit(np.asarray(base_rate, dtype=np.float64)) - logit(prior)

    def log_odds(self, X: Batch, base_rate: Any = None) -> np.ndarray:
        """Calibrated log-odds of a trafficking signal at ``base_rate`` (a float or one per row;
        default: the model's own)."""
        a, b = self._calibration
        rate = self.base_rate if base_rate is None else base_rate
        return a * X.decision(self.coef, self.intercept) + b + self.prior_shift(rate)

    def proba(self, X: Batch, base_rate: Any = None) -> list[float]:
        """Probability of a trafficking signal for each row, at ``base_rate``."""
        return sigmoid(self.log_odds(X, base_rate)).tolist()

    def explain(self, X: Batch, rows: Sequence[int], top: int = 5) -> list[dict[str, Any]]:
        """Why the model scored each of ``rows`` of ``X`` as it did, in calibrated log-odds.

        The model is linear, so its log-odds split exactly into parts: ``words`` (word n-grams),
        ``characters`` (character n-grams, only in models trained with them),
        ``rules_and_entities`` (the rule and entity columns) and ``bias`` (the calibrated
        intercept less the training set's prior log-odds); with the base rate's log-odds
        (added by the scorer) they add up to ``logit(model_score)``. ``terms`` are the
        indicator terms that pushed the score up most, each with its own share of the log-odds.

        Contributions are computed for the whole batch in a few array operations; only the
        ranking of each row's words is per row.
        """
        a, b = self._calibration
        n = X.n_rows
        sums = []
        offset = 0
        word_contrib = np.zeros(0)
        for k, block in enumerate(X.blocks):
            contrib = a * block.data * self.coef[offset + block.indices]
            if k == 0:
                word_contrib = contrib
            sums.append(np.bincount(block.rows, weights=contrib, minlength=n))
            offset += block.n_cols
        words = sums[0].tolist()
        chars = (np.sum(sums[1:], axis=0) if len(sums) > 1 else np.zeros(n)).tolist()
        dense = (a * (X.dense @ self.coef[offset:])).tolist()
        bias = round(float(a * self.intercept + b + self.prior_shift(0.5)), 3)
        names = self.blocks[0].terms
        word_block = X.blocks[0]
        # every row's words, largest contribution first, in one sort for the whole batch
        # (rows stay contiguous and in CSR order: the row is the primary key). The sort is
        # stable: equal contributions keep vocabulary order, alphabetical in a trained model.
        order = np.lexsort((-word_contrib, word_block.rows))
        sorted_contrib = word_contrib[order].tolist()
        sorted_terms = word_block.indices[order].tolist()
        indptr = word_block.indptr.tolist()
        out = []
        for i in rows:
            lo, hi = indptr[i], indptr[i + 1]
            hi = min(hi, lo + top * 4)
            terms = []
            for c, j in zip(sorted_contrib[lo:hi], sorted_terms[lo:hi], strict=True):
                term = names[j]
                if c < 0.05:
                    break  # sorted: the rest are smaller still
                if not _quotable(term):
                    continue  # a function word, or a number (never echo contact digits)
                terms.append({"term": term, "weight": round(c, 3)})
                if len(terms) == top:
                    break
            out.append(
                {
                    "terms": terms,
                    "parts": {
                        "words": round(words[i], 3),
                        "characters": round(chars[i], 3),
                        "rules_and_entities": round(dense[i], 3),
                        "bias": bias,
                    },
                }
            )
        return out

    def info(self) -> dict[str, Any]:
        return {
            "name": self.meta.get("name", Path(self.path).stem),
            "version": self.meta.get("version"),
            "sha256": self.sha256,
            "created": self.meta.get("created"),
            "threshold": self.threshold,
            "base_rate": self.base_rate,
        }


def save_model(path: Path, vectorizer: Any, clf: Any, meta: dict[str, Any]) -> str:
    """Write the model atomically; returns the file's SHA-256."""
    import copy

    import skops.io as sio

    from trafficscan.core.atomic import atomic_file

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
    payload = {
        "format": FORMAT,
        "vectorizer": vectorizer,
        "classifier": clf,
        "vocabularies": vocabularies,
        "meta": json.dumps(meta, ensure_ascii=False, sort_keys=True),
    }
    data = sio.dumps(payload)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as fh:
        fh.write(data)
    return hashlib.sha256(data).hexdigest()


def load_model(path: Path | str) -> LoadedModel:
    """Load a model file; refuse anything that did not pass the skops allowlist (exit 2).

    The first load of a file goes through skops (:func:`read_skops`) and leaves a compiled copy
    in the user cache (:mod:`trafficscan.score.classifier.cache`); later loads of the same bytes read
    that copy, which needs neither skops nor scikit-learn (about 1.5 s less per run).
    """
    from trafficscan.score.classifier import cache

    path = Path(path)
    file = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            Problem(
                file=file,
                message="model file not found",
                hint="train one with 'trafficscan train', or leave out --model",
            )
        ) from None
    except OSError as exc:
        raise InputError(Problem(file=file, message=f"cannot read model: {exc.strerror}")) from None
    if (
        data[:2] == b"\x80\x04"
        or data[:1] == b"\x80"
        or path.suffix in (".pkl", ".pickle", ".joblib")
    ):
        raise InputError(
            Problem(
                file=file,
                message="this is a pickle/joblib file, which could run code when loaded; refused",
                hint="trafficscan loads only .skops models it trained itself",
            )
        )
    sha256 = hashlib.sha256(data).hexdigest()
    tables = cache.read(sha256)
    model = (
        None
        if tables is None
        else LoadedModel(
            tuple(TextBlock(*b) for b in tables.blocks),
            tables.coef,
            tables.intercept,
            tables.meta,
            file,
            sha256,
        )
    )
    if model is None:
        vectorizer, clf, meta = read_skops(data, file)
        try:
            model = LoadedModel.from_fitted(vectorizer, clf, meta, file, sha256)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                Problem(
                    file=file,
                    message=f"invalid model file ({type(exc).__name__}: {exc})",
                    hint="retrain it with 'trafficscan train'",
                )
            ) from None
        cache.write(model)
    from trafficscan.features import NUMERIC_FEATURES

    missing = [k for k in model.numeric_keys if k not in NUMERIC_FEATURES]
    if missing:
        raise InputError(
            Problem(
                file=file,
                message=f"model uses features this version does not compute: {', '.join(missing)}",
                hint="retrain it with this trafficscan",
            )
        )
    return model


def read_skops(data: bytes, file: str) -> tuple[Any, Any, dict[str, Any]]:
    """``(vectorizer, classifier, meta)`` of a model file, through skops with the allowlist.

    Every type in the archive is checked before anything is constructed: a pickle smuggled in
    or a tampered schema is refused with exit 2 and nothing in it runs.
    """
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # not a zip, no schema, broken archive
        raise InputError(
            Problem(
                file=file,
                message=f"not a trafficscan model file ({type(exc).__name__}: {exc})",
                hint="retrain it with 'trafficscan train'",
            )
        ) from None
    unexpected = sorted(set(untrusted) - set(ALLOWED_TYPES))
    if unexpected:
        raise InputError(
            Problem(
                file=file,
                message=f"model file holds types that are not allowed: {', '.join(unexpected)}; refused",
                hint="the file was not made by trafficscan, or was tampered with",
            )
        )
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
        return vectorizer, payload["classifier"], meta
    except Exception as exc:
        raise InputError(
            Problem(
                file=file,
                message=f"invalid model file ({type(exc).__name__}: {exc})",
                hint="retrain it with 'trafficscan train'",
            )
        ) from None
