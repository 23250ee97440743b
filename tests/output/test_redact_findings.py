"""``--redact`` masks the spans the scorer found: the same masks as a second extraction where
both read the ad alike (the demo, disguised contacts), and the only right ones where they do
not (a scorer reading another region's numbers)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from typing import Any

import pytest

from trafficscan.core.ad import Ad
from trafficscan.features import extract
from trafficscan.output.items import item_to_dict, redact_item
from trafficscan.output.redact import ContactHasher, mask_text
from trafficscan.pipeline.workers import Encoding, encode_batch
from trafficscan.score.scorer import Scorer, ScorerSpec

KEY = b"r" * 32
HASHER = ContactHasher(KEY)

#: Contacts written the ways ads hide them (fictional numbers, example.* addresses).
DISGUISED = [
    "Call nine zero zero zero zero one two three four five now.",
    "WhatsApp only ९०००० १२३४५, no calls. Telegram @hr_desk_demo.",
    "Contact 8 0 0 0 0 1 2 3 4 5 or mail rosy [at] example [dot] com.",
    "wa.me/919000012345 or t.me/rosy_page, call +91 90000-54321 / 80000 54321",
    "Just 19. WhatsApp nau zero zero zero zero ek do teen char paanch. Snap: rosy_19",
    "Mail HR@Example.NET, Insta @Rosy.Page, fb: rosy.page, 90000 12345 (WhatsApp + call)",
    "No contact in this ad at all.",
]


@pytest.fixture(scope="module")
def demo_records(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """Every ad of the bundled demo, scored and written unredacted by a real ``scan``."""
    out = tmp_path_factory.mktemp("demo") / "all.json"
    proc = subprocess.run(
        [sys.executable, "-m", "trafficscan", "scan", "--no-state", "--all", "-q", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    items: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))["items"]
    assert len(items) > 20
    return items


@pytest.fixture(scope="module")
def rules_only() -> Scorer:
    return ScorerSpec(model="").build()


def _differential(record: dict[str, Any]) -> None:
    findings = extract(record["text"]).contact_findings()  # what the scorer found (region IN)
    by_spans = redact_item(record, KEY, findings=findings)
    by_search = redact_item(record, KEY)
    assert by_spans == by_search
    assert mask_text(record["text"], HASHER, findings=findings) == mask_text(record["text"], HASHER)


@pytest.mark.slow
def test_masking_by_the_scorers_spans_equals_a_second_extraction_on_the_demo(demo_records):
    with_contacts = 0
    for record in demo_records:
        _differential(record)
        with_contacts += bool(extract(record["text"]).contact_findings())
    assert with_contacts >= 10  # the demo has many contacts: the comparison means something


@pytest.mark.parametrize("text", DISGUISED)
def test_masking_by_the_scorers_spans_equals_a_second_extraction_on_disguises(
    text: str, rules_only: Scorer
):
    [scored] = rules_only.score_batch([Ad(source="t", body=text)])
    assert scored.findings == extract(scored.ad.text).contact_findings()
    _differential(item_to_dict(scored))
    red = redact_item(item_to_dict(scored), KEY, findings=scored.findings)
    for x in scored.findings:
        assert x.value not in red["text"]


def test_a_number_only_the_scorers_region_reads_is_masked():
    """A UAE mobile in local form (050 …) is a number only to a scorer for region AE. Masking
    by a second extraction (default region) would leave it in clear in the shared text; masking
    by the scorer's spans hides it, with the same mask as in ``entities``."""
    text = "Driver job in Dubai, call 050 000 1234 now."
    assert extract(text).phones == []  # the default region does not read it
    scorer = ScorerSpec(model="", region="AE").build()
    [scored] = scorer.score_batch([Ad(source="t", body=text)])
    assert [x.normalized for x in scored.findings] == ["+971500001234"]
    assert pickle.loads(pickle.dumps(scored)).findings == scored.findings  # to another process
    record = item_to_dict(scored)

    leaked = redact_item(record, KEY)  # the old way: the text is searched again
    assert "050 000 1234" in leaked["text"]

    red = redact_item(record, KEY, findings=scored.findings)
    [mask] = red["entities"]["phones"]
    assert red["text"] == f"Driver job in Dubai, call {mask} now."
    # and so does the encoder the score workers run
    [(_, line, _)] = encode_batch(scorer, [Ad(source="t", body=text)], Encoding("jsonl", KEY, True))
    assert line is not None and json.loads(line)["text"] == red["text"]


def test_findings_of_another_text_are_refused():
    findings = extract("Call 90000 12345").contact_findings()
    with pytest.raises(ValueError, match="not a span of this text"):
        mask_text("Ring 80000 54321 today", HASHER, findings=findings)
