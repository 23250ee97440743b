"""The case report in a real headless Chromium: what a reader sees, what runs, what it loads,
and how it prints.

Each check has a control page that does what the report must not (run the hostile ad as
markup, load an image from outside), so a browser that ran nothing or could reach nothing
would fail the control instead of passing the report by accident.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from report_helpers import BEACON, SCRIPT_AD, Chromium, RequestLog

from trafficscan.output.report.load import load_flagged
from trafficscan.output.report.render import render_html, write_report

pytestmark = pytest.mark.slow

A4_POINTS = (595.28, 841.89)


@pytest.fixture
def report(case_file: Path, tmp_path: Path) -> Path:
    out = tmp_path / "report.html"
    write_report(
        render_html(load_flagged(case_file), now=datetime(2026, 12, 1, tzinfo=UTC)), str(out)
    )
    return out


@pytest.fixture
def control(tmp_path: Path) -> Path:
    """The hostile ad pasted into a page as markup: what an unescaped report would be."""
    page = tmp_path / "control.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><title>control</title></head><body>{SCRIPT_AD}</body></html>",
        encoding="utf-8",
    )
    return page


def test_every_flagged_ad_is_shown_with_its_words_marked(chromium: Chromium, report: Path) -> None:
    soup = BeautifulSoup(chromium.dump_dom(report), "lxml")
    ads = soup.select("section.ad")
    assert [a.h2.get_text() for a in ads] == [
        "Lotus spa – new girls (Andheri)",
        "Data entry job in Thailand",
        "<script>document.title='PWNED-TITLE'</script>Hostess <b>wanted</b>",
    ]
    marked = [[m.get_text() for m in a.select(".adtext mark")] for a in ads]
    assert marked == [
        ["New girls"],
        ["Data entry", "tourist visa"],
        ["new girls", "keeps passports"],
    ]
    assert [c.get_text() for c in ads[0].select(".adtext .ctx")] == ["spa"]
    assert soup.select_one("svg.clusters") is not None
    assert len(soup.select("svg.clusters circle")) == 3  # #1 and #2 share a phone; #3 is c-7
    assert "Maths tuition" not in soup.get_text()


def test_an_ad_with_script_and_img_onerror_runs_nothing(
    chromium: Chromium, report: Path, control: Path
) -> None:
    # the control proves these flags run scripts and the dump shows what they did
    ran = BeautifulSoup(chromium.dump_dom(control), "lxml")
    assert ran.title is not None and ran.title.get_text().startswith("PWNED")
    assert ran.select_one("#pwned") is not None

    soup = BeautifulSoup(chromium.dump_dom(report), "lxml")
    assert soup.title is not None and soup.title.get_text().startswith("Case report")
    assert soup.select_one("#pwned") is None and soup.select_one("#pwned-img") is None
    assert soup.find("blink") is None and soup.find("img") is None and soup.find("script") is None
    text = soup.select("section.ad")[2].select_one(".adtext").get_text()
    assert "<script>document.title='PWNED'" in text and "onerror=" in text  # shown, as text


#: Chromium asks these itself (clock, updates, sign-in), whatever the page, despite the
#: --disable-* flags; measured again from an empty page in the test below.
BROWSER_OWN = {"clients2.google.com", "update.googleapis.com", "accounts.google.com"}


def test_no_request_leaves_the_file(
    chromium: Chromium, proxy: RequestLog, report: Path, control: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<!DOCTYPE html><title>empty</title><p>nothing to load", encoding="utf-8")
    proxy.requests.clear()
    chromium.dump_dom(empty)
    browser_own = BROWSER_OWN | proxy.hosts()

    proxy.requests.clear()
    chromium.dump_dom(control)
    assert BEACON in proxy.hosts(), proxy.requests  # the proxy does see what a page loads

    proxy.requests.clear()
    dom = chromium.dump_dom(report)
    assert "Case report" in dom  # it rendered with no network at all
    assert proxy.hosts() <= browser_own, proxy.requests  # nothing the page itself asked for


def test_prints_on_a4_with_a_page_per_ad(chromium: Chromium, report: Path, tmp_path: Path) -> None:
    pdf = chromium.print_pdf(report, tmp_path / "report.pdf")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes, "no page size in the PDF"
    for width, height in boxes:
        assert abs(float(width) - A4_POINTS[0]) < 1.5 and abs(float(height) - A4_POINTS[1]) < 1.5
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 1 + 3  # the summary, then each of the three ads on a page of its own
