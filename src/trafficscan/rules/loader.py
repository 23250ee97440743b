"""Read rule packs and validate every field, reporting ALL problems at once with file and line.

Modelled on pySigma: each field has a small validator function that returns the parsed value
(or ``None``) and records problems; checks that need the whole set (duplicate ids across
packs) run in a final step. An analyst fixing a pack sees every mistake in one run of
``trafficscan rules lint`` instead of one per run.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from trafficscan.errors import InputError, Problem
from trafficscan.resources import bundled_rules_dir
from trafficscan.rules.engine import RuleSet, compile_regex, normalize_phrase
from trafficscan.rules.model import (
    CATEGORIES,
    DEFAULT_WITHIN,
    ENTITY_NAMES,
    MAX_WITHIN,
    STATUSES,
    Entity,
    Example,
    Keywords,
    Near,
    Pattern,
    Regex,
    Rule,
)
from trafficscan.yamlsrc import KeyPath, Located, load_located

RULE_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "description",
    "category",
    "weight",
    "patterns",
    "requires",
    "unless",
    "references",
    "examples",
    "status",
    "tags",
)
REQUIRED_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "category",
    "weight",
    "patterns",
    "references",
    "examples",
)
PATTERN_FORMS: tuple[str, ...] = ("keywords", "regex", "near", "entity")
NEAR_KEYS: tuple[str, ...] = ("terms", "with", "with_entity", "within")
EXAMPLE_KEYS: tuple[str, ...] = ("match", "no_match")
ID_RE = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")


class Checker:
    """Collects problems for one pack; every validator reports through it."""

    def __init__(self, located: Located) -> None:
        self.loc = located
        self.problems: list[Problem] = []

    def error(self, path: KeyPath, message: str, hint: str | None = None) -> None:
        self.problems.append(self.loc.problem(path, message, hint))


def _did_you_mean(key: str, choices: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _allowed(choices: Sequence[str]) -> str:
    return "one of: " + ", ".join(choices)


# --- small field validators -------------------------------------------------------------------


def check_text(ck: Checker, value: Any, path: KeyPath) -> str | None:
    """A non-empty string."""
    if not isinstance(value, str):
        ck.error(path, f"must be text, not {_kind(value)}")
        return None
    if not value.strip():
        ck.error(path, "must not be empty")
        return None
    return value.strip()


def check_id(ck: Checker, value: Any, path: KeyPath) -> str | None:
    text = check_text(ck, value, path)
    if text is not None and not ID_RE.match(text):
        ck.error(
            path,
            f"invalid id {text!r}",
            "use lower-case letters, digits, '.' and '-', like 'youth.just-turned-18'",
        )
        return None
    return text


def check_choice(ck: Checker, value: Any, path: KeyPath, choices: tuple[str, ...], what: str) -> str | None:
    """A text that must be one of ``choices``; else an error with a did-you-mean hint."""
    text = check_text(ck, value, path)
    if text is not None and text not in choices:
        ck.error(path, f"unknown {what} {text!r}", _did_you_mean(text, choices) or _allowed(choices))
        return None
    return text


def check_category(ck: Checker, value: Any, path: KeyPath) -> str | None:
    return check_choice(ck, value, path, CATEGORIES, "category")


def check_weight(ck: Checker, value: Any, path: KeyPath) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        ck.error(path, f"must be a number from 0 to 1, not {_kind(value)}")
        return None
    if not (0.0 <= float(value) <= 1.0) or math.isnan(value):
        ck.error(
            path,
            f"weight {value} is outside 0..1",
            "most weights are 0.2-0.5; see Scoring in docs/rules.md",
        )
        return None
    return float(value)


def check_status(ck: Checker, value: Any, path: KeyPath) -> str | None:
    text = check_text(ck, value, path)
    if text is not None and text not in STATUSES:
        ck.error(path, f"unknown status {text!r}", _allowed(STATUSES))
        return None
    return text


def check_text_list(
    ck: Checker,
    value: Any,
    path: KeyPath,
    what: str = "entries",
) -> tuple[str, ...] | None:
    """A non-empty list of non-empty strings; reports each bad entry at its own line."""
    if not isinstance(value, list):
        ck.error(path, f"must be a list of {what}, not {_kind(value)}")
        return None
    if not value:
        ck.error(path, f"must not be an empty list: give at least one of the {what}")
        return None
    out: list[str] = []
    ok = True
    for i, item in enumerate(value):
        if not isinstance(item, str):
            ck.error(
                (*path, i),
                f"must be text, not {_kind(item)}",
                "quote it: numbers and yes/no are not text in YAML",
            )
            ok = False
        elif not item.strip():
            ck.error((*path, i), "must not be empty")
            ok = False
        else:
            out.append(item)
    return tuple(out) if ok else None


def check_phrases(
    ck: Checker,
    value: Any,
    path: KeyPath,
    what: str = "keywords",
) -> tuple[str, ...] | None:
    """Keyword-like phrases: a list of text that survives normalisation."""
    phrases = check_text_list(ck, value, path, what)
    if phrases is None:
        return None
    ok = True
    for i, phrase in enumerate(phrases):
        if not normalize_phrase(phrase):
            ck.error((*path, i), f"{phrase!r} is empty after normalisation")
            ok = False
    return phrases if ok else None


def check_regex(ck: Checker, value: Any, path: KeyPath) -> Regex | None:
    if not isinstance(value, str) or not value:
        ck.error(path, "must be a non-empty regex string")
        return None
    try:
        compiled = compile_regex(value)
    except ValueError as exc:
        ck.error(
            path,
            f"regex does not compile: {exc}",
            "RE2 syntax: no lookaround, no backreferences; use unless/requires for context",
        )
        return None
    upper = _uppercase_literals(value)
    if upper:
        ck.error(
            path,
            f"regex has upper-case letters ({', '.join(upper)}) but patterns run on "
            "lower-case text, so they never match",
            "write the regex in lower case",
        )
        return None
    if compiled.search("") is not None:
        ck.error(
            path,
            f"regex {value!r} matches empty text",
            "it would fire on every ad; make at least one character required",
        )
        return None
    return Regex(value)


# escapes (\W, \p{Lu}, \x41), named-group names and POSIX classes may hold upper-case letters
_REGEX_NON_LITERALS = re.compile(r"\\[pP]\{[^}]*\}|\\[pP][A-Za-z]|\\.|\(\?P?<[^>]*>|\[:[a-z]+:\]")


def _uppercase_literals(regex: str) -> list[str]:
    """Upper-case letters a regex would have to find in case-folded text: a sure miss."""
    return sorted({ch for ch in _REGEX_NON_LITERALS.sub("", regex) if ch.isupper()})


def check_entity(ck: Checker, value: Any, path: KeyPath) -> str | None:
    return check_choice(ck, value, path, ENTITY_NAMES, "entity")


def check_near(ck: Checker, value: Any, path: KeyPath) -> Near | None:
    if not isinstance(value, dict):
        ck.error(
            path,
            f"must be a mapping with terms, with (or with_entity) and within, not {_kind(value)}",
        )
        return None
    ok = _check_keys(ck, value, path, NEAR_KEYS)
    terms = None
    if "terms" not in value:
        ck.error(path, "missing key 'terms'")
        ok = False
    else:
        terms = check_phrases(ck, value["terms"], (*path, "terms"), "terms")
    with_: tuple[str, ...] | None = ()
    entity: str | None = None
    if ("with" in value) == ("with_entity" in value):
        ck.error(path, "give exactly one of 'with' and 'with_entity'")
        ok = False
    elif "with" in value:
        with_ = check_phrases(ck, value["with"], (*path, "with"), "phrases")
    else:
        entity = check_entity(ck, value["with_entity"], (*path, "with_entity"))
        ok = ok and entity is not None
    within = DEFAULT_WITHIN
    if "within" in value:
        raw = value["within"]
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_WITHIN:
            ck.error(
                (*path, "within"),
                f"within must be a whole number of words from 1 to {MAX_WITHIN}, not {raw!r}",
                "1 means adjacent words",
            )
            ok = False
        else:
            within = raw
    if not ok or terms is None or with_ is None:
        return None
    return Near(terms=terms, within=within, with_=with_, with_entity=entity)


def check_pattern(ck: Checker, value: Any, path: KeyPath) -> Pattern | None:
    """One pattern: a mapping with exactly one of the pattern forms."""
    if not isinstance(value, dict):
        ck.error(
            path,
            f"a pattern must be a mapping like {{keywords: [...]}}, not {_kind(value)}",
            _allowed(PATTERN_FORMS),
        )
        return None
    forms = [k for k in value if k in PATTERN_FORMS]
    for key in value:
        if key not in PATTERN_FORMS:
            ck.error(
                (*path, key),
                f"unknown pattern form {key!r}",
                _did_you_mean(key, PATTERN_FORMS) or _allowed(PATTERN_FORMS),
            )
    if len(forms) != 1:
        if not forms and value:
            return None  # already reported as unknown
        ck.error(
            path,
            "a pattern needs exactly one form" if forms else "empty pattern",
            "split it into one list item per form: " + ", ".join(PATTERN_FORMS),
        )
        return None
    form = forms[0]
    sub = (*path, form)
    if form == "keywords":
        keywords = check_phrases(ck, value[form], sub)
        return Keywords(keywords) if keywords is not None else None
    if form == "regex":
        return check_regex(ck, value[form], sub)
    if form == "near":
        return check_near(ck, value[form], sub)
    entity = check_entity(ck, value[form], sub)
    return Entity(entity) if entity is not None else None


def check_patterns(ck: Checker, value: Any, path: KeyPath) -> tuple[Pattern, ...] | None:
    if not isinstance(value, list):
        ck.error(path, f"must be a list of patterns, not {_kind(value)}")
        return None
    if not value:
        ck.error(path, "must not be an empty list: give at least one pattern")
        return None
    out = [check_pattern(ck, item, (*path, i)) for i, item in enumerate(value)]
    if any(p is None for p in out):
        return None
    return tuple(p for p in out if p is not None)


def check_examples(
    ck: Checker,
    value: Any,
    path: KeyPath,
) -> tuple[tuple[Example, ...], tuple[Example, ...]] | None:
    """Both ``match`` and ``no_match``, each with at least one text: untested rules don't ship."""
    if not isinstance(value, dict):
        ck.error(path, f"must be a mapping with match and no_match lists, not {_kind(value)}")
        return None
    ok = _check_keys(ck, value, path, EXAMPLE_KEYS)
    lists: dict[str, tuple[Example, ...]] = {}
    for key in EXAMPLE_KEYS:
        if key not in value:
            ck.error(
                path,
                f"missing examples.{key}",
                "every rule needs at least one text it must match and one it must not",
            )
            ok = False
            continue
        texts = check_text_list(ck, value[key], (*path, key), "example texts")
        if texts is None:
            ok = False
            continue
        lists[key] = tuple(Example(t, ck.loc.line((*path, key, i))) for i, t in enumerate(texts))
    if not ok:
        return None
    return lists["match"], lists["no_match"]


