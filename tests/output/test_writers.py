"""The output format, pinned by golden files (schema trafficscan/flagged/v1)."""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import pytest

from trafficscan.core.ad import Ad, Match, RuleHit, ScoredAd
from trafficscan.output import open_writer
from trafficscan.output.items import item_to_dict, redact_item

GOLDEN = Path(__file__).parent.parent / "golden"
HEADER = {
    "generated_at": "2026-01-01T00:00:00Z",
    "trafficscan": "0.1.0",
    "threshold": 0.5,
    "model": {"name": "default", "version": 1, "sha256": "0" * 64},
    "scan": {
        "sources": ["city-classifieds"],
        "pages_fetched": 3,
        "ads_seen": 3,
        "ads_new": 3,
        "ads_flagged": 2,
        "errors": [
            {
                "source": "city-classifieds",
                "url": "http://127.0.0.1/x",
                "error": "HTTP 503 after 3 tries",
            }
        ],
    },
}


def _items() -> list[ScoredAd]:
    spa = Ad(
        source="city-classifieds",
        url="http://127.0.0.1/ads/1.html",
        title="New girls at spa",
        body="Just 18, new in town. Manager books. Call 90000 12345",
        price="₹2000",
        location="Pune",
        posted_at="2026-01-01T10:00:00",
    )
    job = Ad(
        source="city-classifieds",
        url="http://127.0.0.1/ads/2.html",
        title="Data entry Thailand",
        body="Tourist visa, no interview, fee 50,000. Telegram @hr_desk_demo only.",
    )
    tuition = Ad(
        source="city-classifieds",
        url="http://127.0.0.1/ads/3.html",
        title="Maths tuition",
        body="Class 10 maths tuition, Kothrud.",
    )
    t = spa.text
    s = t.index("Just 18")
    return [
        ScoredAd(
            ad=tuition,
            score=0.05,
            rule_score=0.0,
            model_score=0.07,
            flagged=False,
            entities={
                "phones": [],
                "emails": [],
                "handles": [],
                "urls": [],
                "ages": [],
                "prices": [],
            },
            explanation={
                "formula": "score = 0.7 × model_score + 0.3 × rule_score",
                "contributions": {"rules": 0.0, "model": 0.049},
            },
        ),
        ScoredAd(
            ad=spa,
            score=0.91,
            rule_score=0.8,
            model_score=0.93,
            flagged=True,
            entities={
                "phones": ["+919000012345"],
                "emails": [],
                "handles": [],
                "urls": [],
                "ages": [18],
                "prices": [{"amount": 2000, "currency": "INR"}],
            },
            hits=[
                RuleHit(
                    "youth.just-turned-18",
                    "youth",
                    0.4,
                    "Claims to have just come of age",
                    [Match(t[s : s + 7], s, s + 7)],
                )
            ],
            explanation={
                "formula": "score = 0.7 × model_score + 0.3 × rule_score",
                "contributions": {"rules": 0.24, "model": 0.651},
            },
        ),
        ScoredAd(
            ad=job,
            score=0.77,
            rule_score=0.6,
            model_score=0.85,
            flagged=True,
            entities={
                "phones": [],
                "emails": [],
                "handles": [{"platform": "telegram", "value": "hr_desk_demo"}],
                "urls": [],
                "ages": [],
                "prices": [{"amount": 50000, "currency": "INR"}],
            },
            explanation={
                "formula": "score = 0.7 × model_score + 0.3 × rule_score",
                "contributions": {"rules": 0.18, "model": 0.595},
            },
        ),
    ]


def _write(tmp_path: Path, fmt: str, **kw: object) -> Path:
    out = tmp_path / f"out.{fmt}"
    w = open_writer(out, fmt, **kw)
    for item in _items():
        w.write(item_to_dict(item))
    w.close(HEADER)
    return out


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_output_matches_golden_file(tmp_path: Path, fmt: str) -> None:
    out = _write(tmp_path, fmt)
    golden = GOLDEN / f"flagged.{fmt}"
    if os.environ.get("TRAFFICSCAN_UPDATE_GOLDEN"):
        golden.write_bytes(out.read_bytes())
    assert out.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_batched_writes_give_the_golden_file(tmp_path: Path, fmt: str) -> None:
    """``score`` writes each batch of encoded records at once: the same bytes as one by one."""
    from trafficscan.output.writers import encode_record

    out = tmp_path / f"batched.{fmt}"
    w = open_writer(out, fmt)
    records = [item_to_dict(item) for item in _items()]
    w.write_encoded_many([(encode_record(r, fmt), r["score"]) for r in records[:2]])
    w.write_encoded_many([])
    w.write_encoded_many([(encode_record(r, fmt), r["score"]) for r in records[2:]])
    assert w.count == 3
    w.close(HEADER)
    assert out.read_text(encoding="utf-8") == (GOLDEN / f"flagged.{fmt}").read_text(
        encoding="utf-8"
    )


def test_json_envelope_is_versioned_and_sorted_by_score(tmp_path: Path) -> None:
    doc = json.loads(_write(tmp_path, "json").read_text(encoding="utf-8"))
    assert doc["schema"] == "trafficscan/flagged/v1"
    assert [i["score"] for i in doc["items"]] == [0.91, 0.77, 0.05]
    hit = doc["items"][0]["rules"][0]
    text = doc["items"][0]["text"]
    assert text[hit["matches"][0]["start"] : hit["matches"][0]["end"]] == "Just 18"


