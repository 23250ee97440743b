"""Evidence fixtures: the crawl tests' local server (crawlkit) and a state database path."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "crawl"))

from crawlkit import GuardTransport, Site, start_server


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    stop = start_server(s)
    try:
        yield s
    finally:
        stop()


@pytest.fixture
def transport(site: Site) -> Iterator[GuardTransport]:
    t = GuardTransport(site)
    yield t
    assert not t.refused, f"the crawler tried to leave the allowed hosts: {t.refused}"


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.sqlite3"
