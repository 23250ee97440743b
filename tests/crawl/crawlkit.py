"""Crawl test kit: a real, misbehaving HTTP server on 127.0.0.1 and config builders.

The server runs in a thread with HTTP/1.1 keep-alive, logs every request with its arrival
time (so tests can assert exactly which URLs were requested and how fast), and serves routes
that a test declares: fixed responses, a sequence (500, then 200), slow or hanging responses,
bodies streamed from a generator (20 MB without ever building it), gzip, redirects.

Every crawl in these tests goes through :class:`GuardTransport`, which sends requests for
127.0.0.1 (or a host mapped to it, for real saved pages with their real absolute links) to
the local server and refuses anything else: the tests cannot touch the internet.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from trafficscan.core.ad import Ad
from trafficscan.fetch.stats import CrawlStats
from trafficscan.pipeline.crawler import Crawler
from trafficscan.sources.config import Config, Defaults, Listing, Selector, Source

# ------------------------------------------------------------------------------ server


@dataclass
class Resp:
    """One response. ``body`` may be an iterable of chunks (streamed, chunked if no length)."""

    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (interruptible at teardown)
    content_type: str = "text/html; charset=utf-8"


@dataclass
class Hit:
    t: float  # time.monotonic() at arrival
    path: str  # path with query
    headers: dict[str, str]


class Site:
    """Routes, the request log and the base URL of the running server."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Resp]] = {}
        self.hits: list[Hit] = []
        self.sent: dict[str, int] = {}  # body bytes actually written, per path
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *responses: Resp | str | bytes, **kw: Any) -> None:
        """Serve ``path``; several responses are served in turn, the last one repeats."""
        resps = [
            r if isinstance(r, Resp) else Resp(body=r.encode() if isinstance(r, str) else r, **kw)
            for r in responses
        ] or [Resp(**kw)]
        self.routes[path] = resps

    def page(self, path: str, html: str, **kw: Any) -> None:
        self.route(path, Resp(body=html.encode("utf-8"), **kw))

    def robots(self, text: str) -> None:
        self.route("/robots.txt", Resp(body=text.encode(), content_type="text/plain"))

    def paths(self, *, robots: bool = False) -> list[str]:
        with self.lock:
            return [h.path for h in self.hits if robots or h.path != "/robots.txt"]

    def times(self, *, robots: bool = True) -> list[float]:
        with self.lock:
            return [h.t for h in self.hits if robots or h.path != "/robots.txt"]

    def next_response(self, path: str) -> Resp | None:
        with self.lock:
            n = sum(1 for h in self.hits if h.path == path) - 1
        for key in (path, path.split("?", 1)[0]):
            if key in self.routes:
                resps = self.routes[key]
                return resps[min(n, len(resps) - 1)]
        return None


def _make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = (
            True  # headers and body are separate writes: avoid 40 ms ACK stalls
        )

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            with site.lock:
                site.hits.append(Hit(time.monotonic(), self.path, dict(self.headers.items())))
            resp = site.next_response(self.path)
            if resp is None:
                resp = Resp(status=404, body=b"not here")
            if resp.delay and site.release.wait(resp.delay):
                return  # teardown: drop the request
            try:
                self._send(resp)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _send(self, resp: Resp) -> None:
            self.send_response(resp.status)
            headers = {"Content-Type": resp.content_type, **resp.headers}
            for k, v in headers.items():
                self.send_header(k, v)
            if isinstance(resp.body, bytes):
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(resp.body)))
                self.end_headers()
                self.wfile.write(resp.body)
                self._count(len(resp.body))
                return
            chunked = "Content-Length" not in headers
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in resp.body():
                if chunked:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                else:
                    self.wfile.write(chunk)
                self._count(len(chunk))
            if chunked:
                self.wfile.write(b"0\r\n\r\n")

        def _count(self, n: int) -> None:
            with site.lock:
                site.sent[self.path] = site.sent.get(self.path, 0) + n

    return Handler


# --------------------------------------------------------------------------- transport


