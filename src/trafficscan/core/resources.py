"""Find the bundled rule packs, model and demo site, in a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent.parent  # the trafficscan package


def bundled_path(name: str) -> Path:
    """``rules`` or ``models``: ``<repo>/name`` in a checkout, ``trafficscan/_bundled/name`` in a wheel."""
    installed = _PKG / "_bundled" / name
    if installed.is_dir():
        return installed
    return _PKG.parent.parent / name


def bundled_rules_dir() -> Path:
    return bundled_path("rules")


def default_model_path() -> Path:
    return bundled_path("models") / "default.skops"


def demo_dir() -> Path:
    return _PKG / "sources" / "demo"
