"""``trafficscan rules list | test | lint``: show, test and validate the rule packs.

Each returns an exit status instead of exiting, so tests can call them directly. Rich is
imported inside the functions: ``trafficscan score`` never pays for it through this module.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from trafficscan.core.errors import EXIT_INPUT, EXIT_OK, EXIT_UNEXPECTED, InputError

if TYPE_CHECKING:
    from rich.console import Console

    from trafficscan.score.rules.engine import RuleSet


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _load(extra_dirs: Sequence[Path], console: Console) -> RuleSet | None:
    """The rule set, or ``None`` after printing every problem (the caller exits 2)."""
    from trafficscan.score.rules.loader import load_rules

    try:
        return load_rules(extra_dirs)
    except InputError as err:
        n = len(err.problems)
        console.print(f"[bold red]error:[/] {n} problem{'s' * (n != 1)} in the rule packs")
        for problem in err.problems:
            console.out(f"  • {problem}", highlight=False)
        return None


def list_command(extra_dirs: Sequence[Path], fmt: str = "table") -> int:
    """Print every rule: a table for people, or a JSON array with all fields for tools."""
    ruleset = _load(extra_dirs, _console(stderr=True))
    if ruleset is None:
        return EXIT_INPUT
    if fmt == "json":
        sys.stdout.write(
            json.dumps([r.to_dict() for r in ruleset.rules], ensure_ascii=False, indent=2) + "\n"
        )
        return EXIT_OK
    from rich.table import Table

    table = Table(title=f"{len(ruleset)} rules in {len(ruleset.packs)} packs")
    # short columns never wrap; title and place share what is left
    table.add_column("id", no_wrap=True)
    table.add_column("category", no_wrap=True)
    table.add_column("weight", justify="right", no_wrap=True)
    table.add_column("patterns", justify="right", no_wrap=True)
    table.add_column("title", ratio=3, min_width=20)
    table.add_column("where", ratio=1, overflow="fold")
    from rich.markup import escape

    for rule in ruleset.rules:  # rule files are user input: escaped before rich renders them
        table.add_row(
            escape(rule.id),
            escape(rule.category),
            f"{rule.weight:.2f}",
            str(len(rule.patterns)),
            escape(rule.title),
            escape(rule.where),
        )
    _console().print(table)
    return EXIT_OK


def test_command(extra_dirs: Sequence[Path]) -> int:
    """Run every rule's examples through the real features stage and engine; 1 on failures."""
    from rich.markup import escape
    from rich.table import Table

    from trafficscan.score.rules.examples import ExampleRunner

    console = _console()
    ruleset = _load(extra_dirs, _console(stderr=True))
    if ruleset is None:
        return EXIT_INPUT
    runner = ExampleRunner(ruleset)
    count, failures = runner.check()
    if failures:
        table = Table(title="Failing examples", show_lines=True)
        table.add_column("rule id", overflow="fold", ratio=2)
        table.add_column("file:line", overflow="fold", ratio=2)
        table.add_column("expected", no_wrap=True)
        table.add_column("example", ratio=3)
        table.add_column("matched", ratio=1)
        for f in failures:
            table.add_row(
                escape(f.rule.id),
                escape(f.where),
                f.expected,
                escape(f.example.text),
                escape(", ".join(repr(m.text) for m in f.got)),
            )
        console.print(table)
    style = "bold red" if failures else "green"
    console.print(f"[{style}]{len(ruleset)} rules, {count} examples, {len(failures)} failures[/]")
    return EXIT_UNEXPECTED if failures else EXIT_OK


def lint_command(extra_dirs: Sequence[Path]) -> int:
    """Validate the packs: every problem with file and line, exit 2; else a one-line OK."""
    console = _console()
    ruleset = _load(extra_dirs, console)
    if ruleset is None:
        return EXIT_INPUT
    console.print(f"[green]{len(ruleset)} rules in {len(ruleset.packs)} packs OK[/]")
    return EXIT_OK
