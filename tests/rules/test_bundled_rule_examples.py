"""Every bundled rule's own examples, one test per rule id, through the real features stage.

A failure names the rule, the file:line of each failing example and what matched. This is the
semgrep discipline: a rule whose examples don't pass doesn't ship.
"""

from __future__ import annotations

import pytest

from trafficscan.core.errors import InputError
from trafficscan.score.rules import RuleSet, load_rules
from trafficscan.score.rules.examples import ExampleRunner


def _load() -> tuple[RuleSet | None, str]:
    try:
        return load_rules(), ""
    except InputError as err:
        return None, str(err)


RULESET, LOAD_ERROR = _load()
RULE_IDS = [r.id for r in RULESET.rules] if RULESET else []


@pytest.fixture(scope="module")
def runner() -> ExampleRunner:
    assert RULESET is not None
    return ExampleRunner(RULESET)


def test_bundled_packs_are_valid():
    assert RULESET is not None, f"bundled rule packs do not validate:\n{LOAD_ERROR}"


@pytest.mark.parametrize(
    "rule_id",
    RULE_IDS or [pytest.param("-", marks=pytest.mark.skip(reason="no valid bundled rules"))],
)
def test_rule_examples(rule_id: str, runner: ExampleRunner):
    assert RULESET is not None
    rule = RULESET.get(rule_id)
    assert rule is not None
    failures = runner.check_rule(rule)
    assert not failures, "\n".join(str(f) for f in failures)