def _check_keys(ck: Checker, value: dict[str, Any], path: KeyPath, allowed: Sequence[str]) -> bool:
    ok = True
    for key in value:
        if key not in allowed:
            ck.error(
                (*path, key),
                f"unknown key {key!r}",
                _did_you_mean(key, allowed) or _allowed(allowed),
            )
            ok = False
    return ok


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        bool: "yes/no",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


# --- one rule, one pack --------------------------------------------------------------------------

_FIELD_CHECKS: dict[str, Callable[[Checker, Any, KeyPath], Any]] = {
    "id": check_id,
    "title": check_text,
    "description": check_text,
    "category": check_category,
    "weight": check_weight,
    "patterns": check_patterns,
    "requires": check_patterns,
    "unless": lambda ck, v, p: check_phrases(ck, v, p, "words"),
    "references": lambda ck, v, p: check_text_list(ck, v, p, "references"),
    "examples": check_examples,
    "status": check_status,
    "tags": lambda ck, v, p: check_text_list(ck, v, p, "tags"),
}


def parse_rule(ck: Checker, raw: Any, path: KeyPath) -> Rule | None:
    """Validate one rule mapping; every field is checked even after the first problem."""
    if not isinstance(raw, dict):
        ck.error(path, f"a rule must be a mapping (id: ..., title: ...), not {_kind(raw)}")
        return None
    before = len(ck.problems)
    _check_keys(ck, raw, path, RULE_KEYS)
    for key in REQUIRED_KEYS:
        if key not in raw:
            ck.error(path, f"missing key {key!r}", _REQUIRED_HINTS.get(key))
    values = {
        key: check(ck, raw[key], (*path, key)) for key, check in _FIELD_CHECKS.items() if key in raw
    }
    if len(ck.problems) > before:
        return None
    match, no_match = values["examples"]
    return Rule(
        id=values["id"],
        title=values["title"],
        category=values["category"],
        weight=values["weight"],
        patterns=values["patterns"],
        references=values["references"],
        match_examples=match,
        no_match_examples=no_match,
        requires=values.get("requires") or (),
        unless=values.get("unless") or (),
        description=values.get("description") or "",
        status=values.get("status") or "stable",
        tags=values.get("tags") or (),
        file=ck.loc.file,
        line=ck.loc.line(path),
    )


_REQUIRED_HINTS = {
    "references": "say where the indicator comes from: a report, a study, a case",
    "examples": "add examples: {match: [...], no_match: [...]}",
    "patterns": "add at least one of: " + ", ".join(PATTERN_FORMS),
}


def parse_pack(located: Located) -> tuple[list[Rule], list[Problem]]:
    """All valid rules of one pack plus every problem found in it."""
    ck = Checker(located)
    data = located.data
    if data is None:
        ck.error((), "the pack is empty", "a pack is a YAML list of rules: '- id: ...'")
        return [], ck.problems
    if not isinstance(data, list):
        ck.error(
            (),
            f"a pack must be a YAML list of rules, not {_kind(data)}",
            "start each rule with '- id: ...'",
        )
        return [], ck.problems
    rules = [parse_rule(ck, raw, (i,)) for i, raw in enumerate(data)]
    return [r for r in rules if r is not None], ck.problems


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
    for check in SET_CHECKS:
        problems.extend(check(rules))
    if problems:
        raise InputError(problems)
    return RuleSet(rules, packs)
