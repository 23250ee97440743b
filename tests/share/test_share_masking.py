"""Masking by span: no contact survives a share export or ``--redact``, in any spelling the
extractor reads (property tests over generated ads), and masks are keyed and consistent."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trafficscan.core.ad import Ad
from trafficscan.features import extract
from trafficscan.features.contact_keys import contacts_of
from trafficscan.output.items import item_to_dict, redact_item
from trafficscan.output.redact import (
    MASK_ALPHABET,
    Contact,
    ContactHasher,
    mask_text,
    normal_contacts,
)
from trafficscan.score.scorer import Scorer, ScorerSpec
from trafficscan.share.export import _raw_contacts, check_document, share_item

KEY = b"k" * 32
HASHER = ContactHasher(KEY)

_EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_HI = ["shunya", "ek", "do", "teen", "char", "paanch", "chhe", "saat", "aath", "nau"]
_DEV_WORDS = ["शून्य", "एक", "दो", "तीन", "चार", "पांच", "छह", "सात", "आठ", "नौ"]
_DEV_DIGITS = "०१२३४५६७८९"


def spell(number: str, style: str) -> str:
    """A 10-digit Indian mobile written the ways ads write it to slip past filters."""
    if style == "plain":
        return number
    if style == "split":
        return f"{number[:5]} {number[5:]}"
    if style == "e164":
        return f"+91 {number[:5]}-{number[5:]}"
    if style == "spaced":
        return " ".join(number)
    if style == "dotted":
        return ".".join([number[:3], number[3:6], number[6:]])
    if style == "english":
        return " ".join(_EN[int(d)] for d in number)
    if style == "hinglish":
        return " ".join(_HI[int(d)] for d in number)
    if style == "devanagari-words":
        return " ".join(_DEV_WORDS[int(d)] for d in number)
    if style == "devanagari-digits":
        return "".join(_DEV_DIGITS[int(d)] for d in number)
    if style == "mixed":
        return number[:5] + " " + " ".join(_EN[int(d)] for d in number[5:])
    raise AssertionError(style)


PHONE_STYLES = [
    "plain",
    "split",
    "e164",
    "spaced",
    "dotted",
    "english",
    "hinglish",
    "devanagari-words",
    "devanagari-digits",
    "mixed",
]
phones = st.builds(
    lambda block, rest: block + f"{rest:05d}",
    st.sampled_from(["90000", "80000"]),
    st.integers(0, 99_999),
)
names = st.text("abcdefghkmnprtuvwyz", min_size=4, max_size=10)
emails = st.tuples(
    names,
    st.sampled_from(["example.com", "example.org", "example.net"]),
    st.sampled_from(["plain", "upper", "at-dot"]),
)
handles = st.tuples(
    st.sampled_from(["telegram @{}", "Telegram: {}", "t.me/{}", "insta @{}", "instagram.com/{}"]),
    names,
)
fillers = st.sampled_from(
    [
        "New girls at spa, manager books, advance only.",
        "Data entry job in Thailand, tourist visa.",
        "Just 18, new in town.",
        "Salary 50,000 per month, no interview.",
        "Call now.",
        "",
        "काम के लिए संपर्क करें।",
        "Free stay for girls, age 18-25.",
    ]
)


def _email(name: str, domain: str, style: str) -> str:
    if style == "upper":
        return f"{name.upper()}@{domain}"
    if style == "at-dot":
        host, tld = domain.split(".")
        return f"{name} [at] {host} [dot] {tld}"
    return f"{name}@{domain}"


@st.composite
def ads(draw: Any) -> str:
    parts = [draw(fillers)]
    for _ in range(draw(st.integers(1, 3))):
        parts.append("Call " + spell(draw(phones), draw(st.sampled_from(PHONE_STYLES))) + ".")
        parts.append(draw(fillers))
    if draw(st.booleans()):
        parts.append("mail " + _email(*draw(emails)))
    if draw(st.booleans()):
        pattern, name = draw(handles)
        parts.append(pattern.format(name))
    parts.append(draw(fillers))
    return " ".join(p for p in parts if p)


_SCORER: Scorer | None = None


def scored(text: str) -> dict[str, Any]:
    """The ad as ``score`` writes it: real rules, entities and explanation (no model: fast)."""
    global _SCORER
    if _SCORER is None:
        _SCORER = ScorerSpec(rules=(), model="", threshold=0.0).build()
    return item_to_dict(_SCORER.score_batch([Ad(source="test", title="", body=text)])[0])


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() if k not in ("hash", "id") for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def assert_nothing_left(doc: dict[str, Any], original: dict[str, Any]) -> None:
    """No string of ``doc`` holds a contact the extractor reads, nor a raw input contact, nor
    the digits of an input number once every other character is taken away. (The extractor is
    called directly, not through the masking code under test.)"""
    national = [c.value[3:] for c in normal_contacts(original["entities"]) if c.kind == "phone"]
    for s in _strings(doc):
        f = extract(s)
        assert (f.phones, f.emails, f.handles) == ([], [], []), s
        digits = "".join(str(unicodedata.decimal(ch)) for ch in s if ch.isdecimal())
        assert not any(n in digits for n in national), s
    dumped = json.dumps(doc, ensure_ascii=False).casefold()
    for c in normal_contacts(original["entities"]):
        assert c.value.casefold() not in dumped


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ads())
def test_no_contact_survives_a_share_export(text: str) -> None:
    item = scored(text)
    assert item["entities"]["phones"], (
        f"the generator must make contacts the extractor reads: {text}"
    )
    doc = share_item(item, HASHER, "test")
    check_document(doc, _raw_contacts([item]), where="test")  # the export's own proof
    assert_nothing_left(doc, item)
    # every contact of the ad is there, as its keyed hash
    hashes = {c["hash"] for c in doc["contacts"]}
    assert {HASHER.hash(c) for c in normal_contacts(item["entities"])} <= hashes


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ads())
def test_no_contact_survives_redaction_and_masks_agree(text: str) -> None:
    item = scored(text)
    red = redact_item(item, KEY)
    assert_nothing_left({k: v for k, v in red.items() if k != "contacts"}, item)
    for mask in red["entities"]["phones"]:
        assert mask.startswith("[phone:")
    # every mask in the text is one of the entities' (one mask per contact everywhere)
    listed = {c["mask"] for c in red["contacts"]}
    for mask in red["entities"]["phones"] + red["entities"]["emails"]:
        assert mask in listed
    assert all(m in red["text"] for m in red["entities"]["phones"])


@pytest.mark.parametrize(("style", "number"), [(s, "9000012345") for s in PHONE_STYLES])
def test_each_spelling_is_masked_to_the_same_mask(style: str, number: str) -> None:
    masked = mask_text(f"Call {spell(number, style)} now", HASHER)
    assert masked.text == f"Call {HASHER.mask(Contact('phone', '+91' + number))} now", style


def test_masks_spell_the_hash_without_digits() -> None:
    c = Contact("phone", "+919000012345")
    mask = HASHER.mask(c)
    code = mask[len("[phone:") : -1]
    assert set(code) <= set(MASK_ALPHABET) and len(code) == 16
    assert code == HASHER.hash(c)[:16].translate(str.maketrans("0123456789abcdef", MASK_ALPHABET))


def test_normal_form_is_the_state_databases() -> None:
    """The same contact hashes alike from a flagged file and from the local history."""
    ents = {
        "phones": ["+919000012345"],
        "emails": ["Madam@Example.org"],
        "handles": [{"platform": "Telegram", "value": "@HR_desk"}],
    }
    state = contacts_of(ents)
    assert [(c.kind, c.value) for c in normal_contacts(ents)] == [
        ("phone", state[0][1]),
        ("email", state[1][1]),
        ("handle", "telegram:" + state[2][1]),
    ]
    assert normal_contacts(ents)[2].value == "telegram:hr_desk"


def test_spans_are_repointed_around_masks() -> None:
    text = "Just 18. Call 90000 12345 now. Manager books."
    masked = mask_text(text, HASHER)
    s = text.index("Manager books")
    ns, ne = masked.span(s, s + len("Manager books"))
    assert masked.text[ns:ne] == "Manager books"
    p = text.index("90000")
    ps, pe = masked.span(p + 2, p + 4)  # inside the number: stretched over the whole mask
    assert masked.text[ps:pe] == HASHER.mask(Contact("phone", "+919000012345"))
    assert masked.span(0, 7) == (0, 7)


def test_share_item_keeps_indicators_and_drops_the_rest() -> None:
    item = scored("New girls at spa, manager books, advance only. Call 90000 12345. Just 18.")
    item.update(
        url="https://example.org/ad/call-9000012345",
        seen_with={"count": 3, "ads": []},
        cluster={"id": "c-1", "size": 4},
        first_seen="2026-12-01T00:00:00Z",
        evidence={
            "warc": "evidence/x.warc.gz",
            "record_id": "<urn:uuid:1>",
            "sha256": "ab" * 32,
            "fetched_at": "2026-12-01T00:00:00Z",
        },
    )
    doc = share_item(item, HASHER, "t")
    assert "url" not in doc and "explanation" not in doc and doc["id"] != item["id"]
    assert doc["id"] == HASHER.keyed_id(item["id"])
    assert {"third-party-control", "youth"} <= set(doc["categories"])
    kept = [m for r in doc["rules"] for m in r["matches"]]
    assert kept and all(doc["text"][m["start"] : m["end"]] == m["text"] for m in kept)
    assert doc["cluster_size"] == 4 and doc["seen_with_count"] == 3
    assert doc["evidence"]["sha256"] == "ab" * 32 and doc["first_seen"] == "2026-12-01T00:00:00Z"
    assert doc["contacts"] == [
        {
            "kind": "phone",
            "hash": HASHER.hash(Contact("phone", "+919000012345")),
            "mask": HASHER.mask(Contact("phone", "+919000012345")),
        }
    ]


def test_links_in_shared_texts_keep_only_their_domain() -> None:
    item = scored(
        "Jobs abroad, see https://www.example.org/jobs?ref=call-9000012345 or t.me/hr_desk_demo"
    )
    doc = share_item(item, HASHER, "t")
    assert "[link:example.org]" in doc["text"] and "9000012345" not in json.dumps(doc)
    assert "hr_desk_demo" not in json.dumps(doc)
