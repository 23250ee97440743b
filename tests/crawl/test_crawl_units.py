"""Unit tests of the small crawl components: URLs, charset, retry policy, rate limiter, text."""

from __future__ import annotations

import asyncio
import itertools
import time

import httpx
import pytest
from crawlkit import make_config, make_defaults
from hypothesis import example, given
from hypothesis import strategies as st

from trafficscan.fetch.charset import decode_body, header_charset, meta_charset
from trafficscan.fetch.fetcher import agent_token, build_user_agent
from trafficscan.fetch.ratelimit import HostRateLimiter
from trafficscan.fetch.retry import RetryPolicy, parse_retry_after
from trafficscan.fetch.stats import CrawlStats
from trafficscan.fetch.urls import HostGuard, normalize_url
from trafficscan.parse.feeds import parse_jsonl
from trafficscan.parse.html import element_text, parse_detail, parse_html, parse_listing
from trafficscan.pipeline.crawler import Crawler
from trafficscan.sources.config import Defaults, Listing, Selector

# ---------------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("url", "base", "want"),
    [
        ("/a/b?x=1#frag", "https://Example.ORG/list", "https://example.org/a/b?x=1"),
        ("?page=2", "https://example.org/list?page=1", "https://example.org/list?page=2"),
        ("HTTP://EXAMPLE.org:80", None, "http://example.org/"),
        ("https://example.org:8443/p", None, "https://example.org:8443/p"),
        (
            "/p?utm_source=x&id=7&UTM_Medium=y&fbclid=z&gclid=q&b=2",
            "https://e.org",
            "https://e.org/p?id=7&b=2",
        ),
        ("/p?b=2&a=1", "https://e.org", "https://e.org/p?b=2&a=1"),  # order kept, not sorted
        ("/p?q=a%20b+c", "https://e.org", "https://e.org/p?q=a%20b+c"),  # encoding kept
        ("/a b/é?q=ü x", "https://e.org", "https://e.org/a%20b/%C3%A9?q=%C3%BC%20x"),
        ("/a%20b", "https://e.org", "https://e.org/a%20b"),
        ("mailto:x@y.org", "https://e.org", None),
        ("javascript:void(0)", "https://e.org", None),
        ("", "https://e.org", None),
        ("http://[::1]:99/x", None, "http://[::1]:99/x"),
    ],
)
def test_normalize_url(url: str, base: str | None, want: str | None) -> None:
    assert normalize_url(url, base) == want


def test_host_guard_is_exact() -> None:
    g = HostGuard(["Example.org"])
    assert g.allows("https://example.org/x")
    assert g.allows("http://EXAMPLE.ORG:8080/x")
    assert not g.allows("https://ads.example.org/x")
    assert not g.allows("https://example.org.evil.test/x")


# ------------------------------------------------------------------------------- charset


def test_header_lies_meta_wins() -> None:
    body = '<html><head><meta charset="windows-1252"></head><body>Café – €5</body></html>'
    raw = body.encode("cp1252")
    text, codec = decode_body(raw, "text/html; charset=utf-8")
    assert "Café – €5" in text and codec == "cp1252"


def test_charset_sources() -> None:
    assert header_charset("text/html; charset=ISO-8859-1") == "cp1252"  # WHATWG alias
    assert header_charset("text/html; charset=bogus") is None
    assert (
        meta_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">')
        == "shift_jis"
    )
    assert decode_body("नमस्ते".encode(), "")[0] == "नमस्ते"
    assert decode_body(b"\xef\xbb\xbfhi", "text/html; charset=cp1252") == ("hi", "utf-8")
    assert decode_body("naïve".encode("cp1252"), "")[0] == "naïve"  # no declaration: cp1252
    text, codec = decode_body(b"a\x81\x8d b\xff\xfe\x9d", "")  # not valid in utf-8 or cp1252
    assert codec == "utf-8+replace" and text.startswith("a")


# --------------------------------------------------------------------------------- retry


def test_retry_after_parsing() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0


def test_backoff_grows_with_jitter_and_respects_cap() -> None:
    p = RetryPolicy(retries=3, backoff_base=1.0, retry_after_cap=10.0)
    for attempt in range(4):
        waits = {p.backoff(attempt) for _ in range(20)}
        assert all(0.5 * 2**attempt <= w <= 1.5 * 2**attempt for w in waits)
        assert len(waits) > 1  # jittered
    assert p.wait_for(0, 8.0) == 8.0
    assert p.wait_for(0, 11.0) is None
    assert p.should_retry_status(429) and p.should_retry_status(503)
    assert not p.should_retry_status(404)


