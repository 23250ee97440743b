"""Fixtures for the state database tests: a fresh database per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trafficscan.state import StateDB


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[StateDB]:
    with StateDB.open(db_path) as opened:
        yield opened
