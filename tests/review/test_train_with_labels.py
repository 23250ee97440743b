"""``train --with-labels`` and ``evaluate --labels`` on the stored analyst verdicts.

Kept fast: a 400-ad sample of the corpus (20 ads of each corpus file), word n-grams only, two
CV folds. The ads analysts clear are the real false alarms of a model trained on that sample:
the held-out negatives it flags, found by the test itself, so the test keeps meaning something
if the corpus changes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from trafficscan.core.ad import Ad
from trafficscan.score.classifier.model import load_model
from trafficscan.score.rules import load_rules
from trafficscan.score.scorer import Scorer

pytestmark = pytest.mark.slow


def _sample(repo_root: Path, out: Path) -> None:
    rows: list[str] = []
    for path in sorted((repo_root / "data" / "corpus").glob("*.jsonl")):
        rows += path.read_text(encoding="utf-8").splitlines()[:20]
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _flagged(model: Path, ads: list[Ad]) -> list[str]:
    scorer = Scorer(load_rules([]), load_model(model))
    return [s.ad.id for s in scorer.score_batch(ads) if s.flagged]


def _row(table: str, name: str) -> tuple[int, int]:
    """(before, after) flag counts of one row of the before/after table."""
    found = re.search(re.escape(name) + r".*?(\d+) of \d+ .*?(\d+) of \d+", table)
    assert found, table
    return int(found.group(1)), int(found.group(2))


def test_verdicts_stop_the_cleared_false_alarms_and_add_none_on_real_listings(
    tmp_path: Path, repo_root: Path, trafficscan
) -> None:
    _sample(repo_root, tmp_path / "sample.jsonl")
    run = trafficscan(
        "train", "sample.jsonl", "-o", "before.skops", "--cv", "2", "--words-only", "-q"
    )
    assert run.code == 0, run.err
    negatives = [
        json.loads(line)
        # holdouts 01-07: a fixed set, so the count below does not move with every new holdout
        for path in sorted((repo_root / "data" / "holdout").glob("holdout-0[1-7].jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    negatives = [r for r in negatives if r["label"] == 0]
    ads = [Ad(source="holdout", id=r["id"], title=r["title"], body=r["body"]) for r in negatives]
    false_alarms = set(_flagged(tmp_path / "before.skops", ads))
    assert false_alarms, "the small model flags some benign held-out ads"
    cleared = [a for a in ads if a.id in false_alarms]
    labels = tmp_path / "cleared.jsonl"
    labels.write_text(
        "".join(
            json.dumps(
                {"id": a.id, "title": a.title, "body": a.body, "label": 0, "analyst": "asha"}
            )
            + "\n"
            for a in cleared
        ),
        encoding="utf-8",
    )
    db = tmp_path / "state.sqlite3"
    assert trafficscan("labels", "import", str(labels), "--state", str(db)).code == 0

    run = trafficscan(
        "train",
        "sample.jsonl",
        "-o",
        "after.skops",
        "--cv",
        "2",
        "--words-only",
        "--with-labels",
        "--state",
        str(db),
    )
    assert run.code == 0, run.err
    assert f"{len(cleared)} analyst verdicts ({len(cleared)} cleared)" in run.err
    # The saved model learned them: a verdict is one more labelled ad, not a hard rule, so a
    # small model may keep an odd one (scan still suppresses that exact text, test_suppression);
    # the table train prints says how many, and it must say so truly. At least four in five of
    # the cleared alarms must be gone (with holdouts 01-07: 2 of 18 kept).
    still = _flagged(tmp_path / "after.skops", cleared)
    assert len(still) <= len(cleared) // 5, (still, len(cleared))
    before, after = _row(run.err, "ads analysts cleared")
    assert (before, after) == (len(cleared), len(still))
    if (repo_root.parent / "shared" / "data" / "real-pages").is_dir():
        before, after = _row(run.err, "real listings")
        assert after <= before

    run = trafficscan("evaluate", "--labels", "--state", str(db), "-m", "after.skops", "--json")
    assert run.code == 0, run.err
    result = json.loads(run.out)
    assert result["past_flags"] == {
        "reviewed": len(cleared),
        "confirmed": 0,
        "cleared": len(cleared),
        "skipped": 0,
        "precision_of_past_flags": 0.0,
    }
    assert result["combined"]["confusion"] == [[len(cleared) - len(still), len(still)], [0, 0]]


def test_train_with_labels_and_no_verdicts_is_an_input_error(
    tmp_path: Path, repo_root: Path, trafficscan
) -> None:
    from trafficscan.review.verdicts import Verdict, VerdictStore

    _sample(repo_root, tmp_path / "sample.jsonl")
    db = tmp_path / "state.sqlite3"
    with VerdictStore.open(db, create=True) as store:  # a skip is no label
        store.put(
            Verdict.for_record({"id": "a1", "text": "Cook wanted", "score": 0.6}, "skip", "asha")
        )
    run = trafficscan("train", "sample.jsonl", "--with-labels", "--state", str(db))
    assert run.code == 2 and "state.sqlite3" in run.err and "no analyst verdicts" in run.err
    assert not (tmp_path / "model.skops").exists()
