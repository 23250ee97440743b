"""Validation: every broken fixture pack yields a message naming its file, line and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from rule_helpers import FIXTURES, rule_yaml, write_pack

from trafficscan.core.errors import InputError, Problem
from trafficscan.score.rules import CATEGORIES, ENTITY_NAMES, load_rules
from trafficscan.score.rules.loader import PACK_SCHEMA
from trafficscan.score.rules.spec import (
    DEFAULT_WITHIN,
    MAX_WITHIN,
    STATUSES,
    Entity,
    Keywords,
    Near,
    Regex,
)

SCHEMA = Path(__file__).resolve().parents[2] / "rules" / "schema.json"

# fixture folder -> [(file, line, key, words the message must contain)], in reporting order
CASES: dict[str, list[tuple[str, int | None, str | None, str]]] = {
    "unknown_key": [("pack.yaml", 5, "[0].patern", "unknown key 'patern'")],
    "unknown_category": [("pack.yaml", 3, "[0].category", "unknown category 'yuoth'")],
    "duplicate_ids": [
        ("b.yaml", 13, "id", "duplicate id 'test.same-id': also defined at {dir}/a.yaml:1")
    ],
    "bad_regex": [("pack.yaml", 7, "[0].patterns[1].regex", "regex does not compile: missing )")],
    "regex_lookaround": [("pack.yaml", 6, "[0].patterns[0].regex", "lookaround is not supported")],
    "regex_backref": [
        ("pack.yaml", 6, "[0].patterns[0].regex", "backreferences are not supported")
    ],
    "regex_uppercase": [
        ("pack.yaml", 6, "[0].patterns[0].regex", "regex has upper-case letters (G, N)")
    ],
    "regex_empty": [("pack.yaml", 6, "[0].patterns[0].regex", "matches empty text")],
    "weight_out_of_range": [("pack.yaml", 4, "[0].weight", "1.5 is out of range: allowed 0 to 1")],
    "missing_title": [("pack.yaml", 1, "[0]", "missing key 'title'")],
    "missing_references": [("pack.yaml", 1, "[0]", "missing key 'references'")],
    "missing_examples": [("pack.yaml", 1, "[0]", "missing key 'examples'")],
    "missing_no_match": [("pack.yaml", 8, "[0].examples", "missing key 'no_match'")],
    "empty_patterns": [("pack.yaml", 5, "[0].patterns", "must not be an empty list")],
    "empty_pattern": [("pack.yaml", 7, "[0].patterns[1]", "empty pattern")],
    "unknown_pattern_form": [
        ("pack.yaml", 6, "[0].patterns[0].keyword", "unknown pattern form 'keyword'")
    ],
    "bad_within": [
        (
            "pack.yaml",
            6,
            "[0].patterns[0].near.within",
            "0 is out of range: allowed 1 to 50",
        )
    ],
    "near_without_with": [
        ("pack.yaml", 6, "[0].patterns[0].near", "give exactly one of 'with' and 'with_entity'")
    ],
    "unknown_entity": [("pack.yaml", 6, "[0].patterns[0].entity", "unknown entity 'minor_ages'")],
    "empty_keywords": [("pack.yaml", 6, "[0].patterns[0].keywords", "must not be an empty list")],
    "non_string_keyword": [
        ("pack.yaml", 8, "[0].patterns[0].keywords[1]", "must be text, not a number"),
        ("pack.yaml", 9, "[0].patterns[0].keywords[2]", "must be text, not yes/no"),
    ],
    "bad_id": [
        ("pack.yaml", 1, "[0].id", "invalid id 'Test Bad_ID'"),
        ("pack.yaml", 5, "[0].status", "unknown status 'beta'"),
    ],
    "invalid_yaml": [("pack.yaml", 4, None, "invalid YAML")],
    "not_a_list": [("pack.yaml", 1, None, "must be a list, not a mapping")],
    "many_problems": [
        ("pack.yaml", 3, "[0].title", "must not be empty"),
        ("pack.yaml", 5, "[0].weight", "-0.1 is out of range: allowed 0 to 1"),
        ("pack.yaml", 7, "[0].patterns[0].regex", "lookaround is not supported"),
        ("pack.yaml", 8, "[0].references", "must not be an empty list"),
        ("pack.yaml", 11, "[0].examples.no_match", "must not be an empty list"),
        ("pack.yaml", 15, "[1].category", "unknown category 'nope'"),
        ("pack.yaml", 18, "[1].patterns[0].near.terms", "must not be an empty list"),
        ("pack.yaml", 18, "[1].patterns[0].near.with_entity", "unknown entity 'ages'"),
        ("pack.yaml", 18, "[1].patterns[0].near.within", "not 'five'"),
        ("pack.yaml", 19, "[1].unless[0]", "must not be empty"),
        ("pack.yaml", 24, "[1].examples.maybe", "unknown key 'maybe'"),
    ],
}


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(InputError) as info:
        load_rules([folder], bundled=False)
    return info.value.problems


def test_every_fixture_has_a_case():
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == sorted(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_pack_message_names_file_line_and_key(case: str):
    folder = FIXTURES / case
    problems = problems_of(folder)
    expected = CASES[case]
    assert len(problems) == len(expected), "\n".join(map(str, problems))
    for problem, (file, line, key, words) in zip(problems, expected, strict=True):
        assert Path(problem.file).resolve() == (folder / file).resolve()
        assert problem.line == line, str(problem)
        assert problem.key == key, str(problem)
        words = words.replace("{dir}", str(Path(problems[0].file).parent))
        assert words in problem.message, str(problem)
        assert str(problem).startswith(f"{problem.file}:{line}: "), str(problem)


def test_close_misspellings_get_a_did_you_mean_hint():
    hints = [
        p.hint
        for case in ("unknown_key", "unknown_category", "unknown_entity", "unknown_pattern_form")
        for p in problems_of(FIXTURES / case)
    ]
    assert hints == [
        "did you mean 'patterns'?",
        "did you mean 'youth'?",
        "did you mean 'minor_age'?",
        "did you mean 'keywords'?",
    ]


def test_problems_from_several_packs_come_together(tmp_path: Path):
    for case in ("unknown_key", "bad_regex", "invalid_yaml"):
        (tmp_path / f"{case}.yaml").write_text((FIXTURES / case / "pack.yaml").read_text())
    problems = problems_of(tmp_path)
    assert [Path(p.file).name for p in problems] == [
        "bad_regex.yaml",
        "invalid_yaml.yaml",
        "unknown_key.yaml",
    ]


def test_missing_folder_and_folder_without_packs(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "yml").mkdir()
    (tmp_path / "yml" / "pack.yml").write_text("[]")
    with pytest.raises(InputError) as info:
        load_rules([tmp_path / "nope", tmp_path / "empty", tmp_path / "yml"], bundled=False)
    messages = [(p.message, p.hint) for p in info.value.problems]
    assert messages[0][0] == "not a folder of rule packs"
    assert messages[1][0] == "no *.yaml rule packs here"
    assert messages[2] == ("no *.yaml rule packs here", "rename *.yml to *.yaml")


def test_valid_pack_becomes_rules_with_lines(tmp_path: Path):
    write_pack(
        tmp_path,
        """
        # a comment line
        - id: youth.test-one
          title: One
          description: Why it matters.
          category: youth
          weight: 1
          status: experimental
          tags: [a, b]
          patterns:
            - keywords: ["new girl"]
            - regex: 'fresh'
            - near: {terms: ["girl"], with_entity: minor_age}
          requires:
            - near: {terms: ["a"], with: ["b"], within: 2}
          unless: ["helpline"]
          references: ["ref"]
          examples:
            match:
              - "new girl"
            no_match: ["old"]
        """,
    )
    rule = load_rules([tmp_path], bundled=False).rules[0]
    assert rule.line == 2 and rule.where.endswith("pack.yaml:2")
    assert rule.weight == 1.0 and isinstance(rule.weight, float)
    assert rule.patterns == (
        Keywords(("new girl",)),
        Regex("fresh"),
        Near(terms=("girl",), within=5, with_entity="minor_age"),
    )
    assert rule.requires == (Near(terms=("a",), within=2, with_=("b",)),)
    assert [e.line for e in rule.match_examples] == [19]
    assert [e.line for e in rule.no_match_examples] == [20]
    d = rule.to_dict()
    assert d["examples"] == {"match": ["new girl"], "no_match": ["old"]}
    assert d["patterns"][2] == {
        "near": {"terms": ["girl"], "with_entity": "minor_age", "within": 5}
    }
    assert (d["status"], d["tags"], d["description"]) == (
        "experimental",
        ["a", "b"],
        "Why it matters.",
    )
    json.dumps(d)


def test_packs_load_sorted_after_the_bundled_ones(tmp_path: Path, no_bundled: Path):
    write_pack(no_bundled, rule_yaml("b.bundled", 'patterns:\n  - keywords: ["x"]'))
    write_pack(tmp_path / "extra", rule_yaml("z.first", 'patterns:\n  - keywords: ["x"]'), "a.yaml")
    write_pack(
        tmp_path / "extra", rule_yaml("a.second", 'patterns:\n  - keywords: ["x"]'), "b.yaml"
    )
    rs = load_rules([tmp_path / "extra"])
    assert [r.id for r in rs.rules] == ["b.bundled", "z.first", "a.second"]
    assert len(rs.packs) == 3
    # the same folder given twice (or the bundled folder again) is loaded once
    assert len(load_rules([no_bundled, tmp_path / "extra", tmp_path / "extra"])) == 3


def test_editor_schema_is_the_schema_the_loader_uses():
    """docs/rules.md points editors at rules/schema.json: it must be the loader's own file."""
    assert SCHEMA.read_bytes() == PACK_SCHEMA.read_bytes()


