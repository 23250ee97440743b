"""The code reads as `ruff format` writes it, so a diff shows changes, not re-wrapping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_code_is_formatted_as_ruff_format_writes_it() -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--check",
            "src",
            "tests",
            "benchmarks",
            "scripts",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, (
        r.stdout + r.stderr + "\nrun: ruff format src tests benchmarks scripts"
    )