# ------------------------------------------------------------------------------ limiter


def test_rate_limiter_spacing_and_concurrency() -> None:
    """Starts to one host are >= 1/rate apart; other hosts are not held up; slots bounded."""
    starts: dict[str, list[float]] = {"a": [], "b": []}
    in_flight = peak = 0

    async def one(lim: HostRateLimiter, host: str) -> None:
        nonlocal in_flight, peak
        async with lim.slot(host):
            starts[host].append(time.monotonic())
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.03)
            in_flight -= 1

    async def go() -> None:
        lim = HostRateLimiter(concurrency=2, per_host_rate=40)
        await asyncio.gather(*(one(lim, h) for h in "ababababab"))

    t0 = time.monotonic()
    asyncio.run(go())
    for ts in starts.values():
        gaps = [b - a for a, b in itertools.pairwise(ts)]
        assert min(gaps) >= 0.025 - 0.002
    assert peak <= 2
    assert time.monotonic() - t0 < 0.5  # hosts a and b proceed in parallel


def test_rate_limiter_crawl_delay_and_defer() -> None:
    async def go() -> list[float]:
        lim = HostRateLimiter(concurrency=4, per_host_rate=1000)
        out = []
        async with lim.slot("h"):
            out.append(time.monotonic())
        lim.slow_down("h", 0.1, "test")
        lim.slow_down("h", 0.01, "never faster")
        async with lim.slot("h"):
            out.append(time.monotonic())
        lim.defer("h", 0.15)
        async with lim.slot("h"):
            out.append(time.monotonic())
        return out

    t = asyncio.run(go())
    assert t[1] - t[0] >= 0.098
    assert t[2] - t[1] >= 0.148


# ----------------------------------------------------------------------------- extract


def test_element_text_keeps_paragraphs_and_drops_scripts() -> None:
    soup = parse_html("""<div id=x>  Hello <b>big</b>\n  world<p>Second   para</p>
        <script>var x = 1;</script><style>p{}</style><!-- note -->
        line<br>break&nbsp;here<ul><li>one</li><li>two</li></ul>
        <table><tr><td>a</td><td>b</td></tr></table></div>""")
    el = soup.select_one("#x")
    assert el is not None
    assert element_text(el) == ("Hello big world\nSecond para\nline\nbreak here\none\ntwo\na b")


def test_element_text_survives_deep_nesting() -> None:
    soup = parse_html("<div>" * 5000 + "deep" + "</div>" * 5000)
    assert element_text(soup) == "deep"


def test_parse_listing_inline_links_base_and_strip() -> None:
    html = """<html><head><base href="https://e.org/sub/"></head><body>
      <li class=i data-id=1><a class=t href="ad1.html#top">One</a></li>
      <li class=i><span class=t>Two</span><span class=junk>JUNK</span><em>x</em></li>
      <li class=i><a class=t href="javascript:void(0)">Three</a></li>
      <a rel=next href="?page=2">next</a></body></html>"""
    listing = Listing(
        item=Selector.parse("li.i"),
        link=Selector.parse("a.t@href"),
        next_page=Selector.parse("a[rel=next]@href"),
    )
    fields = {
        "title": Selector.parse(".t"),
        "body": Selector.parse("em"),
        "contact": Selector.parse(":scope@data-id"),
    }
    page = parse_listing(html, "https://e.org/list", listing, fields, strip=[".junk"])
    assert [i.position for i in page.items] == [1, 2, 3]
    assert page.items[0].link == "https://e.org/sub/ad1.html"
    assert page.items[1].link is None and page.items[1].fields["title"] == "Two"
    assert page.items[2].fields["title"] == "Three"  # unusable link: read inline
    assert page.next_url == "https://e.org/sub/?page=2"


def test_parse_detail_missing_fields_are_empty() -> None:
    fields = {
        "title": Selector.parse("h1"),
        "price": Selector.parse(".price"),
        "posted_at": Selector.parse("time@datetime"),
    }
    got = parse_detail("<h1>T</h1><time datetime='2024-01-02'>x</time>", fields)
    assert got == {"title": "T", "price": "", "posted_at": "2024-01-02"}


# ----------------------------------------------------------------------------- records


