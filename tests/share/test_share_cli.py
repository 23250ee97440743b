"""`trafficscan share keygen|export|match|verify` as an analyst runs them, and why `--redact`
can no longer be undone by hashing guesses."""

from __future__ import annotations

import hashlib
import hmac
import json
import stat
from pathlib import Path

import pytest

from trafficscan.core.ad import Ad
from trafficscan.output.redact import Contact, ContactHasher
from trafficscan.score.scorer import ScorerSpec
from trafficscan.share.keys import load_share_key
from trafficscan.state import StateDB

# Side A (one state) and side B (another) share a phone, an e-mail and a handle, each written
# differently; each side also has contacts the other never saw.
pytestmark = pytest.mark.slow

SIDE_A = [
    {
        "id": "a1",
        "text": "New girls at spa, manager books, advance only. Call 90000 12345. "
        "mail Madam.Rosy@example.org",
    },
    {
        "id": "a2",
        "text": "Data entry job in Thailand, tourist visa, no interview. Telegram @hr_desk_demo only.",
    },
    {"id": "a3", "text": "Just 18, new in town, home service. Call 80000 55555."},
]
SIDE_B = [
    {
        "id": "b1",
        "text": "Fresh girls, agent books, advance payment. Call nine zero zero zero zero "
        "one two three four five.",
    },
    {
        "id": "b2",
        "text": "Girls needed for hotel work in Dubai, free visa. madam.rosy [at] example [dot] org",
    },
    {
        "id": "b3",
        "text": "Casino job in Sihanoukville, passport kept by company. t.me/HR_desk_demo",
    },
    {"id": "b4", "text": "New model in town, manager books. WhatsApp ९०००० ७७७७७"},
]
SHARED = {
    ("phone", "+919000012345"),
    ("email", "madam.rosy@example.org"),
    ("handle", "telegram:hr_desk_demo"),
}


def _flagged(trafficscan, tmp_path: Path, name: str, rows: list[dict]) -> Path:
    src = tmp_path / f"{name}.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    r = trafficscan(
        "score", str(src), "--all", "--no-model", "-o", f"{name}-flagged.json", "--jobs", "1", "-q"
    )
    assert r.code == 0, r.err
    return tmp_path / f"{name}-flagged.json"


def _export(trafficscan, flagged: Path, key: str, out: str, *extra: str) -> dict:
    r = trafficscan("share", "export", str(flagged), "--key", key, "-o", out, *extra)
    assert r.code == 0, r.err
    return json.loads((flagged.parent / out).read_text(encoding="utf-8"))


def test_keygen_writes_private_keys_and_refuses_to_overwrite(trafficscan, tmp_path: Path) -> None:
    r = trafficscan("share", "keygen", "-o", "unit.key")
    assert r.code == 0, r.err
    assert stat.S_IMODE((tmp_path / "unit.key").stat().st_mode) == 0o600
    key = load_share_key(tmp_path / "unit.key")
    assert len(key.secret) == 32 and key.key_id in r.err
    again = trafficscan("share", "keygen", "-o", "unit.key")
    assert again.code == 2 and "already exists" in again.err
    assert load_share_key(tmp_path / "unit.key").secret == key.secret
    r = trafficscan("share", "keygen", "--signing", "-o", "signer")
    assert r.code == 0, r.err
    assert stat.S_IMODE((tmp_path / "signer").stat().st_mode) == 0o600
    assert (tmp_path / "signer.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")


def test_keys_readable_by_others_are_refused(trafficscan, tmp_path: Path) -> None:
    flagged = _flagged(trafficscan, tmp_path, "a", SIDE_A)
    assert trafficscan("share", "keygen", "-o", "unit.key").code == 0
    assert trafficscan("share", "keygen", "--signing", "-o", "signer").code == 0
    (tmp_path / "unit.key").chmod(0o644)
    r = trafficscan("share", "export", str(flagged), "--key", "unit.key", "-o", "out.json")
    assert r.code == 2 and "chmod 600 unit.key" in r.err and not (tmp_path / "out.json").exists()
    (tmp_path / "unit.key").chmod(0o600)
    (tmp_path / "signer").chmod(0o640)
    r = trafficscan(
        "share", "export", str(flagged), "--key", "unit.key", "-o", "out.json", "--sign", "signer"
    )
    assert r.code == 2 and "chmod 600 signer" in r.err and not (tmp_path / "out.json").exists()
    (tmp_path / "bad.key").write_text("not a key\n")
    (tmp_path / "bad.key").chmod(0o600)
    r = trafficscan("share", "export", str(flagged), "--key", "bad.key", "-o", "out.json")
    assert r.code == 2 and "bad.key" in r.err and "share keygen" in r.err


