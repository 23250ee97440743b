"""The stages below the pipeline return values; only the pipeline composes the ads it writes.

State history, clusters and evidence each read a batch of scored ads and return one value per
ad (docs/design.md, "state"). If one of them set ``item.cluster`` again, an ad could leave a
failed stage half-filled, and what an output item holds would again be decided in four places.

Two checks, both real runs:

* every assignment to an attribute of a :class:`ScoredAd` (or of its :class:`Ad`) is watched
  while ``scan`` runs twice on the demo with a history (sightings, clusters, evidence, an
  analyst's verdict) and while ``score --cluster`` runs; one made by code outside
  ``trafficscan.pipeline`` and ``trafficscan.cli`` (other than building a new one) fails;
* each stage's entry point is called on its own: it returns one value per item, in order, and
  leaves the items equal to what they were, nested dicts and lists included.
"""

from __future__ import annotations

import copy
import json
import logging
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from trafficscan.core.ad import Ad, ScoredAd

#: Modules allowed to assign to a scored ad's attributes: the composition and its callers.
COMPOSERS = ("trafficscan.pipeline", "trafficscan.cli")


@pytest.fixture
def assignments(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every attribute assignment to a ScoredAd or an Ad made below the pipeline, as text."""
    found: list[str] = []

    def watch(cls: type) -> None:
        def __setattr__(self: object, name: str, value: object) -> None:
            frame = sys._getframe(1)
            module = str(frame.f_globals.get("__name__", ""))
            building = module == "trafficscan.core.ad" and frame.f_code.co_name in (
                "__init__",
                "__post_init__",
            )
            if module.startswith("trafficscan.") and not (building or module.startswith(COMPOSERS)):
                found.append(f"{module} line {frame.f_lineno} sets {cls.__name__}.{name}")
            object.__setattr__(self, name, value)

        monkeypatch.setattr(cls, "__setattr__", __setattr__)

    watch(ScoredAd)
    watch(Ad)
    yield found


def test_the_watch_sees_a_stage_that_sets_an_attribute(assignments: list[str]) -> None:
    """The check can fail: the line this design removed, run as if it were in clusters/."""
    item = _item("Tutor for class ten.", "https://a.example.org/1")
    lower = {"__name__": "trafficscan.clusters.memory"}
    exec("item.cluster = {'id': 'c-x', 'size': 1}", lower, {"item": item})
    exec("item.ad.capture = None", lower, {"item": item})
    assert assignments == [
        "trafficscan.clusters.memory line 1 sets ScoredAd.cluster",
        "trafficscan.clusters.memory line 1 sets Ad.capture",
    ]


@pytest.fixture
def own_logging() -> Iterator[None]:
    """run_scan and run_score set up the ``trafficscan`` logger as the CLI does: undo it after,
    so tests later in this worker that read its records still get them."""
    logger = logging.getLogger("trafficscan")
    level, propagate, handlers = logger.level, logger.propagate, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.propagate = propagate
    logger.handlers[:] = handlers


@pytest.mark.slow
@pytest.mark.usefixtures("own_logging")
def test_scan_and_score_compose_in_the_pipeline_only(
    assignments: list[str], tmp_path: Path
) -> None:
    from trafficscan.pipeline.scan import ScanOptions, run_scan
    from trafficscan.pipeline.score import ScoreOptions, run_score
    from trafficscan.review.verdicts import Verdict, VerdictStore

    state = tmp_path / "state.sqlite3"

    def scan(name: str) -> list[dict]:
        out = tmp_path / name
        code = run_scan(ScanOptions(output=str(out), state=state, write_all=True, quiet=True))
        assert code == 0
        return json.loads(out.read_text(encoding="utf-8"))["items"]

    first = scan("first.json")
    cleared = next(item for item in first if item["flagged"])
    with VerdictStore.open(state) as store:
        store.put(Verdict.for_record(cleared, "not_signal", "asha"))
    second = scan("second.json")

    ads = tmp_path / "ads.jsonl"
    texts = [
        "Cook needed for a family of four. Call 90000 20001",
        "Driver wanted for a school van. Call 90000 20001",
        "Maths tutor for class ten, evenings. Call 80000 30002",
    ]
    ads.write_text(
        "".join(json.dumps({"id": f"a{n}", "text": t}) + "\n" for n, t in enumerate(texts)),
        encoding="utf-8",
    )
    scored = tmp_path / "scored.jsonl"
    opts = ScoreOptions(
        inputs=[str(ads)], output=str(scored), cluster=True, write_all=True, quiet=True
    )
    assert run_score(opts) == 0

    assert assignments == []
    # and the values the stages returned reached the output: the watch saw every stage run
    assert all(item["new"] is True and item["cluster"] for item in first)
    assert any(item.get("evidence") for item in first)
    assert all(item["new"] is False for item in second)
    assert any(item.get("seen_with") for item in second)
    (suppressed,) = [i for i in second if "suppressed" in i["explanation"]]
    assert suppressed["id"] == cleared["id"] and suppressed["flagged"] is False
    sizes = [json.loads(line)["cluster"]["size"] for line in scored.read_text().splitlines()]
    assert sizes == [2, 2, 1]


def test_each_stage_returns_one_value_per_item_and_changes_none(tmp_path: Path) -> None:
    from trafficscan.clusters.memory import cluster_items
    from trafficscan.clusters.store import ClusterStore
    from trafficscan.evidence.capture import EvidenceKeeper
    from trafficscan.fetch.fetcher import Capture
    from trafficscan.state import Sighting, StateDB
    from trafficscan.state.schema import migrate

    items = [
        _item("Cook needed for a family of four.", "https://a.example.org/1", "+919000040001"),
        _item("Driver needed, night shift.", "https://a.example.org/2", "+919000040001"),
        _item("Maths tutor for class ten, evenings.", "https://b.example.org/3", flagged=True),
    ]
    for n, item in enumerate(items):
        item.ad.capture = Capture(
            url=item.ad.url,
            fetched_at="2026-12-03T08:00:00.000000Z",
            status_line="HTTP/1.1 200 OK",
            headers=[("Content-Type", "text/html")],
            body=f"<html><body>page {n}</body></html>".encode(),
            request_line="GET / HTTP/1.1",
            request_headers=[("Host", "a.example.org")],
            server_ip="127.0.0.1",
        )
    before = copy.deepcopy(items)
    captures = [item.ad.capture for item in items]

    path = tmp_path / "state.sqlite3"
    with StateDB.open(path) as db:
        scan_id = db.begin_scan(["a"], "2026-12-03T08:00:00Z")
        sightings = db.record(scan_id, items)
        clusters = db.cluster(scan_id, items)
        keeper = EvidenceKeeper("flagged", path, scan_id, db)
        evidence = keeper.after_scoring(items)
        keeper.close()
        db.finish_scan(scan_id, status="completed", counts={}, errors=[])
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrate(conn)
    conn.execute("BEGIN")
    labels = ClusterStore(conn).add(items, "2026-12-03T08:00:00Z")
    conn.execute("COMMIT")
    in_memory = cluster_items(items).labels

    assert items == before  # equal field by field, entities and explanation included
    assert all(i.ad.capture is c for i, c in zip(items, captures, strict=True))  # pages kept on
    assert [type(s) for s in sightings] == [Sighting] * 3
    assert [s.seen_with is not None for s in sightings] == [True, True, False]
    assert clusters == labels == in_memory  # one answer, whoever clusters
    assert [c["size"] for c in clusters] == [2, 2, 1]
    assert [e is not None for e in evidence] == [False, False, True]  # flagged pages only


def _item(text: str, url: str, *phones: str, flagged: bool = False) -> ScoredAd:
    score = 0.9 if flagged else 0.1
    return ScoredAd(
        ad=Ad(source="a", url=url, body=text),
        score=score,
        rule_score=score,
        model_score=None,
        flagged=flagged,
        entities={"phones": list(phones), "emails": [], "handles": [], "locations": ["Patna"]},
        explanation={"summary": "clinical"},
    )
