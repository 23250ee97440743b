"""International host names in a config: ``allowed_hosts: ["खोज.भारत"]`` and a start URL in
either spelling are one host, compared and requested in its ASCII (IDNA) form.

Every request here goes to ``httpx.MockTransport``: the test sees each URL a scan would send
and nothing leaves the process.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from crawlkit import make_defaults, mock_listing_site

from trafficscan.fetch.fetcher import Fetcher, FetchError
from trafficscan.fetch.stats import CrawlStats
from trafficscan.pipeline.crawler import Crawler
from trafficscan.sources.config import Config, Source, load_config

KHOJ = "xn--21bm4l.xn--h2brj9c"  # खोज.भारत
LOOKALIKE = "खोजी.भारत"  # one vowel sign more: another host


def _config(tmp_path: Path, start_url: str, allowed: str) -> Config:
    path = tmp_path / "config.yaml"
    path.write_text(
        "version: 1\n"
        "defaults: {per_host_rate: 1000, backoff_base: 0}\n"
        "sources:\n"
        "  - name: khoj\n"
        "    kind: html\n"
        f"    start_urls: ['{start_url}']\n"
        f"    allowed_hosts: {allowed}\n"
        "    listing: {item: article.ad, link: 'a.more@href'}\n"
        "    fields: {title: h1, body: .body}\n",
        encoding="utf-8",
    )
    return load_config(path)


LISTING = f"""<html><body>
  <article class="ad"><a class="more" href="/ad/1">one</a></article>
  <article class="ad"><a class="more" href="https://खोज.भारत/ad/2">two</a></article>
  <article class="ad"><a class="more" href="https://{KHOJ}/ad/3">three</a></article>
  <article class="ad"><a class="more" href="https://{LOOKALIKE}/ad/4">elsewhere</a></article>
</body></html>"""


@pytest.mark.parametrize("start_host", ["खोज.भारत", KHOJ, "खोज。भारत"])
@pytest.mark.parametrize(
    "allowed", ['["खोज.भारत"]', f'["{KHOJ}"]', '["खोज.भारत:443"]', f'["{KHOJ.upper()}"]']
)
def test_a_unicode_host_is_allowed_in_either_spelling(
    start_host: str, allowed: str, tmp_path: Path
) -> None:
    """Whichever spelling the config and the links use: every request goes to the ASCII
    host, each ad once, and the look-alike host is never contacted."""
    cfg = _config(tmp_path, f"https://{start_host}/jobs", allowed)
    assert cfg.sources[0].hosts == frozenset({KHOJ})
    seen: list[str] = []
    crawler = Crawler(cfg, cfg.sources, transport=mock_listing_site(seen, "/jobs", LISTING))

    async def go() -> list:
        return [ad async for ad in crawler.ads()]

    ads = asyncio.run(go())
    assert sorted(a.title for a in ads) == ["Ad 1", "Ad 2", "Ad 3"]
    assert sorted(seen) == [
        f"https://{KHOJ}/ad/1",
        f"https://{KHOJ}/ad/2",
        f"https://{KHOJ}/ad/3",
        f"https://{KHOJ}/jobs",
        f"https://{KHOJ}/robots.txt",
    ]
    assert crawler.stats.offsite_blocked == 1


def test_only_the_configured_unicode_host_is_allowed(tmp_path: Path) -> None:
    """A start URL on another host than ``allowed_hosts`` names is not fetched at all."""
    cfg = _config(tmp_path, f"https://{LOOKALIKE}/jobs", '["खोज.भारत"]')
    seen: list[str] = []
    crawler = Crawler(cfg, cfg.sources, transport=mock_listing_site(seen, "/jobs", LISTING))

    async def go() -> list:
        return [ad async for ad in crawler.ads()]

    assert asyncio.run(go()) == []
    assert seen == []
    assert crawler.stats.offsite_blocked == 1


def test_the_request_goes_to_the_host_the_guard_checked() -> None:
    """A zero-width joiner inside a Devanagari name: IDNA 2003 (w3lib, and so the host check)
    drops it, IDNA 2008 (httpx, given the Unicode URL) keeps it and names another host. The
    fetcher asks httpx for the host it checked, not for a second encoding of the name."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, text="<p>ok</p>", headers={"content-type": "text/html"})

    source = Source(name="s", kind="html", start_urls=(), allowed_hosts=("क्ष.भारत",))
    fetcher = Fetcher(
        make_defaults(respect_robots=False), CrawlStats(), transport=httpx.MockTransport(handler)
    )

    async def go() -> None:
        try:
            page = await fetcher.fetch("https://क्\u200dष.भारत/jobs", source)
            assert page.status == 200
            with pytest.raises(FetchError, match="not among the source's hosts"):
                await fetcher.fetch("https://क्षा.भारत/jobs", source)
        finally:
            await fetcher.aclose()

    asyncio.run(go())
    assert seen == ["https://xn--11b2ezc.xn--h2brj9c/jobs"]
