"""``rules list | test | lint``: exit codes, output, and the CLI wiring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rule_helpers import FIXTURES, rule_yaml, write_pack
from typer.testing import CliRunner

from trafficscan.cli import rules as commands
from trafficscan.cli.app import app

GOOD = rule_yaml(
    "youth.good",
    'patterns:\n  - keywords: ["new girl"]',
    match="sweet new girl",
    no_match="new job",
)
BAD_EXAMPLES = rule_yaml(
    "youth.bad", 'patterns:\n  - keywords: ["fresh"]', match="fresh face", no_match="fresh fish"
)


@pytest.fixture
def packs(tmp_path: Path, no_bundled: Path) -> Path:
    write_pack(tmp_path / "packs", GOOD)
    return tmp_path / "packs"


def test_lint_ok(packs: Path, capsys):
    assert commands.lint_command([packs]) == 0
    assert capsys.readouterr().out.strip() == "1 rules in 1 packs OK"


def test_lint_prints_every_problem_and_exits_2(no_bundled: Path, capsys):
    assert commands.lint_command([FIXTURES / "many_problems"]) == 2
    out = capsys.readouterr().out
    assert "11 problems" in out
    assert out.count("many_problems/pack.yaml:") == 11
    assert "pack.yaml:24: [1].examples.maybe: unknown key 'maybe'" in out


@pytest.mark.parametrize(
    "run",
    [
        lambda d: commands.list_command(d, "table"),
        lambda d: commands.list_command(d, "json"),
        commands.test_command,
        commands.lint_command,
    ],
)
def test_invalid_packs_exit_2_from_every_command(run, no_bundled: Path, capsys):
    assert run([FIXTURES / "duplicate_ids"]) == 2
    captured = capsys.readouterr()
    assert "duplicate id 'test.same-id'" in captured.out + captured.err


def test_list_json_has_every_field_and_the_examples(packs: Path, capsys):
    assert commands.list_command([packs], "json") == 0
    rules = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rules] == ["youth.good"]
    assert rules[0]["examples"] == {"match": ["sweet new girl"], "no_match": ["new job"]}
    assert {
        "title",
        "category",
        "weight",
        "patterns",
        "references",
        "unless",
        "requires",
        "file",
        "line",
    } <= set(rules[0])


def test_list_table(packs: Path, capsys):
    assert commands.list_command([packs], "table") == 0
    out = capsys.readouterr().out
    assert "youth.good" in out and "1 rules in 1 packs" in out


def test_rules_test_passes(packs: Path, capsys):
    assert commands.test_command([packs]) == 0
    assert "1 rules, 2 examples, 0 failures" in capsys.readouterr().out


def test_rules_test_reports_failures_with_file_and_line(
    tmp_path: Path, no_bundled: Path, capsys, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("COLUMNS", "400")  # keep the long tmp path on one line
    write_pack(tmp_path / "p", GOOD + BAD_EXAMPLES)
    assert commands.test_command([tmp_path / "p"]) == 1
    out = capsys.readouterr().out
    assert "youth.bad" in out and "no match" in out and "fresh fish" in out
    assert "pack.yaml:20" in out  # the no_match example of the second rule
    assert "2 rules, 4 examples, 1 failures" in out


def test_cli_wiring(packs: Path):
    runner = CliRunner()
    result = runner.invoke(app, ["rules", "lint", "--rules", str(packs)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["rules", "list", "--format", "json", "--rules", str(packs)])
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["id"] == "youth.good"
    result = runner.invoke(app, ["rules", "lint", "--rules", str(FIXTURES / "bad_regex")])
    assert result.exit_code == 2
