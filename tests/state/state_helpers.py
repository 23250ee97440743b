"""Factories and child-process helpers shared by the state tests (imported, not collected)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from trafficscan.core.ad import Ad, ScoredAd

CHILD = Path(__file__).with_name("child_process.py")


def make_item(
    text: str,
    url: str,
    *,
    source: str = "city-classifieds",
    phones: list[str] | None = None,
    emails: list[str] | None = None,
    handles: list[dict[str, str]] | None = None,
    score: float = 0.7,
) -> ScoredAd:
    """A scored ad whose content id is derived from ``text``, as the pipeline makes them."""
    ad = Ad(source=source, url=url, title=text.split(".")[0], body=text)
    return ScoredAd(
        ad=ad,
        score=score,
        rule_score=score,
        model_score=None,
        flagged=score >= 0.5,
        entities={"phones": phones or [], "emails": emails or [], "handles": handles or []},
    )


def spawn_child(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    """Run ``child_process.py`` in a fresh interpreter: a real second process, as cron makes."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,
    )


def read_line(proc: subprocess.Popen[str], prefix: str) -> str:
    """The child's next stdout line; it must start with ``prefix`` (else show its stderr)."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith(prefix):
        proc.kill()
        _, err = proc.communicate(timeout=10)
        raise AssertionError(f"child said {line!r}, expected {prefix!r}; stderr:\n{err}")
    return line.strip()
