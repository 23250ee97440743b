"""New vs seen ads, posting identity, contact links and scan bookkeeping."""

from __future__ import annotations

import copy
import dataclasses
import random
import sqlite3
import stat
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from state_helpers import make_item

from trafficscan.features.contact_keys import contacts_of
from trafficscan.state import (
    SCHEMA_VERSION,
    SEEN_WITH_LIMIT,
    Sighting,
    StateDB,
    default_state_path,
    links,
)

T1, T2, T3 = "2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"


def _scan(db: StateDB, started: str, items: list, *, status: str = "completed") -> list[Sighting]:
    """One scan of one batch; what the history said of each item, in item order."""
    scan_id = db.begin_scan(["city-classifieds"], started)
    found = db.record(scan_id, items)
    db.finish_scan(scan_id, status=status, counts={"ads_seen": len(items)}, errors=[])  # type: ignore[arg-type]
    return found


def test_ads_are_new_in_the_first_scan_and_seen_in_the_next(db: StateDB) -> None:
    first = [
        make_item("Fresh girl in town. Call.", "https://a.test/1"),
        make_item("Massage parlour staff wanted.", "https://a.test/2"),
    ]
    seen = _scan(db, T1, first)
    assert [s.is_new for s in seen] == [True, True]
    assert all(s.first_seen == T1 and s.last_seen == T1 for s in seen)

    again = [
        make_item("Fresh girl in town. Call.", "https://a.test/1"),
        make_item("Massage parlour staff wanted.", "https://a.test/2"),
        make_item("New arrival from Nepal.", "https://a.test/3"),
    ]
    seen = _scan(db, T2, again)
    assert [s.is_new for s in seen] == [False, False, True]
    assert [s.first_seen for s in seen] == [T1, T1, T2]
    assert all(s.last_seen == T2 for s in seen)
    assert sum(s.is_new for s in seen) == 1  # scan.ads_new


def test_rescan_of_unchanged_site_has_no_new_ads(db: StateDB) -> None:
    _scan(db, T1, [make_item(f"ad number {n}", f"https://a.test/{n}") for n in range(20)])
    rescan = [make_item(f"ad number {n}", f"https://a.test/{n}") for n in range(20)]
    assert sum(s.is_new for s in _scan(db, T2, rescan)) == 0


def test_content_id_ignores_spacing_and_case(db: StateDB) -> None:
    _scan(db, T1, [make_item("Young   girl NEW in city", "https://a.test/1")])
    again = [make_item("young girl new in city", "https://a.test/1")]
    assert _scan(db, T2, again)[0].is_new is False


def test_same_text_at_two_urls_is_two_postings_of_one_new_ad(db: StateDB) -> None:
    text = "Just 18, new in Mumbai. WhatsApp only."
    both = [make_item(text, "https://a.test/1"), make_item(text, "https://b.test/9")]
    seen = _scan(db, T1, both)
    assert both[0].ad.id == both[1].ad.id
    assert [s.is_new for s in seen] == [True, True]  # new content: both postings reported
    stats = db.stats()
    assert (stats.ads, stats.postings) == (1, 2)

    moved = [make_item(text, "https://c.test/5")]  # the same text re-posted elsewhere
    (seen_moved,) = _scan(db, T2, moved)
    assert seen_moved.is_new is False  # content seen before, at another URL
    assert seen_moved.first_seen == T1  # first sighting of the content, not of this URL
    assert db.stats().postings == 3


def test_new_is_order_independent_within_a_scan(db: StateDB) -> None:
    """Two postings of one new text in two batches of the same scan are both new."""
    scan_id = db.begin_scan(["s"], T1)
    one, two = (
        make_item("same words", "https://a.test/1"),
        make_item("same words", "https://a.test/2"),
    )
    assert [s.is_new for s in db.record(scan_id, [one]) + db.record(scan_id, [two])] == [
        True,
        True,
    ]


