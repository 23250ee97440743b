"""The published JSON Schema of ``trafficscan/flagged/v1`` holds for what the tool writes.

The schema is the contract other units' tools read outputs by, so it is checked against real
outputs (the bundled demo scanned with and without ``--redact``, with state, and ``score``
of a file with its own columns), against the golden files, and against broken items that a
reader must be able to reject.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
SCHEMA_ID = "urn:trafficscan:schema:flagged:v1"


def _schema() -> dict[str, Any]:
    return json.loads(
        resources.files("trafficscan.output")
        .joinpath("flagged.v1.schema.json")
        .read_text(encoding="utf-8")
    )


def _validator(ref: str = "") -> Draft202012Validator:
    """The envelope's validator, or one for ``#/$defs/<ref>`` (a JSONL line is an item)."""
    schema = _schema()
    if not ref:
        return Draft202012Validator(schema)
    registry = Registry().with_resource(SCHEMA_ID, Resource.from_contents(schema))
    return Draft202012Validator({"$ref": f"{SCHEMA_ID}#/$defs/{ref}"}, registry=registry)


def _errors(doc: Any, ref: str = "") -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(ref).iter_errors(doc)
    ]


def test_schema_is_valid_and_published_twice_alike() -> None:
    Draft202012Validator.check_schema(_schema())
    package = resources.files("trafficscan.output").joinpath("flagged.v1.schema.json").read_bytes()
    assert (ROOT / "docs" / "flagged.v1.schema.json").read_bytes() == package
    assert _schema()["$defs"]["envelope"]["properties"]["schema"] == {
        "const": "trafficscan/flagged/v1"
    }


def test_golden_files_validate() -> None:
    assert _errors(json.loads((GOLDEN / "flagged.json").read_text(encoding="utf-8"))) == []
    for name in ("flagged.jsonl", "flagged-redacted.jsonl"):
        lines = (GOLDEN / name).read_text(encoding="utf-8").splitlines()
        assert lines
        for line in lines:
            assert _errors(json.loads(line), "item") == [], name


# ------------------------------------------------------------------------ real outputs

ADS = [
    {
        "id": "case-1",
        "title": "New girls at spa",
        "price": "₹2000",
        "location": "Pune",
        "body": "Just 18, new in town. Manager books. Call 90000 12345 or mail desk@example.org",
        "case_ref": "FIR-17",
        "tags": ["spa", "pune"],
    },
    {
        "id": "case-2",
        "text": "Data entry job Thailand, tourist visa, fee 50,000. "
        "Telegram @hr_desk_demo only, passport kept by agent.",
        "case_ref": "FIR-18",
    },
    {
        "text": "Maths tuition class 10, Kothrud. Call 90000 12345",
        "url": "https://example.org/tuition/1",
    },
]


