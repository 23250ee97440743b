"""Fixtures for the case report: the case file and a real headless Chromium (or a skip)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from report_helpers import Chromium, RequestLog, case_items, find_chromium, write_flagged


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    return write_flagged(tmp_path / "flagged.json", case_items())


@pytest.fixture(scope="session")
def proxy() -> Iterator[RequestLog]:
    log = RequestLog()
    yield log
    log.close()


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory, proxy: RequestLog) -> Chromium:
    binary = find_chromium()
    if binary is None:
        pytest.skip(
            "no Chromium found (install Debian's 'chromium' package; .ci/run does): "
            "the report's browser tests need a real browser"
        )
    return Chromium(binary, tmp_path_factory.mktemp("chromium"), proxy)