def test_seen_with_links_ads_across_sources_by_any_contact(db: StateDB) -> None:
    older = make_item(
        "Rooms for girls, agent arranges travel.",
        "https://a.test/1",
        source="city-classifieds",
        phones=["+919811023456"],
    )
    assert _scan(db, T1, [older])[0].seen_with is None  # nothing shared yet

    other_source = make_item(
        "Different words entirely, ask for Priya.",
        "https://b.test/7",
        source="escort-directory",
        phones=["+91 98110 23456"],
        emails=["Agent@Mail.test"],
    )
    unrelated = make_item(
        "Nothing in common.",
        "https://b.test/8",
        source="escort-directory",
        phones=["+919800000000"],
    )
    seen_other, seen_unrelated = _scan(db, T2, [other_source, unrelated])
    assert seen_other.seen_with == {
        "count": 1,
        "ads": [
            {
                "id": older.ad.id,
                "url": "https://a.test/1",
                "source": "city-classifieds",
                "first_seen": T1,
            }
        ],
    }
    assert seen_unrelated.seen_with is None

    by_handle = make_item(
        "Third one.",
        "https://c.test/1",
        source="forum",
        emails=["agent@mail.test"],
        handles=[{"platform": "telegram", "value": "@Priya_x"}],
    )
    (seen,) = _scan(db, T3, [by_handle])
    assert seen.seen_with is not None
    assert seen.seen_with["count"] == 1  # via the e-mail, case-insensitively
    assert seen.seen_with["ads"][0]["url"] == "https://b.test/7"


def test_seen_with_includes_same_text_at_another_url(db: StateDB) -> None:
    text = "Call 98110 23456 for new girls."
    first = make_item(text, "https://a.test/1", phones=["+919811023456"])
    second = make_item(text, "https://b.test/1", phones=["+919811023456"])
    _scan(db, T1, [first])
    assert _scan(db, T2, [second])[0].seen_with == {
        "count": 1,
        "ads": [
            {
                "id": first.ad.id,
                "url": "https://a.test/1",
                "source": "city-classifieds",
                "first_seen": T1,
            }
        ],
    }
    rescan = make_item(text, "https://a.test/1", phones=["+919811023456"])
    (seen,) = _scan(db, T3, [rescan])
    assert seen.seen_with is not None and seen.seen_with["count"] == 1  # never itself


def test_seen_with_within_one_scan_and_batch(db: StateDB) -> None:
    scan_id = db.begin_scan(["s"], T1)
    a = make_item("first", "https://a.test/1", phones=["+919811000001"])
    b = make_item("second", "https://a.test/2", phones=["+919811000001"])
    seen_a, seen_b = db.record(scan_id, [a, b])  # one batch: each sees the other
    assert seen_a.seen_with is not None and seen_a.seen_with["ads"][0]["url"] == "https://a.test/2"
    assert seen_b.seen_with is not None and seen_b.seen_with["ads"][0]["url"] == "https://a.test/1"
    c = make_item("third", "https://a.test/3", phones=["+919811000001"])
    (seen_c,) = db.record(scan_id, [c])  # a later batch sees the earlier ones
    assert seen_c.seen_with is not None and seen_c.seen_with["count"] == 2


def test_seen_with_lists_at_most_five_oldest_but_counts_all(db: StateDB) -> None:
    phone = ["+919811099999"]
    for n, when in enumerate([T1, T2]):
        _scan(
            db,
            when,
            [make_item(f"ring {n}-{k}", f"https://a.test/{n}/{k}", phones=phone) for k in range(4)],
        )
    probe = make_item("probe", "https://z.test/1", phones=phone)
    seen_with = _scan(db, T3, [probe])[0].seen_with
    assert seen_with is not None
    assert seen_with["count"] == 8
    assert len(seen_with["ads"]) == SEEN_WITH_LIMIT
    assert [a["first_seen"] for a in seen_with["ads"]] == [T1] * 4 + [T2]


def test_finish_scan_statuses_counts_and_errors(db: StateDB) -> None:
    ids = {}
    for status in ("completed", "interrupted", "failed"):
        scan_id = db.begin_scan(["a", "b"], "2026-11-01T10:30:00+05:30")
        errors = [{"source": "a", "url": "https://a.test/", "error": "HTTP 503 after 3 tries"}]
        db.finish_scan(
            scan_id,
            status=status,
            counts={"ads_seen": 3, "ads_new": 1},
            errors=errors,
            finished="2026-11-01T05:10:00Z",
        )
        ids[status] = scan_id
    for status, scan_id in ids.items():
        scan = db.get_scan(scan_id)
        assert scan is not None
        assert scan["status"] == status
        assert scan["started"] == "2026-11-01T05:00:00Z"  # normalised to UTC
        assert scan["finished"] == "2026-11-01T05:10:00Z"
        assert scan["sources"] == ["a", "b"]
        assert scan["counts"] == {"ads_seen": 3, "ads_new": 1}
        assert scan["errors"][0]["error"] == "HTTP 503 after 3 tries"
    assert db.stats().scans_by_status == {"completed": 1, "interrupted": 1, "failed": 1}


