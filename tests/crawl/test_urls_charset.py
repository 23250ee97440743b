"""URL normal forms (w3lib) and charset fallbacks (UnicodeDammit): what a crawl fetches once,
which hosts it may contact, and what text an ad page yields.

The normal form is what the visited set, ``url`` in outputs and ``#<position>`` item URLs are
made of, so every case here is a page a scan would otherwise fetch twice or report twice.
"""

from __future__ import annotations

import asyncio

import pytest
from crawlkit import html_source, make_config, mock_listing_site
from hypothesis import given
from hypothesis import strategies as st

from trafficscan.fetch.charset import decode_body
from trafficscan.fetch.urls import HostGuard, host_of, normalize_url
from trafficscan.pipeline.crawler import Crawler

# ------------------------------------------------------------------------ one page, one key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://e.org/a/./b/../c", "https://e.org/a/c"),
        ("https://e.org/a/b/../../c", "https://e.org/c"),
        ("https://e.org/a/..", "https://e.org/"),
        ("https://e.org/%2e%2e/x", "https://e.org/x"),
        ("https://e.org/p/%e0%a4%a8", "https://e.org/p/%E0%A4%A8"),
        ("https://e.org/p/%e0%a4%a8", "https://e.org/p/न"),
        ("https://e.org/%7euser/%41d", "https://e.org/~user/Ad"),
        ("https://e.org/p?q=%e0%a4%a8", "https://e.org/p?q=%E0%A4%A8"),
        ("https://e.org/a\\b", "https://e.org/a/b"),  # browsers read a backslash as a slash
        ("http://bücher.example/ad", "http://xn--bcher-kva.example/ad"),
        ("http://BÜCHER.example:80/ad", "http://xn--bcher-kva.example/ad"),
        ("https://user:secret@e.org/x", "https://e.org/x"),
    ],
)
def test_spellings_of_one_page_share_one_key(a: str, b: str) -> None:
    assert normalize_url(a) == normalize_url(b)


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("https://e.org/a/./b/../c", "https://e.org/a/c"),
        ("https://e.org/p/%e0%a4%a8", "https://e.org/p/%E0%A4%A8"),
        ("http://bücher.example/", "http://xn--bcher-kva.example/"),
        ("http://bücher.example/x?q=ü#top", "http://xn--bcher-kva.example/x?q=%C3%BC"),
        ("https://e.org/100%", "https://e.org/100%25"),  # a stray % is escaped, not an escape
        ("https://e.org/p?b=2&a=1&utm_source=x", "https://e.org/p?b=2&a=1"),  # order kept
        ("https://e.org/p?q=a%20b+c&r=%7e", "https://e.org/p?q=a%20b+c&r=%7E"),  # spelling kept
        ("http://[::1", None),  # a broken link is no page (it used to raise ValueError)
        ("http://ex ample.org/", None),
    ],
)
def test_normal_form(url: str, want: str | None) -> None:
    assert normalize_url(url) == want


def test_query_order_and_encoding_still_tell_pages_apart() -> None:
    assert normalize_url("https://e.org/p?a=1&b=2") != normalize_url("https://e.org/p?b=2&a=1")
    assert normalize_url("https://e.org/p?q=a+b") != normalize_url("https://e.org/p?q=a%2Bb")


_PIECES = st.sampled_from(
    [
        *"ab/.?=&#-_~ é+|;:@!%\\[]",
        "%e0",
        "%E0",
        "%7e",
        "%41",
        "..",
        "./",
        "%2f",
        "%20",
        "%%41",
        "utm_x=1",
    ]
)


@given(
    path=st.lists(_PIECES, max_size=15).map("".join),
    host=st.sampled_from(["e.org", "E.ORG:80", "x.test:8080", "bücher.example", "[::1]"]),
)
def test_normal_form_is_a_fixed_point(path: str, host: str) -> None:
    once = normalize_url(f"http://{host}/{path}")
    if once is not None:
        assert normalize_url(once) == once
        assert once.isascii() and "#" not in once


# ----------------------------------------------------------------------- allowed hosts


def test_host_guard_takes_either_spelling_of_an_international_host() -> None:
    for configured in ("bücher.example", "xn--bcher-kva.example", "BÜCHER.example"):
        guard = HostGuard([configured])
        assert guard.allows("http://bücher.example/ad")
        assert guard.allows(normalize_url("http://bücher.example/ad") or "")
        assert not guard.allows("http://bucher.example/ad")
        assert not guard.allows("http://ads.bücher.example/ad")
    assert host_of("http://BÜCHER.example:8080/x") == "xn--bcher-kva.example"
    assert host_of("http://[::1]:99/x") == "::1"


