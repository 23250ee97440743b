"""``state prune`` removes old history and evidence, never what a flag or a case rests on."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from trafficscan.core.ad import Ad, ScoredAd
from trafficscan.evidence.capture import EvidenceKeeper
from trafficscan.evidence.index import mark_exported
from trafficscan.fetch.fetcher import Capture
from trafficscan.state import StateDB

OLD = "2026-01-05T08:00:00Z"  # long before the test runs


def _item(name: str, flagged: bool) -> ScoredAd:
    body = f"<html><body><h1>{name}</h1><p>clinical text of {name}</p></body></html>".encode()
    capture = Capture(
        url=f"https://site.test/{name}",
        fetched_at=OLD[:-1] + ".000000Z",
        status_line="HTTP/1.1 200 OK",
        headers=[("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
        body=body,
        request_line=f"GET /{name} HTTP/1.1",
        request_headers=[("Host", "site.test")],
        server_ip="127.0.0.1",
    )
    ad = Ad(source="site", url=capture.url, title=name, body=f"clinical text of {name}")
    ad.capture = capture
    score = 0.9 if flagged else 0.1
    return ScoredAd(
        ad=ad,
        score=score,
        rule_score=score,
        model_score=None,
        flagged=flagged,
        entities={"phones": [], "emails": [], "handles": []},
    )


@pytest.mark.slow
def test_prune_keeps_flagged_and_exported_evidence_and_removes_the_rest(
    state_path: Path, trafficscan: Any
) -> None:
    flagged, exported, plain = (
        _item("flagged", True),
        _item("exported", False),
        _item("plain", False),
    )
    with StateDB.open(state_path) as db:
        scan_id = db.begin_scan(["site"], OLD)
        keeper = EvidenceKeeper("all", state_path, scan_id, db)
        keeper.store.roll_bytes = 1  # one exchange a file, so files can go one by one
        items = [flagged, exported, plain]
        db.record(scan_id, items)
        refs = keeper.after_scoring(items)
        keeper.close()
        db.finish_scan(scan_id, status="completed", counts={}, errors=[], finished=OLD)
        stored = {i.ad.title: r for i, r in zip(items, refs, strict=True) if r is not None}
        assert len(stored) == 3  # with "all", every page is kept and referenced
        mark_exported(db, [stored["exported"]["record_id"]], "case.zip", OLD)
    files = {title: state_path.parent / ref["warc"] for title, ref in stored.items()}
    assert len(set(files.values())) == 3
    old = time.time() - 300 * 86400
    for f in files.values():
        os.utime(f, (old, old))

    done = trafficscan("state", "prune", "--older-than", "30", "--state", str(state_path))
    assert done.code == 0, done.err
    assert files["flagged"].exists() and files["exported"].exists()
    assert not files["plain"].exists()

    conn = sqlite3.connect(state_path)
    records = {r[0] for r in conn.execute("SELECT url FROM evidence")}
    assert records == {flagged.ad.url, exported.ad.url}
    postings = {r[0] for r in conn.execute("SELECT url FROM postings")}
    assert postings == {flagged.ad.url, exported.ad.url}
    conn.close()
    assert trafficscan("evidence", "verify", "--state", str(state_path)).code == 0
    again = trafficscan(
        "evidence", "export", exported.ad.id, "--state", str(state_path), "-o", "case2.zip"
    )
    assert again.code == 0, again.err


def test_prune_keeps_recent_history(state_path: Path, trafficscan: Any) -> None:
    with StateDB.open(state_path) as db:
        scan_id = db.begin_scan(["site"], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        keeper = EvidenceKeeper("all", state_path, scan_id, db)
        item = _item("recent", False)
        item.ad.capture.fetched_at = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
        db.record(scan_id, [item])
        (ref,) = keeper.after_scoring([item])
        keeper.close()
        db.finish_scan(scan_id, status="completed", counts={}, errors=[])
    assert ref is not None
    done = trafficscan("state", "prune", "--older-than", "30", "--state", str(state_path))
    assert done.code == 0, done.err
    assert (state_path.parent / ref["warc"]).exists()
    conn = sqlite3.connect(state_path)
    assert conn.execute("SELECT COUNT(*) FROM postings").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM evidence").fetchone()[0] == 1
