"""Counters of one crawl, named like scrapy's stats, ending up in the output's ``scan`` summary.

Every component increments its own counters here instead of logging alone, so an analyst can
see afterwards *why* a scan found fewer ads than expected (robots, off-site links, errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

#: What went wrong, so counts and messages can tell them apart: ``connection`` (refused,
#: DNS, timeout), ``http`` (an error status), ``robots`` (robots.txt forbids it), ``empty``
#: (a source yielded no ads, or far fewer than usual: its selectors no longer match),
#: ``other`` (a parse error, an unreadable file, an internal error).
ErrorKind = Literal["connection", "http", "robots", "empty", "other"]
ERROR_KINDS: tuple[ErrorKind, ...] = ("connection", "http", "robots", "empty", "other")


def count_kinds(errors: list[dict[str, str]]) -> dict[str, int]:
    """Failures per kind, in a fixed order, leaving out kinds that did not occur."""
    counts = {k: 0 for k in ERROR_KINDS}
    for e in errors:
        kind = e.get("kind", "other")
        counts[kind if kind in counts else "other"] += 1
    return {k: n for k, n in counts.items() if n}


@dataclass(slots=True)
class SourceProgress:
    """Per-source tallies, shown in the progress display and in ``CrawlStats.per_source``."""

    pages: int = 0
    items: int = 0  # listing items, feed entries or JSONL records found (before empty ones)
    ads: int = 0
    errors: int = 0


@dataclass(slots=True)
class CrawlStats:
    """What happened during a crawl. All counters start at zero; ``errors`` lists failures."""

    pages_fetched: int = 0  # pages (listing, detail, feed, jsonl) read successfully
    bytes: int = 0  # bytes received on the wire (compressed size), all requests
    requests: int = 0  # HTTP requests sent, robots.txt, retries and redirects included
    retries: int = 0  # attempts repeated after a timeout, connection error, 429 or 5xx
    redirects: int = 0  # redirects followed
    robots_fetched: int = 0  # robots.txt files requested (one per host and scan)
    robots_forbidden: int = 0  # URLs not fetched because robots.txt disallows them
    offsite_blocked: int = 0  # links or redirects to hosts outside the source's hosts
    duplicates_skipped: int = 0  # URLs already scheduled in this scan (after normalisation)
    non_html_skipped: int = 0  # responses of an html source that were not HTML
    too_large: int = 0  # responses cut off at max_bytes
    timeouts: int = 0  # attempts that timed out
    listing_pages_empty: int = 0  # listing pages where the item selector found nothing
    ads_found: int = 0  # ads yielded
    ads_skipped_empty: int = 0  # ads with neither title nor body, not yielded
    errors: list[dict[str, str]] = field(default_factory=list)
    per_source: dict[str, SourceProgress] = field(default_factory=dict)

    @property
    def errors_count(self) -> int:
        return len(self.errors)

    def add_error(self, source: str, url: str, error: str, kind: ErrorKind = "other") -> None:
        """Record one failure; the crawl goes on. ``kind`` lets the summary say *what* failed
        (an unreachable site is not a robots.txt block, and neither is a changed layout)."""
        self.errors.append({"source": source, "url": url, "error": error, "kind": kind})
        self.source(source).errors += 1

    def errors_by_kind(self) -> dict[str, int]:
        """How many failures of each kind, for the summary line and ``scan.errors_by_kind``."""
        return count_kinds(self.errors)

    def source(self, name: str) -> SourceProgress:
        return self.per_source.setdefault(name, SourceProgress())

    def to_dict(self) -> dict[str, Any]:
        """The counters as plain data (``errors`` itself is left to the caller's summary)."""
        out: dict[str, Any] = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("errors", "per_source")
        }
        out["errors_count"] = self.errors_count
        out["per_source"] = {
            name: {"pages": p.pages, "items": p.items, "ads": p.ads, "errors": p.errors}
            for name, p in self.per_source.items()
        }
        return out