def test_schema_lists_are_the_code_lists():
    schema = json.loads(PACK_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    rule = schema["$defs"]["rule"]["properties"]
    near = schema["$defs"]["pattern"]["properties"]["near"]["properties"]
    assert rule["category"]["enum"] == list(CATEGORIES), (
        "update pack.schema.json and rules/schema.json"
    )
    assert rule["status"]["enum"] == list(STATUSES)
    assert schema["$defs"]["entity_name"]["enum"] == list(ENTITY_NAMES), "update both schema files"
    assert (near["within"]["maximum"], near["within"]["default"]) == (MAX_WITHIN, DEFAULT_WITHIN)


def test_every_key_the_schema_allows_reaches_the_rule(tmp_path: Path):
    schema = json.loads(PACK_SCHEMA.read_text(encoding="utf-8"))
    write_pack(tmp_path, rule_yaml("youth.keys", 'patterns:\n  - keywords: ["x"]'))
    listed = load_rules([tmp_path], bundled=False).rules[0].to_dict()
    assert set(schema["$defs"]["rule"]["properties"]) == set(listed) - {"file", "line"}


def test_every_entity_name_is_allowed_in_rules(tmp_path: Path):
    patterns = "".join(
        f"  - entity: {name}\n  - near: {{terms: [x], with_entity: {name}}}\n"
        for name in ENTITY_NAMES
    )
    write_pack(tmp_path, rule_yaml("youth.entities", "patterns:\n" + patterns))
    rule = load_rules([tmp_path], bundled=False).rules[0]
    assert [p.entity for p in rule.patterns if isinstance(p, Entity)] == list(ENTITY_NAMES)
    assert [p.with_entity for p in rule.patterns if isinstance(p, Near)] == list(ENTITY_NAMES)


@pytest.mark.parametrize(
    ("pattern", "key", "words", "hint"),
    [
        (
            '{keywords: ["a"], regex: "b"}',
            "[0].patterns[0]",
            "only 1 key allowed here, found 2: keywords, regex",
            "split several into one list item each",
        ),
        (
            '{keywords: ["a"], keyword: ["b"]}',
            "[0].patterns[0].keyword",
            "unknown pattern form 'keyword'",
            "did you mean 'keywords'?",
        ),
        (
            'keywords: ["\\u200b"]',
            "[0].patterns[0].keywords[0]",
            "is empty after normalisation",
            None,
        ),
        (
            'near: {terms: ["debt"], with: ["pay", "ka*"]}',
            "[0].patterns[0].near.with[1]",
            "prefix 'ka*' has a stem under three letters",
            "write the whole words, or a longer stem",
        ),
    ],
)
def test_one_problem_per_mistake(
    tmp_path: Path, pattern: str, key: str, words: str, hint: str | None
):
    write_pack(tmp_path, rule_yaml("youth.one", f"patterns:\n  - {pattern}"))
    (problem,) = problems_of(tmp_path)
    assert problem.key == key and words in problem.message, str(problem)
    assert hint is None or hint in (problem.hint or ""), str(problem)


def test_nan_weight_is_not_a_number(tmp_path: Path):
    pack = rule_yaml("youth.nan", 'patterns:\n  - keywords: ["a"]').replace("0.4", ".nan")
    write_pack(tmp_path, pack)
    (problem,) = problems_of(tmp_path)
    assert (problem.key, problem.message) == ("[0].weight", "must be a number, not nan")


def test_duplicate_id_shows_beside_a_broken_rule(tmp_path: Path):
    """One lint run shows both: the broken rule does not hide its valid neighbour's clash."""
    body = 'patterns:\n  - keywords: ["x"]'
    write_pack(tmp_path, rule_yaml("youth.same", body), "a.yaml")
    write_pack(
        tmp_path,
        rule_yaml("youth.same", body) + rule_yaml("youth.other", body, category="yuoth"),
        "b.yaml",
    )
    assert [(Path(p.file).name, p.key, p.message.split(":")[0]) for p in problems_of(tmp_path)] == [
        ("b.yaml", "[1].category", "unknown category 'yuoth'"),
        ("b.yaml", "id", "duplicate id 'youth.same'"),
    ]
