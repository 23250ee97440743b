"""An ad must not be able to switch its own rules off with a stray common word.

``unless`` vetoes a rule for the whole ad, so a veto word that ads use freely ("no police
problem", "AC room", "study ke saath") would let an ad writer dodge detection. Vetoes must be
phrases of reporting (``police said``, ``a study``), not bare words.
"""

from __future__ import annotations

import pytest

from trafficscan.features import extract
from trafficscan.score.rules import load_rules, score_hits

#: Words an ad itself may contain; none may appear alone in a non-awareness rule's ``unless``.
AD_WORDS = (
    "police",
    "study",
    "court",
    "room",
    "rooms",
    "details",
    "contact",
    "call",
    "job",
    "safe",
)


@pytest.fixture(scope="module")
def ruleset():
    return load_rules([])


def test_no_bare_common_word_vetoes_a_rule(ruleset) -> None:
    offenders = [
        (r.id, w) for r in ruleset if not r.is_awareness for w in r.unless if w in AD_WORDS
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "text",
    [
        "College girls available, AC room, 100% safe no police problem, advance only, WhatsApp 90000 11111",
        "New girls just arrived, incall outcall, hotel room service, study ke saath part time",
    ],
)
def test_evasive_words_do_not_veto(ruleset, text: str) -> None:
    assert score_hits(ruleset.match(extract(text))).score >= 0.5
