"""``TrainSettings.char_weight``: character n-grams support the words an analyst can cite.

The character columns enter the fit scaled down and their coefficients are scaled back, so the
saved model scores exactly what the regression fitted, while more of the evidence sits in word
terms (the indicator gate cites words, never character n-grams).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from trafficscan.score.classifier.train import TrainSettings, fit_fold

_LURES = [
    "passport kept by the agent until the loan is cleared, girls {i} wanted",
    "salary goes to the contractor, worker gets pocket money {i}",
    "tourist visa only, work permit made there, pay fee first {i}",
    "new girls every week, manager takes the bookings {i}",
]
_BENIGN = [
    "sofa set for sale, three seater, good condition {i}",
    "tuition for class {i} maths and science, evening batch",
    "licensed agency, employer pays the visa, passport stays with you {i}",
    "room for rent near the metro, family preferred {i}",
]


def _data() -> tuple[list[str], np.ndarray, np.ndarray]:
    texts = [t.format(i=i) for i in range(12) for t in _LURES + _BENIGN]
    y = np.array(
        [int(k < len(_LURES)) for _ in range(12) for k in range(len(_LURES) + len(_BENIGN))]
    )
    return texts, np.zeros((len(texts), 1)), y


def _fit(weight: float):
    texts, dense, y = _data()
    s = dataclasses.replace(TrainSettings(), char_weight=weight, min_df=1, jobs=1)
    vec, clf, decision = fit_fold(texts, dense, y, s, eval_texts=texts, eval_dense=dense)
    words = len(vec.transformer_list[0][1].vocabulary_)
    chars = len(vec.transformer_list[1][1].vocabulary_)
    return vec, clf, decision, words, chars, texts, dense


def test_the_saved_coefficients_score_what_the_fit_saw() -> None:
    vec, clf, decision, _, _, texts, dense = _fit(0.5)
    X = sp.hstack([vec.transform(texts), sp.csr_matrix(dense)], format="csr")
    assert np.allclose(X @ clf.coef_[0] + clf.intercept_[0], decision)


def test_a_lower_char_weight_moves_evidence_into_words() -> None:
    _, full, _, words, chars, _, _ = _fit(1.0)
    _, half, _, words_h, chars_h, _, _ = _fit(0.5)
    assert (words, chars) == (words_h, chars_h)

    def word_share(clf) -> float:
        coef = np.abs(clf.coef_[0])
        return coef[:words].sum() / coef[: words + chars].sum()

    assert word_share(half) > word_share(full)
