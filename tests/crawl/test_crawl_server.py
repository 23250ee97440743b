"""The crawler against a real local HTTP server that misbehaves in every way we expect.

Each test asserts what the server saw (exact paths, arrival times) and what ``stats.errors``
says, because "the crawl went fine" is not enough: we must know it was polite.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import logging
import time
import zlib
from collections.abc import Iterator
from typing import Any

import brotli
import pytest
from crawlkit import (
    GuardTransport,
    Resp,
    Site,
    ad_item,
    ad_page,
    feed_source,
    html_source,
    listing_html,
    make_config,
    run_crawl,
)

from trafficscan.pipeline.crawler import Crawler
from trafficscan.sources.config import Source

LINKED: dict[str, Any] = {"link": "a.more@href", "fields": {"title": "h1", "body": ".body"}}


def one_page_source(site: Site, path: str = "/list", **kw: Any) -> Source:
    return html_source("s", [site.url(path)], **kw)


# ------------------------------------------------------------------------------ retries


def test_500_then_ok_is_retried(site: Site, transport: GuardTransport) -> None:
    site.route("/list", Resp(500), Resp(502), Resp(body=listing_html(ad_item("A", "a")).encode()))
    ads, stats = run_crawl(make_config(one_page_source(site)), transport)
    assert [a.title for a in ads] == ["A"]
    assert site.paths(robots=True) == ["/robots.txt", "/list", "/list", "/list"]
    assert stats.retries == 2 and stats.errors == []
    assert stats.requests == 4 and stats.pages_fetched == 1


def test_503_forever_is_reported(site: Site, transport: GuardTransport) -> None:
    site.route("/list", Resp(503, body=b"busy"))
    ads, stats = run_crawl(make_config(one_page_source(site)), transport)
    assert ads == []
    assert site.paths() == ["/list"] * 3
    assert stats.errors == [
        {"source": "s", "url": site.url("/list"), "error": "HTTP 503 after 3 tries", "kind": "http"}
    ]


def test_404_is_not_retried(site: Site, transport: GuardTransport) -> None:
    _, stats = run_crawl(make_config(one_page_source(site, "/gone")), transport)
    assert site.paths() == ["/gone"]
    assert stats.errors[0]["error"] == "HTTP 404" and stats.retries == 0


def test_429_retry_after_is_obeyed(site: Site, transport: GuardTransport) -> None:
    site.route(
        "/list",
        Resp(429, headers={"Retry-After": "1"}),
        Resp(body=listing_html(ad_item("A", "a")).encode()),
    )
    ads, stats = run_crawl(make_config(one_page_source(site)), transport)
    assert len(ads) == 1 and stats.retries == 1
    hits = [h.t for h in site.hits if h.path == "/list"]
    assert hits[1] - hits[0] >= 0.95


def test_retry_after_beyond_cap_gives_up(site: Site, transport: GuardTransport) -> None:
    site.route("/list", Resp(429, headers={"Retry-After": "120"}))
    _, stats = run_crawl(make_config(one_page_source(site), retry_after_cap=2.0), transport)
    assert site.paths() == ["/list"]
    assert stats.errors[0]["error"] == (
        "HTTP 429 with Retry-After 120 s, more than retry_after_cap (2 s); not retried"
    )


def test_hang_beyond_timeout(site: Site, transport: GuardTransport) -> None:
    site.route("/list", Resp(delay=5.0, body=b"too late"))
    t0 = time.monotonic()
    _, stats = run_crawl(make_config(one_page_source(site), timeout=0.3, retries=1), transport)
    assert time.monotonic() - t0 < 2.0
    assert site.paths() == ["/list", "/list"]
    assert stats.errors[0]["error"] == "timeout after 1 retry"
    assert stats.timeouts == 2


def test_connection_refused_is_recorded(transport: GuardTransport) -> None:
    import socket

    with socket.socket() as sock:  # a port that nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    src = html_source("s", [f"http://127.0.0.1:{port}/x"])
    ads, stats = run_crawl(make_config(src, retries=1, respect_robots=False), transport)
    assert ads == []
    assert stats.errors[0]["error"].startswith("connection failed (ConnectError")
    assert stats.errors[0]["error"].endswith("after 1 retry")


# ----------------------------------------------------------------------------- size


def _twenty_mb() -> Iterator[bytes]:
    chunk = b"<p>" + b"x" * 65_533
    for _ in range(320):  # 20 MB, produced lazily
        yield chunk


def test_20mb_streamed_body_is_cut_off(site: Site, transport: GuardTransport) -> None:
    site.route("/big", Resp(body=_twenty_mb))  # chunked, no Content-Length
    src = html_source("s", [site.url("/big")])
    _, stats = run_crawl(make_config(src, max_bytes=100_000, retries=0), transport)
    assert stats.errors[0]["error"] == "response larger than max_bytes (100000)"
    assert stats.too_large == 1
    assert stats.bytes < 2_000_000  # we stopped reading early
    time.sleep(0.2)
    assert site.sent["/big"] < 20 * 1024 * 1024  # and the server noticed


def test_declared_length_over_limit_is_not_read(site: Site, transport: GuardTransport) -> None:
    site.route("/big", Resp(body=_twenty_mb, headers={"Content-Length": str(320 * 65_536)}))
    src = html_source("s", [site.url("/big")])
    _, stats = run_crawl(make_config(src, max_bytes=100_000, retries=0), transport)
    assert stats.errors[0]["error"] == "response larger than max_bytes (100000)"
    assert stats.bytes < 1_000_000


# ---------------------------------------------------------------------------- robots


def test_robots_disallowed_links_are_never_fetched(site: Site, transport: GuardTransport) -> None:
    site.robots("User-agent: *\nDisallow: /private\n")
    site.page("/list", listing_html(ad_item("x", href="/private/1"), ad_item("y", href="/ok/2")))
    site.page("/ok/2", ad_page("Two", "fine"))
    ads, stats = run_crawl(make_config(one_page_source(site, **LINKED)), transport)
    assert site.paths(robots=True) == ["/robots.txt", "/list", "/ok/2"]
    assert [a.title for a in ads] == ["Two"]
    assert stats.robots_forbidden == 1 and stats.errors == [] and stats.robots_fetched == 1


def test_robots_disallowed_start_url_is_an_error(site: Site, transport: GuardTransport) -> None:
    site.robots("User-agent: trafficscan\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    _, stats = run_crawl(make_config(one_page_source(site)), transport)
    assert site.paths(robots=True) == ["/robots.txt"]
    assert stats.errors[0]["error"] == "disallowed by robots.txt"


def test_robots_5xx_disallows_all_and_4xx_allows_all(site: Site, transport: GuardTransport) -> None:
    site.route("/robots.txt", Resp(500))
    site.page("/list", listing_html(ad_item("A", "a")))
    ads, stats = run_crawl(make_config(one_page_source(site), retries=1), transport)
    assert ads == [] and "/list" not in site.paths()
    # the start URL is not "disallowed": the rules could not be read (an HTTP error, not a block)
    assert [e["error"] for e in stats.errors] == [
        "robots.txt unreachable (HTTP 500 after 2 tries); host treated as disallowed",
        f"not fetched: robots.txt of {site.base} unreachable (HTTP 500 after 2 tries)",
    ]
    assert [e["kind"] for e in stats.errors] == ["http", "http"] and stats.robots_forbidden == 0
    site.route("/robots.txt", Resp(410))
    site.hits.clear()
    ads, stats = run_crawl(make_config(one_page_source(site)), transport)
    assert len(ads) == 1 and stats.errors == []


def test_robots_off_respected_flag(
    site: Site, transport: GuardTransport, caplog: pytest.LogCaptureFixture
) -> None:
    site.robots("User-agent: *\nDisallow: /\n")
    site.page("/list", listing_html(ad_item("A", "a")))
    with caplog.at_level(logging.WARNING, logger="trafficscan.crawl"):
        ads, _ = run_crawl(make_config(one_page_source(site), respect_robots=False), transport)
    assert len(ads) == 1 and site.paths(robots=True) == ["/list"]
    assert "respect_robots is false" in caplog.text


def test_crawl_delay_is_obeyed(site: Site, transport: GuardTransport) -> None:
    site.robots("User-agent: *\nCrawl-delay: 0.2\n")
    site.page("/list", listing_html(*(ad_item(f"t{i}", href=f"/ad/{i}") for i in range(3))))
    for i in range(3):
        site.page(f"/ad/{i}", ad_page(f"T{i}", "b"))
    ads, _ = run_crawl(make_config(one_page_source(site, **LINKED), per_host_rate=100), transport)
    assert len(ads) == 3
    ts = site.times(robots=False)
    assert len(ts) == 4
    assert min(b - a for a, b in itertools.pairwise(ts)) >= 0.19


# ------------------------------------------------------------------------- redirects


def test_offsite_redirect_is_not_followed(site: Site, transport: GuardTransport) -> None:
    site.route("/list", Resp(302, headers={"Location": "http://evil.example/steal"}))
    _, stats = run_crawl(make_config(one_page_source(site)), transport)
    assert stats.errors[0]["error"] == "redirect to off-site host evil.example not followed"
    assert stats.offsite_blocked == 1 and transport.refused == []


def test_onsite_redirect_is_followed_and_limited(site: Site, transport: GuardTransport) -> None:
    site.route("/old", Resp(301, headers={"Location": "/list?utm_source=x"}))
    site.page("/list", listing_html(ad_item("A", "a")))
    ads, stats = run_crawl(make_config(one_page_source(site, "/old")), transport)
    assert site.paths() == ["/old", "/list"] and stats.redirects == 1
    assert ads[0].url == site.url("/list#1")
    site.route("/loop", Resp(302, headers={"Location": "/loop2"}))
    site.route("/loop2", Resp(302, headers={"Location": "/loop"}))
    _, stats = run_crawl(make_config(one_page_source(site, "/loop"), max_redirects=3), transport)
    assert stats.errors[0]["error"] == "more than 3 redirects"


def test_offsite_links_in_pages_are_not_followed(site: Site, transport: GuardTransport) -> None:
    site.page(
        "/list",
        listing_html(
            ad_item("x", href="https://other.test/ad"),
            ad_item("y", href="/ad"),
            next_href="https://other.test/p2",
        ),
    )
    site.page("/ad", ad_page("Y", "b"))
    ads, stats = run_crawl(
        make_config(one_page_source(site, next_page="a.next@href", **LINKED)), transport
    )
    assert [a.title for a in ads] == ["Y"] and stats.offsite_blocked == 2
    assert site.paths() == ["/list", "/ad"]


# --------------------------------------------------------------------- content handling


def test_malformed_html(site: Site, transport: GuardTransport) -> None:
    html = (
        "<html><body><article class=ad><h2>Unclosed <b>title</h2><div class=body>"
        "Body <p>para<article class=ad><h2>Second</h2><div class=body>two</span></table>"
    )
    site.page("/list", html)
    ads, stats = run_crawl(make_config(one_page_source(site)), transport)
    assert [a.title for a in ads] == ["Unclosed title", "Second"]
    assert ads[0].body.startswith("Body\npara") and stats.errors == []


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compressed_page(site: Site, transport: GuardTransport, encoding: str) -> None:
    raw = listing_html(ad_item("Zipped", "body " * 200)).encode()
    body = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding](raw)
    site.route("/list", Resp(body=body, headers={"Content-Encoding": encoding}))
    ads, stats = run_crawl(make_config(one_page_source(site)), transport)
    assert [a.title for a in ads] == ["Zipped"]
    assert encoding in site.hits[-1].headers.get("Accept-Encoding", "")
    assert stats.bytes < len(raw)  # counted on the wire


def test_wrong_charset_header(site: Site, transport: GuardTransport) -> None:
    html = (
        '<html><head><meta charset="windows-1252"></head><body>'
        + ad_item("Café “special”", "€ 500 only")
        + "</body></html>"
    )
    site.route("/list", Resp(body=html.encode("cp1252"), content_type="text/html; charset=utf-8"))
    ads, _ = run_crawl(make_config(one_page_source(site)), transport)
    assert ads[0].title == "Café “special”" and ads[0].body == "€ 500 only"


def test_non_html_is_skipped_before_reading(site: Site, transport: GuardTransport) -> None:
    site.page("/list", listing_html(ad_item("x", href="/file.pdf"), ad_item("y", href="/ad")))
    site.route("/file.pdf", Resp(body=b"%PDF" * 50_000, content_type="application/pdf"))
    site.page("/ad", ad_page("Y", "b"))
    ads, stats = run_crawl(make_config(one_page_source(site, **LINKED)), transport)
    assert [a.title for a in ads] == ["Y"] and stats.non_html_skipped == 1
    assert stats.errors == [
        {
            "source": "s",
            "url": site.url("/file.pdf"),
            "error": "not HTML (content type application/pdf), skipped",
            "kind": "other",
        }
    ]


# ------------------------------------------------------------------------- pagination


def _loop(site: Site) -> None:
    site.page("/p1", listing_html(ad_item("one", "1"), next_href="/p2?utm_medium=x"))
    site.page("/p2", listing_html(ad_item("two", "2"), next_href="/p3#top"))
    site.page("/p3", listing_html(ad_item("three", "3"), next_href="/p1"))


def test_pagination_loop_ends(site: Site, transport: GuardTransport) -> None:
    _loop(site)
    src = one_page_source(site, "/p1", next_page="a.next@href", max_pages=50)
    ads, stats = run_crawl(make_config(src), transport)
    assert site.paths() == ["/p1", "/p2", "/p3"]
    assert [a.title for a in ads] == ["one", "two", "three"]
    assert stats.duplicates_skipped == 1 and stats.pages_fetched == 3


def test_max_pages_and_override(site: Site, transport: GuardTransport) -> None:
    _loop(site)
    src = one_page_source(site, "/p1", next_page="a.next@href", max_pages=2)
    run_crawl(make_config(src), transport)
    assert site.paths() == ["/p1", "/p2"]
    site.hits.clear()
    run_crawl(make_config(src), transport, max_pages=1)
    assert site.paths() == ["/p1"]


def test_tracking_variants_fetched_once(site: Site, transport: GuardTransport) -> None:
    site.page(
        "/list",
        listing_html(
            ad_item("a", href="/ad?id=1&utm_source=fb"),
            ad_item("b", href="/ad?id=1#photos"),
            ad_item("c", href="/ad?id=1&fbclid=XYZ"),
            ad_item("d", href="/ad?id=2"),
        ),
    )
    site.page("/ad", ad_page("Ad", "b"))
    ads, stats = run_crawl(make_config(one_page_source(site, **LINKED)), transport)
    assert sorted(site.paths()) == ["/ad?id=1", "/ad?id=2", "/list"]
    assert len(ads) == 2 and stats.duplicates_skipped == 2


def test_inline_positions_and_empty_ads(site: Site, transport: GuardTransport) -> None:
    site.page("/list", listing_html(ad_item("A", "a"), ad_item("", ""), ad_item("", "only body")))
    ads, stats = run_crawl(make_config(one_page_source(site)), transport)
    assert [a.url for a in ads] == [site.url("/list#1"), site.url("/list#3")]
    assert stats.ads_skipped_empty == 1


def test_nothing_found_is_counted(site: Site, transport: GuardTransport) -> None:
    site.page("/list", "<html><body><p>redesigned site</p></body></html>")
    ads, stats = run_crawl(make_config(one_page_source(site)), transport)
    assert ads == [] and stats.listing_pages_empty == 1 and stats.pages_fetched == 1


# ----------------------------------------------------------------------- politeness


def test_per_host_rate_across_sources(site: Site, transport: GuardTransport) -> None:
    """Two sources on one host share its rate: no burst, whatever window the server looks at.

    The crawler spaces the *sends*; the server sees arrivals, each late by a little scheduling
    and network jitter (tens of ms on a loaded CI machine). So a gap may be short by at most
    that jitter, but k gaps in a row never sum to less than k/rate minus it: a limiter that
    let requests through in bursts fails the window check however the jitter falls.
    """
    rate = 10.0
    jitter = 0.03
    for n in ("a", "b"):
        site.page(f"/{n}", listing_html(*(ad_item(f"{n}{i}", href=f"/{n}/{i}") for i in range(5))))
        for i in range(5):
            site.page(f"/{n}/{i}", ad_page(f"{n}{i}", "x"))
    cfg = make_config(
        html_source("a", [site.url("/a")], **LINKED),
        html_source("b", [site.url("/b")], **LINKED),
        per_host_rate=rate,
        concurrency=8,
    )
    ads, stats = run_crawl(cfg, transport)
    assert len(ads) == 10
    ts = site.times()
    assert len(ts) == 13  # robots + 2 listings + 10 ads
    gaps = [b - a for a, b in itertools.pairwise(ts)]
    assert min(gaps) >= 1 / rate - jitter, gaps
    for k in (2, 4, 8):
        spans = [ts[i + k] - ts[i] for i in range(len(ts) - k)]
        assert min(spans) >= k / rate - jitter, (k, spans)
    # The whole run is the widest window: same jitter model, so n gaps span at least n/rate - jitter.
    n = len(ts) - 1
    achieved = n / (ts[-1] - ts[0])
    assert 0.85 * rate <= achieved <= n / (n / rate - jitter), achieved
    assert stats.robots_fetched == 1


def test_user_agent_and_keep_alive(site: Site, transport: GuardTransport) -> None:
    site.page("/list", listing_html(ad_item("A", "a")))
    run_crawl(
        make_config(
            one_page_source(site),
            user_agent="trafficscan/9 (+https://t.test)",
            contact="cyber@police.example",
        ),
        transport,
    )
    uas = {h.headers["User-Agent"] for h in site.hits}
    assert uas == {"trafficscan/9 (+https://t.test; +cyber@police.example)"}


# ---------------------------------------------------------------------- feeds and jsonl


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id><updated>2024-01-01T00:00:00Z</updated>
<entry><title>Atom ad</title><id>1</id><link href="/a/1"/><updated>2024-03-01T12:00:00+05:30</updated>
<summary type="html">&lt;p&gt;Hello &lt;i&gt;there&lt;/i&gt;&lt;/p&gt;</summary></entry>
<entry><title>Content only</title><id>2</id><updated>2024-03-02T00:00:00Z</updated>
<content type="html">&lt;div&gt;full text&lt;/div&gt;</content></entry></feed>"""


