"""The shipped model is what scripts/train_default.py builds from the repo's data and rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trafficscan.score.classifier.model import load_model
from trafficscan.score.rules import load_rules


@pytest.mark.slow
def test_shipped_model_was_built_from_the_current_rules(default_model: Path) -> None:
    shipped = load_model(default_model)
    assert shipped.meta["rules"]["sha256"] == load_rules([]).digest, (
        "rules/ changed since the model was built (rule hits are model inputs): run python scripts/train_default.py"
    )


@pytest.mark.slow
def test_shipped_model_matches_a_fresh_build(
    default_model: Path, repo_root: Path, tmp_path: Path
) -> None:
    shipped = load_model(default_model)
    out = tmp_path / "rebuilt.skops"
    subprocess.run(
        [
            sys.executable,
            str(repo_root / "scripts" / "train_default.py"),
            "-o",
            str(out),
            "--quiet",
        ],
        check=True,
        timeout=300,
    )
    rebuilt = load_model(out)
    assert rebuilt.meta["data"] == shipped.meta["data"], (
        "data/corpus changed since the model was built: run python scripts/train_default.py"
    )
    assert rebuilt.meta["rules"]["sha256"] == shipped.meta["rules"]["sha256"]
    # Same vocabulary and settings exactly; coefficients equal up to floating-point noise, since
    # another machine may link another BLAS (the fingerprint rounds to 6 decimals, so a value on
    # a rounding edge could flip it without the model being any different).
    for new, old in zip(rebuilt.blocks, shipped.blocks, strict=True):
        assert new.terms == old.terms
        np.testing.assert_allclose(new.idf, old.idf, rtol=1e-9)
    np.testing.assert_allclose(rebuilt.coef, shipped.coef, rtol=1e-5, atol=1e-6)
    assert rebuilt.meta["threshold"] == pytest.approx(shipped.meta["threshold"], abs=1e-3)
    assert rebuilt.meta["base_rate"] == shipped.meta["base_rate"]
    for kind in ("model", "combined"):
        for key in ("precision", "recall", "f1"):
            assert rebuilt.meta["metrics"][kind][key] == pytest.approx(
                shipped.meta["metrics"][kind][key], abs=0.002
            )


def test_shipped_model_meets_the_quality_bar(default_model: Path) -> None:
    """Held-out split of the training data, at the base-rate threshold (precision-first)."""
    m = load_model(default_model).meta["metrics"]
    assert m["combined"]["precision"] >= 0.90 and m["combined"]["recall"] >= 0.80, m["combined"]
    # our own hard negatives: news and advisories about trafficking, and since round four the
    # benign twins of reworded lures (data/DATASHEET.md), so harder than real text, where the
    # rate is about 0.1 % (benchmarks/quality.py, tests/classifier/test_real_world_precision.py)
    assert m["combined"]["fpr"] <= 0.03


@pytest.mark.slow
def test_shipped_model_generalises_to_the_independent_holdout(
    default_model: Path, repo_root: Path
) -> None:
    """data/holdout/ was written by authors who saw neither rules nor corpus; never trained on."""
    from trafficscan.cli.train import evaluate_metrics

    m = evaluate_metrics([repo_root / "data" / "holdout" / "holdout-01.jsonl"], model=default_model)
    assert m["n"] == 200
    assert m["combined"]["recall"] >= 0.90 and m["combined"]["precision"] >= 0.95, m["combined"]
    m = evaluate_metrics([repo_root / "data" / "holdout" / "holdout-02.jsonl"], model=default_model)
    assert m["n"] == 400
    assert m["combined"]["recall"] >= 0.85 and m["combined"]["fpr"] <= 0.06, m["combined"]
    # holdouts 06-10: reworded on purpose (data/holdout/README-0*.md); 06, 08, 09 and 10 only
    # ever measured, 07's misses opened in round five. 0.96, 0.95, 0.94, 0.93 and 0.96 with
    # round five's model, so a change that loses more than a few positives fails here
    floors = (
        ("06", 0.93, 0.06),
        ("07", 0.92, 0.05),
        ("08", 0.91, 0.06),
        ("09", 0.90, 0.05),
        ("10", 0.93, 0.05),
    )
    for name, recall, fpr in floors:
        path = repo_root / "data" / "holdout" / f"holdout-{name}.jsonl"
        m = evaluate_metrics([path], model=default_model)
        assert m["n"] == 400
        assert m["combined"]["recall"] >= recall and m["combined"]["fpr"] <= fpr, (name, m)
