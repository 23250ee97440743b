"""Which words the model may weigh: indicator-bearing terms only.

A classifier trained on hand-written ads learns whatever separates the classes, and on real
listings that turned out to be the *style* of our corpus: "manager", "full time", "service",
"available" carried ordinary job ads and sales posts to a flag with no indicator at all. So the
text block of the model keeps its whole vocabulary (TF-IDF norms stay those of the full text)
but only terms that pass every test below get a coefficient; all others are fixed at zero and
can never move a score:

* the term occurs in at least ``min_positive_df`` positive training ads;
* it is at least ``min_ratio`` times more frequent (document frequency, add-½ smoothed) in
  positives than in negatives — a word both classes use is style, not an indicator;
* not all of its words are generic (``data/generic_terms.txt``: job, sales, service,
  classified and chat words in English, Hinglish and Hindi, and function words): "full time"
  is blocked, "stay inside" is not;
* none of its words is a place name from the gazetteer (places are entity features, weighed
  once, as places) and it holds no digit (numbers are prices, ages and phones: entities).

The result is stored in the model as a zero pattern of its coefficients, so every term an
explanation lists is one that an analyst can cite.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

GENERIC_TERMS_PATH = Path(__file__).with_name("data") / "generic_terms.txt"
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class VocabularyFilter:
    min_positive_df: int = 2
    min_ratio: float = 2.0


@dataclass(frozen=True, slots=True)
class Blocklist:
    generic: frozenset[str]  # generic and function words: blocked when a term is only these
    places: frozenset[str]  # one-word place names: a term holding one is blocked

    def blocks(self, term: str) -> bool:
        words = term.split()
        return (
            bool(_DIGIT.search(term))
            or any(w in self.places for w in words)
            or all(w in self.generic for w in words)
        )


@functools.lru_cache(maxsize=1)
def blocklist() -> Blocklist:
    """Generic vocabulary, function words and the gazetteer's one-word place names, all
    normalised as ad text is, so they compare with the model's terms."""
    from trafficscan.features.normalize import normalize
    from trafficscan.features.places import load_gazetteer
    from trafficscan.score.classifier.model import FUNCTION_WORDS

    generic: set[str] = set(FUNCTION_WORDS)
    for line in GENERIC_TERMS_PATH.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            generic.update(normalize(w).text for w in line.split())
    places = {alias for alias in load_gazetteer() if " " not in alias}
    return Blocklist(frozenset(w for w in generic if w), frozenset(places))


def indicator_mask(
    terms: list[str],
    X: Any,
    y: np.ndarray,
    rule: VocabularyFilter = VocabularyFilter(),
    *,
    words: bool = True,
) -> np.ndarray:
    """Boolean mask over ``terms`` (the columns of the TF-IDF matrix ``X``): True where a term
    may carry a weight. ``y`` are the training labels of ``X``'s rows. ``words=False`` (for
    character n-grams) applies the frequency tests only: the word lists do not apply to
    pieces of words."""
    present = (X > 0).astype(np.float64)
    pos = y == 1
    n_pos, n_neg = max(int(pos.sum()), 1), max(int((~pos).sum()), 1)
    df_pos = np.asarray(present[pos].sum(axis=0)).ravel()
    df_neg = np.asarray(present[~pos].sum(axis=0)).ravel()
    ratio = ((df_pos + 0.5) / n_pos) / ((df_neg + 0.5) / n_neg)
    mask = (df_pos >= rule.min_positive_df) & (ratio >= rule.min_ratio)
    if not words:
        return mask
    blocks = blocklist().blocks
    for i in np.flatnonzero(mask):
        if blocks(terms[i]):
            mask[i] = False
    return mask