class GuardTransport(httpx.AsyncBaseTransport):
    """Sends 127.0.0.1 and mapped hosts to the local server; refuses (and logs) the rest."""

    def __init__(self, site: Site, mapped: Iterable[str] = ()) -> None:
        self.site = site
        self.mapped = {h.lower() for h in mapped}
        self.refused: list[str] = []
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host in self.mapped:
            request.url = request.url.copy_with(
                scheme="http", host="127.0.0.1", port=self.site.port
            )
        elif host != "127.0.0.1":
            self.refused.append(str(request.url))
            raise httpx.ConnectError(f"test transport refuses {host}", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


# ----------------------------------------------------------------------------- builders

FAST = {
    "per_host_rate": 1000.0,
    "timeout": 2.0,
    "retries": 2,
    "backoff_base": 0.01,
    "retry_after_cap": 5.0,
    "concurrency": 4,
}


def make_defaults(**kw: Any) -> Defaults:
    return Defaults(**{**FAST, **kw})


def html_source(
    name: str,
    start_urls: Iterable[str],
    *,
    item: str = "article.ad",
    link: str | None = None,
    next_page: str | None = None,
    max_pages: int = 5,
    fields: dict[str, str] | None = None,
    strip: Iterable[str] = (),
    allowed_hosts: Iterable[str] = (),
) -> Source:
    fields = fields if fields is not None else {"title": "h2", "body": ".body"}
    return Source(
        name=name,
        kind="html",
        start_urls=tuple(start_urls),
        allowed_hosts=tuple(allowed_hosts),
        listing=Listing(
            item=Selector.parse(item),
            link=Selector.parse(link) if link else None,
            next_page=Selector.parse(next_page) if next_page else None,
            max_pages=max_pages,
        ),
        fields={k: Selector.parse(v) for k, v in fields.items()},
        strip=tuple(strip),
    )


def feed_source(name: str, kind: str, start_urls: Iterable[str]) -> Source:
    return Source(name=name, kind=kind, start_urls=tuple(start_urls))


def make_config(*sources: Source, **defaults: Any) -> Config:
    return Config(path="<test>", defaults=make_defaults(**defaults), sources=tuple(sources))


def run_crawl(
    config: Config, transport: httpx.AsyncBaseTransport | None = None, **kw: Any
) -> tuple[list[Ad], CrawlStats]:
    """Crawl to the end; returns every ad and the stats."""
    crawler = Crawler(config, config.sources, transport=transport, **kw)

    async def go() -> list[Ad]:
        return [ad async for ad in crawler.ads()]

    ads = asyncio.run(go())
    return ads, crawler.stats


def listing_html(*items: str, next_href: str | None = None, extra: str = "") -> str:
    nxt = f'<a class="next" href="{next_href}">next</a>' if next_href else ""
    return f"<html><body>{''.join(items)}{nxt}{extra}</body></html>"


def ad_item(title: str, body: str = "", href: str | None = None) -> str:
    link = f'<a class="more" href="{href}">more</a>' if href else ""
    return f'<article class="ad"><h2>{title}</h2><div class="body">{body}</div>{link}</article>'


def ad_page(title: str, body: str = "", **extra: str) -> str:
    more = "".join(f'<span class="{k}">{v}</span>' for k, v in extra.items())
    return f"<html><body><h1>{title}</h1><div class='body'>{body}</div>{more}</body></html>"


def mock_listing_site(seen: list[str], listing_path: str, listing: str) -> httpx.MockTransport:
    """An in-process site for any host: no robots.txt, ``listing`` at ``listing_path`` and an
    :func:`ad_page` titled "Ad <n>" at every other path ending in ``/<n>``. Each requested URL
    is appended to ``seen``, so a test sees exactly what a crawl would send (and to which host).
    """

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if request.url.path == listing_path:
            return httpx.Response(200, text=listing, headers={"content-type": "text/html"})
        n = request.url.path.rsplit("/", 1)[-1]
        page = ad_page(f"Ad {n}", f"Text of ad {n}")
        return httpx.Response(200, text=page, headers={"content-type": "text/html"})

    return httpx.MockTransport(handler)


def start_server(site: Site) -> Callable[[], None]:
    """Start serving ``site`` on a random 127.0.0.1 port; returns the stop function."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(site))
    server.daemon_threads = True
    server.block_on_close = False  # hanging handlers must not block teardown
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()

    def stop() -> None:
        site.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop
