"""Reading ad records: JSONL, CSV, stdin; labels 'as they come'; located errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trafficscan.core.errors import InputError
from trafficscan.sources.records import RecordOptions, read_records


def _jsonl(tmp_path: Path, rows: list[object], name: str = "ads.jsonl") -> Path:
    p = tmp_path / name
    p.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )
    return p


def test_jsonl_title_body_and_text(tmp_path: Path) -> None:
    p = _jsonl(
        tmp_path,
        [
            {"title": "Tuition", "body": "Maths class 10", "id": "a1", "url": "u"},
            {"text": "Flat for rent in Pune"},
            "",
        ],
    )
    ads = list(read_records([p]))
    assert [a.text for a in ads] == ["Tuition\nMaths class 10", "Flat for rent in Pune"]
    assert ads[0].id == "a1" and ads[1].source == "ads.jsonl" and len(ads[1].id) == 16


def test_csv_with_quoted_multiline_fields_and_text_columns(tmp_path: Path) -> None:
    p = tmp_path / "jobs.csv"
    p.write_text(
        'job_id,title,description,fraudulent\n1,Clerk,"Line one\nline two",0\n2,Agent,"Pay fee",1\n',
        encoding="utf-8",
    )
    opts = RecordOptions(
        text_columns=("title", "description"), label_column="fraudulent", need_label=True
    )
    ads = list(read_records([p], opts))
    assert [a.text for a in ads] == ["Clerk\nLine one\nline two", "Agent\nPay fee"]
    assert [a.label for a in ads] == [0, 1]


def test_positive_values_are_case_insensitive(tmp_path: Path) -> None:
    p = tmp_path / "sms.csv"
    p.write_text("LABEL,TEXT\nham,hello\nSpam,win\nsmishing,click\n", encoding="utf-8")
    opts = RecordOptions(
        text_columns=("TEXT",), label_column="LABEL", positive=("spam", "Smishing"), need_label=True
    )
    assert [a.label for a in read_records([p], opts)] == [0, 1, 1]


def test_bad_json_line_names_file_and_line(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, [{"text": "ok"}, '{"text": "broken'])
    with pytest.raises(InputError) as exc:
        list(read_records([p]))
    assert f"{p}:2: invalid JSON" in str(exc.value)


def test_unknown_label_names_value_and_line(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, [{"text": "a", "label": 1}, {"text": "b", "label": "maybe"}])
    with pytest.raises(InputError) as exc:
        list(read_records([p], RecordOptions(need_label=True)))
    assert f"{p}:2: unknown label 'maybe'" in str(exc.value) and "--positive" in str(exc.value)


def test_missing_columns_are_named(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, [{"msg": "a"}])
    with pytest.raises(InputError, match="no text, title or body field"):
        list(read_records([p]))
    with pytest.raises(InputError, match="text column not found"):
        list(read_records([p], RecordOptions(text_columns=("body_text",))))
    with pytest.raises(InputError, match="label column not found"):
        list(read_records([p], RecordOptions(text_columns=("msg",), need_label=True)))


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "empty.jsonl"
    p.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="no ad records"):
        list(read_records([p]))


def test_reads_lazily(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, [{"text": f"ad {i}"} for i in range(5)] + ['{"broken'])
    it = read_records([p])
    assert next(it).text == "ad 0"  # the bad last line is not read until it is reached


def test_real_external_csv_reads(shared_data: Path) -> None:
    sms = shared_data / "sms_phishing_mendeley_5971" / "Dataset_5971.csv"
    opts = RecordOptions(
        text_columns=("TEXT",), label_column="LABEL", positive=("spam", "smishing"), need_label=True
    )
    ads = list(read_records([sms], opts))
    assert len(ads) == 5971 and sum(a.label for a in ads) == 638 + 489


def test_jsonl_values_python_accepts_still_read(tmp_path: Path) -> None:
    """The fast JSON reader hands what it refuses (NaN, huge integers) to Python's json."""
    p = tmp_path / "ads.jsonl"
    p.write_text(
        '{"id": 123456789012345678901234567890, "title": "Cook", "price": NaN}\n'
        '{"id": "b", "title": "नई नौकरी"}\n',
        encoding="utf-8",
    )
    ads = list(read_records([p]))
    assert [a.id for a in ads] == ["123456789012345678901234567890", "b"]
    assert ads[0].price == "" and ads[1].title == "नई नौकरी"
