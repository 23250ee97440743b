"""The compiled model cache is used only with scikit-learn versions the scoring form was
verified against (scripts/check_sklearn_range.sh), and that range is the one pyproject pins."""

from __future__ import annotations

import dataclasses
import logging
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from trafficscan.score.classifier import cache
from trafficscan.score.classifier.model import LoadedModel, load_model


@pytest.fixture
def warnings_of_cache() -> Iterator[list[str]]:
    """Warnings the cache logs (own handler: the CLI's logging setup stops propagation)."""
    got: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                got.append(record.getMessage())

    handler = Keep()
    cache.log.addHandler(handler)
    cache._warn_once.cache_clear()
    yield got
    cache.log.removeHandler(handler)
    cache._warn_once.cache_clear()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRAFFICSCAN_CACHE_DIR", str(tmp_path))
    return tmp_path / "models"


def test_verified_range_is_the_pinned_range(repo_root: Path) -> None:
    deps = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]["dependencies"]
    (pin,) = [d for d in deps if d.startswith("scikit-learn")]
    lo, hi = cache.VERIFIED_SKLEARN
    assert re.sub(r"\s", "", pin) == f"scikit-learn>={lo[0]}.{lo[1]},<{hi[0]}.{hi[1]}"


@pytest.mark.parametrize(
    ("version", "ok"),
    [
        ("1.4.0", True),
        ("1.4.1.post1", True),
        ("1.9.1", True),
        ("1.9.0rc1", True),
        ("1.3.2", False),
        ("1.10.0", False),
        ("1.10.0rc1", False),
        ("2.0.0", False),
        ("0.24.2", False),
        ("", False),
        (None, False),
        ("dev", False),
    ],
)
def test_sklearn_verified(version: str | None, ok: bool) -> None:
    assert cache.sklearn_verified(version) is ok


def test_installed_version_is_read_without_importing_sklearn() -> None:
    import sklearn

    assert cache.installed_sklearn() == sklearn.__version__


def test_unverified_installed_sklearn_turns_the_cache_off(
    default_model: Path,
    cache_dir: Path,
    warnings_of_cache: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = load_model(default_model)  # verified: the compiled copy is written
    assert [p.name for p in cache_dir.iterdir()] == [f"{first.sha256}.npz"]
    assert cache.read(first.sha256) is not None
    monkeypatch.setattr(cache, "installed_sklearn", lambda: "1.99.0")
    assert cache.read(first.sha256) is None
    (cache_dir / f"{first.sha256}.npz").unlink()
    again = load_model(default_model)  # through skops, and nothing is written
    assert list(cache_dir.iterdir()) == []
    assert again.threshold == first.threshold and (again.coef == first.coef).all()
    assert len(warnings_of_cache) == 1  # once a process, not once a load
    assert "scikit-learn 1.99.0 is outside" in warnings_of_cache[0]
    assert "model cache not used" in warnings_of_cache[0]


def test_model_trained_by_unverified_sklearn_is_not_cached(
    default_model: Path,
    cache_dir: Path,
    warnings_of_cache: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = load_model(default_model)
    old = dataclasses.replace(model, meta={**model.meta, "sklearn": "1.3.2"}, sha256="e" * 64)
    assert isinstance(old, LoadedModel)
    cache.write(old)
    assert not (cache_dir / f"{'e' * 64}.npz").exists()
    assert "trained with scikit-learn 1.3.2" in warnings_of_cache[0]
    # an entry written while the range was wider is not read once it is narrowed again
    verified = cache.VERIFIED_SKLEARN
    monkeypatch.setattr(cache, "VERIFIED_SKLEARN", ((1, 0), (2, 0)))
    cache.write(old)
    assert cache.read(old.sha256) is not None
    monkeypatch.setattr(cache, "VERIFIED_SKLEARN", verified)
    assert cache.read(old.sha256) is None
