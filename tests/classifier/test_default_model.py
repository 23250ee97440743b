"""The shipped model is exactly what scripts/train_default.py builds from the repo's data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from trafficscan.classifier.model import load_model


def test_shipped_model_matches_a_fresh_build(default_model: Path, repo_root: Path, tmp_path: Path) -> None:
    shipped = load_model(default_model)
    out = tmp_path / "rebuilt.skops"
    subprocess.run([sys.executable, str(repo_root / "scripts" / "train_default.py"), "-o", str(out), "--quiet"],
                   check=True, timeout=300)
    rebuilt = load_model(out)
    assert rebuilt.meta["data"]["sha256"] == shipped.meta["data"]["sha256"], \
        "data/corpus changed since the model was built: run python scripts/train_default.py"
    assert rebuilt.meta["fingerprint"] == shipped.meta["fingerprint"]
    assert json.dumps(rebuilt.meta["metrics"], sort_keys=True) == json.dumps(shipped.meta["metrics"], sort_keys=True)


def test_shipped_model_meets_the_quality_bar(default_model: Path) -> None:
    m = load_model(default_model).meta["metrics"]
    assert m["combined"]["f1"] >= 0.95 and m["combined"]["precision"] >= 0.90
