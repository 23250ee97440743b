"""Crawl fixtures: the local misbehaving server and a transport that cannot leave it.

The server and builders live in ``crawlkit.py`` so test modules can import them; the fixtures
that start and stop them live in ``crawl_fixtures.py``, shared with tests/evidence.
"""

from __future__ import annotations

from crawl_fixtures import site, transport

__all__ = ["site", "transport"]