def test_finish_scan_refuses_bad_status_and_double_finish(db: StateDB) -> None:
    scan_id = db.begin_scan(["a"], T1)
    with pytest.raises(ValueError, match="status"):
        db.finish_scan(scan_id, status="done", counts={}, errors=[])  # type: ignore[arg-type]
    db.finish_scan(scan_id, status="completed", counts={}, errors=[])
    with pytest.raises(ValueError, match="not a running scan"):
        db.finish_scan(scan_id, status="failed", counts={}, errors=[])
    with pytest.raises(ValueError, match="already finished"):
        db.record(scan_id, [make_item("late", "https://a.test/late")])


def test_ads_of_an_interrupted_scan_are_still_new_next_time(db: StateDB) -> None:
    """A killed or failed scan wrote no output: its ads must still reach the analyst."""
    lost = [make_item("Seen only by a scan that died.", "https://a.test/1")]
    assert _scan(db, T1, lost, status="interrupted")[0].is_new is True
    retry = [make_item("Seen only by a scan that died.", "https://a.test/1")]
    (seen,) = _scan(db, T2, retry)
    assert seen.is_new is True
    assert seen.first_seen == T1  # but the first sighting is still on record
    third = [make_item("Seen only by a scan that died.", "https://a.test/1")]
    assert _scan(db, T3, third)[0].is_new is False


def test_failed_batch_changes_nothing(db: StateDB) -> None:
    scan_id = db.begin_scan(["a"], T1)
    good = make_item("good", "https://a.test/1")
    bad = make_item("bad", "https://a.test/2")
    bad.score = "not a number"  # type: ignore[assignment]
    with pytest.raises(ValueError):
        db.record(scan_id, [good, bad])
    assert db.stats().postings == 0
    # the transaction was rolled back; the DB is usable, and the good ad is still new
    assert [s.is_new for s in db.record(scan_id, [good])] == [True]
    assert db.stats().postings == 1


