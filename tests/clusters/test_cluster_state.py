"""Clusters in the state database: incremental, stable ids, ``clusters`` and ``lookup``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trafficscan.core.ad import Ad, ScoredAd
from trafficscan.pipeline.compose import compose
from trafficscan.score.scorer import ScorerSpec
from trafficscan.state import StateDB

pytestmark = pytest.mark.slow

TEMPLATE = (
    "{name}, {age} years, home cook and cleaner available for families in {city}, "
    "knows north and south indian dishes, references from two households, "
    "prefers a live out arrangement with weekly holiday, Rs {price} per month. Call {phone}"
)


def _scored(*ads: Ad) -> list[ScoredAd]:
    return ScorerSpec(model="").build().score_batch(list(ads))


def _scan(db: StateDB, when: str, *ads: Ad) -> list[ScoredAd]:
    """One scan of one batch: the ads as the scan writes them, history and cluster composed."""
    scan_id = db.begin_scan(["olx"], when)
    items = _scored(*ads)
    sightings = db.record(scan_id, items)
    clusters = db.cluster(scan_id, items)
    db.finish_scan(scan_id, status="completed", counts={}, errors=[])
    return [compose(*parts) for parts in zip(items, sightings, clusters, strict=True)]


A = Ad(
    source="olx",
    url="https://olx.example.org/1",
    text="Maths tutor for class ten, evening batch near the station. Call 90000 00001",
    location="Guwahati",
)
C = Ad(
    source="quikr",
    url="https://quikr.example.org/2",
    text="Second hand bicycle, new tyres and brakes, helmet included. Phone +91 90000 00002",
    location="Patna",
)
B = Ad(
    source="locanto",
    url="https://locanto.example.org/3",
    text="Room on rent for a working "
    "tenant, water and electricity included. 9000000001 or 90000-00002",
    location="Siliguri",
)
D = Ad(
    source="olx",
    url="https://olx.example.org/4",
    text=TEMPLATE.format(name="Rina", age=31, city="Guwahati", price=9000, phone="90000 00011"),
    location="Guwahati",
)
E = Ad(
    source="quikr",
    url="https://quikr.example.org/5",
    text=TEMPLATE.format(name="Mala", age=27, city="Kolkata", price=12000, phone="80000 00012"),
    location="Kolkata",
)
X = Ad(
    source="olx",
    url="https://olx.example.org/6",
    text="Laptop charger and keyboard, sealed "
    "box, with invoice and warranty. Mail seller@example.net",
)


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, dict[str, ScoredAd]]:
    """Three scans: the chain A–B–C closes and D's template is re-posted as E in the second."""
    path = tmp_path / "state.sqlite3"
    with StateDB.open(path) as db:
        first = _scan(db, "2026-11-01T06:00:00Z", A, C, D, X)
        assert [s.cluster["size"] for s in first if s.cluster] == [1, 1, 1, 1]
        second = _scan(db, "2026-11-02T06:00:00Z", B, E)
        third = _scan(db, "2026-11-03T06:00:00Z", A)
    items = {name: item for name, item in zip("ACDXBEa", [*first, *second, *third], strict=True)}
    return path, items


def test_clusters_grow_across_scans_and_the_oldest_id_survives(history: Any) -> None:
    _, items = history
    a, c, b = items["A"], items["C"], items["B"]
    assert b.cluster == {"id": f"c-{a.ad.id}", "size": 3}  # A was clustered before C
    assert c.cluster == {"id": f"c-{c.ad.id}", "size": 1}  # what the first scan said
    assert items["E"].cluster == {"id": f"c-{items['D'].ad.id}", "size": 2}  # re-posted template
    assert items["a"].cluster == {"id": f"c-{a.ad.id}", "size": 3}  # seen again: counted once
    assert items["X"].cluster is not None and items["X"].cluster["size"] == 1


def test_clusters_command_lists_links_sources_and_places(history: Any, trafficscan) -> None:
    path, items = history
    run = trafficscan("clusters", "--state", str(path), "--format", "json")
    assert run.code == 0, run.err
    found = json.loads(run.out)
    assert [c["size"] for c in found] == [3, 2]  # most spread first; singletons left out
    chain = found[0]
    a, b, c = (items[k].ad.id for k in "ABC")
    assert chain["id"] == f"c-{a}"
    assert sorted((link["a"], link["b"], link["by"]) for link in chain["links"]) == sorted(
        [(a, b, "phone"), (c, b, "phone")]
    )
    assert chain["sources"] == ["olx", "quikr", "locanto"]
    assert chain["cities"] == ["Guwahati", "Patna", "Siliguri"]
    assert chain["states"] == ["Assam", "Bihar", "West Bengal"]  # three states: shown, not scored
    assert (
        chain["first_seen"] == "2026-11-01T06:00:00Z"
        and chain["last_seen"] == "2026-11-03T06:00:00Z"
    )
    assert chain["ads"][0]["urls"] == [A.url]
    assert found[1]["links"] == [{"a": items["D"].ad.id, "b": items["E"].ad.id, "by": "text"}]
    table = trafficscan("clusters", "--state", str(path), "--min-size", "3")
    assert table.code == 0 and f"c-{a}" in table.out and "phone ×2" in table.out
    assert f"c-{items['D'].ad.id}" not in table.out


def test_lookup_finds_a_phone_in_any_spelling(history: Any, trafficscan) -> None:
    path, items = history
    for spelling in ("+91-90000-00001", "9000000001", "090000 00001"):
        run = trafficscan("lookup", spelling, "--state", str(path), "--format", "json")
        assert run.code == 0, run.err
        (hit,) = json.loads(run.out)
        assert hit["contact"] == "+919000000001" and hit["kind"] == "phone"
        assert [ad["id"] for ad in hit["ads"]] == [items["A"].ad.id, items["B"].ad.id]
        assert hit["sources"] == ["olx", "locanto"] and hit["cities"] == ["Guwahati", "Siliguri"]
        assert hit["first_seen"] == "2026-11-01T06:00:00Z"
        assert hit["last_seen"] == "2026-11-03T06:00:00Z"
        assert hit["clusters"] == [{"id": f"c-{items['A'].ad.id}", "size": 3}]
    text = trafficscan("lookup", "SELLER@example.net", "--state", str(path))
    assert text.code == 0 and "1 ad" in text.out and "olx" in text.out


def test_lookup_of_an_unseen_contact_exits_1_and_bad_input_2(history: Any, trafficscan) -> None:
    path, _ = history
    unseen = trafficscan("lookup", "80000 99999", "--state", str(path))
    assert unseen.code == 1 and "not seen" in unseen.out
    bad = trafficscan("lookup", "!!", "--state", str(path))
    assert bad.code == 2 and "!!" in bad.err and "not a phone number" in bad.err
    missing = trafficscan("lookup", "80000 99999", "--state", str(path.with_name("none.db")))
    assert missing.code == 2 and "no state database" in missing.err


def test_the_scan_summary_shows_the_cluster_size(history: Any) -> None:
    from rich.console import Console

    from trafficscan.output.terminal import print_top as _print_top

    _, items = history
    console = Console(record=True, width=200)
    _print_top(console, [items["B"]])
    assert "3 ads" in console.export_text()
