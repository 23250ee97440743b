"""`trafficscan score`: ads on disk or stdin, streaming, clean failures."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

ADS = [
    {
        "id": "a1",
        "title": "Data entry job in Thailand",
        "body": "Salary 1.5 lakh per month, tourist visa, "
        "no interview. Pay processing fee 50,000 to agent. Contact HR on Telegram only. Work in Myawaddy.",
    },
    {
        "id": "a2",
        "title": "Maths tuition",
        "body": "Class 10 maths and science tuition in Kothrud, Pune. "
        "Experienced teacher, weekend batches.",
    },
    {
        "id": "a3",
        "title": "Police rescue 12 minors",
        "body": "Police rescued 12 minors from a spa in Pune "
        "and arrested the manager. Call Childline 1098 to report.",
    },
]


def _write(tmp_path: Path, rows: list) -> Path:
    p = tmp_path / "ads.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return p


def test_score_all_jsonl_keeps_input_order(trafficscan, tmp_path: Path) -> None:
    src = _write(tmp_path, ADS)
    r = trafficscan("score", str(src), "--all", "--format", "jsonl", "-o", "-", "--jobs", "1")
    assert r.code == 0, r.err
    items = [json.loads(x) for x in r.out.splitlines()]
    assert [i["id"] for i in items] == ["a1", "a2", "a3"]
    assert items[0]["flagged"] and not items[1]["flagged"] and not items[2]["flagged"]
    assert items[2]["explanation"]["dampening"] > 0


def test_score_reads_stdin(trafficscan, tmp_path: Path) -> None:
    r = trafficscan(
        "score",
        "-",
        "--format",
        "jsonl",
        "-o",
        "-",
        stdin="".join(json.dumps(a) + "\n" for a in ADS),
    )
    assert r.code == 0, r.err
    assert [json.loads(x)["id"] for x in r.out.splitlines()] == ["a1"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fmt", "extra"),
    [
        ("jsonl", []),
        ("csv", ["--redact-key", "share.key"]),
        ("json", ["--redact-key", "share.key"]),
    ],
)
def test_score_many_batches_with_workers_is_deterministic(
    trafficscan, tmp_path: Path, fmt: str, extra: list[str]
) -> None:
    """Workers encode (and redact) the output themselves: byte for byte what one process writes
    (redacted with a given key; without one each output has its own random key)."""
    contact = {"id": "c", "text": "New girls, manager books, advance only. Call 90000 12345"}
    rows = [dict(a, id=f"{a['id']}-{n}") for n in range(40) for a in [*ADS, contact]]
    src = _write(tmp_path, rows)
    if extra:
        assert trafficscan("share", "keygen", "-o", "share.key").code == 0
    one = trafficscan(
        "score",
        str(src),
        "--all",
        "-f",
        fmt,
        "-o",
        f"one.{fmt}",
        "--jobs",
        "1",
        "--batch-size",
        "7",
        *extra,
    )
    two = trafficscan(
        "score",
        str(src),
        "--all",
        "-f",
        fmt,
        "-o",
        f"two.{fmt}",
        "--jobs",
        "2",
        "--batch-size",
        "7",
        *extra,
    )
    assert one.code == two.code == 0, one.err + two.err
    a, b = (tmp_path / f"one.{fmt}").read_text(), (tmp_path / f"two.{fmt}").read_text()
    if fmt == "json":  # the envelope's generated_at differs; the items must not
        a, b = json.loads(a)["items"], json.loads(b)["items"]
        assert len(a) == 160
    elif fmt == "csv":  # texts hold newlines: count rows, not lines
        assert len(list(csv.DictReader(io.StringIO(a)))) == 160
    else:
        assert len(a.splitlines()) == 160
    assert a == b
    if extra:
        assert "90000 12345" not in str(a) and "+919000012345" not in str(a)


def test_bad_input_line_exits_2_and_writes_nothing(trafficscan, tmp_path: Path) -> None:
    src = tmp_path / "ads.jsonl"
    src.write_text(json.dumps(ADS[0]) + "\n{not json\n", encoding="utf-8")
    r = trafficscan("score", str(src), "-o", "out.json")
    assert r.code == 2
    assert f"{src}:2: invalid JSON" in r.err
    assert not (tmp_path / "out.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["ads.jsonl"]


def test_pickle_model_is_refused(trafficscan, tmp_path: Path) -> None:
    import pickle

    bad = tmp_path / "model.skops"
    bad.write_bytes(pickle.dumps({"x": 1}))
    src = _write(tmp_path, ADS)
    r = trafficscan("score", str(src), "--model", str(bad), "-o", "out.json")
    assert r.code == 2 and "refused" in r.err
    assert not (tmp_path / "out.json").exists()


@pytest.mark.slow
def test_redacted_output_has_no_contacts(trafficscan, tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        [
            {
                "id": "c",
                "text": "New girls, manager books, advance only. Call 90000 12345 or "
                "mail madam@example.org",
            }
        ],
    )
    r = trafficscan("score", str(src), "--all", "--redact", "-f", "jsonl", "-o", "-")
    assert r.code == 0, r.err
    assert "90000" not in r.out and "12345" not in r.out and "madam@example.org" not in r.out


@pytest.mark.slow
def test_workers_redact_with_the_key_of_the_output(trafficscan, tmp_path: Path) -> None:
    """Without --redact-key the key is random per output, and the parent hands that one key to
    every worker: one number, one mask, in every ad and batch of the output."""
    rows = [
        {
            "id": f"c-{n}",
            "text": f"New girls, manager books, advance only. Call 90000 12345 (ad {n})",
        }
        for n in range(60)
    ]
    src = _write(tmp_path, rows)
    r = trafficscan(
        "score",
        str(src),
        "--all",
        "--redact",
        "-f",
        "jsonl",
        "-o",
        "-",
        "--jobs",
        "2",
        "--batch-size",
        "7",
    )
    assert r.code == 0, r.err
    items = [json.loads(x) for x in r.out.splitlines()]
    masks = {m for i in items for m in i["entities"]["phones"]}
    assert len(items) == 60 and len(masks) == 1
    assert all(
        i["text"].endswith(f"Call {next(iter(masks))} (ad {n})") for n, i in enumerate(items)
    )