def test_record_returns_sightings_and_leaves_the_items_alone(db: StateDB) -> None:
    scan_id = db.begin_scan(["a"], T1)
    items = [
        make_item("one", "https://a.test/1", phones=["+919000012345"]),
        make_item("two", "https://a.test/2", phones=["+919000012345"]),
    ]
    before = copy.deepcopy(items)
    found = db.record(scan_id, items)
    assert items == before  # the pipeline composes; the state layer only reports
    assert [type(s) for s in found] == [Sighting, Sighting]
    assert [s.seen_with and s.seen_with["ads"][0]["url"] for s in found] == [
        "https://a.test/2",
        "https://a.test/1",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        found[0].is_new = False  # type: ignore[misc]
    assert db.record(scan_id, []) == []


def test_close_marks_an_unfinished_scan_interrupted(db_path: Path) -> None:
    with StateDB.open(db_path) as db:
        scan_id = db.begin_scan(["a"], T1)
        db.record(scan_id, [make_item("x", "https://a.test/x")])
    with StateDB.open(db_path) as db:
        scan = db.get_scan(scan_id)
        assert scan is not None and scan["status"] == "interrupted"
        assert db.recovered_scans == []  # close() already did it


def test_open_recovers_scans_left_running(db_path: Path) -> None:
    with StateDB.open(db_path):
        pass
    conn = sqlite3.connect(db_path)  # what a SIGKILLed scan leaves behind
    conn.execute(
        "INSERT INTO scans (started, status, sources, pid) "
        "VALUES ('2026-11-01T05:00:00Z', 'running', '[\"a\"]', 4242)"
    )
    conn.commit()
    conn.close()
    with StateDB.open(db_path) as db:
        assert db.recovered_scans == [1]
        scan = db.get_scan(1)
        assert scan is not None
        assert scan["status"] == "interrupted" and scan["finished"] is None
        assert "pid 4242" in scan["errors"][-1]["error"]


def test_stats(db: StateDB) -> None:
    _scan(
        db,
        T1,
        [
            make_item("a", "https://a.test/1", phones=["+919811000001"]),
            make_item("a", "https://a.test/2", phones=["+919811000001"]),
            make_item("b", "https://a.test/3", emails=["x@y.test"]),
        ],
    )
    stats = db.stats().to_dict()
    assert stats["scans"] == 1 and stats["ads"] == 2 and stats["postings"] == 3
    assert stats["contacts"] == 2 and stats["schema_version"] == SCHEMA_VERSION
    assert stats["last_completed_scan"] == T1


def test_pragmas_and_private_file(db: StateDB, db_path: Path) -> None:
    conn = db._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600  # it holds phone numbers


def test_record_from_a_worker_thread(db: StateDB) -> None:
    scan_id = db.begin_scan(["a"], T1)
    item = make_item("threaded", "https://a.test/t")
    found: list[Sighting] = []
    worker = threading.Thread(target=lambda: found.extend(db.record(scan_id, [item])))
    worker.start()
    worker.join()
    assert [s.is_new for s in found] == [True]


def test_default_state_path() -> None:
    path = default_state_path()
    assert path.name == "state.sqlite3"
    assert "trafficscan" in path.parts


def test_contacts_are_normalised() -> None:
    assert contacts_of(
        {
            "phones": ["+91 98110 23456", "+919811023456"],
            "emails": [" Agent@Mail.Test "],
            "handles": [{"platform": "Telegram", "value": "@Some_Handle"}, "instagram:x", 7],
            "urls": ["https://a.test"],
            "ages": [18],
        }
    ) == [
        ("phone", "+919811023456"),
        ("email", "agent@mail.test"),
        ("handle:telegram", "some_handle"),
        ("handle:instagram", "x"),
    ]
    assert contacts_of(None) == [] and contacts_of({}) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["completed", "interrupted", "failed"]),
            st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2)), max_size=6),
        ),
        min_size=1,
        max_size=5,
    )
)
@pytest.mark.slow
def test_is_new_matches_a_simple_model(scans: list[tuple[str, list[tuple[int, int]]]]) -> None:
    """is_new == the content was not in any earlier *completed* scan; first_seen == first scan."""
    reported: set[int] = set()
    first: dict[int, str] = {}
    with tempfile.TemporaryDirectory() as tmp, StateDB.open(Path(tmp) / "s.db") as db:
        for hour, (status, ads) in enumerate(scans):
            when = f"2026-11-01T{hour:02d}:00:00Z"
            items = [make_item(f"text {t}", f"https://a.test/{u}") for t, u in ads]
            found = _scan(db, when, items, status=status)
            for (t, _), seen in zip(ads, found, strict=True):
                first.setdefault(t, when)
                assert seen.is_new is (t not in reported)
                assert seen.first_seen == first[t]
            if status == "completed":
                reported |= {t for t, _ in ads}


@pytest.mark.parametrize("small", [0, 3, 64])
def test_seen_with_matches_a_brute_force_query(
    db: StateDB, small: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big-contact and small-contact paths give the same answer as the obvious SQL."""
    monkeypatch.setattr(links, "SMALL_CONTACT", small)
    rng = random.Random(small)
    phones = [f"+9198110{n:05d}" for n in range(12)]
    scan_id = db.begin_scan(["s"], T1)
    for batch in range(4):
        items = [
            make_item(
                f"ad {batch}-{i}",
                f"https://a.test/{batch}/{i}",
                phones=rng.sample(phones, rng.randint(0, 3)),
                emails=[f"e{rng.randint(0, 4)}@m.test"] if rng.random() < 0.3 else [],
            )
            for i in range(30)
        ]
        found = db.record(scan_id, items)
        for item, seen in zip(items, found, strict=True):
            (pid,) = db._conn.execute(
                "SELECT id FROM postings WHERE ad_id = ? AND url = ?", (item.ad.id, item.ad.url)
            ).fetchone()
            expected = db._conn.execute(
                "SELECT DISTINCT p.id, p.url FROM postings p "
                "JOIN posting_contacts other ON other.posting_id = p.id "
                "JOIN posting_contacts mine ON mine.contact_id = other.contact_id "
                "WHERE mine.posting_id = ? AND p.id != ? ORDER BY p.id",
                (pid, pid),
            ).fetchall()
            if not expected:
                assert seen.seen_with is None
                continue
            assert seen.seen_with is not None
            assert seen.seen_with["count"] == len(expected)
            assert [a["url"] for a in seen.seen_with["ads"]] == [
                u for _, u in expected[:SEEN_WITH_LIMIT]
            ]
