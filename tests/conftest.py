"""Shared fixtures. Stage-specific fixtures live in each test folder's conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _model_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Compiled models go to a folder of the test session, never the user's cache."""
    import os

    os.environ["TRAFFICSCAN_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout (present for developers and in CI)."""
    path = ROOT.parent / "shared" / "data"
    if not path.is_dir():
        pytest.skip("../shared/data is not beside this checkout")
    return path


class Run:
    """A finished ``trafficscan`` process: exit code, stdout, stderr."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def trafficscan(tmp_path: Path):
    """Run ``python -m trafficscan ARGS`` in ``tmp_path`` as a user would (no TTY)."""
    import os
    import subprocess
    import sys

    def run(
        *args: str, stdin: str | None = None, cwd: Path | None = None, timeout: float = 300
    ) -> Run:
        env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
        proc = subprocess.run(
            [sys.executable, "-m", "trafficscan", *args],
            cwd=cwd or tmp_path,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run
