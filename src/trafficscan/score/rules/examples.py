"""Run rules' own examples through the real features stage and engine.

Shared by ``trafficscan rules test`` and the pytest suite, so both judge a rule the same way:
a ``match`` example must make the rule fire (after ``unless`` and ``requires``), a
``no_match`` example must not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from trafficscan.core.ad import Match
from trafficscan.score.rules.engine import FeaturesLike, RuleSet
from trafficscan.score.rules.spec import Example, Rule

Extract = Callable[[str], FeaturesLike]


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    """An example that did not behave as its rule promised."""

    rule: Rule
    example: Example
    expected_match: bool
    got: list[Match] = field(default_factory=list)

    @property
    def where(self) -> str:
        line = self.example.line if self.example.line is not None else self.rule.line
        return f"{self.rule.file}:{line}" if line is not None else self.rule.file

    @property
    def expected(self) -> str:
        return "match" if self.expected_match else "no match"

    def __str__(self) -> str:
        got = ", ".join(repr(m.text) for m in self.got) or "no hit"
        return (
            f"{self.where}: {self.rule.id}: expected {self.expected} on "
            f"{self.example.text!r}, got {got}"
        )


def default_extract() -> Extract:
    """The real features stage: examples are judged exactly as ads are scored."""
    from trafficscan.features import extract

    return extract


class ExampleRunner:
    """Runs examples, extracting each distinct text once (texts repeat across rules)."""

    def __init__(self, ruleset: RuleSet, extract: Extract | None = None) -> None:
        self.ruleset = ruleset
        self.extract = extract or default_extract()
        self._cache: dict[str, dict[str, list[Match]]] = {}

    def hits(self, text: str) -> dict[str, list[Match]]:
        found = self._cache.get(text)
        if found is None:
            found = {h.rule_id: h.matches for h in self.ruleset.match(self.extract(text))}
            self._cache[text] = found
        return found

    def check_rule(self, rule: Rule) -> list[ExampleFailure]:
        failures: list[ExampleFailure] = []
        for expected, examples in ((True, rule.match_examples), (False, rule.no_match_examples)):
            for example in examples:
                got = self.hits(example.text).get(rule.id)
                if (got is not None) != expected:
                    failures.append(ExampleFailure(rule, example, expected, got or []))
        return failures

    def check(self, rules: Iterable[Rule] | None = None) -> tuple[int, list[ExampleFailure]]:
        """(examples run, failures) over ``rules`` (default: the whole set)."""
        count = 0
        failures: list[ExampleFailure] = []
        for rule in self.ruleset.rules if rules is None else rules:
            count += len(rule.match_examples) + len(rule.no_match_examples)
            failures.extend(self.check_rule(rule))
        return count, failures
