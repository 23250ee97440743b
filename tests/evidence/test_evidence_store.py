"""Capture and store: pages as received, in WARC 1.1 files that warcio itself reads back."""

from __future__ import annotations

import gzip
import hashlib
import stat
from pathlib import Path

from crawlkit import GuardTransport, Site
from evidence_helpers import GZIPPED_BODY, crawl_with_capture, records, serve_small_site

from trafficscan import __version__
from trafficscan.evidence.store import EvidenceStore
from trafficscan.state import StateDB


def test_a_page_is_stored_as_received_and_warcio_checks_its_sha256_digests(
    site: Site, transport: GuardTransport, state_path: Path
) -> None:
    serve_small_site(site)
    ads = crawl_with_capture(site, transport)
    linked = next(ad for ad in ads if ad.url.endswith("/ad/1"))
    assert linked.body.startswith("Clinical text")  # parsed from the decoded page
    with StateDB.open(state_path) as db:
        scan_id = db.begin_scan(["t"], "2026-12-03T08:00:00Z")
        with EvidenceStore(state_path, scan_id, db) as store:
            ref = store.store(linked.capture)
    warc = state_path.parent / ref["warc"]
    assert ref["warc"].startswith("evidence/") and warc.name == f"scan-{scan_id}-00000.warc.gz"

    got = records(warc)
    assert [r["type"] for r in got] == ["warcinfo", "response", "request"]
    assert all(r["passed"] is True for r in got), [r["problems"] for r in got]
    info, response, request = got
    assert f"trafficscan/{__version__}".encode() in info["payload"]
    assert f"trafficscan-scan-id: {scan_id}".encode() in info["payload"]
    h = response["headers"]
    assert h["WARC-Record-ID"] == ref["record_id"]
    assert h["WARC-Target-URI"] == site.url("/ad/1")
    assert h["WARC-IP-Address"] == "127.0.0.1"
    assert h["WARC-Block-Digest"].startswith("sha256:")
    assert h["WARC-Payload-Digest"].startswith("sha256:")
    assert h["WARC-Date"].startswith(ref["fetched_at"][:19])
    # the body as it came over the wire: still gzip, headers in the server's spelling
    assert response["http"].get_header("Content-Encoding") == "gzip"
    assert ("X-Served-By", "Test-Server") in response["http"].headers
    assert gzip.decompress(response["payload"]).decode() == GZIPPED_BODY
    assert ref["sha256"] == hashlib.sha256(response["payload"]).hexdigest()
    assert request["headers"]["WARC-Concurrent-To"] == ref["record_id"]
    assert request["http"].protocol == "GET"
    assert stat.S_IMODE(warc.stat().st_mode) == 0o600


def test_the_listing_page_of_two_inline_ads_is_stored_once(
    site: Site, transport: GuardTransport, state_path: Path
) -> None:
    site.page(
        "/list",
        "<html><body><article class='ad'><h2>One</h2><div class='body'>a</div>"
        "</article><article class='ad'><h2>Two</h2><div class='body'>b</div>"
        "</article></body></html>",
    )
    ads = crawl_with_capture(site, transport)
    assert len(ads) == 2 and ads[0].capture is ads[1].capture
    with StateDB.open(state_path) as db:
        scan_id = db.begin_scan(["t"], "2026-12-03T08:00:00Z")
        with EvidenceStore(state_path, scan_id, db) as store:
            refs = [store.store(ad.capture) for ad in ads]
            assert store.records_written == 2  # one response and its request
    assert refs[0] == refs[1]


def test_an_unchanged_page_points_to_the_record_of_the_earlier_scan(
    site: Site, transport: GuardTransport, state_path: Path
) -> None:
    serve_small_site(site)
    with StateDB.open(state_path) as db:
        refs = []
        for hour in ("08", "09"):
            ads = crawl_with_capture(site, transport)
            scan_id = db.begin_scan(["t"], f"2026-12-03T{hour}:00:00Z")
            with EvidenceStore(state_path, scan_id, db) as store:
                refs.append({ad.url: store.store(ad.capture) for ad in ads})
            db.finish_scan(scan_id, status="completed", counts={}, errors=[])
    assert refs[1] == refs[0]
    assert len(list((state_path.parent / "evidence").rglob("*.warc.gz"))) == 1


def test_files_roll_over_and_a_closed_file_is_never_written_again(
    site: Site, transport: GuardTransport, state_path: Path
) -> None:
    site.page(
        "/list",
        "<html><body>"
        + "".join(
            f"<article class='ad'><h2>Ad {i}</h2><a class='more' href='/ad/{i}'>more</a></article>"
            for i in range(6)
        )
        + "</body></html>",
    )
    for i in range(6):
        site.page(
            f"/ad/{i}",
            f"<html><body><h1>Ad {i}</h1><div class='body'>{'text ' * 400}{i}</div></body></html>",
        )
    ads = crawl_with_capture(site, transport)
    with StateDB.open(state_path) as db:
        scan_id = db.begin_scan(["t"], "2026-12-03T08:00:00Z")
        with EvidenceStore(state_path, scan_id, db, roll_bytes=2_000) as store:
            refs = [store.store(ad.capture) for ad in ads]
        files = sorted({r["warc"] for r in refs})
        assert len(files) >= 3  # rolled over
        before = {f: (state_path.parent / f).read_bytes() for f in files}
        # the same scan id again (a database restored from backup): new numbers, old files kept
        with EvidenceStore(state_path, scan_id, None, roll_bytes=2_000) as again:
            site.page("/ad/0", "<html><body><h1>Changed</h1></body></html>")
            more = crawl_with_capture(site, transport)
            new_ref = again.store(next(a for a in more if a.url.endswith("/ad/0")).capture)
    assert new_ref["warc"] not in files
    assert {f: (state_path.parent / f).read_bytes() for f in files} == before
    for f in files:  # each file is whole on its own: warcinfo first, every digest holds
        got = records(state_path.parent / f)
        assert got[0]["type"] == "warcinfo" and all(r["passed"] for r in got)


def test_robots_txt_is_not_kept_but_a_jsonl_feed_over_http_is(
    site: Site, transport: GuardTransport, state_path: Path
) -> None:
    from crawlkit import feed_source, make_config, run_crawl

    site.robots("User-agent: *\nAllow: /\n")
    site.route(
        "/ads.jsonl",
        b'{"title": "One", "body": "clinical text"}\n',
        content_type="application/x-ndjson",
    )
    pages: list[str] = []
    ads, stats = run_crawl(
        make_config(feed_source("j", "jsonl", [site.url("/ads.jsonl")])),
        transport,
        on_page=lambda c: pages.append(c.url),
    )
    assert not stats.errors and "/robots.txt" in site.paths(robots=True)
    assert pages == [site.url("/ads.jsonl")]
    assert ads[0].capture is not None and ads[0].capture.url == site.url("/ads.jsonl")
