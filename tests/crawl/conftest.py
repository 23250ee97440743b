"""Crawl fixtures: the local misbehaving server and a transport that cannot leave it.

The server and builders live in ``crawlkit.py`` so test modules (and the benchmark) can import
them; fixtures here only start and stop things.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from crawlkit import GuardTransport, Site, start_server


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
