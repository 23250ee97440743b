"""A flagged ad says which words moved the model, and the parts add up to its score."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from trafficscan.core.ad import Ad
from trafficscan.score.classifier.model import load_model
from trafficscan.score.rules import load_rules
from trafficscan.score.scorer import Scorer

SUSPICIOUS = Ad(
    source="t",
    title="Data entry job in Thailand, free ticket",
    text="Data entry job in Thailand, free ticket\nNo interview, travel on tourist visa. Passport will be "
    "kept by the company. Processing fee ₹50,000 to the agent. WhatsApp only 90000 12345.",
)
BENIGN = Ad(
    source="t",
    title="Maths tuition",
    text="Maths tuition\nMaths and science tuition for class 9 and 10, "
    "CBSE and ICSE, evening batches near the library.",
)


@pytest.fixture(scope="module")
def scorer(default_model: Path) -> Scorer:
    return Scorer(load_rules([]), load_model(default_model))


def test_flagged_ad_lists_the_words_behind_the_model_share(scorer: Scorer) -> None:
    flagged, benign = scorer.score_batch([SUSPICIOUS, BENIGN])
    assert flagged.flagged and not benign.flagged
    model = flagged.explanation["model"]
    terms = [t["term"] for t in model["terms"]]
    assert 1 <= len(terms) <= 5
    normalised = SUSPICIOUS.text.lower()
    assert all(all(w in normalised for w in t.split()) for t in terms), terms
    assert not any(t in ("will", "be", "by", "the", "to") for t in terms), (
        "function words are not quotable"
    )
    assert not any(sum(c.isdigit() for c in t) >= 4 for t in terms), (
        "contact digits never appear in terms"
    )
    weights = [t["weight"] for t in model["terms"]]
    assert weights == sorted(weights, reverse=True) and min(weights) > 0
    # the parts are the model's calibrated log-odds, split exactly
    p = flagged.model_score
    logit = math.log(p / (1 - p)) if 0 < p < 1 else None
    if (
        logit is not None and abs(logit) < 8
    ):  # with the base rate's log-odds, they add up (score has 6 decimals)
        rate = flagged.explanation["base_rate"]
        assert sum(model["parts"].values()) + math.log(rate / (1 - rate)) == pytest.approx(
            logit, abs=0.02
        )
    assert sum(model["parts"].values()) == pytest.approx(flagged.explanation["evidence"], abs=0.02)
    assert "model" not in benign.explanation, "only flagged ads carry the model's word list"


def test_terms_of_equal_weight_are_listed_in_vocabulary_order() -> None:
    """Terms a model weighs the same (words that always came together in training) come in
    vocabulary order, alphabetical for a trained model, so an ad always gets the same list."""
    import numpy as np

    from trafficscan.score.classifier.model import Batch, LoadedModel, TextBlock

    terms = sorted(
        f"term{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(40)
    )  # as sklearn orders them
    block = TextBlock("word", terms, np.ones(len(terms)), (1, 1), r"(?u)\b\w\w+\b")
    meta = {"threshold": 0.5, "features": {"rules": [], "numeric": []}}
    coef = np.ones(len(terms))
    coef[25] = 2.0
    model = LoadedModel((block,), coef, 0.0, meta, "", "")
    X = Batch((block.transform([" ".join(reversed(terms)), "termaa"]),), np.zeros((2, 0)))
    (why,) = model.explain(X, [0], top=4)
    assert [t["term"] for t in why["terms"]] == [terms[25], terms[0], terms[1], terms[2]]
    assert len({t["weight"] for t in why["terms"][1:]}) == 1