def test_crawl_of_an_international_host_stays_on_it() -> None:
    """Start URL in Unicode, links in both spellings and one to a look-alike host: every
    request goes to the punycode host, each ad page once, the look-alike never."""
    listing = """<html><body>
      <article class="ad"><a class="more" href="/ad/1">one</a></article>
      <article class="ad"><a class="more" href="http://bücher.example/ad/./2">two</a></article>
      <article class="ad"><a class="more" href="http://xn--bcher-kva.example/ad/2">two again</a></article>
      <article class="ad"><a class="more" href="http://bucher.example/ad/3">elsewhere</a></article>
    </body></html>"""
    seen: list[str] = []
    src = html_source(
        "idn",
        ["http://bücher.example/list"],
        link="a.more@href",
        fields={"title": "h1", "body": ".body"},
    )
    cfg = make_config(src)
    crawler = Crawler(cfg, cfg.sources, transport=mock_listing_site(seen, "/list", listing))

    async def go() -> list:
        return [ad async for ad in crawler.ads()]

    ads = asyncio.run(go())
    assert sorted(a.title for a in ads) == ["Ad 1", "Ad 2"]
    assert sorted(a.url for a in ads) == [
        "http://xn--bcher-kva.example/ad/1",
        "http://xn--bcher-kva.example/ad/2",
    ]
    assert sorted(seen) == [
        "http://xn--bcher-kva.example/ad/1",
        "http://xn--bcher-kva.example/ad/2",
        "http://xn--bcher-kva.example/list",
        "http://xn--bcher-kva.example/robots.txt",
    ]
    assert crawler.stats.offsite_blocked == 1


# ---------------------------------------------------------------------------- charsets

HINDI_PAGE = (
    "<html><head><title>नौकरी</title></head><body><h1>नई लड़कियाँ आई हैं</h1>"
    "<p>call 90000 12345, मुफ़्त रहना</p></body></html>"
)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_or_header_decodes(codec: str) -> None:
    text, used = decode_body(HINDI_PAGE.encode(codec), "text/html")
    assert text == HINDI_PAGE and used == codec
    assert "\x00" not in text


def test_windows_1252_page_without_declaration() -> None:
    page = "<p>Café staff wanted – ₹ not €: naïve “quotes”</p>".replace("₹", "Rs")
    text, used = decode_body(page.encode("cp1252"), "text/html")
    assert (text, used) == (page, "cp1252")


def test_windows_1252_page_with_its_header() -> None:
    page = "<p>Señora’s café – 5 €</p>"
    assert decode_body(page.encode("cp1252"), "text/html; charset=windows-1252") == (page, "cp1252")


@pytest.mark.parametrize(
    "header",
    [
        "text/html; charset=ISO-8859-1",
        "text/html; charset=windows-1252",
        "text/html; charset=shift_jis",
        "text/html; charset=utf-16",
    ],
)
def test_utf8_page_with_a_wrong_header(header: str) -> None:
    """A server default charset over a UTF-8 page: the words survive, not as mojibake."""
    text, used = decode_body(HINDI_PAGE.encode("utf-8"), header)
    assert (text, used) == (HINDI_PAGE, "utf-8")
    page = "<p>Café naïve</p>"  # Latin only: still UTF-8, not "CafÃ©"
    assert decode_body(page.encode("utf-8"), header) == (page, "utf-8")


def test_declared_legacy_encoding_still_wins_when_it_fits() -> None:
    page = "<p>東京の求人</p>"
    assert decode_body(page.encode("shift_jis"), "text/html; charset=Shift_JIS") == (
        page,
        "shift_jis",
    )
    meta = '<meta charset="windows-1252"><p>Café – €5</p>'
    assert decode_body(meta.encode("cp1252"), "text/html; charset=utf-8") == (meta, "cp1252")


def test_undecodable_and_empty_bodies() -> None:
    text, used = decode_body(b"ok \x81\x8d \xff\xfe\x9d", "")
    assert used == "utf-8+replace" and text.startswith("ok ") and "\ufffd" in text
    assert decode_body(b"", "text/html") == ("", "utf-8")
