"""The command line as a user meets it: help, version, every SPEC command present."""

from __future__ import annotations

import subprocess
import sys


def test_help_lists_every_spec_command(trafficscan) -> None:
    r = trafficscan("--help")
    assert r.code == 0
    for cmd in ("scan", "score", "train", "evaluate", "rules", "sources"):
        assert cmd in r.out
    r = trafficscan("rules", "--help")
    assert all(c in r.out for c in ("list", "test", "lint"))


def test_version(trafficscan) -> None:
    r = trafficscan("--version")
    assert r.code == 0 and r.out.startswith("trafficscan ")


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from trafficscan.cli.app import app; "
        "heavy = [m for m in ('sklearn', 'httpx', 'bs4', 'numpy', 'scipy', 'lxml') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""


def test_unknown_option_is_usage_error(trafficscan) -> None:
    r = trafficscan("scan", "--no-such-option")
    assert r.code == 2
