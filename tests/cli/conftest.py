from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr


@pytest.fixture
def trafficscan(tmp_path: Path):  # noqa: ANN201 - returns a callable
    """Run ``python -m trafficscan ARGS`` in ``tmp_path`` as a user would (no TTY)."""

    def run(*args: str, stdin: str | None = None, cwd: Path | None = None, timeout: float = 120) -> Run:
        env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
        proc = subprocess.run([sys.executable, "-m", "trafficscan", *args], cwd=cwd or tmp_path,
                              input=stdin, capture_output=True, text=True, timeout=timeout, env=env)
        return Run(proc)

    return run
