"""The crawler: schedules the URLs of every source and streams the ads it finds.

Flow per source kind (one asyncio task per URL, the rate limiter decides when each may go):

* ``html``: listing page → items → either an ad read inline (url ``page#position``) or a
  link to the ad's own page, fetched and read as a ``detail`` job; ``next_page`` schedules
  the next listing page until ``max_pages`` (counted along each start URL's chain);
* ``rss``: each start URL is a feed; every entry is an ad;
* ``jsonl``: each start URL (http(s) or ``file://``) holds ad records, one per line.

Every URL is normalised and scheduled at most once per source and scan (the visited set), so
pagination loops end and ``?utm_…`` variants are not refetched. Ads go through a bounded
queue to the consumer of :meth:`Crawler.ads`: a slow consumer slows the crawl down instead
of letting ads pile up in memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from trafficscan.core.ad import Ad
from trafficscan.fetch.fetcher import Accept, Capture, Fetcher, FetchError, Page
from trafficscan.fetch.stats import CrawlStats
from trafficscan.fetch.urls import HostGuard, normalize_url
from trafficscan.parse.feeds import parse_feed, parse_jsonl
from trafficscan.parse.html import ad_from_fields, parse_detail, parse_listing
from trafficscan.pipeline.progress import Progress
from trafficscan.sources.config import Config, Source

log = logging.getLogger("trafficscan.crawl")

JobKind = Literal["listing", "detail", "feed", "jsonl"]
_QUEUE_SIZE = 256
_DONE = object()


#: A source yielding less than this share of its recent average counts as broken; sources
#: averaging fewer than MIN_AVERAGE ads are too small to tell a drop from chance.
LOW_YIELD = 0.5
MIN_AVERAGE = 4


def _selectors(src: Source) -> str:
    if src.listing is None:
        return f"the {src.kind} records"
    names = [f"listing.item '{src.listing.item}'"]
    names += [f"fields.{k} '{src.fields[k]}'" for k in ("title", "body") if k in src.fields]
    return ", ".join(names)


def _nothing_found(src: Source, items: int) -> str:
    """Which selector came back empty, in words an analyst can act on."""
    if src.kind == "rss":
        return "the feed had no entries with a title or text"
    if src.kind == "jsonl":
        return "no ad records with text"
    assert src.listing is not None
    if items == 0:
        return (
            f"listing.item selector '{src.listing.item}' matched nothing "
            "(has the site's layout changed? try `trafficscan sources check`)"
        )
    fields = ", ".join(
        f"fields.{k} '{src.fields[k]}'" for k in ("title", "body") if k in src.fields
    )
    return f"{items} listing items, but {fields or 'the title and body fields'} found no text"


@dataclass(frozen=True, slots=True)
class _Job:
    source: Source
    url: str
    kind: JobKind
    page: int = 1  # position of a listing page in its start URL's chain
    start: bool = False  # a configured start URL: being skipped is an error, not a detail


class Crawler:
    """Crawls ``sources`` of ``config`` politely; :meth:`ads` streams what it finds.

    ``max_pages`` overrides every source's ``listing.max_pages``; ``detail_limit`` caps the
    ad pages followed per listing page (``sources check`` reads one sample); ``transport``
    lets tests plug in ``httpx.MockTransport``. One crawler runs one crawl.
    """

    def __init__(
        self,
        config: Config,
        sources: Sequence[Source] | None = None,
        max_pages: int | None = None,
        progress: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        detail_limit: int | None = None,
        capture: bool = False,
        on_page: Callable[[Capture], None] | None = None,
    ) -> None:
        self.config = config
        self.sources = tuple(config.sources if sources is None else sources)
        self.max_pages = max_pages
        self.progress = progress
        self.transport = transport
        self.detail_limit = detail_limit
        #: Keep every page as received (``Ad.capture``), for the evidence store; ``on_page``
        #: sees each one as it arrives (``--evidence all``).
        self.capture = capture or on_page is not None
        self.on_page = on_page
        self.stats = CrawlStats()
        self._started = False
        self._seen: dict[str, set[str]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending = 0
        self._pending_by_source: dict[str, int] = {}
        self._out: asyncio.Queue[object] = asyncio.Queue(maxsize=_QUEUE_SIZE)
        self._fetcher: Fetcher | None = None
        self._progress: Progress | None = None

    # ------------------------------------------------------------------ public
    async def ads(self) -> AsyncGenerator[Ad, None]:
        """Yield ads as pages are parsed. Failures land in ``stats.errors``, never raise.

        Closing the generator early (``aclose()``, cancellation on Ctrl-C) cancels the
        outstanding requests and closes the HTTP client.
        """
        if self._started:
            raise RuntimeError("a Crawler runs one crawl; make a new one")
        self._started = True
        d = self.config.defaults
        if not d.respect_robots:
            log.warning("respect_robots is false: robots.txt is NOT consulted in this scan")
        for s in self.sources:
            self.stats.source(s.name)
        self._fetcher = Fetcher(d, self.stats, transport=self.transport, capture=self.capture)
        self._progress = Progress(self.progress, [s.name for s in self.sources], self.stats)
        self._progress.start()
        try:
            for source in self.sources:
                kind: JobKind = (
                    "listing"
                    if source.kind == "html"
                    else "feed"
                    if source.kind == "rss"
                    else "jsonl"
                )
                for url in source.start_urls:
                    target = (
                        url
                        if kind == "jsonl" and url.startswith("file:")
                        else (normalize_url(url) or url)
                    )
                    self._schedule(_Job(source, target, kind, start=True))
            # the last job to finish puts _DONE behind its ads; with no job at all, none will
            while self._pending or not self._out.empty():
                item = await self._out.get()
                if item is _DONE:
                    break
                assert isinstance(item, Ad)
                yield item
        finally:
            await self._shutdown()

    def report_empty_sources(self, recent_average: Mapping[str, float] | None = None) -> None:
        """Record a source that yielded no ads, or far fewer than ``recent_average`` (its mean
        over recent scans), as an ``empty`` error naming the selector that found nothing.

        After a site redesign the selectors match nothing and every scan would otherwise be
        empty yet look normal. Call it only after a complete crawl; a source whose pages
        failed already has its own errors, which say more than this would.
        """
        for src in self.sources:
            tally = self.stats.source(src.name)
            if tally.errors:
                continue
            where = src.start_urls[0] if src.start_urls else ""
            if tally.ads == 0:
                self.stats.add_error(
                    src.name, where, "no ads found: " + _nothing_found(src, tally.items), "empty"
                )
                log.warning("%s: no ads found: %s", src.name, _nothing_found(src, tally.items))
                continue
            average = (recent_average or {}).get(src.name)
            if average and average >= MIN_AVERAGE and tally.ads < average * LOW_YIELD:
                message = (
                    f"only {tally.ads} ad{'s' * (tally.ads != 1)}, far fewer than the recent average of "
                    f"{average:.0f}: {_selectors(src)} may no longer match"
                )
                self.stats.add_error(src.name, where, message, "empty")
                log.warning("%s: %s", src.name, message)

    # --------------------------------------------------------------- scheduling
    def _schedule(self, job: _Job) -> None:
        seen = self._seen.setdefault(job.source.name, set())
        if job.url in seen:
            self.stats.duplicates_skipped += 1
            return
        seen.add(job.url)
        self._pending += 1
        name = job.source.name
        self._pending_by_source[name] = self._pending_by_source.get(name, 0) + 1
        task = asyncio.create_task(self._run(job), name=f"crawl {job.url}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: _Job) -> None:
        try:
            await self._handle(job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a parser bug on one page must not end the whole scan
            log.exception("unexpected error on %s", job.url)
            self.stats.add_error(job.source.name, job.url, f"internal error: {exc!r}")
        name = job.source.name
        self._pending_by_source[name] -= 1
        if self._pending_by_source[name] == 0 and self._progress is not None:
            self._progress.finish(name)
        self._pending -= 1
        if self._pending == 0:
            await self._out.put(_DONE)

    async def _shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._fetcher is not None:
            await self._fetcher.aclose()
        if self._progress is not None:
            self._progress.stop()

    # ----------------------------------------------------------------- handlers
    async def _handle(self, job: _Job) -> None:
        if job.kind == "listing":
            await self._listing(job)
        elif job.kind == "detail":
            await self._detail(job)
        elif job.kind == "feed":
            await self._feed(job)
        else:
            await self._jsonl(job)

    async def _fetch(self, job: _Job, accept: Accept) -> Page | None:
        """Fetch ``job.url``; on failure record it (robots skips of found links only count)."""
        assert self._fetcher is not None
        name = job.source.name
        try:
            page = await self._fetcher.fetch(job.url, job.source, accept=accept)
        except FetchError as exc:
            if exc.robots and not job.start:
                return None  # counted in robots_forbidden; a found link is not a failure
            self.stats.add_error(name, job.url, str(exc), exc.kind)
            log.warning("%s: %s: %s", name, job.url, exc)
            self._update(name)
            return None
        if page.url != job.url:  # redirected: the target counts as visited too
            seen = self._seen.setdefault(name, set())
            if page.url in seen:
                self.stats.duplicates_skipped += 1
                return None
            seen.add(page.url)
        self.stats.pages_fetched += 1
        self.stats.source(name).pages += 1
        self._update(name)
        if page.capture is not None and self.on_page is not None:
            self.on_page(page.capture)
        return page

    def _count_ad(self, source: str) -> None:
        self.stats.source(source).ads += 1
        self._update(source)

    def _update(self, source: str) -> None:
        if self._progress is not None:
            self._progress.update(source)

    async def _listing(self, job: _Job) -> None:
        src = job.source
        assert src.listing is not None
        page = await self._fetch(job, "html")
        if page is None:
            return
        parsed = await asyncio.to_thread(
            parse_listing, page.text(), page.url, src.listing, src.fields, src.strip
        )
        self.stats.source(src.name).items += len(parsed.items)
        if not parsed.items:
            self.stats.listing_pages_empty += 1
            log.warning(
                "%s: item selector %r found nothing on %s",
                src.name,
                str(src.listing.item),
                page.url,
            )
        guard = HostGuard(src.hosts)
        followed = 0
        for item in parsed.items:
            if item.link is None:
                ad = ad_from_fields(src.name, f"{page.url}#{item.position}", item.fields)
                ad.capture = page.capture
                await self._emit_counted(ad, src.name)
            elif not guard.allows(item.link):
                self.stats.offsite_blocked += 1
                log.info("%s: off-site ad link %s not followed", src.name, item.link)
            elif self.detail_limit is None or followed < self.detail_limit:
                followed += 1
                self._schedule(_Job(src, item.link, "detail"))
        limit = self.max_pages if self.max_pages is not None else src.listing.max_pages
        if parsed.next_url and job.page < limit:
            if guard.allows(parsed.next_url):
                self._schedule(_Job(src, parsed.next_url, "listing", page=job.page + 1))
            else:
                self.stats.offsite_blocked += 1
                log.info("%s: off-site next page %s not followed", src.name, parsed.next_url)

    async def _emit_counted(self, ad: Ad, source: str, *, need_title_or_body: bool = True) -> None:
        empty = (not (ad.title.strip() or ad.body.strip())) if need_title_or_body else ad.is_empty()
        if empty:
            self.stats.ads_skipped_empty += 1
            return
        self.stats.ads_found += 1
        self._count_ad(source)
        await self._out.put(ad)

    async def _detail(self, job: _Job) -> None:
        src = job.source
        page = await self._fetch(job, "html")
        if page is None:
            return
        fields = await asyncio.to_thread(parse_detail, page.text(), src.fields, src.strip)
        ad = ad_from_fields(src.name, page.url, fields)
        ad.capture = page.capture
        await self._emit_counted(ad, src.name)

    async def _feed(self, job: _Job) -> None:
        page = await self._fetch(job, "feed")
        if page is None:
            return
        result = await asyncio.to_thread(
            parse_feed, page.body, page.url, page.content_type, job.source.name
        )
        if result.error:
            self.stats.add_error(job.source.name, job.url, result.error)
            return
        self.stats.ads_skipped_empty += result.skipped_empty
        self.stats.source(job.source.name).items += result.entries
        for ad in result.ads:
            ad.capture = page.capture
            await self._emit_counted(ad, job.source.name)

    async def _jsonl(self, job: _Job) -> None:
        src = job.source
        if job.url.startswith("file:"):
            parts = urlsplit(job.url)
            if parts.netloc not in ("", "localhost"):
                self.stats.add_error(src.name, job.url, "file:// URL on another machine")
                return
            path = Path(url2pathname(parts.path))
            try:
                fh = path.open(encoding="utf-8-sig", errors="replace")
            except OSError as exc:
                self.stats.add_error(src.name, job.url, f"cannot read file ({exc.strerror})")
                return
            with fh:
                self.stats.source(src.name).pages += 1
                await self._records(job, fh)
            return
        page = await self._fetch(job, "any")
        if page is None:
            return
        text = page.body.decode("utf-8-sig", errors="replace")
        # JSON lines end at "\n" only: str.splitlines would also cut at U+2028 or U+0085 inside
        # a string and turn one record into two bad lines (a file:// source reads it whole)
        await self._records(job, text.split("\n"), page.capture)

    async def _records(
        self, job: _Job, lines: Iterable[str], capture: Capture | None = None
    ) -> None:
        for n, rec in enumerate(parse_jsonl(lines, job.source.name)):
            if n % 500 == 499:
                await asyncio.sleep(0)  # a big local file must not starve the fetch tasks
            if rec.error:
                self.stats.add_error(job.source.name, job.url, rec.error)
                continue
            self.stats.source(job.source.name).items += 1
            if rec.ad is None:
                self.stats.ads_skipped_empty += 1
            else:
                rec.ad.capture = capture
                await self._emit_counted(rec.ad, job.source.name, need_title_or_body=False)
