"""Fixtures for the rule tests: packs written to tmp folders, bundled packs hidden."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rule_helpers import write_pack

from trafficscan.score.rules import RuleSet, load_rules


@pytest.fixture
def make_rules(tmp_path: Path) -> Callable[..., RuleSet]:
    """``make_rules(rule_yaml(...), rule_yaml(...))`` -> a RuleSet of just those rules."""
    counter = iter(range(1000))

    def make(*rules: str) -> RuleSet:
        folder = tmp_path / f"pack{next(counter)}"
        write_pack(folder, "".join(rules))
        return load_rules([folder], bundled=False)

    return make


@pytest.fixture
def no_bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Hide the bundled packs, so command tests see only the packs they write."""
    empty = tmp_path / "no-bundled"
    empty.mkdir()
    monkeypatch.setattr("trafficscan.score.rules.loader.bundled_rules_dir", lambda: empty)
    return empty
