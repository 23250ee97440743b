"""``state prune`` prunes the cluster tables with the postings: ids survive, links stay whole."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from state_helpers import make_item

from trafficscan.core.ad import ScoredAd
from trafficscan.state import StateDB

OLD = "2026-01-05T08:00:00Z"  # long before the test runs
TEMPLATE = (
    "{name}, {age} years, home cook and cleaner available for families, knows north "
    "and south indian dishes, references from two households, prefers a live out "
    "arrangement with weekly holiday, Rs {price} per month"
)
P1, P2, P3 = "+919000000101", "+919000000102", "+918000000103"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _scan(db: StateDB, when: str, *items: ScoredAd) -> list[dict[str, Any]]:
    """One scan of one batch; each item's cluster, in item order."""
    scan_id = db.begin_scan(["city-classifieds"], when)
    db.record(scan_id, list(items))
    clusters = db.cluster(scan_id, list(items))
    db.finish_scan(scan_id, status="completed", counts={}, errors=[], finished=when)
    return clusters


def _ad(text: str, n: int, *phones: str, flagged: bool = False) -> ScoredAd:
    return make_item(
        text, f"https://city.example.org/{n}", phones=list(phones), score=0.9 if flagged else 0.1
    )


def _a() -> ScoredAd:
    return _ad("Maths tutor for class ten, evening batch near the station.", 1, P1)


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.slow
def test_prune_drops_old_cluster_rows_keeps_ids_and_relinks(
    db_path: Path, trafficscan: Any
) -> None:
    a = _a()
    b = _ad("Room on rent for a working tenant, water and electricity included.", 2, P1, P2)
    d = _ad(TEMPLATE.format(name="Rina", age=31, price=9000), 4, P3)
    e = _ad(TEMPLATE.format(name="Mala", age=27, price=12000), 5)
    f = _ad("Second hand bicycle, new tyres and brakes, helmet included.", 6, flagged=True)
    c = _ad("Laptop charger and keyboard, sealed box, with invoice and warranty.", 3, P2)
    with StateDB.open(db_path) as db:
        *_, e_cluster, _ = _scan(db, OLD, a, b, d, e, f)
        assert e_cluster == {"id": f"c-{d.ad.id}", "size": 2}  # the re-posted template
        (c_cluster,) = _scan(db, _now(), c)
    chain = f"c-{a.ad.id}"
    assert c_cluster == {"id": chain, "size": 3}  # C shares P2 with B, B shares P1 with A

    done = trafficscan("state", "prune", "--older-than", "30", "--state", str(db_path))
    assert done.code == 0, done.err
    assert "4 clustered ads (1 clusters left empty)" in done.out

    # A, B, D, E go; C (recent) and F (flagged) stay, and C's cluster keeps A's id
    ads = {r[0] for r in _rows(db_path, "SELECT ad_id FROM cluster_ads")}
    assert ads == {c.ad.id, f.ad.id}
    clusters = dict(_rows(db_path, "SELECT id, size FROM clusters"))
    assert clusters == {chain: 1, f"c-{f.ad.id}": 1}
    assert _rows(db_path, "SELECT * FROM cluster_links") == []  # both links touched a pruned ad
    seqs = {r[0] for r in _rows(db_path, "SELECT seq FROM cluster_ads")} | {0}
    assert {r[0] for r in _rows(db_path, "SELECT first FROM cluster_keys")} <= seqs

    # C still carries P2, so a new ad with P2 joins C's cluster; A seen again rejoins its own
    g = _ad("Used study table with chair, teak wood, pickup only.", 7, P2)
    with StateDB.open(db_path) as db:
        g_cluster, _ = _scan(db, _now(), g, _a())
        assert g_cluster == {"id": chain, "size": 3}
        # P1's carriers were all pruned: A, back, carries it on, and links the next ad with it
        h = _ad("Sewing machine, foot pedal model, serviced last month.", 8, P1)
        (h_cluster,) = _scan(db, _now(), h)
    assert h_cluster == {"id": chain, "size": 4}

    listed = trafficscan("clusters", "--state", str(db_path), "--format", "json")
    assert listed.code == 0, listed.err
    (found,) = json.loads(listed.out)
    assert found["id"] == chain and found["size"] == 4
    assert {(link["b"], link["by"]) for link in found["links"]} == {
        (g.ad.id, "phone"),
        (h.ad.id, "phone"),
    }
