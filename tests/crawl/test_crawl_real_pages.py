"""Selectors from each real page's SOURCE.md, crawled from the local server.

The pages keep their real absolute links (``https://boston.craigslist.org/...``); the test
transport maps those hosts to the local server, so the crawl runs unchanged — robots.txt,
rate limit, host guard and all — without touching the internet.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from crawlkit import GuardTransport, Resp, Site, html_source, make_config, run_crawl


@pytest.fixture
def pages(shared_data: Path) -> Path:
    return shared_data / "real-pages"


def _serve(site: Site, path: str, file: Path) -> None:
    site.route(path, Resp(body=file.read_bytes()))


def test_craigslist_2023_listing_inline(site: Site, transport: GuardTransport, pages: Path) -> None:
    _serve(site, "/search/sss", pages / "craigslist/search-boston-sss-2023-11.html")
    src = html_source(
        "cl",
        [site.url("/search/sss")],
        item="li.cl-search-result",
        fields={
            "title": "a.posting-title span.label",
            "price": "span.priceinfo",
            "location": "div.meta",
        },
    )
    ads, stats = run_crawl(make_config(src), transport)
    assert stats.source("cl").items == 120 and len(ads) == 120
    first = ads[0]
    assert (first.title, first.price) == ("Solar tea light", "$5")
    assert first.location.endswith("Peabody") and first.url == site.url("/search/sss#1")
    assert ads[1].title == "WEN by Chaz Dean Bella Spirit & Classic Set" and ads[1].price == "$75"
    assert sum(1 for a in ads if a.price) == 94


def test_craigslist_2023_listing_to_detail(site: Site, pages: Path) -> None:
    """Absolute links to boston.craigslist.org, followed to the detail page with strip."""
    transport = GuardTransport(site, mapped=["boston.craigslist.org"])
    _serve(site, "/search/sss", pages / "craigslist/search-boston-sss-2023-11.html")
    _serve(
        site,
        "/nos/for/d/peabody-solar-tea-light/7692736931.html",
        pages / "craigslist/detail-boston-nos-for-7692736931.html",
    )
    src = html_source(
        "cl",
        ["https://boston.craigslist.org/search/sss"],
        item="li.cl-search-result",
        link="a.posting-title@href",
        strip=[".print-information"],
        fields={
            "title": "#titletextonly",
            "body": "#postingbody",
            "price": ".postingtitletext .price",
            "location": ".postingtitletext > span:last-child",
            "posted_at": "time.date@datetime",
        },
    )
    cfg = make_config(src)
    ads, stats = run_crawl(cfg, transport, detail_limit=1)
    assert transport.refused == []
    assert site.paths(robots=True) == [
        "/robots.txt",
        "/search/sss",
        "/nos/for/d/peabody-solar-tea-light/7692736931.html",
    ]
    assert {h.headers["Host"] for h in site.hits} == {"boston.craigslist.org"}
    (ad,) = ads
    assert ad.url == (
        "https://boston.craigslist.org/nos/for/d/peabody-solar-tea-light/7692736931.html"
    )
    assert (ad.title, ad.price, ad.location) == ("Solar tea light", "$5", "(Peabody)")
    assert ad.body == "Small solar tea light new inbox"  # "QR Code Link…" stripped
    assert ad.posted_at.startswith("2023-11-29T20:23:46")
    assert stats.source("cl").items == 120 and stats.errors == []


def test_craigslist_2019_layout(site: Site, transport: GuardTransport, pages: Path) -> None:
    _serve(site, "/search/sof", pages / "craigslist/search-sfbay-pen-sof-2019-12.html")
    src = html_source(
        "cl",
        [site.url("/search/sof")],
        item="li.result-row",
        fields={"title": "a.result-title", "location": "span.result-hood"},
    )
    ads, _ = run_crawl(make_config(src), transport)
    assert len(ads) == 144
    assert sum(1 for a in ads if a.location) == 102


def test_timesjobs_has_selector(site: Site, transport: GuardTransport, pages: Path) -> None:
    _serve(site, "/jobs", pages / "timesjobs/search-it-software-jobs.html")
    src = html_source(
        "tj",
        [site.url("/jobs")],
        item="li.joblistli",
        fields={
            "title": "header h2 > a",
            "body": "li.job-description__",
            "price": "ul.top-jd-dtl > li:has(> i.salary)",
            "location": "ul.top-jd-dtl > li.location-tru",
        },
    )
    ads, _ = run_crawl(make_config(src), transport)
    assert len(ads) == 50
    assert (ads[0].title, ads[0].price, ads[0].location) == (
        "UX DESIGNER JOB IN SINGAPORE",
        "48.00 - 98.00 Lakhs",
        "Singapore",
    )
    assert (ads[1].title, ads[1].price, ads[1].location) == (
        "Nodejs developer",
        "6.00 - 8.00 Lakhs",
        "Chennai",
    )
    assert ads[2].title == "Software Engineer Job In USA" and ads[2].location == ""
    assert sum(1 for a in ads if a.location) == 48 and all(a.body for a in ads)


def test_internshala_attribute_selector(site: Site, transport: GuardTransport, pages: Path) -> None:
    _serve(site, "/jobs", pages / "internshala/search-data-science-jobs.html")
    fields = {
        "title": "a.job-title-href",
        "body": "div.detail-row-2",
        "price": "div.row-1-item:has(> i.ic-16-money) > span.desktop",
        "location": "p.row-1-item.locations",
    }
    src = html_source(
        "is", [site.url("/jobs")], item="div.individual_internship[internshipid]", fields=fields
    )
    ads, _ = run_crawl(make_config(src), transport)
    assert len(ads) == 40
    assert all(a.title and a.price and a.location and a.body for a in ads)
    assert (ads[0].title, ads[0].price, ads[0].location, ads[0].body) == (
        "Junior Machine Learning Specialist",
        "₹ 2,16,000 - 4,50,000",
        "Work from home",
        "Today\nFresher Job",
    )  # span.desktop only, not the "/year" mobile copy
    trap = html_source("is", [site.url("/jobs")], item="div.individual_internship", fields=fields)
    _, stats = run_crawl(make_config(trap), transport)
    assert stats.source("is").items == 41  # the promo card the SOURCE.md warns about


def test_internshala_relative_links(site: Site, transport: GuardTransport, pages: Path) -> None:
    _serve(site, "/jobs/data-science-jobs/", pages / "internshala/search-data-science-jobs.html")
    src = html_source(
        "is",
        [site.url("/jobs/data-science-jobs/")],
        item="div.individual_internship[internshipid]",
        link="a.job-title-href@href",
        fields={"title": "h1"},
    )
    _, stats = run_crawl(make_config(src), transport, detail_limit=2)
    followed = site.paths()[1:]
    assert len(followed) == 2 and all(p.startswith("/job/details/") for p in followed)
    assert stats.errors[0]["error"] == "HTTP 404"  # the detail pages are not saved


def test_olx_prefix_attribute(site: Site, transport: GuardTransport, pages: Path) -> None:
    _serve(site, "/items/q-car-cover", pages / "olx-in/search-items-q-car-cover.html")
    src = html_source(
        "olx",
        [site.url("/items/q-car-cover")],
        item='li[data-aut-id^="itemBox"]',
        fields={
            "title": '[data-aut-id="itemTitle"]',
            "body": '[data-aut-id="itemDetails"]',
            "price": '[data-aut-id="itemPrice"]',
            "location": '[data-aut-id="item-location"]',
        },
    )
    ads, _ = run_crawl(make_config(src), transport)
    assert len(ads) == 40
    assert (ads[0].title, ads[0].price, ads[0].location) == (
        "107 Gaj home with covered car parking near by main market",
        "₹ 45,00,000",
        "Jawahar Colony, Faridabad",
    )
    assert ads[1].price == "" and ads[1].location == "Pallavaram Essa, Chennai"
    assert sum(1 for a in ads if a.price) == 38 and sum(1 for a in ads if a.body) == 17
