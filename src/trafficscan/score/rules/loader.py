"""Read rule packs and validate them, reporting ALL problems at once with file and line.

The structure of a pack (keys, types, ranges, categories, entity names) is checked against
``pack.schema.json`` beside this module, the same file editors use (``rules/schema.json`` is
a byte-identical copy). By hand, as in pySigma, only what a schema cannot say: that a regex
compiles in RE2 and can match, that a phrase survives normalisation, and, across all packs,
that ids are unique. An analyst fixing a pack sees every mistake in one run of
``trafficscan rules lint``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from trafficscan.core.errors import InputError, Problem
from trafficscan.core.resources import bundled_rules_dir
from trafficscan.core.schema import Report, schema_path, validate
from trafficscan.core.yamlsrc import KeyPath, Located, load_located
from trafficscan.score.rules.engine import (
    RuleSet,
    compile_regex,
    normalize_phrase,
    prefix_stem_too_short,
)
from trafficscan.score.rules.spec import (
    DEFAULT_WITHIN,
    Entity,
    Example,
    Keywords,
    Near,
    Pattern,
    Regex,
    Rule,
)

PACK_SCHEMA = schema_path(__file__, "pack.schema.json")
PATTERN_LISTS: tuple[str, ...] = ("patterns", "requires")


# --- what the schema cannot say ------------------------------------------------------------------


def check_regex(report: Report, regex: str, path: KeyPath) -> None:
    """RE2 must compile it, and it must be able to match lower-case text and not match nothing."""
    try:
        compiled = compile_regex(regex)
    except ValueError as exc:
        report.add(
            path,
            f"regex does not compile: {exc}",
            "RE2 syntax: no lookaround, no backreferences; use unless/requires for context",
        )
        return
    upper = _uppercase_literals(regex)
    if upper:
        report.add(
            path,
            f"regex has upper-case letters ({', '.join(upper)}) but patterns run on "
            "lower-case text, so they never match",
            "write the regex in lower case",
        )
    elif compiled.search("") is not None:
        report.add(
            path,
            f"regex {regex!r} matches empty text",
            "it would fire on every ad; make at least one character required",
        )


# escapes (\W, \p{Lu}, \x41), named-group names and POSIX classes may hold upper-case letters
_REGEX_NON_LITERALS = re.compile(r"\\[pP]\{[^}]*\}|\\[pP][A-Za-z]|\\.|\(\?P?<[^>]*>|\[:[a-z]+:\]")


def _uppercase_literals(regex: str) -> list[str]:
    """Upper-case letters a regex would have to find in case-folded text: a sure miss."""
    return sorted({ch for ch in _REGEX_NON_LITERALS.sub("", regex) if ch.isupper()})


def check_phrases(report: Report, phrases: Any, path: KeyPath) -> None:
    """A phrase of only punctuation or spaces normalises to nothing and could never match;
    a prefix phrase (``chuk*``) with a stem under three letters would match most words."""
    for i, phrase in enumerate(phrases if isinstance(phrases, list) else ()):
        if not isinstance(phrase, str) or not phrase.strip():
            continue
        normal = normalize_phrase(phrase)
        if not normal:
            report.add((*path, i), f"{phrase!r} is empty after normalisation")
        elif prefix_stem_too_short(normal):
            report.add(
                (*path, i),
                f"prefix {phrase!r} has a stem under three letters",
                "it would match too many words; write the whole words, or a longer stem",
            )


def check_semantics(report: Report, data: Any) -> None:
    """Regexes and phrases of every rule, wherever the schema let their type through."""
    for i, rule in enumerate(data if isinstance(data, list) else ()):
        if not isinstance(rule, dict):
            continue
        check_phrases(report, rule.get("unless"), (i, "unless"))
        for key in PATTERN_LISTS:
            patterns = rule.get(key)
            for j, pattern in enumerate(patterns if isinstance(patterns, list) else ()):
                if not isinstance(pattern, dict):
                    continue
                path = (i, key, j)
                if isinstance(pattern.get("regex"), str) and pattern["regex"]:
                    check_regex(report, pattern["regex"], (*path, "regex"))
                check_phrases(report, pattern.get("keywords"), (*path, "keywords"))
                near = pattern.get("near")
                if isinstance(near, dict):
                    for part in ("terms", "with"):
                        check_phrases(report, near.get(part), (*path, "near", part))


# --- one pack: valid data to rules ---------------------------------------------------------------


def _pattern(raw: dict[str, Any]) -> Pattern:
    ((form, value),) = raw.items()  # the schema allows exactly one form
    if form == "keywords":
        return Keywords(tuple(value))
    if form == "regex":
        return Regex(value)
    if form == "entity":
        return Entity(value)
    return Near(
        terms=tuple(value["terms"]),
        within=value.get("within", DEFAULT_WITHIN),
        with_=tuple(value.get("with", ())),
        with_entity=value.get("with_entity"),
    )


def _rule(doc: Located, raw: dict[str, Any], path: KeyPath) -> Rule:
    """A rule from a mapping that passed the schema and the semantic checks."""

    def examples(key: str) -> tuple[Example, ...]:
        texts = raw["examples"][key]
        return tuple(Example(t, doc.line((*path, "examples", key, i))) for i, t in enumerate(texts))

    return Rule(
        id=raw["id"].strip(),
        title=raw["title"].strip(),
        category=raw["category"],
        weight=float(raw["weight"]),
        patterns=tuple(_pattern(p) for p in raw["patterns"]),
        references=tuple(raw["references"]),
        match_examples=examples("match"),
        no_match_examples=examples("no_match"),
        requires=tuple(_pattern(p) for p in raw.get("requires", ())),
        unless=tuple(raw.get("unless", ())),
        description=raw.get("description", "").strip(),
        status=raw.get("status", "stable"),
        tags=tuple(raw.get("tags", ())),
        file=doc.file,
        line=doc.line(path),
    )


def parse_pack(doc: Located) -> tuple[list[Rule], list[Problem]]:
    """The valid rules of one pack and every problem found in it (in file order).

    Rules without a problem still count for the set-wide checks, so a duplicate id shows up in
    the same ``rules lint`` run as a typo elsewhere in the pack."""
    report = Report(doc)
    validate(doc, PACK_SCHEMA, report)
    check_semantics(report, doc.data)
    broken = {path[0] if path else None for path in report.paths()}
    if None in broken:  # the pack itself is wrong: not a list
        return [], report.problems()
    rules = [_rule(doc, raw, (i,)) for i, raw in enumerate(doc.data) if i not in broken]
    return rules, report.problems()


# --- the set ------------------------------------------------------------------------------------


def check_duplicate_ids(rules: Sequence[Rule]) -> list[Problem]:
    """Set-wide: an id names one rule everywhere (outputs and labels refer to it)."""
    first: dict[str, Rule] = {}
    problems: list[Problem] = []
    for rule in rules:
        seen = first.get(rule.id)
        if seen is None:
            first[rule.id] = rule
            continue
        problems.append(
            Problem(
                file=rule.file,
                line=rule.line,
                key="id",
                message=f"duplicate id {rule.id!r}: also defined at {seen.where}",
                hint="ids must be unique across all packs; rename one of them",
            )
        )
    return problems


SET_CHECKS: tuple[Callable[[Sequence[Rule]], list[Problem]], ...] = (check_duplicate_ids,)


def display_path(path: Path) -> str:
    """A path as an analyst would type it: relative to the current folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def pack_files(
    extra_dirs: Sequence[Path],
    *,
    bundled: bool = True,
) -> tuple[list[Path], list[Problem]]:
    """The packs to load, in order: bundled first, then each extra folder, files sorted."""
    dirs: list[tuple[Path, bool]] = []
    if bundled:
        dirs.append((bundled_rules_dir(), True))
    dirs.extend((Path(d), False) for d in extra_dirs)
    seen: set[Path] = set()
    files: list[Path] = []
    problems: list[Problem] = []
    for folder, is_bundled in dirs:
        if not folder.is_dir():
            if not is_bundled:  # bundled packs may legitimately be absent in a bare checkout
                problems.append(
                    Problem(
                        file=str(folder),
                        message="not a folder of rule packs",
                        hint="--rules takes a folder holding *.yaml files",
                    )
                )
            continue
        resolved = folder.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        found = sorted(p for p in folder.glob("*.yaml") if p.is_file())
        if not found and not is_bundled:
            hint = (
                "rename *.yml to *.yaml"
                if any(folder.glob("*.yml"))
                else "a pack is a *.yaml file holding a list of rules"
            )
            problems.append(
                Problem(file=str(folder), message="no *.yaml rule packs here", hint=hint)
            )
        files.extend(found)
    return files, problems


def load_rules(extra_dirs: Sequence[Path] = (), *, bundled: bool = True) -> RuleSet:
    """Load, validate and compile rule packs; raise :class:`InputError` listing every problem."""
    files, problems = pack_files(extra_dirs, bundled=bundled)
    rules: list[Rule] = []
    packs: list[str] = []
    for file in files:
        name = display_path(file)
        packs.append(name)
        try:
            located = load_located(name)
        except InputError as exc:  # YAML syntax: report it and keep checking the other packs
            problems.extend(exc.problems)
            continue
        pack_rules, pack_problems = parse_pack(located)
        rules.extend(pack_rules)
        problems.extend(pack_problems)
    for set_check in SET_CHECKS:
        problems.extend(set_check(rules))
    if problems:
        raise InputError(problems)
    return RuleSet(rules, packs)
