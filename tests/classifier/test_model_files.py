"""Model files are loaded only through skops with an allowlist: nothing in them can run code."""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import pytest

from trafficscan.core.errors import InputError
from trafficscan.score.classifier.model import load_model

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
                    b'"LogisticRegression"', b'"system"', 1
                )
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
    for key in (
        "version",
        "created",
        "trafficscan",
        "sklearn",
        "data",
        "metrics",
        "threshold",
        "base_rate",
        "threshold_choice",
        "features",
        "fingerprint",
        "seed",
    ):
        assert key in m.meta
    assert len(m.meta["data"]["sha256"]) == 64
    assert 0 < m.threshold < 1 and 0 < m.base_rate < 0.05
    assert 0 < m.train_prior < 1


def _texts(repo: Path) -> list[str]:
    import json

    corpus = repo / "data" / "corpus"
    texts = [
        json.loads(line)["title"] + "\n" + json.loads(line)["body"]
        for f in sorted(corpus.glob("*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()[:60]
    ]
    texts += ["", "a", "ab", "  x  y  ", "नई लड़कियाँ 🌹 ok", "zzqqxx", "job job job job", ""]
    return texts


@pytest.mark.slow
def test_scoring_form_equals_scikit_learn(default_model: Path, repo_root: Path) -> None:
    """The scorer computes, without scikit-learn, exactly the matrix and probabilities the
    fitted vectorizer and classifier give."""
    import numpy as np
    import scipy.sparse as sp

    from trafficscan.features import extract
    from trafficscan.score.classifier.model import dense_features, read_skops, sigmoid
    from trafficscan.score.rules import load_rules, score_hits

    model = load_model(default_model)
    vectorizer, clf, meta = read_skops(default_model.read_bytes(), str(default_model))
    ruleset = load_rules([])
    feats = [extract(t) for t in _texts(repo_root)]
    scores = [score_hits(ruleset.match(f)) for f in feats]
    dense = dense_features(feats, scores, model.numeric_keys, model.rule_keys, model.dense_scale)
    want = sp.hstack(
        [vectorizer.transform([f.normalized.text for f in feats]), sp.csr_matrix(dense)],
        format="csr",
    )
    for _ in range(2):  # cold word cache, then warm
        batch = model.matrix(feats, scores)
        got = batch.to_csr()
        assert got.shape == want.shape
        assert abs(got - want).max() < 1e-12
    cal = meta["calibration"]
    shift = np.log(meta["base_rate"] / (1 - meta["base_rate"])) - np.log(
        cal["train_prior"] / (1 - cal["train_prior"])
    )
    np.testing.assert_allclose(
        model.proba(batch),
        sigmoid(cal["a"] * clf.decision_function(want) + cal["b"] + shift),
        rtol=0,
        atol=1e-12,
    )


def _load_in_subprocess(model: Path, cache: Path) -> list[str]:
    """Load ``model`` in a fresh interpreter; returns [sha256, 'skops' if skops was imported]."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; from trafficscan.score.classifier.model import load_model; "
        f"m = load_model({str(model)!r}); print(m.sha256, 'skops' if 'skops' in sys.modules else 'cache')"
    )
    env = {**os.environ, "TRAFFICSCAN_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


@pytest.mark.slow
def test_second_load_reads_the_compiled_copy_without_skops(
    default_model: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    sha, how = _load_in_subprocess(default_model, cache)
    assert how == "skops"
    (entry,) = (cache / "models").iterdir()
    assert entry.name == f"{sha}.npz"
    assert entry.stat().st_mode & 0o777 == 0o600
    assert _load_in_subprocess(default_model, cache) == [sha, "cache"]


@pytest.mark.slow
def test_damaged_or_foreign_cache_entry_is_ignored(default_model: Path, tmp_path: Path) -> None:
    import hashlib
    import shutil

    cache = tmp_path / "cache"
    sha, _ = _load_in_subprocess(default_model, cache)
    entry = cache / "models" / f"{sha}.npz"
    entry.write_bytes(entry.read_bytes()[:1000])  # truncated
    assert _load_in_subprocess(default_model, cache) == [sha, "skops"]
    assert _load_in_subprocess(default_model, cache) == [sha, "cache"]  # rewritten
    # another model's entry under this model's name: its header names the other file
    other = tmp_path / "other.skops"
    other.write_bytes(default_model.read_bytes() + b"\0")  # same archive, other bytes
    other_sha = hashlib.sha256(other.read_bytes()).hexdigest()
    shutil.copy(entry, cache / "models" / f"{other_sha}.npz")
    assert _load_in_subprocess(other, cache) == [other_sha, "skops"]


@pytest.mark.slow
def test_tampered_model_file_never_uses_the_cache(default_model: Path, tmp_path: Path) -> None:
    """A cached copy of the good file does not vouch for a tampered one: new bytes, new check."""
    cache = tmp_path / "cache"
    _load_in_subprocess(default_model, cache)
    bad = tmp_path / "model.skops"
    bad.write_bytes(default_model.read_bytes()[:-200])
    import os
    import subprocess
    import sys

    env = {**os.environ, "TRAFFICSCAN_CACHE_DIR": str(cache)}
    r = subprocess.run(
        [sys.executable, "-m", "trafficscan", "score", "-", "--model", str(bad)],
        input="",
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and str(bad) in r.stderr.replace("\n", "")
