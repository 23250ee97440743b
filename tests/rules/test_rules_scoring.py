"""The docs/rules.md formula: categories combine by noisy-OR, repeats don't, awareness dampens."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trafficscan.core.ad import RuleHit
from trafficscan.score.rules import CATEGORIES, score_hits


def hit(category: str, weight: float, rid: str | None = None) -> RuleHit:
    return RuleHit(rule_id=rid or f"{category}.r{weight}", category=category, weight=weight)


def test_no_hits_score_zero():
    s = score_hits([])
    assert (s.score, s.base, s.dampening, s.by_category, s.awareness) == (0.0, 0.0, 0.0, {}, [])


def test_two_hits_in_one_category_do_not_add():
    s = score_hits([hit("youth", 0.4), hit("youth", 0.3, "youth.other")])
    assert s.score == pytest.approx(0.4)
    assert s.by_category == {"youth": 0.4}
    assert s.contributions == {"youth": pytest.approx(0.4)}


def test_two_categories_combine_by_noisy_or():
    s = score_hits([hit("youth", 0.4), hit("movement", 0.3)])
    assert s.score == pytest.approx(1 - 0.6 * 0.7)  # 0.58: two weak flags cross 0.5
    assert s.by_category == {"youth": 0.4, "movement": 0.3}
    assert sum(s.contributions.values()) == pytest.approx(s.score)
    assert s.contributions["youth"] > s.contributions["movement"]


def test_awareness_dampens_and_is_listed():
    s = score_hits(
        [
            hit("youth", 0.4),
            hit("payment", 0.4),
            hit("awareness", 0.5, "awareness.helpline"),
            hit("awareness", 0.2, "awareness.news"),
        ]
    )
    assert s.base == pytest.approx(1 - 0.6 * 0.6)
    assert s.dampening == pytest.approx(1 - 0.5 * 0.8)
    assert s.score == pytest.approx(s.base * 0.5 * 0.8)
    assert s.awareness == ["awareness.helpline", "awareness.news"]
    assert "awareness" not in s.by_category
    assert sum(s.contributions.values()) == pytest.approx(s.score)


def test_awareness_alone_scores_zero():
    assert score_hits([hit("awareness", 0.8)]).score == 0.0


def test_a_certain_category_takes_the_whole_score():
    s = score_hits([hit("child-sale", 1.0), hit("payment", 0.3)])
    assert s.score == 1.0
    assert s.contributions == {"child-sale": 1.0, "payment": 0.0}


def test_to_dict_is_plain_data():
    d = score_hits([hit("youth", 0.4)]).to_dict()
    assert d["score"] == pytest.approx(0.4) and d["by_category"] == {"youth": 0.4}


hits_strategy = st.lists(
    st.builds(hit, st.sampled_from(CATEGORIES), st.floats(0, 1), st.text(min_size=1, max_size=5)),
    max_size=12,
)


@given(hits_strategy, st.sampled_from([c for c in CATEGORIES if c != "awareness"]), st.floats(0, 1))
def test_score_properties(hits, category, weight):
    s = score_hits(hits)
    assert 0.0 <= s.score <= 1.0 and 0.0 <= s.base <= 1.0 and 0.0 <= s.dampening <= 1.0
    assert math.isclose(sum(s.contributions.values()), s.score, abs_tol=1e-9)
    assert all(v >= 0 for v in s.contributions.values())
    # adding an indicator never lowers the score; order does not matter
    assert score_hits([*hits, hit(category, weight, "extra")]).score >= s.score - 1e-12
    assert math.isclose(score_hits(list(reversed(hits))).score, s.score, abs_tol=1e-12)