def test_export_hashes_contacts_and_keeps_the_indicators(trafficscan, tmp_path: Path) -> None:
    flagged = _flagged(trafficscan, tmp_path, "a", SIDE_A)
    assert trafficscan("share", "keygen", "-o", "unit.key").code == 0
    doc = _export(trafficscan, flagged, "unit.key", "a.share.json", "--unit", "Assam CID")
    assert stat.S_IMODE((tmp_path / "a.share.json").stat().st_mode) == 0o600
    assert doc["schema"] == "trafficscan/share/v1" and doc["unit"] == "Assam CID"
    raw = (tmp_path / "a.share.json").read_text(encoding="utf-8")
    for contact in (
        "90000 12345",
        "9000012345",
        "Madam.Rosy",
        "madam.rosy",
        "hr_desk_demo",
        "80000 55555",
    ):
        assert contact not in raw
    hasher = ContactHasher(load_share_key(tmp_path / "unit.key").secret)
    hashes = {c["hash"] for item in doc["items"] for c in item["contacts"]}
    assert hasher.hash(Contact("phone", "+919000012345")) in hashes
    spa = next(i for i in doc["items"] if "spa" in i["text"])
    assert "third-party-control" in spa["categories"] and spa["score"] > 0
    assert "Call [phone:" in spa["text"]


def test_two_exports_match_exactly_their_common_contacts(trafficscan, tmp_path: Path) -> None:
    a = _flagged(trafficscan, tmp_path, "a", SIDE_A)
    b = _flagged(trafficscan, tmp_path, "b", SIDE_B)
    assert trafficscan("share", "keygen", "-o", "unit.key").code == 0
    _export(trafficscan, a, "unit.key", "assam.json")
    doc_b = _export(trafficscan, b, "unit.key", "delhi.json")
    r = trafficscan("share", "match", "assam.json", "delhi.json", "--format", "json")
    assert r.code == 0, r.err
    found = json.loads(r.out)
    hasher = ContactHasher(load_share_key(tmp_path / "unit.key").secret)
    expected = {hasher.hash(Contact(kind, value)): kind for kind, value in SHARED}
    assert {m["hash"]: m["kind"] for m in found} == expected
    ids_b = {i["text"][:12]: i["id"] for i in doc_b["items"]}
    phone = next(m for m in found if m["kind"] == "phone")
    assert set(phone["ads"]) == {"assam.json", "delhi.json"}
    assert phone["ads"]["delhi.json"] == [ids_b["Fresh girls,"]]
    table = trafficscan("share", "match", "assam.json", "delhi.json")
    assert table.code == 0 and "3 contacts in common" in table.out


def test_a_wrong_key_matches_nothing(trafficscan, tmp_path: Path) -> None:
    a = _flagged(trafficscan, tmp_path, "a", SIDE_A)
    b = _flagged(trafficscan, tmp_path, "b", SIDE_B)
    assert trafficscan("share", "keygen", "-o", "ours.key").code == 0
    assert trafficscan("share", "keygen", "-o", "theirs.key").code == 0
    _export(trafficscan, a, "ours.key", "assam.json")
    _export(trafficscan, b, "theirs.key", "delhi.json")
    r = trafficscan("share", "match", "assam.json", "delhi.json", "--format", "json")
    assert r.code == 0 and json.loads(r.out) == []
    assert "different keys" in r.err


