"""One ad record, one ``Ad``: read from a file (``score``/``train``/``evaluate``) or crawled from a
``jsonl`` source (``scan``), the same record must give the same text and content id, or the
state database and the cluster links treat one ad as two."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from trafficscan.core.ad import Ad, content_id
from trafficscan.core.errors import InputError
from trafficscan.parse.feeds import parse_jsonl
from trafficscan.sources.records import read_records

_NAME = "ads.jsonl"  # the crawl path's source name, equal to the file path's fallback


def _from_file(tmp_path: Path, line: str) -> Ad | str | None:
    path = tmp_path / _NAME
    path.write_text(line + "\n", encoding="utf-8")
    try:
        ads = list(read_records([path]))
    except InputError as exc:
        message = exc.problems[0].message
        return None if message == "no ad records in this file" else message
    assert len(ads) == 1
    return ads[0]


def _from_crawl(line: str) -> Ad | str | None:
    (out,) = list(parse_jsonl([line], _NAME))
    return out.error.partition(": ")[2] if out.error else out.ad


def _same(tmp_path: Path, line: str) -> Ad | str | None:
    on_disk, crawled = _from_file(tmp_path, line), _from_crawl(line)
    if isinstance(on_disk, Ad) and isinstance(crawled, Ad):
        assert crawled == on_disk  # every field: id, text, title, body, source, extra ...
        assert crawled.id == on_disk.id and crawled.text == on_disk.text
    elif isinstance(on_disk, str):  # a bad line: both refuse it, saying the same thing
        assert isinstance(crawled, str) and on_disk.endswith(crawled.rpartition(": ")[2])
    else:
        assert on_disk is None and crawled is None
    return on_disk


@pytest.mark.parametrize(
    ("record", "text"),
    [
        ({"title": "Cook needed", "text": float("nan")}, "Cook needed"),  # spreadsheet NaN is empty
        ({"text": "Cook needed", "id": float("nan")}, "Cook needed"),
        (
            {"title": "Driver", "body": "Day shift, Pune", "contact": "90000 12345"},
            "Driver\nDay shift, Pune",
        ),
        (
            {"title": "Driver", "text": "Driver wanted in Pune", "body": "ignored"},
            "Driver\nDriver wanted in Pune",
        ),
        ({"text": "Tutor", "source": "  ", "category": "benign", "case_no": 7}, "Tutor"),
        ({"text": "Tutor", "label": 1, "source": "board-7"}, "Tutor"),
        ({"text": 12345678901234567890123}, "12345678901234567890123"),  # beyond 64 bits: exact
        (
            {"text": -12345678901234567890123, "id": 98765432109876543210987},
            "-12345678901234567890123",
        ),
    ],
)
def test_same_record_same_ad(tmp_path: Path, record: dict[str, object], text: str) -> None:
    ad = _same(tmp_path, json.dumps(record))
    assert isinstance(ad, Ad) and ad.text == text
    if "id" not in record or record["id"] != record["id"]:
        assert ad.id == content_id(text)


def test_ids_beyond_64_bits_stay_exact(tmp_path: Path) -> None:
    """Two case numbers that differ in the last digit are two ids, not one rounded float."""
    ids = []
    for n in (98765432109876543210987, 98765432109876543210988):
        ad = _same(tmp_path, json.dumps({"text": "Tutor", "id": n, "ref": n}))
        assert isinstance(ad, Ad)
        assert ad.extra == {"ref": n}
        ids.append(ad.id)
    assert ids == ["98765432109876543210987", "98765432109876543210988"]


def test_unpaired_surrogate_is_a_located_error(tmp_path: Path) -> None:
    """``"\\ud800"`` is valid JSON but not text: a bad line naming why, not a crash later."""
    line = '{"text": "call \\ud800 now"}'
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(read_records([path]))
    problem = err.value.problems[0]
    assert problem.file == str(path) and problem.line == 1
    assert "surrogate" in problem.message
    (crawled,) = parse_jsonl(["", line], "cfg")
    assert crawled.ad is None and crawled.error.startswith("line 2: invalid JSON")
    assert "surrogate" in crawled.error


def test_empty_and_bad_records_agree(tmp_path: Path) -> None:
    assert _same(tmp_path, json.dumps({"text": "  \u00a0 ", "title": None})) is None
    assert _same(tmp_path, json.dumps({"headline": "x"})) == "no text, title or body field"
    assert _same(tmp_path, "[1, 2]") == "expected a JSON object, got list"


_scalar = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    st.text(alphabet=" \t\n\u00a0abAB", max_size=6),
    st.integers(min_value=-(10**25), max_value=10**25),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.none(),
)
_records = st.dictionaries(
    st.sampled_from(
        [
            "text",
            "title",
            "body",
            "id",
            "url",
            "source",
            "price",
            "location",
            "posted_at",
            "contact",
            "category",
            "label",
            "case_no",
        ]
    ),
    _scalar,
    min_size=1,
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=_records)
@example(record={"title": "Cook", "text": float("nan")})
@example(record={"text": 2**70 + 1})
def test_any_record_same_ad_both_ways(tmp_path: Path, record: dict[str, object]) -> None:
    line = json.dumps(record)  # NaN is written as NaN, as pandas and Python export it
    _same(tmp_path, line)
