"""Helpers shared by the evidence tests (imported, not collected)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

from crawlkit import Resp, Site, ad_item, ad_page, html_source, listing_html, make_config, run_crawl

from trafficscan.core.ad import Ad

GZIPPED_BODY = ad_page("Detail one", "Clinical text for the detail page, 90000 12345")


def serve_small_site(site: Site) -> None:
    """A listing with one inline ad and one linked ad; the linked page is sent gzip-encoded."""
    site.page(
        "/list",
        listing_html(
            ad_item("Inline ad", "Inline clinical text"), ad_item("Linked ad", "", href="/ad/1")
        ),
    )
    site.route(
        "/ad/1",
        Resp(
            body=gzip.compress(GZIPPED_BODY.encode()),
            headers={"Content-Encoding": "gzip", "X-Served-By": "Test-Server"},
        ),
    )


def crawl_with_capture(site: Site, transport: Any) -> list[Ad]:
    source = html_source(
        "t", [site.url("/list")], link="a.more@href", fields={"title": "h1, h2", "body": ".body"}
    )
    ads, stats = run_crawl(make_config(source, respect_robots=False), transport, capture=True)
    assert not stats.errors
    return ads


def records(path: Path) -> list[dict[str, Any]]:
    """Every record of a WARC file as warcio's own reader sees it, digests checked."""
    from warcio.archiveiterator import ArchiveIterator

    out = []
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh, check_digests=True):
            raw = rec.raw_stream.read()
            out.append(
                {
                    "type": rec.rec_type,
                    "headers": dict(rec.rec_headers.headers),
                    "http": rec.http_headers,
                    "payload": raw,
                    "passed": rec.digest_checker.passed,
                    "problems": list(rec.digest_checker.problems),
                }
            )
    return out


def rewrite_member(path: Path, offset: int, change: Any) -> None:
    """Replace the gzip member at ``offset`` by one whose content is ``change(content)``:
    a well-formed file with different bytes, as a careful forger would leave it."""
    data = path.read_bytes()
    d = __import__("zlib").decompressobj(31)
    content = d.decompress(data[offset:])
    rest = d.unused_data
    new = io.BytesIO()
    with gzip.GzipFile(fileobj=new, mode="wb") as gz:
        gz.write(change(content))
    path.write_bytes(data[:offset] + new.getvalue() + rest)
