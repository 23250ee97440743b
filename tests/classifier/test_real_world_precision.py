"""Real-world precision: scores at the base rate, and no flag without a stated indicator.

The check sets are real text nobody here wrote and nothing was trained on: the 409 items of the
saved listing pages in ``../shared/data/real-pages`` and the legitimate EMSCAD job ads.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from trafficscan.core.ad import Ad
from trafficscan.score.scorer import ScorerSpec

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

#: Ordinary ads made only of generic job, sales and service vocabulary (the words that used to
#: carry real ads to a flag): none may ever be flagged, whatever the threshold.
GENERIC = [
    "Human Resources (HR) Manager\nFull time, team player, contract role, overnight support for the service desk.",
    "Shift Supervisor - overnight\nSupervise the team, customer service, full time, weekly pay, apply now.",
    "Neck Massage\nNeck and shoulder massage, 30 minutes, available today.",
    "Software Engineer Job In USA\nFull time contract, manager and team lead roles available.",
    "Charcoal grill, hardly used\nPick up only, cash on pickup.",
    "Sales executive wanted\nTarget based salary plus incentives, two wheeler must, call now.",
    "Wat r u doing now? Call me when free.",
]


@pytest.fixture(scope="module")
def scorer():
    return ScorerSpec().build()


@pytest.fixture(scope="module")
def real_pages(shared_data: Path) -> list[Ad]:
    import realdata

    return realdata.real_page_ads(shared_data)


@pytest.mark.slow
def test_real_pages_flag_at_most_one_percent(scorer, real_pages: list[Ad]) -> None:
    assert len(real_pages) == 409
    scored = scorer.score_batch(real_pages)
    flagged = [s for s in scored if s.flagged]
    assert len(flagged) <= 4, [s.ad.text[:80] for s in flagged]
    for s in flagged:  # what is flagged is flagged for a reason an analyst can cite
        assert s.explanation["indicators"], s.ad.text


def test_ordinary_real_ads_score_near_the_base_rate(scorer, real_pages: list[Ad]) -> None:
    """Most real listings carry no indicator: their score stays near the base rate, not 50/50."""
    scores = sorted(s.score for s in scorer.score_batch(real_pages))
    median = scores[len(scores) // 2]
    assert median <= 2 * scorer.base_rate, median


@pytest.mark.slow
def test_emscad_legitimate_job_ads_are_not_flagged(scorer, shared_data: Path) -> None:
    import realdata

    ads = [
        Ad(source="emscad", id=r["id"], title=r["title"], body=r["body"])
        for r in realdata.emscad(shared_data)
    ]
    flagged = [s for s in scorer.score_batch(ads) if s.flagged]
    assert len(flagged) <= 0.01 * len(ads), [s.ad.title for s in flagged]


@pytest.mark.parametrize("text", GENERIC)
def test_generic_vocabulary_never_flags(text: str) -> None:
    """Even at threshold 0 only a stated indicator can flag an ad."""
    scorer = ScorerSpec(threshold=0.0).build()
    (s,) = scorer.score_batch([Ad(source="t", text=text)])
    assert not s.flagged, s.explanation
    assert s.explanation.get("not_flagged") == "no stated indicator (generic words only)"


def test_generic_words_carry_no_weight(scorer) -> None:
    """The model gives generic vocabulary a coefficient of exactly zero."""
    model = scorer.model
    words = model.blocks[0]
    for term in (
        "manager",
        "supervisor",
        "service",
        "full time",
        "team",
        "contract",
        "overnight",
        "available",
        "salary",
    ):
        j = words.vocab.get(term)
        assert j is None or model.coef[j] == 0.0, term


def test_flagged_ad_names_its_indicators(scorer) -> None:
    ad = Ad(
        source="t",
        text="Data entry job in Thailand, tourist visa, no interview. Pay processing "
        "fee to agent. Passport kept by the company. Contact on Telegram only.",
    )
    (s,) = scorer.score_batch([ad])
    assert s.flagged
    kinds = {i["kind"] for i in s.explanation["indicators"]}
    assert "rule" in kinds
    words = [w for i in s.explanation["indicators"] if i["kind"] == "rule" for w in i["words"]]
    assert any(w.lower() in ad.text.lower() for w in words)


def test_rule_reason_is_the_phrase_not_its_context() -> None:
    """A rule's ``requires`` words are context, kept apart from the words that fired it."""
    from trafficscan.score.rules import load_rules

    text = "Shaadi ki guarantee, ladki hum dilayenge, kharcha 1 lakh"
    (hit,) = [
        h
        for h in load_rules().match_text(text)
        if h.rule_id == "bride-trafficking.marriage-guaranteed-for-fee"
    ]
    assert [m.text for m in hit.matches] == ["Shaadi ki guarantee"]
    assert {m.text for m in hit.context} >= {"ladki", "kharcha"}
    assert hit.to_dict()["context"][0]["start"] > hit.matches[0].start