def test_jsonl_records() -> None:
    lines = [
        '{"text": "call me", "id": "a1", "price": 500}',
        "",
        "{bad json",
        '["not", "an object"]',
        '{"title": "T", "body": "B", "source": "orig"}',
        '{"title": "", "body": ""}',
        '{"foo": 1}',
    ]
    out = list(parse_jsonl(lines, "cfg"))
    assert [r.line for r in out] == [1, 3, 4, 5, 6, 7]
    assert out[0].ad is not None and out[0].ad.text == "call me" and out[0].ad.id == "a1"
    assert out[0].ad.price == "500" and out[0].ad.source == "cfg"
    assert out[1].error.startswith("line 3: invalid JSON")
    assert out[2].error == "line 4: expected a JSON object, got list"
    assert out[3].ad is not None and out[3].ad.source == "orig" and out[3].ad.text == "T\nB"
    assert out[4].ad is None and not out[4].error  # empty record: skipped, counted by crawler
    assert out[5].error == "line 7: no text, title or body field"


# ----------------------------------------------------------------------- agent + stats


def test_user_agent_with_contact() -> None:
    d = Defaults(user_agent="trafficscan/1.0 (+https://x.test)", contact="cyber@police.example")
    assert build_user_agent(d) == "trafficscan/1.0 (+https://x.test; +cyber@police.example)"
    assert build_user_agent(Defaults(user_agent="probe/2", contact="a@b")) == "probe/2; +a@b"
    assert build_user_agent(Defaults(user_agent="probe/2")) == "probe/2"
    assert agent_token("trafficscan/1.0 (+x)") == "trafficscan"


def test_stats_to_dict() -> None:
    s = CrawlStats()
    s.add_error("src", "http://x", "HTTP 503 after 3 tries", "http")
    d = s.to_dict()
    for key in (
        "pages_fetched",
        "bytes",
        "retries",
        "robots_forbidden",
        "offsite_blocked",
        "ads_skipped_empty",
        "errors_count",
    ):
        assert key in d
    assert d["errors_count"] == 1 and "errors" not in d
    assert s.errors == [
        {"source": "src", "url": "http://x", "error": "HTTP 503 after 3 tries", "kind": "http"}
    ]
    assert s.errors_by_kind() == {"http": 1}


# -------------------------------------------------------------------- mock transport


def test_mock_transport_crawl_with_gzip_free_rss() -> None:
    """The Crawler API end to end over httpx.MockTransport (no sockets at all)."""
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>
      <item><title>New girl &lt;b&gt;in town&lt;/b&gt;</title>
        <description>&lt;p&gt;Call &lt;b&gt;now&lt;/b&gt;&lt;/p&gt;&lt;p&gt;24x7&lt;/p&gt;</description>
        <link>https://feeds.test/ad/1</link><pubDate>Tue, 05 Nov 2024 10:00:00 GMT</pubDate></item>
      <item><title></title><description></description></item>
      <item><title>No link</title></item>
    </channel></rss>"""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, content=feed, headers={"content-type": "application/rss+xml"})

    from crawlkit import feed_source

    cfg = make_config(feed_source("feed", "rss", ["https://feeds.test/rss?utm_campaign=z"]))
    crawler = Crawler(cfg, cfg.sources, transport=httpx.MockTransport(handler))

    async def go() -> list:
        return [ad async for ad in crawler.ads()]

    ads = asyncio.run(go())
    assert seen == ["https://feeds.test/robots.txt", "https://feeds.test/rss"]
    assert [a.title for a in ads] == ["New girl in town", "No link"]
    assert ads[0].body == "Call now\n24x7"
    assert ads[0].url == "https://feeds.test/ad/1" and ads[0].posted_at == "2024-11-05T10:00:00Z"
    assert ads[1].url == "https://feeds.test/rss#3"
    assert crawler.stats.ads_skipped_empty == 1 and crawler.stats.pages_fetched == 1


def test_defaults_helper_is_fast() -> None:
    assert make_defaults().backoff_base < 0.1


@example(path="?=& &", host="e.org")  # a trailing space trimmed after the query was filtered
@given(
    path=st.text(alphabet="abc/%?=&#._-~ é", max_size=30),
    host=st.sampled_from(["e.org", "E.ORG:80", "x.test:8080"]),
)
def test_normalize_is_idempotent(path: str, host: str) -> None:
    once = normalize_url(f"http://{host}/{path}")
    if once is not None:
        assert normalize_url(once) == once
        assert "#" not in once and "utm_" not in once.lower().split("?", 1)[-1][:4]
