"""The demo scan with state keeps evidence for every flagged ad; verify and export work on it."""

from __future__ import annotations

import io
import json
import sqlite3
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from evidence_helpers import records, rewrite_member

from trafficscan import __version__

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One demo scan with state, shared by the tests below (each copies what it changes)."""
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("demo")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "trafficscan",
            "scan",
            "--state",
            "st/state.sqlite3",
            "-o",
            "flagged.json",
            "-q",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    flagged = json.loads((folder / "flagged.json").read_text(encoding="utf-8"))
    return {"folder": folder, "state": folder / "st" / "state.sqlite3", "flagged": flagged}


def _copy_store(demo: dict[str, Any], to: Path) -> Path:
    import shutil

    shutil.copytree(demo["folder"] / "st", to / "st")
    return to / "st" / "state.sqlite3"


def _html_page_item(demo: dict[str, Any], state: Path) -> dict[str, Any]:
    """The first flagged ad whose evidence is an HTML page (not the RSS feed or a JSON-lines file,
    which hold no ``</html>`` to alter): several ads tie at the top score, in crawl order."""
    with sqlite3.connect(state) as conn:
        for item in demo["flagged"]["items"]:
            row = conn.execute(
                "SELECT url FROM evidence WHERE record_id = ?", (item["evidence"]["record_id"],)
            ).fetchone()
            if row and row[0].endswith(".html"):
                return item
    raise AssertionError("no flagged ad of the demo has an HTML page as evidence")


def test_every_flagged_ad_of_the_demo_scan_carries_evidence_that_warcio_reads(
    demo: dict[str, Any],
) -> None:
    items = demo["flagged"]["items"]
    assert items and all(item["flagged"] for item in items)
    base = demo["state"].parent
    by_file: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        ev = item["evidence"]
        assert set(ev) == {"warc", "record_id", "sha256", "fetched_at"}
        assert ev["fetched_at"].endswith("Z") and len(ev["sha256"]) == 64
        by_file.setdefault(ev["warc"], []).append(item)
    for warc, cited in by_file.items():
        path = base / warc
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        got = records(path)
        assert all(r["passed"] is True for r in got)
        responses = {r["headers"]["WARC-Record-ID"]: r for r in got if r["type"] == "response"}
        for item in cited:
            response = responses[item["evidence"]["record_id"]]
            page = item["url"].split("#", 1)[0]  # an inline item cites its listing page
            if response["headers"]["WARC-Target-URI"] != page:  # a feed entry cites its feed
                assert "xml" in response["http"].get_header("Content-Type")
            assert response["headers"]["WARC-IP-Address"] == "127.0.0.1"
            import hashlib

            assert hashlib.sha256(response["payload"]).hexdigest() == item["evidence"]["sha256"]


def test_verify_passes_on_the_store_and_exits_5_naming_the_record_after_a_changed_byte(
    demo: dict[str, Any], tmp_path: Path, trafficscan: Any
) -> None:
    state = _copy_store(demo, tmp_path)
    ok = trafficscan("evidence", "verify", "--state", str(state))
    assert ok.code == 0, ok.err
    assert "every digest holds" in ok.out and "records/s" in ok.out

    victim = _html_page_item(demo, state)["evidence"]
    row = (
        sqlite3.connect(state)
        .execute("SELECT offset FROM evidence WHERE record_id = ?", (victim["record_id"],))
        .fetchone()
    )
    warc = state.parent / victim["warc"]
    # one byte of the page changed, the gzip member rebuilt: a well-formed, altered file
    rewrite_member(warc, row[0], lambda content: content.replace(b"</html>", b"</htmL>", 1))
    bad = trafficscan("evidence", "verify", "--state", str(state))
    assert bad.code == 5
    assert victim["record_id"] in bad.err and victim["warc"] in bad.err
    assert "digest does not match" in bad.err

    only_file = trafficscan("evidence", "verify", str(warc))  # a file given on its own
    assert only_file.code == 5 and victim["record_id"] in only_file.err


def test_a_byte_flipped_in_the_compressed_file_fails_too(
    demo: dict[str, Any], tmp_path: Path, trafficscan: Any
) -> None:
    state = _copy_store(demo, tmp_path)
    warc = state.parent / demo["flagged"]["items"][0]["evidence"]["warc"]
    data = bytearray(warc.read_bytes())
    data[len(data) // 2] ^= 0x01
    warc.write_bytes(bytes(data))
    bad = trafficscan("evidence", "verify", "--state", str(state))
    assert bad.code == 5
    assert str(warc) in bad.err or demo["flagged"]["items"][0]["evidence"]["warc"] in bad.err


def test_a_case_bundle_holds_the_records_a_manifest_and_the_annexure(
    demo: dict[str, Any], tmp_path: Path, trafficscan: Any
) -> None:
    state = _copy_store(demo, tmp_path)
    items = demo["flagged"]["items"][:2]
    flagged = demo["folder"] / "flagged.json"
    done = trafficscan(
        "evidence",
        "export",
        *[i["id"] for i in items],
        "--from",
        str(flagged),
        "--state",
        str(state),
        "-o",
        "case.zip",
    )
    assert done.code == 0, done.err
    bundle = tmp_path / "case.zip"
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    with zipfile.ZipFile(bundle) as zf:
        assert sorted(zf.namelist()) == [
            "annexure.html",
            "annexure.txt",
            "evidence.warc.gz",
            "manifest.json",
        ]
        warc_bytes = zf.read("evidence.warc.gz")
        manifest = json.loads(zf.read("manifest.json"))
        text = zf.read("annexure.txt").decode()
        page = zf.read("annexure.html").decode()

    wanted = {i["evidence"]["record_id"]: i for i in items}
    assert {r["record_id"] for r in manifest["records"]} == set(wanted)
    import hashlib

    assert manifest["warc"]["sha256"] == hashlib.sha256(warc_bytes).hexdigest()
    for rec in manifest["records"]:
        item = wanted[rec["record_id"]]
        assert rec["sha256"] == item["evidence"]["sha256"]
        assert rec["fetched_at_utc"] == item["evidence"]["fetched_at"]
        assert rec["fetched_at_ist"].endswith(" IST")
        assert rec["tool_version"] == __version__ and isinstance(rec["scan_id"], int)
        assert item["id"] in rec["ads"]
        for where in (text, page):
            assert rec["record_id"].strip("<>") in where and rec["sha256"] in where
    assert "Section 63 of the Bharatiya Sakshya Adhiniyam, 2023" in text
    assert "Section 63 of the Bharatiya Sakshya Adhiniyam, 2023" in page
    assert manifest["warc"]["sha256"] in text
    assert "<script" not in page and "http" not in page.split("<body>")[0].replace(
        "http-equiv", ""
    )  # self-contained: nothing fetched at view time

    # the bundle's WARC: the records byte for byte, readable and whole in warcio's reader
    from warcio.archiveiterator import ArchiveIterator

    got = []
    targets = {}
    for rec in ArchiveIterator(io.BytesIO(warc_bytes), check_digests=True):
        rec.raw_stream.read()
        assert rec.digest_checker.passed is True
        got.append((rec.rec_type, rec.rec_headers.get_header("WARC-Record-ID")))
        targets[got[-1][1]] = rec.rec_headers.get_header("WARC-Target-URI")
    assert all(targets[r["record_id"]] == r["url"] for r in manifest["records"])
    assert got[0][0] == "warcinfo"
    assert {rid for kind, rid in got if kind == "response"} == set(wanted)
    assert sum(kind == "request" for kind, _ in got) == len(wanted)

    exported = (
        sqlite3.connect(state)
        .execute(
            "SELECT COUNT(DISTINCT e.record_id) FROM evidence_exports x "
            "JOIN evidence e ON e.id = x.evidence_id"
        )
        .fetchone()[0]
    )
    assert exported == len(wanted)


def test_export_by_ad_id_from_the_state_alone_and_unknown_ids_are_named(
    demo: dict[str, Any], tmp_path: Path, trafficscan: Any
) -> None:
    state = _copy_store(demo, tmp_path)
    item = demo["flagged"]["items"][0]
    done = trafficscan("evidence", "export", item["id"], "--state", str(state), "-o", "one.zip")
    assert done.code == 0, done.err
    with zipfile.ZipFile(tmp_path / "one.zip") as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert item["evidence"]["record_id"] in {r["record_id"] for r in manifest["records"]}

    missing = trafficscan(
        "evidence", "export", "0000000000000000", "--state", str(state), "-o", "none.zip"
    )
    assert missing.code == 2 and "0000000000000000" in missing.err
    assert not (tmp_path / "none.zip").exists()


def test_export_refuses_a_tampered_record_with_exit_5(
    demo: dict[str, Any], tmp_path: Path, trafficscan: Any
) -> None:
    state = _copy_store(demo, tmp_path)
    item = _html_page_item(demo, state)
    row = (
        sqlite3.connect(state)
        .execute(
            "SELECT offset FROM evidence WHERE record_id = ?", (item["evidence"]["record_id"],)
        )
        .fetchone()
    )
    rewrite_member(
        state.parent / item["evidence"]["warc"],
        row[0],
        lambda content: content.replace(b"</html>", b"</htmL>", 1),
    )
    bad = trafficscan("evidence", "export", item["id"], "--state", str(state), "-o", "bad.zip")
    assert bad.code == 5 and item["evidence"]["record_id"] in bad.err
    assert not (tmp_path / "bad.zip").exists()


def test_evidence_none_keeps_nothing(tmp_path: Path, trafficscan: Any) -> None:
    done = trafficscan(
        "scan", "--state", "st/state.sqlite3", "--evidence", "none", "-o", "out.json", "-q"
    )
    assert done.code == 0, done.err
    items = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["items"]
    assert items and not any("evidence" in i for i in items)
    assert not (tmp_path / "st" / "evidence").exists()


def test_evidence_all_keeps_every_page_and_every_written_item_cites_one(
    tmp_path: Path, trafficscan: Any
) -> None:
    done = trafficscan(
        "scan", "--state", "st/state.sqlite3", "--evidence", "all", "--all", "-o", "out.json", "-q"
    )
    assert done.code == 0, done.err
    out = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    items = out["items"]
    assert any(not i["flagged"] for i in items) and all("evidence" in i for i in items)
    conn = sqlite3.connect(tmp_path / "st" / "state.sqlite3")
    stored = conn.execute("SELECT COUNT(*) FROM evidence").fetchone()[0]
    assert stored == out["scan"]["pages_fetched"]  # every page, also those that gave no ad
    assert trafficscan("evidence", "verify", "--state", "st/state.sqlite3").code == 0
