"""The local-server fixtures, one implementation for every test folder that crawls.

A folder's ``conftest.py`` imports ``site`` and ``transport`` from here to offer them to its
tests (tests/crawl, tests/evidence). They live in a module of their own, not in crawlkit.py,
so the server and builders stay importable without pytest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from crawlkit import GuardTransport, Site, start_server

__all__ = ["site", "transport"]


@pytest.fixture
def site() -> Iterator[Site]:
    """A fresh local server per test (random port), stopped afterwards."""
    s = Site()
    stop = start_server(s)
    try:
        yield s
    finally:
        stop()


@pytest.fixture
def transport(site: Site) -> Iterator[GuardTransport]:
    """Every crawl goes through this; it fails the test if a request tried to go elsewhere."""
    t = GuardTransport(site)
    yield t
    assert not t.refused, f"the crawler tried to leave the allowed hosts: {t.refused}"
