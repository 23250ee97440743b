"""Evidence fixtures: the crawl tests' local server and transport (one implementation, in
tests/crawl/crawl_fixtures.py) and a state database path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# crawlkit and crawl_fixtures live in tests/crawl, which is on sys.path only once pytest has
# collected a test there; the evidence tests (and evidence_helpers) import crawlkit directly
sys.path.insert(0, str(Path(__file__).parents[1] / "crawl"))

from crawl_fixtures import site, transport

__all__ = ["site", "transport"]


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.sqlite3"
