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
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from trafficscan import __version__

if TYPE_CHECKING:
    from trafficscan.classifier.model import LoadedModel

log = logging.getLogger(__name__)

CACHE_FORMAT = "trafficscan-model-cache/1"
_SEP = "\x00"  # vocabulary terms never contain NUL (normalisation removes it)


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


def read(sha256: str, file: str) -> LoadedModel | None:
    """The compiled model of the file with this SHA-256, or ``None`` (no entry, or unusable)."""
    from trafficscan.classifier.model import LoadedModel, TextBlock

    path = _entry(sha256)
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            header = json.loads(_text(npz["header"]))
            if (header.get("format"), header.get("model_sha256"), header.get("trafficscan")) != (
                    CACHE_FORMAT, sha256, __version__):
                return None
            blocks = tuple(
                TextBlock(b["analyzer"], _text(npz[f"terms{k}"]).split(_SEP), npz[f"idf{k}"],
                          tuple(b["ngram_range"]), b["token_pattern"])
                for k, b in enumerate(header["blocks"]))
            return LoadedModel(blocks, npz["coef"], float(header["intercept"]), header["meta"],
                               file, sha256)
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        log.debug("model cache %s unusable (%s); reading the model file", path, exc)
        return None


def write(model: LoadedModel) -> None:
    """Store ``model``'s tables under its SHA-256 (best effort, atomic, mode 0600)."""
    path = _entry(model.sha256)
    if path is None or not model.sha256:
        return
    header = {"format": CACHE_FORMAT, "model_sha256": model.sha256, "trafficscan": __version__,
              "intercept": model.intercept, "meta": model.meta,
              "blocks": [{"analyzer": b.analyzer, "ngram_range": list(b.ngram_range),
                          "token_pattern": b.token_pattern} for b in model.blocks]}
    arrays: dict[str, Any] = {"header": _bytes(json.dumps(header, ensure_ascii=False)),
                              "coef": model.coef}
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
