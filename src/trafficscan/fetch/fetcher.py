"""Fetching one URL politely and defensively: the downloader of the crawler.

Everything that can go wrong with a single URL is handled here and becomes either a
:class:`Page` or a :class:`FetchError` whose message goes straight into ``scan.errors``:

* redirects are followed by hand, at most ``max_redirects``, and only to the source's own
  hosts (httpx would follow them anywhere), each hop checked against robots.txt;
* every attempt takes a rate-limiter slot, so retries and redirects count toward the host rate;
* timeouts, connection errors, 429 and 5xx are retried with backoff (``retry.py``);
* the body is streamed and reading stops at ``max_bytes``: a 20 MB page is never held whole;
* content types are checked *before* the body is read, so a PDF costs one response header.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import httpx

from trafficscan.fetch.charset import decode_body
from trafficscan.fetch.ratelimit import HostRateLimiter
from trafficscan.fetch.retry import RetryPolicy, parse_retry_after
from trafficscan.fetch.robots import ROBOTS_MAX_BYTES, RobotsFile, RobotsPolicy, RobotsUnreachable
from trafficscan.fetch.stats import CrawlStats, ErrorKind
from trafficscan.fetch.urls import HostGuard, host_of, normalize_url
from trafficscan.sources.config import Defaults, Source

log = logging.getLogger("trafficscan.crawl")

Accept = Literal["html", "feed", "any"]
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/")
_BINARY_TYPES = frozenset(
    {
        "application/pdf",
        "application/zip",
        "application/octet-stream",
        "application/gzip",
        "application/x-tar",
    }
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DRAIN_LIMIT = 65_536  # read this much of an error/redirect body so keep-alive can reuse the socket


def build_user_agent(defaults: Defaults) -> str:
    """The User-Agent: ``user_agent``, with ``contact`` added so a webmaster can reach us.

    A default-style agent ending in ``(...)`` gets the contact inside the parentheses
    (``trafficscan/0.1 (+https://…; +cyber@police.example)``); any other gets ``; +contact``.
    """
    ua, contact = defaults.user_agent.strip(), defaults.contact.strip()
    if not contact:
        return ua
    if ua.endswith(")"):
        return f"{ua[:-1]}; +{contact})"
    return f"{ua}; +{contact}"


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against (``trafficscan``)."""
    return user_agent.split("/", 1)[0].split()[0].lower() if user_agent.strip() else "*"


@dataclass(slots=True)
class Page:
    """A successful response: final URL after redirects, status, content type, body."""

    url: str
    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    #: The response as received on the wire, kept only when the scan keeps evidence.
    capture: Capture | None = None

    def text(self) -> str:
        return decode_body(self.body, self.content_type)[0]


@dataclass(slots=True, eq=False)
class Capture:
    """One exchange exactly as it went over the wire, for the evidence store.

    ``body`` is the body as received: after the transfer framing (chunked) is undone but
    *before* any content decoding (gzip), so its SHA-256 is the WARC payload digest. Headers
    keep the server's spelling and order. ``ref`` is set once the exchange is written, so a
    listing page that produced several flagged ads is stored once.
    """

    url: str
    fetched_at: str  # ISO-8601 UTC with microseconds, when the response headers arrived
    status_line: str
    headers: list[tuple[str, str]]
    body: bytes
    request_line: str
    request_headers: list[tuple[str, str]]
    server_ip: str | None = None
    ref: dict[str, str] | None = None


class FetchError(Exception):
    """A URL could not be fetched; ``str(err)`` is the message for ``scan.errors``."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        robots: bool = False,
        kind: ErrorKind | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.robots = robots
        self.kind: ErrorKind = kind or (
            "robots" if robots else "http" if status and status >= 400 else "other"
        )


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str
    status: int


def _mime(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _acceptable(accept: Accept, mime: str) -> bool:
    if accept == "html":
        return not mime or mime in _HTML_TYPES
    if accept == "feed":
        return not (mime.startswith(_BINARY_PREFIXES) or mime in _BINARY_TYPES)
    return True


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


class Fetcher:
    """One ``httpx.AsyncClient`` per scan (HTTP/1.1 keep-alive) plus the politeness components."""

    def __init__(
        self,
        defaults: Defaults,
        stats: CrawlStats,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: HostRateLimiter | None = None,
        capture: bool = False,
    ) -> None:
        self.defaults = defaults
        self.capture = capture
        self.stats = stats
        self.user_agent = build_user_agent(defaults)
        self.limiter = limiter or HostRateLimiter(defaults.concurrency, defaults.per_host_rate)
        self.retry = RetryPolicy(defaults.retries, defaults.backoff_base, defaults.retry_after_cap)
        self.robots = RobotsPolicy(
            enabled=defaults.respect_robots,
            agent=agent_token(self.user_agent),
            fetch=self._fetch_robots,
            limiter=self.limiter,
            stats=stats,
        )
        self.client = httpx.AsyncClient(
            headers={
                "User-Agent": self.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            },
            timeout=httpx.Timeout(defaults.timeout),
            follow_redirects=False,
            limits=httpx.Limits(
                max_connections=defaults.concurrency, max_keepalive_connections=defaults.concurrency
            ),
            transport=transport,
            trust_env=transport is None,
        )

    async def aclose(self) -> None:
        await self.robots.aclose()
        await self.client.aclose()

    async def fetch(
        self,
        url: str,
        source: Source,
        *,
        accept: Accept = "html",
        max_bytes: int | None = None,
        truncate_ok: bool = False,
        check_robots: bool = True,
    ) -> Page:
        """GET ``url`` for ``source``; raises :class:`FetchError` with a readable reason."""
        guard = HostGuard(source.hosts)
        limit = max_bytes if max_bytes is not None else self.defaults.max_bytes
        # httpx would encode a Unicode host itself (IDNA 2008), not always as the guard does
        # (w3lib, IDNA 2003: a joiner in a Devanagari name is another host): request the
        # normal form, whose host is the one checked. The crawler's URLs already are.
        current = normalize_url(url) or url
        if not guard.allows(current):
            self.stats.offsite_blocked += 1
            raise FetchError(f"host {host_of(current)} is not among the source's hosts")
        for _hop in range(self.defaults.max_redirects + 1):
            if check_robots:
                try:
                    allowed = await self.robots.allows(current, source)
                except RobotsUnreachable as exc:  # not a block: we could not read the rules
                    raise FetchError(f"not fetched: {exc}", kind=exc.kind) from None
                if not allowed:
                    raise FetchError("disallowed by robots.txt", robots=True)
            # robots.txt (fetched with check_robots off) is no evidence of anything
            got = await self._get(
                current, accept, limit, truncate_ok, capture=self.capture and check_robots
            )
            if isinstance(got, Page):
                return got
            target = normalize_url(got.location, current)
            if target is None:
                raise FetchError(
                    f"redirect (HTTP {got.status}) to unsupported URL "
                    f"{got.location!r} not followed",
                    status=got.status,
                )
            if not guard.allows(target):
                self.stats.offsite_blocked += 1
                raise FetchError(
                    f"redirect to off-site host {host_of(target)} not followed", status=got.status
                )
            self.stats.redirects += 1
            log.debug("redirect %s -> %s", current, target)
            current = target
        raise FetchError(f"more than {self.defaults.max_redirects} redirects")

    async def _fetch_robots(self, url: str, source: Source) -> RobotsFile:
        try:
            page = await self.fetch(
                url,
                source,
                accept="any",
                max_bytes=ROBOTS_MAX_BYTES,
                truncate_ok=True,
                check_robots=False,
            )
        except FetchError as exc:
            return RobotsFile(exc.status, error=str(exc))
        return RobotsFile(page.status, page.body)

    async def _get(
        self, url: str, accept: Accept, limit: int, truncate_ok: bool, *, capture: bool = False
    ) -> Page | _Redirect:
        """One URL, with retries; returns the page or the redirect to follow."""
        host = host_of(url)
        d = self.defaults
        attempt = 0
        while True:
            retry_after: float | None = None
            status: int | None = None
            try:
                async with self.limiter.slot(host):
                    self.stats.requests += 1
                    async with asyncio.timeout(d.timeout):
                        result = await self._attempt(url, accept, limit, truncate_ok, capture)
                if isinstance(result, (Page, _Redirect)):
                    return result
                status, retry_after = result
                failure = f"HTTP {status}"
            except FetchError:
                raise
            except (TimeoutError, httpx.TimeoutException):
                self.stats.timeouts += 1
                failure = "timeout"
            except httpx.DecodingError as exc:
                raise FetchError(f"could not decode the response body ({exc})") from None
            except httpx.TransportError as exc:
                failure = f"connection failed ({type(exc).__name__}: {exc or 'no detail'})"
            except httpx.HTTPError as exc:  # invalid URL and the like: retrying will not help
                raise FetchError(f"request failed ({type(exc).__name__}: {exc})") from None

            if attempt >= self.retry.retries:
                if status is not None:
                    raise FetchError(
                        f"{failure} after {_plural(attempt + 1, 'try', 'tries')}", status=status
                    )
                raise FetchError(
                    f"{failure} after {_plural(attempt, 'retry', 'retries')}", kind="connection"
                )
            wait = self.retry.wait_for(attempt, retry_after)
            if wait is None:
                raise FetchError(
                    f"{failure} with Retry-After {retry_after:g} s, more than "
                    f"retry_after_cap ({self.retry.retry_after_cap:g} s); "
                    "not retried",
                    status=status,
                )
            if retry_after is not None:
                self.limiter.defer(host, retry_after)  # the whole host waits, not just this URL
            self.stats.retries += 1
            log.info("%s: %s, retry %d in %.2f s", url, failure, attempt + 1, wait)
            await asyncio.sleep(wait)
            attempt += 1

    async def _attempt(
        self, url: str, accept: Accept, limit: int, truncate_ok: bool, capture: bool = False
    ) -> Page | _Redirect | tuple[int, float | None]:
        """One request. Returns a page, a redirect, or ``(status, retry_after)`` to retry."""
        async with self.client.stream("GET", url) as resp:
            try:
                status = resp.status_code
                if status in _REDIRECTS and "location" in resp.headers:
                    await self._drain(resp)
                    return _Redirect(resp.headers["location"], status)
                if self.retry.should_retry_status(status):
                    await self._drain(resp)
                    return status, parse_retry_after(resp.headers.get("retry-after"))
                if not 200 <= status < 300:
                    await self._drain(resp)
                    raise FetchError(f"HTTP {status}", status=status)
                ctype = resp.headers.get("content-type", "")
                if not _acceptable(accept, _mime(ctype)):
                    self.stats.non_html_skipped += 1
                    raise FetchError(
                        f"not HTML (content type {_mime(ctype)}), skipped", status=status
                    )
                if capture:
                    fetched_at = _now_micros()  # when the response headers arrived
                    server_ip = _server_ip(resp)  # before the body: a closed socket forgets it
                    raw: list[bytes] = []
                    body, truncated = await self._read_limited(resp, limit, truncate_ok, raw)
                    exchange = _capture_of(resp, url, fetched_at, b"".join(raw), server_ip)
                    return Page(url, status, ctype, body, truncated, exchange)
                body, truncated = await self._read_limited(resp, limit, truncate_ok)
                return Page(url, status, ctype, body, truncated)  # url: the hop we asked for
            finally:
                self.stats.bytes += resp.num_bytes_downloaded

    async def _read_limited(
        self, resp: httpx.Response, limit: int, truncate_ok: bool, raw: list[bytes] | None = None
    ) -> tuple[bytes, bool]:
        """Stream the (decompressed) body, stopping at ``limit`` bytes.

        With ``raw``, the bytes as received (before content decoding) are collected there too.
        """
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit and not truncate_ok:
            self.stats.too_large += 1
            raise FetchError(f"response larger than max_bytes ({limit})", status=resp.status_code)
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.aiter_bytes() if raw is None else _decoded(resp, raw):
            if size + len(chunk) > limit:
                if truncate_ok:
                    chunks.append(chunk[: limit - size])
                    return b"".join(chunks), True
                self.stats.too_large += 1
                raise FetchError(
                    f"response larger than max_bytes ({limit})", status=resp.status_code
                )
            size += len(chunk)
            chunks.append(chunk)
        return b"".join(chunks), False

    @staticmethod
    async def _drain(resp: httpx.Response) -> None:
        """Read a small body to the end so the connection can be reused; drop a big one."""
        size = 0
        try:
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > _DRAIN_LIMIT:
                    break
        except httpx.DecodingError:
            pass  # the body is thrown away anyway


async def _decoded(resp: httpx.Response, raw: list[bytes]) -> AsyncIterator[bytes]:
    """``resp.aiter_bytes()``, keeping each chunk as received in ``raw`` on the way.

    httpx offers either the raw or the decoded stream, not both; evidence needs the first and
    parsing the second. The decoder is the one ``aiter_bytes`` itself uses, so the decoded body
    is the same as without evidence.
    """
    decoder = resp._get_content_decoder()
    async for chunk in resp.aiter_raw():
        raw.append(chunk)
        if decoded := decoder.decode(chunk):
            yield decoded
    if tail := decoder.flush():
        yield tail


def _now_micros() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _capture_of(
    resp: httpx.Response, url: str, fetched_at: str, body: bytes, server_ip: str | None
) -> Capture:
    """The exchange of ``resp`` as the evidence store writes it.

    The request line says HTTP/1.1 (what httpx sends over HTTP/1) even when an HTTP/1.0
    server answered; the status line keeps the server's own version.
    """
    request = resp.request
    target = request.url.raw_path.decode("ascii", "replace") or "/"
    answered = resp.http_version or "HTTP/1.1"
    version = answered if answered.startswith("HTTP/2") else "HTTP/1.1"
    return Capture(
        url=url,
        fetched_at=fetched_at,
        status_line=f"{answered} {resp.status_code} {resp.reason_phrase}".rstrip(),
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw],
        body=body,
        request_line=f"{request.method} {target} {version}",
        request_headers=[
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
        ],
        server_ip=server_ip,
    )


def _server_ip(resp: httpx.Response) -> str | None:
    """The address the response came from (WARC-IP-Address), when the transport tells it."""
    stream = resp.extensions.get("network_stream")
    if stream is None:
        return None
    try:
        addr = stream.get_extra_info("server_addr")
    except Exception:  # a transport without socket details (tests' mock transports)
        return None
    if isinstance(addr, tuple) and addr and isinstance(addr[0], str):
        return addr[0]
    return None
