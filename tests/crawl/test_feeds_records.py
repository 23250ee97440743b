"""A ``jsonl`` source gives the ads ``score`` would read from the same file: same ids, texts and
passed-through fields, whether the records are fetched over HTTP or read from ``file://``."""

from __future__ import annotations

import json
from pathlib import Path

from crawlkit import GuardTransport, Resp, Site, feed_source, make_config, run_crawl

from trafficscan.sources.records import read_records

RECORDS = [
    {"title": "Cook needed", "body": "Day shift in Pune, call 90000 12345", "case_no": 7},
    {"title": "Tutor", "text": float("nan"), "body": "Grade five maths"},  # NaN: an empty cell
    {"text": "Driver wanted", "id": float("nan"), "category": "benign"},
    {"text": "Maid for a family", "id": 98765432109876543210987, "source": "board-7"},
    {"text": "Nurse, night shift", "ref": [1, {"n": 12345678901234567890123}]},
    # a line separator inside a string is one record, not two bad lines (ensure_ascii=False below)
    {"text": "Helper\u2028for a shop\u0085in Nashik"},
]


def test_crawled_records_equal_the_records_scored_from_disk(
    site: Site, transport: GuardTransport, tmp_path: Path
) -> None:
    body = (
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS)
        + '{"text": "bad \\ud800 escape"}\n'
    )
    path = tmp_path / "ads.jsonl"
    path.write_text(body, encoding="utf-8")
    site.route("/ads.jsonl", Resp(body=body.encode(), content_type="application/x-ndjson"))
    # the source names equal the file name: the fallback ``source`` of records that name none
    cfg = make_config(feed_source("ads.jsonl", "jsonl", [site.url("/ads.jsonl"), path.as_uri()]))
    crawled, stats = run_crawl(cfg, transport)

    good = tmp_path / "good" / "ads.jsonl"
    good.parent.mkdir()
    good.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8"
    )
    from_disk = list(read_records([good]))

    assert len(from_disk) == len(RECORDS)
    # every record twice (over HTTP and from file://), each equal to the one read from disk
    assert sorted(crawled, key=lambda a: a.text) == sorted(from_disk * 2, key=lambda a: a.text)
    by_text = {ad.text: ad for ad in crawled}
    assert by_text["Tutor\nGrade five maths"].id == from_disk[1].id  # "nan" is not text
    assert by_text["Maid for a family"].id == "98765432109876543210987"  # exact, not a float
    assert by_text["Cook needed\nDay shift in Pune, call 90000 12345"].extra == {"case_no": 7}
    assert by_text["Nurse, night shift"].extra == {"ref": [1, {"n": 12345678901234567890123}]}
    errors = [e["error"] for e in stats.errors]
    assert len(errors) == 2 and all(
        e.startswith("line 7: invalid JSON: unpaired UTF-16") for e in errors
    )