def test_jsonl_and_csv_keep_input_order(tmp_path: Path) -> None:
    lines = _write(tmp_path, "jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["score"] for x in lines] == [0.05, 0.91, 0.77]
    with _write(tmp_path, "csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["score"] for r in rows] == ["0.05", "0.91", "0.77"]
    assert rows[1]["phones"] == "+919000012345" and rows[1]["rule_ids"] == "youth.just-turned-18"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_output_is_private_to_its_owner(tmp_path: Path, fmt: str) -> None:
    mode = stat.S_IMODE(_write(tmp_path, fmt).stat().st_mode)
    assert mode == 0o600


def test_aborted_output_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    w = open_writer(out, "json")
    w.write(item_to_dict(_items()[0]))
    w.abort()
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_replaced_only_when_complete(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")
    w = open_writer(out, "jsonl")
    w.write(item_to_dict(_items()[0]))
    assert out.read_text() == "previous\n"  # still the old file while writing
    w.close()
    assert out.read_text() != "previous\n"


def test_stdout_output(capsys: pytest.CaptureFixture[str]) -> None:
    w = open_writer("-", "jsonl")
    for item in _items():
        w.write(item_to_dict(item))
    w.close()
    assert len(capsys.readouterr().out.splitlines()) == 3


REDACT_KEY = bytes(range(32))  # fixed, so the golden file is stable; outputs use a random one


def test_redaction_masks_contacts_but_keeps_links(tmp_path: Path) -> None:
    rec = item_to_dict(_items()[1])
    red = redact_item(rec, REDACT_KEY)
    dumped = json.dumps(red, ensure_ascii=False)
    assert "90000" not in dumped and "12345" not in dumped
    mask = red["entities"]["phones"][0]
    assert mask.startswith("[phone:")
    # one mask for the number in the text and in the entities
    assert red["text"].endswith(f"Call {mask}")
    # same number, same key, same mask: redacted copies can still be linked
    assert redact_item(rec, REDACT_KEY)["entities"]["phones"] == red["entities"]["phones"]
    # another key (another output), another mask
    assert redact_item(rec, bytes(32))["entities"]["phones"] != red["entities"]["phones"]
    job = redact_item(item_to_dict(_items()[2]), REDACT_KEY)
    assert "hr_desk_demo" not in json.dumps(job)
    assert "Telegram [handle:" in job["text"]


def test_redaction_repoints_matches_into_the_masked_text() -> None:
    ad = Ad(source="s", title="Call 90000 12345 now", body="Just 18, new in town")
    t = ad.text
    s = t.index("Just 18")
    p = t.index("90000")
    item = ScoredAd(
        ad=ad,
        score=0.9,
        rule_score=0.5,
        model_score=None,
        flagged=True,
        entities={"phones": ["+919000012345"]},
        hits=[
            RuleHit("youth.just-turned-18", "youth", 0.4, "", [Match("Just 18", s, s + 7)]),
            RuleHit(
                "obscured-contact.x", "obscured-contact", 0.3, "", [Match(t[p : p + 11], p, p + 11)]
            ),
        ],
    )
    red = redact_item(item_to_dict(item), REDACT_KEY)
    young, phone = (h["matches"][0] for h in red["rules"])
    assert red["text"][young["start"] : young["end"]] == young["text"] == "Just 18"
    assert phone["text"] == red["entities"]["phones"][0]  # a match on the number covers its mask
    assert red["text"][phone["start"] : phone["end"]] == phone["text"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_redacted_output_matches_golden_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    w = open_writer(out, fmt, redact_key=REDACT_KEY)
    for item in _items():
        w.write(item_to_dict(item))
    w.close(HEADER)
    golden = GOLDEN / f"flagged-redacted.{fmt}"
    if os.environ.get("TRAFFICSCAN_UPDATE_GOLDEN"):
        golden.write_bytes(out.read_bytes())
    assert out.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")


def test_redact_without_a_key_uses_a_random_key_per_output(tmp_path: Path) -> None:
    masks = []
    for n in range(2):
        out = tmp_path / f"out{n}.jsonl"
        w = open_writer(out, "jsonl", redact=True)
        w.write(item_to_dict(_items()[1]))
        w.write(item_to_dict(_items()[1]))
        w.close()
        first, second = (
            json.loads(x)["entities"]["phones"][0] for x in out.read_text().splitlines()
        )
        assert first == second  # one key for the whole output
        masks.append(first)
    assert masks[0] != masks[1]


@pytest.mark.parametrize(
    "value", [2**70, -(2**70), 1e16, 0.0001, 'नई 🌹 \u2028 "q"', [1, {"a": None}]]
)
def test_encoded_lines_parse_back_to_the_same_values(value: object) -> None:
    """orjson encodes records; anything it refuses (a 70-bit integer from an input file) still
    comes out, through json, and every value parses back unchanged."""
    from trafficscan.output.writers import encode_record

    line = encode_record({"id": "x", "price": value}, "jsonl")
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert json.loads(line) == {"id": "x", "price": value}
