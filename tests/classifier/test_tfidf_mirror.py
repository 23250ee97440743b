"""The scoring form of the TF-IDF blocks (``TextBlock``) equals scikit-learn's ``transform``.

The scorer never calls scikit-learn: it recomputes the vectorizer's numbers from the fitted
vocabulary and IDF weights. That is only right while scikit-learn's tokenising, n-gram and
weighting rules stay what the copy reproduces, so this test fits the vectorizers exactly as
``trafficscan train`` does (``make_vectorizer``) with the installed scikit-learn and compares
on texts chosen to hit the edges: Devanagari with vowel signs and viramas, emojis, empty and
one-letter texts, words shorter than the n-gram size, runs of whitespace, repeats.
``scripts/check_sklearn_range.sh`` runs this file against every scikit-learn minor version
that pyproject.toml admits.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trafficscan.score.classifier.model import TextBlock
from trafficscan.score.classifier.train import TrainSettings, make_vectorizer

FIT_TEXTS = [
    "new girls from nepal just 18 call now",
    "new girls from nepal, call 90000 12345 now now now",
    "नई लड़कियाँ आई हैं, अभी कॉल करें",
    "नई लड़कियाँ 🌹 full service 🌹🌹",
    "data entry job thailand salary 1.5 lakh free visa",
    "data entry job in thailand, passport kept by agent",
    "maths tuition class 9 10, home visits",
    "maths tuition for class 10 in pune",
    "a b c d",  # one-letter words: no word token, char n-grams of " a " only
    "",
    "🌹",
    "x" * 40,
    "tab\tseparated\nlines\r\nand  double  spaces",
    "Ünïcödé café naïve façade",
    "😀😀 emoji only 😀",
    "salary 50000 per month + bonus",
]

PROBE_TEXTS = [
    *FIT_TEXTS,
    "",
    " ",
    "\n\t ",
    "a",
    "ab",
    "  x  y  ",
    "नई लड़कियाँ 🌹 ok",
    "zzqqxx never seen",
    "job job job job",
    "new new girls girls from from nepal",
    "class 9 10 class 9 10 class 9 10",
    "call 🌹🌹🌹 now",
    "पासपोर्ट एजेंट के पास",
    "ﬁne ligature and ＦＵＬＬＷＩＤＴＨ",
]


def _parts(vec) -> list:
    return [t for _, t in getattr(vec, "transformer_list", [("words", vec)])]


@pytest.fixture(scope="module")
def fitted() -> list:
    """The word and character vectorizers as training builds them (min_df 1: tiny corpus)."""
    vec = make_vectorizer(TrainSettings(), len(FIT_TEXTS))
    vec.fit(FIT_TEXTS)
    parts = _parts(vec)
    assert [p.analyzer for p in parts] == ["word", "char_wb"]
    return parts


def _assert_equal(part, texts: list[str]) -> None:
    want = part.transform(texts).tocsr()
    want.sort_indices()
    got = TextBlock.from_sklearn(part).transform(texts)
    assert got.n_cols == want.shape[1]
    np.testing.assert_array_equal(got.indptr, want.indptr)
    np.testing.assert_array_equal(got.indices, want.indices)
    np.testing.assert_allclose(got.data, want.data, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(got.rows, np.repeat(np.arange(len(texts)), np.diff(want.indptr)))


@pytest.mark.parametrize("which", [0, 1], ids=["word", "char_wb"])
def test_scoring_form_equals_sklearn_transform(fitted: list, which: int) -> None:
    _assert_equal(fitted[which], PROBE_TEXTS)
    _assert_equal(fitted[which], PROBE_TEXTS)  # warm per-word cache gives the same
    _assert_equal(fitted[which], [""])  # a batch of nothing but an empty text


@pytest.mark.parametrize("ngrams", [(1, 1), (1, 3), (2, 2)])
def test_word_ngram_ranges(ngrams: tuple[int, int]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from trafficscan.score.classifier.model import TOKEN_PATTERN

    vec = TfidfVectorizer(
        token_pattern=TOKEN_PATTERN,
        ngram_range=ngrams,
        lowercase=False,
        sublinear_tf=True,
        dtype=np.float64,
    ).fit(FIT_TEXTS)
    _assert_equal(vec, PROBE_TEXTS)


_PIECES = st.sampled_from(
    [*"abz 19", "  ", "\n", "न", "ई", "ल", "ड़", "ि", "्", "🌹", "😀", "é", "_"]
)
_TEXT = st.lists(_PIECES, max_size=25).map("".join)


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(_TEXT, min_size=1, max_size=6))
def test_any_text_transforms_alike(fitted: list, texts: list[str]) -> None:
    for part in fitted:
        _assert_equal(part, texts)
