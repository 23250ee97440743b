"""Reading ads from RSS/Atom feeds and JSONL ad records (the parse stage for rss and jsonl).

Feeds are parsed from bytes we fetched ourselves, wrapped in a stream: given a string or bytes,
feedparser would happily fetch a URL or open a local file named by the body, bypassing every
politeness and host rule of the crawler.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import feedparser

from trafficscan.core.ad import Ad
from trafficscan.core.errors import InputError
from trafficscan.parse.html import html_to_text
from trafficscan.sources.records import ad_from_record, load_json_line


@dataclass(slots=True)
class FeedResult:
    ads: list[Ad]
    entries: int
    skipped_empty: int
    error: str = ""


def _iso(parsed: Any) -> str:
    if not parsed:
        return ""
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)
    except (TypeError, ValueError):
        return ""


def parse_feed(body: bytes, feed_url: str, content_type: str, source: str) -> FeedResult:
    """Ads from an RSS 2.0 or Atom document: title, description (HTML stripped), link, date.

    ``posted_at`` is ISO 8601 UTC when the date parses, otherwise the feed's own string.
    An entry without a link gets the feed URL plus ``#<position>``, like an inline item.
    """
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={
            "content-location": feed_url,
            "content-type": content_type or "application/xml",
        },
    )
    entries = parsed.get("entries", [])
    if not entries and parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        return FeedResult([], 0, 0, f"not a readable RSS/Atom feed ({exc})")
    ads: list[Ad] = []
    skipped = 0
    atom = str(parsed.get("version", "")).startswith("atom")
    for pos, entry in enumerate(entries, start=1):
        title = html_to_text(entry.get("title", "") or "")
        desc: str = entry.get("summary", "") or ""
        if not desc and entry.get("content"):
            desc = entry["content"][0].get("value", "") or ""
        summary = html_to_text(str(desc))
        if not (title or summary):
            skipped += 1
            continue
        posted = (
            _iso(entry.get("published_parsed"))
            or _iso(entry.get("updated_parsed"))
            or entry.get("published", "")
            or entry.get("updated", "")
        )
        link = entry.get("link", "") or ""
        if atom and not entry.get("links"):
            link = ""  # feedparser turns an Atom <id> into a link; an id is not an address
        ads.append(
            Ad(
                source=source,
                url=link or f"{feed_url}#{pos}",
                title=title,
                body=summary,
                posted_at=str(posted),
            )
        )
    return FeedResult(ads, len(entries), skipped)


@dataclass(slots=True)
class RecordLine:
    """The outcome of one JSONL line: an ad, an empty record, or an error message."""

    line: int
    ad: Ad | None = None
    error: str = ""


def parse_jsonl(lines: Iterable[str], source: str) -> Iterator[RecordLine]:
    """Yield one :class:`RecordLine` per non-blank line; a bad line never stops the rest.

    Each record becomes an ad exactly as ``score`` reads it from a file
    (:func:`trafficscan.sources.records.ad_from_record`), so a record crawled from a ``jsonl``
    source and the same record scored from disk have the same text and content id; ``source``
    (the config's source name) is used when the record names none.
    """
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = load_json_line(line)
        except json.JSONDecodeError as exc:
            yield RecordLine(n, error=f"line {n}: invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        try:
            yield RecordLine(n, ad=ad_from_record(obj, source=source, line=n))
        except InputError as exc:
            problem = exc.problems[0]  # its hint names score's options: not shown for a crawl
            key = f"{problem.key}: " if problem.key else ""
            yield RecordLine(n, error=f"line {n}: {key}{problem.message}")
