"""The case report without a browser: marking, masking, clusters, escaping, the command."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from report_helpers import BEACON, HEADER, case_items, item, write_flagged

from trafficscan.output.report.clusters import find_clusters
from trafficscan.output.report.load import load_flagged
from trafficscan.output.report.marks import Span, contact_spans, masked, rule_spans, segments
from trafficscan.output.report.render import render_html
from trafficscan.output.report.svg import cluster_picture

GOLDEN = Path(__file__).parent.parent / "golden" / "report.html"
NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)

# every contact of the case file, in each form it could leak in
CONTACTS = [
    "90000 12345",
    "9000012345",
    "+919000012345",
    "nine zero zero zero zero",
    "80000 54321",
    "8000054321",
    "+918000054321",
    "lotus.desk@example.com",
    "siam_desk_demo",
]


def _render(path: Path, *, redact: bool = False) -> str:
    return render_html(load_flagged(path), redact=redact, now=NOW)


# --- marks --------------------------------------------------------------------------------


def test_matched_words_are_marked_and_context_is_lighter() -> None:
    text = "New girls at the spa, call now"
    segs = segments(text, [Span(0, 9, "new girls")], [Span(17, 20, "spa")])
    assert [(s.text, s.kind) for s in segs] == [
        ("New girls", "hit"),
        (" at the ", ""),
        ("spa", "ctx"),
        (", call now", ""),
    ]
    assert segs[0].labels == ("new girls",)


def test_a_masked_contact_wins_over_a_mark_and_prints_once() -> None:
    text = "Call 90000 12345 now"
    segs = segments(
        text,
        [Span(0, 10, "obscured contact")],
        (),
        [Span(5, 16, "[phone]"), Span(8, 12, "[phone]")],
    )
    assert [(s.text, s.kind) for s in segs] == [("Call ", "hit"), ("[phone]", "mask"), (" now", "")]
    assert segs[1].hit  # it was also a matched word: the reader still sees it fired
    assert masked(text, [Span(5, 16, "[phone]")], 0, 10) == "Call [phone]"


def test_offsets_that_do_not_fit_the_text_fall_back_to_the_words() -> None:
    text = "Call [phone:ab12] today, new girls"
    rules = [
        {
            "title": "t",
            "matches": [
                {"text": "new girls", "start": 2, "end": 11},
                {"text": "gone words", "start": 0, "end": 10},
            ],
        }
    ]
    assert [(s.start, s.end) for s in rule_spans(text, rules, "matches")] == [(25, 34)]


def test_contacts_are_found_by_span_however_written() -> None:
    text = "Call nine zero zero zero zero, one two three four five or mail a.b@example.org"
    masks = contact_spans(text)
    out = masked(text, masks)
    assert "nine" not in out and "example.org" not in out
    assert "[phone]" in out and "[e-mail]" in out


# --- clusters -----------------------------------------------------------------------------


def test_ads_sharing_a_phone_form_a_cluster_and_a_cluster_id_wins() -> None:
    items = case_items()[:3]
    clusters = find_clusters(items)
    by_label = {c.label: c for c in clusters}
    contact = by_label[""]
    assert [m.number for m in contact.members] == [1, 2]  # the phone spelt in words links them
    assert "phone:+919000012345" in contact.shared
    assert [m.city for m in contact.members] == ["Andheri East, Mumbai", "Bangkok, Thailand"]
    assert by_label["cluster c-7"].size == 3 and [
        m.number for m in by_label["cluster c-7"].members
    ] == [3]


def test_seen_with_links_ads_that_share_no_contact_in_this_file() -> None:
    a = item("Spa, new girls", title="A", words=["new girls"])
    b = item("Other spa, new girls", title="B", words=["new girls"])
    a["seen_with"] = {
        "count": 2,
        "ads": [{"id": b["id"], "source": "x", "url": "u", "first_seen": "t"}],
    }
    assert [[m.number for m in c.members] for c in find_clusters([a, b])] == [[1, 2]]
    assert find_clusters([a | {"seen_with": None}, b]) == []


def test_the_cluster_picture_escapes_titles_and_places() -> None:
    items = case_items()[:2]
    items[0]["location"] = "<script>x()</script>"
    svg = str(cluster_picture(find_clusters(items), ["shares <b>"]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "shares &lt;b&gt;" in svg
    assert svg.count("<circle") == 2 and 'href="#ad-1"' in svg and "24 Nov 2026" in svg


# --- the page -----------------------------------------------------------------------------


def test_hostile_ad_text_is_escaped_not_markup(case_file: Path) -> None:
    html = _render(case_file)
    assert not re.search(r"<\s*(script|img|link|iframe|object)\b", html, re.I)
    assert not re.search(r"<[^>]*\son\w+\s*=", html, re.I)  # no event-handler attribute anywhere
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;" in html  # shown to the reader as text
    assert (
        "&lt;script&gt;document.title=&#39;PWNED-TITLE&#39;&lt;/script&gt;Hostess &lt;b&gt;wanted"
        in html
    )


def test_no_address_outside_the_file_is_loaded(case_file: Path) -> None:
    from bs4 import BeautifulSoup

    html = _render(case_file)
    soup = BeautifulSoup(html, "lxml")
    links = [
        v
        for tag in soup.find_all(True)
        for k, v in tag.attrs.items()
        if k in ("src", "href", "action", "srcset", "poster", "data", "background", "xlink:href")
    ]
    assert links and all(v.startswith("#ad-") for v in links), links  # only links inside the page
    styles = [t.get_text() for t in soup.find_all("style")] + [
        t["style"] for t in soup.find_all(style=True)
    ]
    assert styles and not any(re.search(r"url\(|@import", css, re.I) for css in styles)
    assert f"http://{BEACON}/beacon.png" in soup.get_text()  # the ad's address, as text only


def test_every_flagged_ad_is_shown_with_its_reasons(case_file: Path) -> None:
    html = _render(case_file)
    assert html.count('<section class="ad"') == 3
    assert "Maths tuition" not in html and "1 ads in the file were not flagged" in html
    for title in ("Lotus spa – new girls (Andheri)", "Data entry job in Thailand"):
        assert f"<h2>{title}</h2>" in html
    assert '<mark title="Rule youth.new-girls">New girls</mark>' in html
    assert '<span class="ctx" title="Rule youth.new-girls">spa</span>' in html
    for shown in (
        "Rule recruitment-fraud.scam-hub",
        "recruitment-fraud",
        "girls",
        "1.070",
        "0.0050",
        "cluster c-7 · 3 ads",
        "page_sha256",
        "ab" * 32,
        "2026-12-01 04:29 UTC · 2026-12-01 09:59 IST",
        "HTTP 503 after 3 tries",
    ):
        assert shown in html, shown


def test_redact_masks_every_contact_in_text_and_entities(case_file: Path) -> None:
    plain, redacted = _render(case_file), _render(case_file, redact=True)
    for contact in CONTACTS:
        assert contact in plain, contact  # the control: they are there to mask
        assert contact not in redacted, contact
    for mask in ("[phone]", "[e-mail]", "[handle]"):
        assert mask in redacted
    assert '<mark title="Rule youth.new-girls">New girls</mark>' in redacted  # marks survive


def test_report_matches_golden_file(case_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("trafficscan.output.report.render.__version__", "0.0.0")
    html = _render(case_file)
    if os.environ.get("TRAFFICSCAN_UPDATE_GOLDEN"):
        GOLDEN.write_text(html, encoding="utf-8")
    assert html == GOLDEN.read_text(encoding="utf-8")


# --- the command --------------------------------------------------------------------------


def test_report_command_writes_a_private_file_named_after_its_input(
    trafficscan, case_file: Path, tmp_path: Path
) -> None:
    run = trafficscan("report", str(case_file))
    assert run.code == 0, run.err
    out = tmp_path / "flagged.html"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "3 flagged ads" in run.err and str(out.name) in run.err
    assert not list(tmp_path.glob(".*.part"))


def test_report_reads_jsonl_and_writes_to_stdout(trafficscan, tmp_path: Path) -> None:
    lines = "\n".join(json.dumps(i, ensure_ascii=False) for i in case_items()) + "\n"
    (tmp_path / "flagged.jsonl").write_text(lines, encoding="utf-8")
    run = trafficscan("report", "flagged.jsonl", "-o", "-", "--redact")
    assert run.code == 0, run.err
    assert run.out.startswith("<!DOCTYPE html>") and run.out.count('<section class="ad"') == 3
    assert "90000 12345" not in run.out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "missing.json: file not found"),
        (
            '{"items": [\n  {"id": "a", "text": "x", "score": 0.9},\n',
            "flagged.json:3: invalid JSON",
        ),
        (
            '{"items": [{"id": "a", "text": "x", "score": 0.9}, {"id": "b", "score": 0.9}]}',
            "flagged.json: items[1]: ad lacks text",
        ),
        (
            '{"items": [{"id": "a", "text": "x", "score": "high"}]}',
            "items[0].score: must be a number",
        ),
        ("[1, 2]", "expected a JSON object with 'items'"),
    ],
)
def test_bad_input_is_exit_2_naming_file_and_place(
    trafficscan, tmp_path: Path, content: str | None, message: str
) -> None:
    name = "missing.json" if content is None else "flagged.json"
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    run = trafficscan("report", name, "-o", "out.html")
    assert run.code == 2
    assert message in run.err, run.err
    assert not (tmp_path / "out.html").exists()


def test_help_does_not_load_the_renderer() -> None:
    code = "import sys, trafficscan.cli.app; print('jinja2' in sys.modules, 'trafficscan.output.report.render' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_template_ships_inside_the_package() -> None:
    from importlib.resources import files

    folder = files("trafficscan.output.report") / "templates"
    assert (folder / "report.html.j2").is_file() and (folder / "report.css").is_file()


def test_header_without_scan_still_renders(tmp_path: Path) -> None:
    path = write_flagged(
        tmp_path / "f.json", case_items()[:1], {k: v for k, v in HEADER.items() if k != "scan"}
    )
    html = _render(path)
    assert '<section class="ad"' in html and "No two flagged ads share" in html


def test_a_file_redacted_by_scan_is_marked_by_words_and_says_so(tmp_path: Path) -> None:
    ad = item(
        "New girls at spa. WhatsApp 90000 12345", title="Spa", words=["New girls", "WhatsApp"]
    )
    ad["text"] = "New girls at spa. WhatsApp [phone:qcjgggndqrdkdckf]"
    ad["text"] = "Call: " + ad["text"]  # the offsets no longer fit, as after a masked prefix
    ad["redacted"] = True
    html = _render(write_flagged(tmp_path / "f.json", [ad]))
    assert '<mark title="Rule youth.new-girls">New girls</mark>' in html
    assert '<mark title="Rule youth.new-girls">WhatsApp</mark>' in html
    assert "the flagged file was written with <code>--redact</code>" in html