def _real_outputs(work: Path) -> dict[str, Path]:
    """Real outputs of the CLI in ``work``: the demo scanned with state and with ``--redact``,
    and ``score`` of a file with its own columns, as JSON and JSONL."""
    (work / "ads.jsonl").write_text("".join(json.dumps(a) + "\n" for a in ADS), encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1"}
    runs = {
        "scan-state.json": ["scan", "--state", "state.db", "--all"],
        "scan-redacted.json": ["scan", "--no-state", "--all", "--redact"],
        "score.json": ["score", "ads.jsonl", "--all", "--cluster", "--format", "json"],
        "score.jsonl": ["score", "ads.jsonl", "--all", "--format", "jsonl"],
    }
    for out, args in runs.items():
        r = subprocess.run(
            [sys.executable, "-m", "trafficscan", *args, "-o", out, "-q"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert r.returncode == 0, (args, r.stderr)
    return {name: work / name for name in runs}


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_real_outputs_validate(tmp_path: Path) -> None:
    """One test for all real outputs: the four CLI runs are made once (a module fixture would
    run them again on every xdist worker that takes one of several tests)."""
    outputs = _real_outputs(tmp_path)
    for name in ("scan-state.json", "scan-redacted.json", "score.json"):
        doc = _load(outputs[name])
        assert doc["items"], f"{name}: no items, so the validation below would prove nothing"
        assert _errors(doc) == [], name
    lines = outputs["score.jsonl"].read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(ADS)
    for line in lines:
        assert _errors(json.loads(line), "item") == [], line

    # the outputs exercise what the schema describes beyond the SPEC, else the validation
    # above would not speak for those parts
    state = _load(outputs["scan-state.json"])["items"]
    assert any("evidence" in i for i in state) and all("first_seen" in i for i in state)
    assert all("cluster" in i for i in state)
    assert any(i["explanation"].get("indicators") for i in state)
    # whether an item of the demo scores over the threshold with no stated indicator depends on
    # the model; the schema must take the note either way
    unflagged = next(i for i in state if not i["flagged"])
    noted = {
        **unflagged,
        "explanation": {
            **unflagged["explanation"],
            "not_flagged": "no stated indicator (generic words only)",
        },
    }
    assert _errors(noted, "item") == []
    assert any(h.get("context") for i in state for h in i["rules"])
    redacted = _load(outputs["scan-redacted.json"])["items"]
    assert all(i["redacted"] is True and "contacts" in i for i in redacted)
    assert any(i["entities"]["phones"] for i in redacted)
    scored = _load(outputs["score.json"])["items"]
    assert {i["extra"]["case_ref"] for i in scored if "extra" in i} == {"FIR-17", "FIR-18"}
    assert all("cluster" in i for i in scored)


# ---------------------------------------------------------------------- broken items


def _golden_item() -> dict[str, Any]:
    return json.loads((GOLDEN / "flagged.json").read_text(encoding="utf-8"))["items"][0]


def _broken(change) -> list[str]:
    item = copy.deepcopy(_golden_item())
    change(item)
    return _errors(item, "item")


@pytest.mark.parametrize(
    ("what", "change", "complaint"),
    [
        ("no score", lambda i: i.pop("score"), "'score' is a required property"),
        ("score as text", lambda i: i.update(score="0.91"), "is not of type 'number'"),
        ("score above 1", lambda i: i.update(score=1.5), "greater than the maximum"),
        ("flagged as text", lambda i: i.update(flagged="yes"), "is not of type 'boolean'"),
        ("unknown field", lambda i: i.update(scroe=0.9), "Additional properties"),
        (
            "phone not E.164",
            lambda i: i["entities"].update(phones=["90000 12345"]),
            "does not match",
        ),
        ("entities lose a list", lambda i: i["entities"].pop("emails"), "'emails' is a required"),
        ("match without offsets", lambda i: i["rules"][0]["matches"][0].pop("start"), "'start'"),
        ("negative offset", lambda i: i["rules"][0]["matches"][0].update(start=-1), "minimum"),
        ("hit without matches", lambda i: i["rules"][0].update(matches=[]), "should be non-empty"),
        ("cluster without size", lambda i: i.update(cluster={"id": "c-1"}), "'size'"),
        (
            "redacted without contacts",
            lambda i: i.update(redacted=True),
            "'contacts' is a dependency",
        ),
        (
            "raw phone in a redacted item",
            lambda i: i.update(redacted=True, contacts=[]),
            "does not match",
        ),
        ("first_seen alone", lambda i: i.update(first_seen="2026-01-01T00:00:00Z"), "dependency"),
        (
            "bad indicator",
            lambda i: i["explanation"].update(indicators=[{"kind": "rule"}]),
            "valid",
        ),
    ],
)
def test_broken_item_is_rejected(what: str, change, complaint: str) -> None:
    errors = _broken(change)
    assert errors, what
    assert any(complaint in e for e in errors), errors


def test_broken_envelope_is_rejected() -> None:
    doc = json.loads((GOLDEN / "flagged.json").read_text(encoding="utf-8"))
    assert _errors(doc) == []
    for change in (
        lambda d: d.update(schema="trafficscan/flagged/v2"),
        lambda d: d.pop("scan"),
        lambda d: d["items"][1].pop("score"),
        lambda d: d["scan"].update(pages_fetched="3"),
        lambda d: d.update(generated_at="1 Jan 2026"),
    ):
        broken = copy.deepcopy(doc)
        change(broken)
        assert _errors(broken), broken
