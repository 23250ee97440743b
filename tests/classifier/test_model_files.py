"""Model files are loaded only through skops with an allowlist: nothing in them can run code."""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import pytest

from trafficscan.classifier.model import load_model
from trafficscan.errors import InputError

RAN: list[str] = []


class Payload:
    """A type no trafficscan model contains: stands for a smuggled object."""

    def __init__(self) -> None:
        self.x = 1

    def __setstate__(self, state: dict) -> None:  # runs only if the loader constructs it
        RAN.append("payload")
        self.__dict__.update(state)


def _problem(path: Path) -> str:
    with pytest.raises(InputError) as exc:
        load_model(path)
    (problem,) = exc.value.problems
    assert problem.file == str(path)
    return str(problem)


def test_pickle_is_refused_without_loading(tmp_path: Path) -> None:
    bad = tmp_path / "model.skops"
    bad.write_bytes(pickle.dumps({"format": "trafficscan-model/1"}))
    assert "pickle/joblib" in _problem(bad)


def test_joblib_name_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "model.joblib"
    bad.write_bytes(b"not really joblib")
    assert "refused" in _problem(bad)


def test_untrusted_type_in_skops_file_is_refused(tmp_path: Path) -> None:
    import skops.io as sio

    bad = tmp_path / "model.skops"
    bad.write_bytes(sio.dumps({"format": "trafficscan-model/1", "vectorizer": Payload()}))
    msg = _problem(bad)
    assert "not allowed" in msg and "Payload" in msg
    assert RAN == []


def test_tampered_archive_is_refused(tmp_path: Path, default_model: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(default_model) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "schema.json":
                data = data.replace(b'"sklearn.linear_model._logistic"', b'"os"', 1).replace(
                    b'"LogisticRegression"', b'"system"', 1)
            dst.writestr(item, data)
    bad = tmp_path / "tampered.skops"
    bad.write_bytes(buf.getvalue())
    assert "refused" in _problem(bad) or "invalid model" in _problem(bad)


def test_random_bytes_and_missing_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.skops"
    junk.write_bytes(b"PK\x03\x04 broken zip")
    assert "not a trafficscan model file" in _problem(junk)
    assert "model file not found" in _problem(tmp_path / "nope.skops")


def test_bundled_model_loads_with_metadata(default_model: Path) -> None:
    m = load_model(default_model)
    for key in ("version", "created", "trafficscan", "sklearn", "data", "metrics", "threshold",
                "combine_weight", "features", "fingerprint", "seed"):
        assert key in m.meta
    assert len(m.meta["data"]["sha256"]) == 64
    assert 0 < m.threshold < 1 and 0 <= m.combine_weight <= 1


def test_fast_character_block_equals_sklearn(default_model: Path) -> None:
    """The cached char_wb TF-IDF path gives exactly what the fitted vectorizer gives."""
    import json

    from trafficscan.classifier.model import _CharWB, _vectorizer_parts
    from trafficscan.features import extract

    part = next(p for p in _vectorizer_parts(load_model(default_model).vectorizer) if p.analyzer == "char_wb")
    corpus = Path(__file__).resolve().parents[2] / "data" / "corpus"
    texts = [extract(json.loads(line)["title"] + "\n" + json.loads(line)["body"]).normalized.text
             for f in sorted(corpus.glob("*.jsonl")) for line in f.read_text(encoding="utf-8").splitlines()[:60]]
    texts += ["", "a", "ab", "  x  y  ", "नई लड़कियाँ 🌹 ok", "zzqqxx", ""]
    fast = _CharWB(part)
    for _ in range(2):  # cold cache, then warm
        got = fast.transform(texts)
        want = part.transform(texts)
        assert got.shape == want.shape
        assert abs(got - want).max() < 1e-12
