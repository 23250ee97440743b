"""Live per-source progress on the terminal (pages fetched, ads found, errors).

A separate component so the crawler does not care whether anybody is watching: with
``progress=False`` (``--quiet``, or output that is not a terminal) it is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trafficscan.fetch.stats import CrawlStats


class Progress:
    """A rich progress display with one line per source, or nothing."""

    def __init__(self, enabled: bool, sources: Iterable[str], stats: CrawlStats) -> None:
        self.enabled = enabled
        self._stats = stats
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import Progress as RichProgress
        from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = RichProgress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            TextColumn("{task.fields[pages]} pages · {task.fields[ads]} ads{task.fields[errors]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        from rich.markup import escape

        for name in sources:
            self._tasks[name] = self._progress.add_task(
                escape(name), total=None, pages=0, ads=0, errors=""
            )

    def start(self) -> None:
        if self._progress is not None:
            self._progress.start()

    def update(self, source: str) -> None:
        if self._progress is None or source not in self._tasks:
            return
        s = self._stats.source(source)
        self._progress.update(
            self._tasks[source],
            pages=s.pages,
            ads=s.ads,
            errors=f" · [red]{s.errors} errors[/]" if s.errors else "",
        )

    def finish(self, source: str) -> None:
        if self._progress is not None and source in self._tasks:
            self.update(source)
            self._progress.update(self._tasks[source], total=1, completed=1)

    def stop(self) -> None:
        if self._progress is not None:
            for name in self._tasks:
                self.update(name)
            self._progress.stop()
            self._progress = None
