"""Findings: every recognizer's result in one shape, spans that quote the ad exactly, normal
forms equal to the output's entities, a registry that is the rules' list of entity names, and a
confidence that is lower when a number had to be decoded."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from trafficscan.core.finding import DEOBFUSCATED, INFERRED, STATED, Finding
from trafficscan.features import ENTITY_NAMES, extract
from trafficscan.features.findings import CONTACT_KINDS
from trafficscan.features.recognizers import KINDS, RECOGNIZERS, SIGNALS
from trafficscan.output.redact import normal_contacts

ROOT = Path(__file__).resolve().parents[2]

#: Ads with every kind of finding, plain and disguised (fictional numbers, example.* domains).
TEXTS = [
    "Call nine zero zero zero zero one two three four five or 9000012346 whatsapp only. "
    "Mail rosy [at] example [dot] com. 2 girls age 16, Rs 5000 per hour. Job in Dubai, "
    "Myawaddy. t.me/rosy_page https://example.org/x, fee 300 USD.",
    "New girls 18-22 at spa in Pune. WhatsApp only ९०००० १२३४५, no calls. Telegram @hr_desk.",
    "Housemaid wanted, age 14 to 16, 3 ladkiyan, Rs 8k per month. Contact 8 0 0 0 0 1 2 3 4 5.",
    "Job in Bangkok, ₹1,20,000/month, visa free. Email hr@example.net, call +91 90000-54321.",
    "Just 19. WhatsApp nau zero zero zero zero ek do teen char paanch for booking. Snap: rosy_19",
    "",
    "Delivery partner, own bike, weekly payout. No contact here.",
]


def corpus_texts(n: int = 400) -> list[str]:
    rows = []
    for path in sorted((ROOT / "data" / "corpus").glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            rec = json.loads(line)
            rows.append(f"{rec.get('title', '')}\n{rec.get('body', '')}")
    return rows[:: max(1, len(rows) // n)]


ALL_TEXTS = TEXTS + corpus_texts()


# One test over all texts (not one test id per text): a failure names the text.


def test_every_finding_quotes_the_text_and_is_a_registered_name() -> None:
    for text in ALL_TEXTS:
        found = extract(text).findings()
        for x in found:
            assert isinstance(x, Finding)
            assert text[x.start : x.end] == x.value and x.start < x.end, (text, x)
            assert x.kind in ENTITY_NAMES, (text, x)
            assert x.confidence in (STATED, DEOBFUSCATED, INFERRED), (text, x)
            assert x.explanation and x.normalized, (text, x)
        assert list(found) == sorted(found, key=lambda x: (x.start, -x.end, x.kind)), text


def test_signal_findings_are_the_spans_rules_see() -> None:
    """A finding of kind ``name`` exists exactly where ``entity_spans(name)`` says, for every
    name rules may use: one model, whichever way it is read."""
    for text in ALL_TEXTS:
        f = extract(text)
        found = f.findings()
        for name in ENTITY_NAMES:
            spans = sorted({(x.start, x.end) for x in found if x.kind == name})
            assert spans == f.entity_spans(name), (name, text)


def test_contact_normal_forms_equal_the_output_entities() -> None:
    for text in ALL_TEXTS:
        f = extract(text)
        ents = f.entities()
        found = f.findings()
        assert {x.normalized for x in found if x.kind == "phone"} == set(ents["phones"]), text
        assert {x.normalized for x in found if x.kind == "email"} == set(ents["emails"]), text
        handles = {c.value for c in normal_contacts({"handles": ents["handles"]})}
        assert {x.normalized for x in found if x.kind == "handle"} == handles, text
        # what redaction masks: the contact findings, and nothing else
        assert f.contact_findings() == tuple(x for x in found if x.kind in CONTACT_KINDS), text


def test_the_kinds_found_in_an_ad_with_everything() -> None:
    found = extract(TEXTS[0]).findings()
    by_kind = {k: [x for x in found if x.kind == k] for k in {x.kind for x in found}}
    assert [x.normalized for x in by_kind["phone"]] == ["+919000012345", "+919000012346"]
    assert by_kind["email"][0].normalized == "rosy@example.com"
    assert {x.normalized for x in by_kind["handle"]} == {
        "whatsapp:+919000012346",
        "telegram:rosy_page",
    }
    assert [x.normalized for x in by_kind["age"]] == ["16"]
    assert by_kind["minor_age"][0].explanation == "age 16 stated: under 18"
    assert [x.normalized for x in by_kind["price"]] == ["5000 INR/hour", "300 USD"]
    assert [x.normalized for x in by_kind["foreign_currency"]] == ["300 USD"]
    assert [x.normalized for x in by_kind["scam_hub"]] == ["Myawaddy"]
    assert [x.normalized for x in by_kind["person"]] == ["2 girls"]
    assert by_kind["phone"][0].explanation == (
        "Indian phone number written in words or letters for digits"
    )
    ranged = extract("Girls age 18-22 wanted").findings()
    assert [(x.kind, x.normalized) for x in ranged] == [("age", "18-22"), ("young_age", "18-22")]


@pytest.mark.parametrize(
    ("disguised", "how"),
    [
        ("nine zero zero zero zero one two three four five", "words or letters"),
        ("९०००० १२३४५", "Indic or full-width digits"),
        ("9 0 0 0 0 1 2 3 4 5", "unusual spacing"),
    ],
)
def test_a_decoded_number_has_lower_confidence_than_a_plain_one(disguised: str, how: str) -> None:
    plain = [x for x in extract("Call 90000 12345 now").findings() if x.kind == "phone"]
    decoded = [x for x in extract(f"Call {disguised} now").findings() if x.kind == "phone"]
    assert plain[0].normalized == decoded[0].normalized == "+919000012345"
    assert plain[0].confidence == STATED
    assert decoded[0].confidence == DEOBFUSCATED < plain[0].confidence
    assert how in decoded[0].explanation


def test_inferred_findings_rest_on_context() -> None:
    """A number named beside WhatsApp is taken as its account, and "messaging only" rests on
    what the ad does not offer: both inferred, below what the text states."""
    found = extract("New girls. WhatsApp 90000 12345 only, no calls.").findings()
    handle = next(x for x in found if x.kind == "handle")
    assert handle.normalized == "whatsapp:+919000012345" and handle.confidence == INFERRED
    only = [x for x in found if x.kind == "messaging_only_contact"]
    assert only and all(x.confidence == INFERRED for x in only)
    mail = extract("mail rosy@example.com or rosy [at] example [dot] org").findings()
    assert [x.confidence for x in mail if x.kind == "email"] == [STATED, DEOBFUSCATED]


def test_the_registry_is_the_list_of_entity_names() -> None:
    signals = tuple(s.name for s in SIGNALS)
    assert (*signals, *(k for k in KINDS if k not in signals)) == ENTITY_NAMES
    assert set(ENTITY_NAMES) == set(KINDS) | set(signals)
    # every recognizer is a module of its own, and the one that finds persons is one too
    import importlib

    for r in RECOGNIZERS:
        assert importlib.import_module(r.module).__doc__, r.module
    assert "trafficscan.features.persons" in {r.module for r in RECOGNIZERS}
    from trafficscan.score.rules import ENTITY_NAMES as RULE_NAMES

    assert RULE_NAMES == ENTITY_NAMES


def _pack(tmp_path: Path, entity: str) -> Path:
    folder = tmp_path / f"pack-{entity}"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        f"- id: youth.finding-{entity.replace('_', '-')}\n"
        "  title: Names an entity\n  category: youth\n  weight: 0.5\n"
        f"  patterns:\n    - entity: {entity}\n"
        '  references: ["test"]\n'
        "  examples:\n    match: ['x']\n    no_match: ['y']\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("name", ["minor_age", "person", "office_address", "emoji", "phones"])
def test_rule_packs_may_name_registered_entities_only(name: str, tmp_path: Path, trafficscan):
    """``rules lint`` accepts a registered name and refuses anything else with exit 2, naming
    the file, the line and the name."""
    run = trafficscan("rules", "lint", "--rules", str(_pack(tmp_path, name)))
    if name in ENTITY_NAMES:
        assert run.code == 0, run.out + run.err
    else:
        assert run.code == 2, run.out + run.err
        assert (
            "pack.yaml:6" in run.out + run.err and f"unknown entity '{name}'" in run.out + run.err
        )


def test_findings_pickle_between_processes() -> None:
    """ScoredAd carries findings, and scored ads may be sent to another of our processes."""
    found = extract(TEXTS[0]).findings()
    assert pickle.loads(pickle.dumps(found)) == found
    with pytest.raises(AttributeError):
        found[0].start = 3  # type: ignore[misc]
