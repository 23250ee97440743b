"""Schema versions: migrate older files step by step, refuse newer or foreign ones."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from state_helpers import make_item

from trafficscan.core.errors import EXIT_INPUT, InputError
from trafficscan.state import SCHEMA_VERSION, StateDB, schema


def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def test_a_new_file_gets_the_current_schema(db_path: Path) -> None:
    with StateDB.open(db_path):
        pass
    assert _version(db_path) == SCHEMA_VERSION
    assert _tables(db_path) >= schema.KNOWN_TABLES


def test_an_empty_file_is_a_new_database(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch()  # e.g. created by a deployment script
    with StateDB.open(db_path) as db:
        assert db.stats().schema_version == SCHEMA_VERSION


def _v2_add_notes(conn: sqlite3.Connection) -> None:
    """What a version 2 would look like: one more function in the list."""
    conn.execute("ALTER TABLE postings ADD COLUMN notes TEXT NOT NULL DEFAULT ''")
    conn.execute("UPDATE postings SET notes = 'migrated'")


def test_an_older_database_is_migrated_and_keeps_its_data(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with StateDB.open(db_path) as db:  # a version-1 file with history in it
        scan_id = db.begin_scan(["a"], "2026-11-01T05:00:00Z")
        db.record(scan_id, [make_item("old ad", "https://a.test/1")])
        db.finish_scan(scan_id, status="completed", counts={}, errors=[])

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, _v2_add_notes])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with StateDB.open(db_path) as db:
        assert db.stats().schema_version == SCHEMA_VERSION + 1
        assert db._conn.execute("SELECT notes FROM postings").fetchall() == [("migrated",)]
        again = [make_item("old ad", "https://a.test/1")]
        scan_id = db.begin_scan(["a"], "2026-11-01T06:00:00Z")
        (seen,) = db.record(scan_id, again)
        assert seen.is_new is False  # the history survived the migration


def test_a_failing_migration_step_leaves_the_file_at_its_old_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with StateDB.open(db_path):
        pass

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("step failed halfway")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="halfway"):
        StateDB.open(db_path)
    assert _version(db_path) == SCHEMA_VERSION
    assert "half_done" not in _tables(db_path)  # DDL rolled back with the step
    monkeypatch.undo()
    with StateDB.open(db_path):  # and the lock was released
        pass


def test_a_newer_database_is_refused_with_exit_2(db_path: Path) -> None:
    with StateDB.open(db_path):
        pass
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    with pytest.raises(InputError) as refused:
        StateDB.open(db_path)
    message = str(refused.value)
    assert str(db_path) in message
    assert "schema version 7" in message and f"up to {SCHEMA_VERSION}" in message
    assert "upgrade trafficscan" in message
    assert refused.value.exit_code == EXIT_INPUT == 2
    assert _version(db_path) == 7  # untouched


def test_a_corrupt_file_is_refused_naming_it_and_left_untouched(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    garbage = b"\x00\x01 this is not a database " * 200
    db_path.write_bytes(garbage)
    with pytest.raises(InputError) as refused:
        StateDB.open(db_path)
    message = str(refused.value)
    assert message.startswith(f"{db_path}: is not an SQLite database")
    assert "move it aside" in message and "--no-state" in message
    assert refused.value.exit_code == 2
    assert db_path.read_bytes() == garbage
    db_path.unlink()
    with StateDB.open(db_path):  # the refusal released the lock
        pass


def test_a_damaged_database_body_is_refused(db_path: Path) -> None:
    with StateDB.open(db_path) as db:
        scan_id = db.begin_scan(["a"], "2026-11-01T05:00:00Z")
        db.record(scan_id, [make_item(f"ad {i}", f"https://a.test/{i}") for i in range(200)])
        db.finish_scan(scan_id, status="completed", counts={}, errors=[])
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, keeping the valid header
    db_path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="cannot be used as a state database"):
        StateDB.open(db_path)


def test_someone_elses_sqlite_file_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.close()
    with pytest.raises(InputError, match="not a trafficscan state database"):
        StateDB.open(db_path)
    assert _tables(db_path) == {"invoices"}


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        StateDB.open(tmp_path)
