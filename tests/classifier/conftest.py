from __future__ import annotations

from pathlib import Path

import pytest

from trafficscan.core.resources import default_model_path


@pytest.fixture(scope="session")
def default_model() -> Path:
    path = default_model_path()
    assert path.exists(), "the bundled model is missing: run python scripts/train_default.py"
    return path
