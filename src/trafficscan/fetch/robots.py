"""robots.txt, fetched once per origin and scan, read with protego (RFC 9309).

Status handling follows RFC 9309 section 2.3.1: a 4xx (robots.txt "unavailable") allows
everything, a 5xx or an unreachable server disallows everything, because a site whose rules we
cannot read must not be crawled on a guess. 429 is treated like 5xx (the server is asking us to
go away, not saying it has no rules), and so is a robots.txt redirect to a host outside the
source's hosts: we may not follow it, so we cannot read the rules.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from protego import Protego

from trafficscan.fetch.ratelimit import HostRateLimiter
from trafficscan.fetch.stats import CrawlStats, ErrorKind
from trafficscan.fetch.urls import host_of, origin_of
from trafficscan.sources.config import Source

log = logging.getLogger("trafficscan.crawl")

ROBOTS_MAX_BYTES = 512_000  # RFC 9309 2.5: parse at least 500 KiB


@dataclass(frozen=True, slots=True)
class RobotsFile:
    """What one fetch of robots.txt gave: a status (None: unreachable), a body, an error."""

    status: int | None
    body: bytes = b""
    error: str = ""


class RobotsUnreachable(Exception):
    """robots.txt could not be read, so the host is not crawled: reported as the connection
    or HTTP failure it is, never as "disallowed by robots.txt" (which would invite switching
    ``respect_robots`` off when the site is merely down)."""

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind


@dataclass(frozen=True, slots=True)
class _Rules:
    parser: Protego | None  # None: see allow_all
    allow_all: bool
    unreachable: str = ""  # why the rules could not be read (then nothing is allowed)
    kind: ErrorKind = "other"

    def allows(self, url: str, agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, agent))


FetchRobots = Callable[[str, Source], Awaitable[RobotsFile]]


class RobotsPolicy:
    """Answers "may this URL be fetched?", loading each origin's robots.txt on first use.

    Concurrent first requests to one origin share a single robots.txt fetch. ``Crawl-delay``
    and ``Request-rate`` lines slow the host down in the rate limiter, never speed it up.
    """

    def __init__(
        self,
        *,
        enabled: bool,
        agent: str,
        fetch: FetchRobots,
        limiter: HostRateLimiter,
        stats: CrawlStats,
    ) -> None:
        self.enabled = enabled
        self.agent = agent
        self._fetch = fetch
        self._limiter = limiter
        self._stats = stats
        self._cache: dict[str, asyncio.Task[_Rules]] = {}

    async def allows(self, url: str, source: Source) -> bool:
        """True if ``url`` may be fetched; a forbidden URL is counted in ``robots_forbidden``."""
        if not self.enabled:
            return True
        origin = origin_of(url)
        task = self._cache.get(origin)
        if task is None:
            task = self._cache[origin] = asyncio.ensure_future(self._load(origin, source))
        rules = await asyncio.shield(task)  # one waiter cancelled must not cancel the shared load
        if rules.unreachable:
            raise RobotsUnreachable(rules.unreachable, rules.kind)
        if rules.allows(url, self.agent):
            return True
        self._stats.robots_forbidden += 1
        log.info("robots.txt forbids %s", url)
        return False

    async def _load(self, origin: str, source: Source) -> _Rules:
        robots_url = origin + "/robots.txt"
        self._stats.robots_fetched += 1
        try:
            got = await self._fetch(robots_url, source)
        except Exception as exc:  # never let a robots problem crash the crawl: disallow instead
            log.exception("robots.txt fetch of %s failed", robots_url)
            got = RobotsFile(None, error=f"robots.txt: {exc!r}")
        if got.status is not None and 200 <= got.status < 300:
            try:
                parser = Protego.parse(got.body.decode("utf-8", errors="replace"))
            except Exception as exc:  # protego is lenient, but a crash here must not allow all
                self._stats.add_error(
                    source.name,
                    robots_url,
                    f"robots.txt unreadable ({exc}); host treated as disallowed",
                )
                return _Rules(
                    None, allow_all=False, unreachable=f"robots.txt of {origin} unreadable"
                )
            self._apply_delay(origin, parser)
            return _Rules(parser, allow_all=True)
        if got.status is not None and 400 <= got.status < 500 and got.status != 429:
            log.debug("%s: HTTP %s, no rules: all allowed (RFC 9309)", robots_url, got.status)
            return _Rules(None, allow_all=True)
        why = got.error or f"HTTP {got.status}"
        kind: ErrorKind = "connection" if got.status is None else "http"
        self._stats.add_error(
            source.name,
            robots_url,
            f"robots.txt unreachable ({why}); host treated as disallowed",
            kind,
        )
        log.warning("%s unreachable (%s): not crawling %s", robots_url, why, origin)
        return _Rules(
            None,
            allow_all=False,
            kind=kind,
            unreachable=f"robots.txt of {origin} unreachable ({why})",
        )

    def _apply_delay(self, origin: str, parser: Protego) -> None:
        host = host_of(origin)
        delay = parser.crawl_delay(self.agent)
        if delay:
            self._limiter.slow_down(host, float(delay), "robots.txt Crawl-delay")
        rate = parser.request_rate(self.agent)
        if rate and rate.requests:
            self._limiter.slow_down(host, rate.seconds / rate.requests, "robots.txt Request-rate")

    async def aclose(self) -> None:
        """Cancel robots.txt loads still running (the crawl is being torn down)."""
        for task in self._cache.values():
            task.cancel()
        await asyncio.gather(*self._cache.values(), return_exceptions=True)
