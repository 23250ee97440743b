"""``labels export`` / ``labels import``: JSONL labelled ad records, all-or-nothing import."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from trafficscan.review.verdicts import Verdict, VerdictStore, text_hash
from trafficscan.state import StateDB

CLEARED = "Hotel housekeeping staff needed, 8 hour shift, salary by bank. Call 90000 44444"
CONFIRMED = "New girls 16 years, passport with agent, room provided. Call 80000 55555"


def _seed(db: Path) -> None:
    with VerdictStore.open(db, create=True) as store:
        store.put(
            Verdict.for_record(
                {"id": "c1", "text": CLEARED, "source": "demo", "score": 0.7},
                "not_signal",
                "asha",
                note="hotel job, genuine",
                labelled_at="2026-11-20T09:30:00Z",
            )
        )
        store.put(
            Verdict.for_record(
                {"id": "c2", "text": CONFIRMED, "source": "demo", "score": 0.97},
                "signal",
                "ravi",
                labelled_at="2026-11-20T09:31:00Z",
            )
        )
        store.put(
            Verdict.for_record({"id": "c3", "text": "Skipped ad", "score": 0.6}, "skip", "ravi")
        )


def _count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM verdicts").fetchone()[0])
    finally:
        conn.close()


def test_export_writes_labelled_ad_records_without_skips(tmp_path: Path, trafficscan) -> None:
    db = tmp_path / "state.sqlite3"
    _seed(db)
    run = trafficscan("labels", "export", "--state", str(db), "-o", "labels.jsonl")
    assert run.code == 0, run.err
    out = tmp_path / "labels.jsonl"
    assert out.stat().st_mode & 0o777 == 0o600  # the texts hold phone numbers
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows == [
        {
            "id": "c1",
            "source": "demo",
            "text": CLEARED,
            "label": 0,
            "analyst": "asha",
            "labelled_at": "2026-11-20T09:30:00Z",
            "note": "hotel job, genuine",
        },
        {
            "id": "c2",
            "source": "demo",
            "text": CONFIRMED,
            "label": 1,
            "analyst": "ravi",
            "labelled_at": "2026-11-20T09:31:00Z",
            "note": "",
        },
    ]


@pytest.mark.slow
def test_export_then_import_into_another_database_round_trips(tmp_path: Path, trafficscan) -> None:
    first, second = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    _seed(first)
    assert trafficscan("labels", "export", "--state", str(first), "-o", "l.jsonl").code == 0
    run = trafficscan("labels", "import", "l.jsonl", "--state", str(second))
    assert run.code == 0, run.err
    assert "Imported 2 labels" in run.out and "1 signal, 1 not a signal" in run.out
    with VerdictStore.open(second) as store:
        got = {
            v.ad_id: (v.label, v.analyst, v.labelled_at, v.note, v.text_hash) for v in store.all()
        }
    assert got == {
        "c1": (
            "not_signal",
            "asha",
            "2026-11-20T09:30:00Z",
            "hotel job, genuine",
            text_hash(CLEARED),
        ),
        "c2": ("signal", "ravi", "2026-11-20T09:31:00Z", "", text_hash(CONFIRMED)),
    }


def test_a_broken_file_exits_2_naming_every_bad_line_and_imports_nothing(
    tmp_path: Path, trafficscan
) -> None:
    db = tmp_path / "state.sqlite3"
    _seed(db)
    before = _count(db)
    lines = [
        json.dumps(
            {
                "text": "Cook wanted for a family in Pune. Call 90000 66666",
                "label": 0,
                "analyst": "asha",
            }
        ),  # good: would be imported if the file were whole
        '{"text": "Driver needed", "label": 1',  # cut short
        json.dumps({"text": "Tailor needed", "label": "maybe"}),
        json.dumps({"text": "", "label": 1}),
        json.dumps({"text": "Nurse wanted", "label": 1, "labelled_at": "last tuesday"}),
    ]
    (tmp_path / "bad.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = trafficscan("labels", "import", "bad.jsonl", "--state", str(db))
    assert run.code == 2
    for n, what in ((2, "not valid JSON"), (3, "label"), (4, "no text"), (5, "labelled_at")):
        assert f"bad.jsonl:{n}:" in run.err and what in run.err, (n, run.err)
    assert "bad.jsonl:1:" not in run.err
    assert _count(db) == before  # nothing half-imported


def test_import_fills_in_the_importing_analyst_and_accepts_word_labels(
    tmp_path: Path, trafficscan
) -> None:
    db = tmp_path / "state.sqlite3"
    rows = [
        {"title": "Cook wanted", "body": "Family in Pune. Call 90000 66666", "label": "not_signal"},
        {"text": "Girls needed, passport kept", "label": True, "analyst": "ravi", "note": "n"},
    ]
    (tmp_path / "l.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    run = trafficscan("labels", "import", "l.jsonl", "--state", str(db), "--analyst", "meena")
    assert run.code == 0, run.err
    with VerdictStore.open(db) as store:
        got = sorted((v.label, v.analyst, v.record["text"]) for v in store.all())
    assert got == [
        ("not_signal", "meena", "Cook wanted\nFamily in Pune. Call 90000 66666"),
        ("signal", "ravi", "Girls needed, passport kept"),
    ]


def test_export_without_a_state_database_is_an_input_error(tmp_path: Path, trafficscan) -> None:
    run = trafficscan("labels", "export", "--state", str(tmp_path / "none.sqlite3"))
    assert run.code == 2 and "none.sqlite3" in run.err and "no state database" in run.err


def test_verdicts_survive_a_reopen_of_the_state_database(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    _seed(db)
    with StateDB.open(db) as opened:  # a scan's open: migrations and recovery leave them alone
        assert opened.query("SELECT count(*) FROM verdicts") == [(3,)]


def test_verdicts_survive_pruning_the_history(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from trafficscan.state.prune import prune

    db = tmp_path / "state.sqlite3"
    _seed(db)
    with StateDB.open(db) as opened:
        prune(opened, 0, now=datetime(2030, 1, 1, tzinfo=UTC))  # everything is old
    with VerdictStore.open(db) as store:
        assert {v.ad_id for v in store.all()} == {"c1", "c2", "c3"}