def test_atom_feed(site: Site, transport: GuardTransport) -> None:
    site.route("/atom", Resp(body=ATOM.encode(), content_type="application/atom+xml"))
    ads, _ = run_crawl(make_config(feed_source("f", "rss", [site.url("/atom")])), transport)
    assert [(a.title, a.body) for a in ads] == [
        ("Atom ad", "Hello there"),
        ("Content only", "full text"),
    ]
    assert ads[0].url == site.url("/a/1") and ads[0].posted_at == "2024-03-01T06:30:00Z"
    assert ads[1].url == site.url("/atom#2")


def test_not_a_feed(site: Site, transport: GuardTransport) -> None:
    site.route(
        "/rss", Resp(body=b"<html><body>Gateway page</body></html", content_type="application/xml")
    )
    ads, stats = run_crawl(make_config(feed_source("f", "rss", [site.url("/rss")])), transport)
    assert ads == [] and stats.errors[0]["error"].startswith("not a readable RSS/Atom feed")


def test_jsonl_over_http_and_file(site: Site, transport: GuardTransport, tmp_path) -> None:
    lines = '{"title": "T1", "body": "B1", "url": "https://x.test/1"}\nnot json\n{"text": "T2"}\n'
    site.route("/ads.jsonl", Resp(body=lines.encode(), content_type="application/x-ndjson"))
    f = tmp_path / "ads.jsonl"
    f.write_text(lines, encoding="utf-8")
    cfg = make_config(
        feed_source("web", "jsonl", [site.url("/ads.jsonl")]),
        feed_source("disk", "jsonl", [f.as_uri(), (tmp_path / "none.jsonl").as_uri()]),
    )
    ads, stats = run_crawl(cfg, transport)
    assert sorted((a.source, a.text) for a in ads) == [
        ("disk", "T1\nB1"),
        ("disk", "T2"),
        ("web", "T1\nB1"),
        ("web", "T2"),
    ]
    errors = sorted((e["source"], e["error"]) for e in stats.errors)
    assert errors == [
        ("disk", "cannot read file (No such file or directory)"),
        ("disk", "line 2: invalid JSON: Expecting value (column 1)"),
        ("web", "line 2: invalid JSON: Expecting value (column 1)"),
    ]