def _local_state(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "state.sqlite3"
    scorer = ScorerSpec(rules=(), model="", threshold=0.0).build()
    items = scorer.score_batch(
        [Ad(source="ours", url=f"https://example.org/{r['id']}", body=r["text"]) for r in rows]
    )
    with StateDB.open(path) as db:
        scan = db.begin_scan(["ours"], "2026-12-01T00:00:00Z")
        db.record(scan, items)
        db.finish_scan(scan, status="completed", counts={}, errors=[])
    return path


def test_match_against_the_local_history_names_our_ads(trafficscan, tmp_path: Path) -> None:
    b = _flagged(trafficscan, tmp_path, "b", SIDE_B)
    ours = [
        {"id": f"o{n}", "text": f"Spa therapist wanted, branch {n}. Call 90000-12345"}
        for n in range(14)
    ]
    ours.append({"id": "o-other", "text": "Tuition class 10, call 80000 22222"})
    state = _local_state(tmp_path, ours)
    assert trafficscan("share", "keygen", "-o", "unit.key").code == 0
    assert trafficscan("share", "keygen", "-o", "other.key").code == 0
    _export(trafficscan, b, "unit.key", "delhi.json", "--unit", "Delhi Police")
    r = trafficscan(
        "share",
        "match",
        "delhi.json",
        "--key",
        "unit.key",
        "--state",
        str(state),
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    found = json.loads(r.out)
    assert len(found) == 1 and found[0]["kind"] == "phone"
    assert len(found[0]["ads"]["local"]) == 14
    table = trafficscan("share", "match", "delhi.json", "--key", "unit.key", "--state", str(state))
    assert "is one we saw in 14 of our ads" in table.out and "Delhi Police" in table.out
    wrong = trafficscan(
        "share",
        "match",
        "delhi.json",
        "--key",
        "other.key",
        "--state",
        str(state),
        "--format",
        "json",
    )
    assert wrong.code == 0 and json.loads(wrong.out) == [] and "another key" in wrong.err


def test_signed_file_verifies_and_an_edit_fails_with_exit_5(trafficscan, tmp_path: Path) -> None:
    a = _flagged(trafficscan, tmp_path, "a", SIDE_A)
    assert trafficscan("share", "keygen", "-o", "unit.key").code == 0
    assert trafficscan("share", "keygen", "--signing", "-o", "assam").code == 0
    assert trafficscan("share", "keygen", "--signing", "-o", "someone").code == 0
    doc = _export(trafficscan, a, "unit.key", "assam.json", "--sign", "assam")
    assert doc["signature"]["algorithm"] == "ed25519"
    ok = trafficscan("share", "verify", "assam.json", "--public-key", "assam.pub")
    assert ok.code == 0, ok.err
    doc["items"][0]["score"] = 0.01  # a single edited value, still valid JSON
    (tmp_path / "edited.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    bad = trafficscan("share", "verify", "edited.json", "--public-key", "assam.pub")
    assert bad.code == 5 and "does not hold" in bad.err
    other = trafficscan("share", "verify", "assam.json", "--public-key", "someone.pub")
    assert other.code == 5 and "another key" in other.err
    unsigned = _export(trafficscan, a, "unit.key", "plain.json")
    assert "signature" not in unsigned
    assert trafficscan("share", "verify", "plain.json", "--public-key", "assam.pub").code == 5


def test_hashing_every_candidate_number_cannot_undo_redact(trafficscan, tmp_path: Path) -> None:
    """All 10^5 numbers of the 90000 xxxxx block, hashed every way a key-less attacker could
    (the old unkeyed mask, plain SHA-256, HMAC under guessable keys): none gives the mask. With
    the share key the same search finds the number, so the search itself works."""
    src = tmp_path / "ads.jsonl"
    src.write_text(
        json.dumps({"id": "x", "text": "New girls, manager books. Call 90000 31472"}) + "\n"
    )
    r = trafficscan("score", str(src), "--all", "--redact", "-f", "jsonl", "-o", "-", "--jobs", "1")
    assert r.code == 0, r.err
    item = json.loads(r.out)
    mask = item["entities"]["phones"][0]
    assert mask in item["text"] and "31472" not in r.out
    published = {c["hash"] for c in item["contacts"]} | {mask}

    def attacker_guesses(number: str) -> set[str]:
        value = number.encode()
        old = "[phone:" + hashlib.sha256(b"phone:" + value).hexdigest()[:10] + "]"
        guesses = {old, hashlib.sha256(value).hexdigest()}
        for key in (b"", bytes(32), b"trafficscan"):
            h = hmac.new(key, value, hashlib.sha256).hexdigest()
            guesses |= {h, ContactHasher(key.ljust(16, b"\0")).mask(Contact("phone", number))}
        return guesses

    candidates = [f"+9190000{n:05d}" for n in range(100_000)]
    assert not any(attacker_guesses(n) & published for n in candidates)
    # with the key (what a participating unit holds) the search succeeds
    assert trafficscan("share", "keygen", "-o", "unit.key").code == 0
    r = trafficscan(
        "score",
        str(src),
        "--all",
        "--redact-key",
        "unit.key",
        "-f",
        "jsonl",
        "-o",
        "-",
        "--jobs",
        "1",
    )
    keyed = json.loads(r.out)
    hasher = ContactHasher(load_share_key(tmp_path / "unit.key").secret)
    hits = [
        n for n in candidates if hasher.hash(Contact("phone", n)) == keyed["contacts"][0]["hash"]
    ]
    assert hits == ["+919000031472"]
    assert keyed["entities"]["phones"][0] == hasher.mask(Contact("phone", "+919000031472"))


def test_redacted_or_foreign_files_are_refused(trafficscan, tmp_path: Path) -> None:
    src = tmp_path / "ads.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in SIDE_A), encoding="utf-8")
    assert (
        trafficscan(
            "score", str(src), "--all", "--redact", "-f", "jsonl", "-o", "red.jsonl", "-q"
        ).code
        == 0
    )
    assert trafficscan("share", "keygen", "-o", "unit.key").code == 0
    r = trafficscan("share", "export", "red.jsonl", "--key", "unit.key", "-o", "out.json")
    assert r.code == 2 and "is redacted" in r.err and not (tmp_path / "out.json").exists()
    r = trafficscan("share", "match", "red.jsonl", "ads.jsonl")
    assert r.code == 2 and "red.jsonl" in r.err and "share export" in r.err
