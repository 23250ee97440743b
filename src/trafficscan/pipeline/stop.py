"""Ctrl-C and SIGTERM during a scan: the first one stops gracefully, a second one aborts."""

from __future__ import annotations

import contextlib
import signal
import sys
from typing import Any

STOPPING = "stopping — finishing writes (Ctrl-C again to abort)"


class GracefulStop:
    """Turns SIGINT/SIGTERM into a graceful stop: finish what is done, mark the scan interrupted.

    The first signal says so on stderr and wakes the crawl at once (``wake``), so no new
    request starts even while every remaining page is failing; a second one aborts.
    """

    def __init__(self) -> None:
        self.signal: str | None = None
        self.wake: Any = None  # set by the crawl: cancels it from the signal handler
        self._old: dict[int, Any] = {}

    def __enter__(self) -> GracefulStop:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):  # not the main thread (tests): leave as is
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.signal is not None:  # a second signal: stop at once
            raise KeyboardInterrupt
        self.signal = signal.Signals(signum).name
        with contextlib.suppress(Exception):
            sys.stderr.write(f"\n{STOPPING}\n")
            sys.stderr.flush()
        if self.wake is not None:
            self.wake()

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)
