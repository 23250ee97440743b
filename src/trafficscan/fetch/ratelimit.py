"""Global concurrency and a per-host request rate that is never exceeded.

Why a per-host lock and not a token bucket: a bucket allows bursts, and a burst is exactly what
a small classifieds site notices. Here every request to a host takes the host's lock, sleeps
until the host's next free moment, takes a global slot (``concurrency``), stamps the moment it
is actually sent and only then lets the next request for that host start waiting. So the gap
between two request starts to one host is at least the interval, measured from real send
times: a request delayed by a busy global slot cannot make the next one come early.

Sleeping requests hold no global slot, so a slow host never starves the others; the lock is
FIFO, so requests to one host go out in the order they were scheduled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

log = logging.getLogger("trafficscan.crawl")


@dataclass(slots=True)
class _Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0  # monotonic time before which no request may start
    last_sent: float = float("-inf")
    interval: float = 0.0  # seconds between request starts for this host


class HostRateLimiter:
    """Hands out request slots: at most ``concurrency`` in flight, ``rate`` per second per host."""

    def __init__(self, concurrency: int, per_host_rate: float) -> None:
        self.concurrency = concurrency
        self.default_interval = 1.0 / per_host_rate
        self._slots = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, _Host] = {}
        self.waited = 0.0  # total seconds requests spent waiting for their host (for benchmarks)

    def _host(self, host: str) -> _Host:
        h = self._hosts.get(host)
        if h is None:
            h = self._hosts[host] = _Host(interval=self.default_interval)
        return h

    def slow_down(self, host: str, interval: float, reason: str) -> None:
        """Use a longer interval for ``host`` (robots.txt ``Crawl-delay``); never a shorter one."""
        h = self._host(host)
        if interval > h.interval:
            log.info("%s: %s, %.2f s between requests", host, reason, interval)
            h.interval = interval
            h.next_at = max(h.next_at, h.last_sent + interval)

    def defer(self, host: str, seconds: float) -> None:
        """Send nothing to ``host`` for ``seconds`` (a 429/503 with Retry-After asked for it)."""
        h = self._host(host)
        h.next_at = max(h.next_at, time.monotonic() + seconds)

    def interval(self, host: str) -> float:
        return self._host(host).interval

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for ``host``'s turn and a global slot; the body is the request in flight."""
        h = self._host(host)
        async with h.lock:
            started = time.monotonic()
            while True:
                while (delay := h.next_at - time.monotonic()) > 0:
                    await asyncio.sleep(delay)
                await self._slots.acquire()
                now = time.monotonic()
                if now >= h.next_at:
                    break
                self._slots.release()  # deferred (Retry-After) while we waited for the slot
            self.waited += now - started
            h.last_sent = now
            h.next_at = now + h.interval
        try:
            yield
        finally:
            self._slots.release()
