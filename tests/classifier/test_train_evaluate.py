"""`train` and `evaluate` on data as it comes, and their clear exit-2 errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest


def _sms_sample(shared_data: Path, tmp_path: Path, n: int = 400) -> Path:
    src = shared_data / "sms_phishing_mendeley_5971" / "Dataset_5971.csv"
    out = tmp_path / "sms.csv"
    with (
        src.open(encoding="utf-8", newline="") as fh,
        out.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.DictReader(fh)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        spam = ham = 0
        for row in reader:
            is_spam = row["LABEL"].lower() != "ham"
            if (is_spam and spam < n // 2) or (not is_spam and ham < n // 2):
                writer.writerow(row)
                spam += is_spam
                ham += not is_spam
    return out


@pytest.mark.slow
def test_train_then_evaluate_external_csv(trafficscan, shared_data: Path, tmp_path: Path) -> None:
    data = _sms_sample(shared_data, tmp_path)
    args = [
        "--text-column",
        "TEXT",
        "--label-column",
        "LABEL",
        "--positive",
        "spam",
        "--positive",
        "Smishing",
    ]
    r = trafficscan("train", str(data), "-o", "sms.skops", "--seed", "3", *args)
    assert r.code == 0, r.err
    assert "Held-out metrics" in r.err and (tmp_path / "sms.skops").exists()
    r = trafficscan("evaluate", str(data), "--model", "sms.skops", "--json", *args)
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["n"] == 400 and doc["positives"] == 200
    for part in ("model", "combined"):
        m = doc[part]
        assert set(m) >= {
            "precision",
            "recall",
            "f1",
            "roc_auc",
            "pr_auc",
            "threshold",
            "confusion",
        }
        (tn, fp), (fn, tp) = m["confusion"]
        assert tn + fp + fn + tp == 400
    assert doc["model"]["f1"] > 0.85  # trained on most of this very data


@pytest.mark.slow
def test_same_seed_same_model(trafficscan, shared_data: Path, tmp_path: Path) -> None:
    from trafficscan.score.classifier.model import load_model

    data = _sms_sample(shared_data, tmp_path, 200)
    args = [
        "--text-column",
        "TEXT",
        "--label-column",
        "LABEL",
        "--positive",
        "spam",
        "--positive",
        "smishing",
    ]
    for name in ("a.skops", "b.skops"):
        assert trafficscan("train", str(data), "-o", name, "--cv", "3", *args).code == 0
    a, b = load_model(tmp_path / "a.skops"), load_model(tmp_path / "b.skops")
    assert a.meta["fingerprint"] == b.meta["fingerprint"]
    assert a.meta["metrics"] == b.meta["metrics"]


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        ([{"text": "a", "label": 1}, {"text": "b", "label": 1}], [], "all 2 records are positive"),
        (
            [{"text": "a", "label": 1}, {"text": "b", "label": "perhaps"}],
            [],
            ":2: unknown label 'perhaps'",
        ),
        ([{"msg": "a", "label": 1}], [], "no text, title or body field"),
        ([{"text": "a", "y": 1}], [], "label column not found"),
        ([{"text": "a", "label": 1}], ["--text-column", "body_text"], "text column not found"),
    ],
)
@pytest.mark.slow
def test_train_errors_exit_2(
    trafficscan, tmp_path: Path, rows: list, args: list, message: str
) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    r = trafficscan("train", str(data), "-o", "m.skops", *args)
    assert r.code == 2, r.err
    assert message in r.err
    assert not (tmp_path / "m.skops").exists()


@pytest.mark.slow
def test_train_empty_file_exits_2(trafficscan, tmp_path: Path) -> None:
    data = tmp_path / "empty.csv"
    data.write_text("", encoding="utf-8")
    r = trafficscan("train", str(data))
    assert r.code == 2 and "no ad records" in r.err


@pytest.mark.slow
def test_retraining_keeps_base_rate_and_indicator_vocabulary(
    trafficscan, repo_root: Path, tmp_path: Path
) -> None:
    """An analyst's `train` keeps the real-world properties by default: generic words get no
    weight even when the analyst's positives happen to use them, scores are calibrated to a
    base rate, and the threshold is chosen for precision at it."""
    import random

    from trafficscan.score.classifier.model import load_model

    rng = random.Random(5)
    rows = [
        json.loads(line)
        for f in sorted((repo_root / "data" / "corpus").glob("*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
    ]
    rows = rng.sample(rows, 500)
    for r in rows:  # a unit whose positives all say "manager" and "full time"
        if r["label"] == 1:
            r["body"] += " Manager on duty, full time."
    data = tmp_path / "unit.jsonl"
    data.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    r = trafficscan("train", str(data), "-o", "unit.skops", "--cv", "3", "--base-rate", "0.01")
    assert r.code == 0, r.err
    assert "at base rate 0.01" in r.err
    model = load_model(tmp_path / "unit.skops")
    assert model.base_rate == 0.01 and 0 < model.train_prior < 1
    assert model.meta["threshold_choice"]["min_precision"] == 0.2
    words = model.blocks[0]
    for term in ("manager", "full time", "full"):
        j = words.vocab.get(term)
        assert j is None or model.coef[j] == 0.0, term
    r = trafficscan(
        "score", str(data), "--model", "unit.skops", "--threshold", "0", "-f", "jsonl", "-o", "-"
    )
    assert r.code == 0, r.err
    for line in r.out.splitlines():  # flagged even at threshold 0 only with a stated indicator
        assert json.loads(line)["explanation"]["indicators"]
