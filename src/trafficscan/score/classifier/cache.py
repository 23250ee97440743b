"""A compiled copy of every model file the tool has loaded, so scoring starts in a blink.

Reading a skops file means importing skops, which imports every scikit-learn estimator: about
1.5 s before the first ad is scored, on every run (hourly cron scans, each ``score`` call).
Scoring needs none of that, only vocabularies, IDF weights and coefficients. So once a model
file has passed the skops allowlist (``model.read_skops``), its scoring tables are written to
the user cache as a NumPy ``.npz`` named by the file's SHA-256; later loads of the same bytes
read it back with ``allow_pickle=False`` (plain arrays and a JSON header: nothing in it can run
code).

* A model file that changes has another SHA-256, so it goes through skops again.
* The header repeats the SHA-256 and the trafficscan version, so a copied or stale entry is
  ignored; a damaged entry (zip CRC, missing array) is ignored too, and rewritten.
* Entries are written atomically with mode 0600 in a 0700 folder. Writing is best effort:
  a read-only cache folder costs speed, never a scan.

``TRAFFICSCAN_CACHE_DIR`` moves the folder (default: the platform's user cache folder, e.g.
``~/.cache/trafficscan``); set it to an empty string to turn the cache off.

The tables are scored by ``model.TextBlock``, a copy of scikit-learn's ``TfidfVectorizer``
transform (4.6x faster, exactly equal). "Exactly equal" holds for the scikit-learn versions
``scripts/check_sklearn_range.sh`` has run the differential test against:
:data:`VERIFIED_SKLEARN`, the range pyproject.toml pins. With scikit-learn outside it
installed, or a model trained by one outside it, the cache is not read or written (a warning
says so), so no compiled copy vouches for numbers nobody checked.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from trafficscan import __version__

if TYPE_CHECKING:
    from trafficscan.score.classifier.model import LoadedModel

log = logging.getLogger(__name__)

CACHE_FORMAT = "trafficscan-model-cache/1"
_SEP = "\x00"  # vocabulary terms never contain NUL (normalisation removes it)
#: ``(lowest, first unverified)`` scikit-learn minor versions whose TfidfVectorizer the scoring
#: form reproduces (tests/classifier/test_tfidf_mirror.py, each minor version run by
#: scripts/check_sklearn_range.sh). Keep equal to the pin in pyproject.toml.
VERIFIED_SKLEARN = ((1, 4), (1, 10))


def sklearn_verified(version: str | None) -> bool:
    """Whether scikit-learn ``version`` (e.g. ``"1.9.1"``, ``"1.10.0rc1"``) is in
    :data:`VERIFIED_SKLEARN`; ``False`` for ``None`` or a version that does not parse."""
    m = re.match(r"(\d+)\.(\d+)", version or "")
    if m is None:
        return False
    lowest, first_unverified = VERIFIED_SKLEARN
    return lowest <= (int(m[1]), int(m[2])) < first_unverified


@functools.cache
def installed_sklearn() -> str | None:
    """The installed scikit-learn's version, without importing it (~1 s) or
    ``importlib.metadata`` (~0.2 s): the name of the ``dist-info`` folder beside the package,
    and the metadata only where that is not one clear answer."""
    import importlib.util

    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.origin:
        return None
    infos = list(Path(spec.origin).parent.parent.glob("scikit_learn-*.dist-info"))
    if len(infos) == 1:
        return infos[0].name.removeprefix("scikit_learn-").removesuffix(".dist-info")
    from importlib import metadata

    try:
        return metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:
        return None


def _unverified(meta: dict[str, Any] | None) -> str | None:
    """Why the cache must not be used (a sentence), or ``None`` when it may. ``meta`` is the
    model's metadata; a model that does not name its scikit-learn is judged by the installed."""
    model_sklearn = meta.get("sklearn") if isinstance(meta, dict) else None
    lowest, first_unverified = VERIFIED_SKLEARN
    span = f">={lowest[0]}.{lowest[1]},<{first_unverified[0]}.{first_unverified[1]}"
    installed = installed_sklearn()
    if not sklearn_verified(installed):
        return (
            f"the installed scikit-learn {installed} is outside the versions the "
            f"compiled scoring form was verified against ({span})"
        )
    if isinstance(model_sklearn, str) and not sklearn_verified(model_sklearn):
        return (
            f"the model was trained with scikit-learn {model_sklearn}, outside the versions "
            f"the compiled scoring form was verified against ({span})"
        )
    return None