def test_base_rate_moves_the_score_not_the_evidence(scorer) -> None:
    ad = Ad(source="t", text="New girls every week in Goa, hotel delivery, advance payment only.")
    low = ScorerSpec(base_rate=0.001).build().score_batch([ad])[0]
    high = ScorerSpec(base_rate=0.05).build().score_batch([ad])[0]
    assert high.score > low.score
    assert high.explanation["evidence"] == pytest.approx(low.explanation["evidence"], abs=1e-3)
    assert (low.explanation["base_rate"], high.explanation["base_rate"]) == (0.001, 0.05)


@pytest.mark.slow
def test_per_source_base_rate(scorer) -> None:
    ads = [
        Ad(source=name, text="New girls every week in Goa, hotel delivery, advance payment only.")
        for name in ("jobs", "adult")
    ]
    s = ScorerSpec(source_base_rates=(("adult", 0.05),)).build()
    jobs, adult = s.score_batch(ads)
    assert adult.score > jobs.score
    assert jobs.explanation["base_rate"] == s.base_rate and adult.explanation["base_rate"] == 0.05


@pytest.mark.slow
def test_score_base_rate_option(trafficscan, tmp_path: Path) -> None:
    src = tmp_path / "ads.jsonl"
    src.write_text(
        json.dumps(
            {
                "id": "x",
                "text": "New girls every week in Goa, hotel delivery, advance payment only.",
            }
        )
        + "\n"
    )
    outs = []
    for rate in ("0.001", "0.05"):
        r = trafficscan("score", str(src), "--all", "-f", "jsonl", "-o", "-", "--base-rate", rate)
        assert r.code == 0, r.err
        outs.append(json.loads(r.out)["score"])
    assert outs[1] > outs[0]


@pytest.mark.slow
def test_evaluate_reports_fpr_and_precision_at_base_rate(trafficscan, tmp_path: Path) -> None:
    benign = tmp_path / "benign.jsonl"
    benign.write_text("".join(json.dumps({"text": t, "label": 0}) + "\n" for t in GENERIC))
    r = trafficscan("evaluate", str(benign), "--json")
    assert r.code == 0, r.err  # one class is fine: it gives the false-positive rate
    m = json.loads(r.out)
    assert m["combined"]["fpr"] == 0.0 and m["combined"]["recall"] is None
    assert m["base_rate"] > 0
    holdout = ROOT / "data" / "holdout" / "holdout-01.jsonl"
    r = trafficscan("evaluate", str(holdout), "--json")
    m = json.loads(r.out)
    assert {"fpr", "precision_at_base_rate"} <= set(m["combined"])
    r = trafficscan("evaluate", str(holdout))
    assert "FPR" in r.out and "precision at" in r.out


def test_config_base_rate_is_validated(tmp_path: Path) -> None:
    from trafficscan.core.errors import InputError
    from trafficscan.sources.config import load_config

    text = (
        "version: 1\ndefaults:\n  base_rate: 0.002\nsources:\n"
        "  - name: a\n    kind: jsonl\n    start_urls: ['file:///tmp/a.jsonl']\n    base_rate: 0.05\n"
        "  - name: b\n    kind: jsonl\n    start_urls: ['file:///tmp/b.jsonl']\n"
    )
    cfg = load_config(tmp_path / "c.yaml", text)
    assert cfg.base_rates() == {"a": 0.05, "b": 0.002}
    with pytest.raises(InputError) as err:
        load_config(tmp_path / "c.yaml", text.replace("0.05", "2"))
    assert "sources[0].base_rate" in str(err.value) or "base_rate" in str(err.value)