# --------------------------------------------------------------------------- lifecycle


def test_early_close_cancels_and_closes(site: Site, transport: GuardTransport) -> None:
    site.page("/list", listing_html(*(ad_item(f"t{i}", href=f"/ad/{i}") for i in range(30))))
    for i in range(30):
        site.page(f"/ad/{i}", ad_page(f"T{i}", "b"))
    cfg = make_config(one_page_source(site, **LINKED), per_host_rate=50)
    crawler = Crawler(cfg, cfg.sources, transport=transport)

    async def go() -> int:
        gen = crawler.ads()
        first = await gen.__anext__()
        await gen.aclose()
        assert first.title.startswith("T")
        assert crawler._tasks == set()
        assert crawler._fetcher is not None and crawler._fetcher.client.is_closed
        return len(site.hits)

    n = asyncio.run(go())
    time.sleep(0.15)
    assert len(site.hits) == n < 10  # nothing was sent after close


def test_cancellation_like_ctrl_c(site: Site, transport: GuardTransport) -> None:
    site.page("/list", listing_html(ad_item("A", "a")), delay=5.0)
    cfg = make_config(one_page_source(site))
    crawler = Crawler(cfg, cfg.sources, transport=transport)

    async def consume() -> None:
        async for _ in crawler.ads():
            pass

    async def go() -> None:
        task = asyncio.create_task(consume())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert crawler._fetcher is not None and crawler._fetcher.client.is_closed


def test_crawler_runs_once(site: Site, transport: GuardTransport) -> None:
    site.page("/list", listing_html(ad_item("A", "a")))
    cfg = make_config(one_page_source(site))
    crawler = Crawler(cfg, cfg.sources, transport=transport)

    async def go() -> None:
        assert len([a async for a in crawler.ads()]) == 1
        with pytest.raises(RuntimeError):
            async for _ in crawler.ads():
                pass

    asyncio.run(go())


def test_no_sources_is_an_empty_crawl() -> None:
    cfg = make_config()
    ads, stats = run_crawl(cfg)
    assert ads == [] and stats.pages_fetched == 0


def test_progress_display_does_not_disturb(
    site: Site, transport: GuardTransport, capsys: pytest.CaptureFixture[str]
) -> None:
    site.page("/list", listing_html(ad_item("A", "a"), ad_item("B", "b")))
    ads, _ = run_crawl(make_config(one_page_source(site)), transport, progress=True)
    assert len(ads) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "s" in captured.err  # progress goes to stderr only