@functools.lru_cache(maxsize=64)
def _warn_once(reason: str) -> None:
    log.warning(
        "%s: model cache not used; run scripts/check_sklearn_range.sh for that "
        "version before widening the range",
        reason,
    )


def cache_dir() -> Path | None:
    """The folder of compiled models, or ``None`` when the cache is turned off."""
    configured = os.environ.get("TRAFFICSCAN_CACHE_DIR")
    if configured is not None:
        return Path(configured) / "models" if configured else None
    from platformdirs import user_cache_path

    return user_cache_path("trafficscan", appauthor=False) / "models"


def _entry(sha256: str) -> Path | None:
    folder = cache_dir()
    return folder / f"{sha256}.npz" if folder is not None else None


def _text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


def _bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class Tables:
    """What a cache entry holds: per text block ``(analyzer, terms, idf, ngram_range,
    token_pattern)``, the coefficients, the intercept and the model's metadata. Plain data:
    ``model.load_model`` builds the :class:`~trafficscan.score.classifier.model.LoadedModel`."""

    blocks: tuple[tuple[str, list[str], np.ndarray, tuple[int, int], str], ...]
    coef: np.ndarray
    intercept: float
    meta: dict[str, Any]


def read(sha256: str) -> Tables | None:
    """The scoring tables of the model file with this SHA-256, or ``None`` (no entry, or unusable)."""
    path = _entry(sha256)
    if path is None or not path.is_file():
        return None
    if (why := _unverified(None)) is not None:
        _warn_once(why)
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            header = json.loads(_text(npz["header"]))
            if (header.get("format"), header.get("model_sha256"), header.get("trafficscan")) != (
                CACHE_FORMAT,
                sha256,
                __version__,
            ):
                return None
            if (why := _unverified(header["meta"])) is not None:
                _warn_once(why)
                return None
            blocks = tuple(
                (
                    b["analyzer"],
                    _text(npz[f"terms{k}"]).split(_SEP),
                    npz[f"idf{k}"],
                    tuple(b["ngram_range"]),
                    b["token_pattern"],
                )
                for k, b in enumerate(header["blocks"])
            )
            return Tables(blocks, npz["coef"], float(header["intercept"]), header["meta"])
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        log.debug("model cache %s unusable (%s); reading the model file", path, exc)
        return None


def write(model: LoadedModel) -> None:
    """Store ``model``'s tables under its SHA-256 (best effort, atomic, mode 0600)."""
    path = _entry(model.sha256)
    if path is None or not model.sha256:
        return
    if (why := _unverified(model.meta)) is not None:
        _warn_once(why)
        return
    header = {
        "format": CACHE_FORMAT,
        "model_sha256": model.sha256,
        "trafficscan": __version__,
        "intercept": model.intercept,
        "meta": model.meta,
        "blocks": [
            {
                "analyzer": b.analyzer,
                "ngram_range": list(b.ngram_range),
                "token_pattern": b.token_pattern,
            }
            for b in model.blocks
        ],
    }
    arrays: dict[str, Any] = {
        "header": _bytes(json.dumps(header, ensure_ascii=False)),
        "coef": model.coef,
    }
    for k, b in enumerate(model.blocks):
        arrays[f"terms{k}"] = _bytes(_SEP.join(b.terms))
        arrays[f"idf{k}"] = b.idf
    tmp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:  # mkstemp creates it 0600
            np.savez(fh, **arrays)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        log.debug("cannot write the model cache %s: %s", path, exc)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
