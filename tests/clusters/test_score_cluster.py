"""``score --cluster``: known groups found, unrelated ads kept apart, real pages left unlinked."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from groups import BOILERPLATE, make_ads, pairwise

from trafficscan.clusters.unionfind import UnionFind
from trafficscan.core.ad import Ad
from trafficscan.features import extract
from trafficscan.score.scorer import ScorerSpec


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def clustered(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("cluster")
    src = _write(folder / "ads.jsonl", make_ads())
    out = folder / "out.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "trafficscan",
            "score",
            str(src),
            "--cluster",
            "--all",
            "-q",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return _items(out)


def _groups(items: list[dict[str, Any]]) -> dict[str, set[str]]:
    """True group → the cluster ids its ads got."""
    found: dict[str, set[str]] = defaultdict(set)
    for item in items:
        found[item["extra"]["group"]].add(item["cluster"]["id"])
    return found


@pytest.mark.slow
def test_pairwise_precision_and_recall_on_the_generated_set(
    clustered: list[dict[str, Any]],
) -> None:
    assert len(clustered) >= 200
    truth = {i["id"]: i["extra"]["group"] for i in clustered}
    predicted = {i["id"]: i["cluster"]["id"] for i in clustered}
    precision, recall, f1 = pairwise(truth, predicted)
    print(f"pairwise precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}")
    assert precision >= 0.98 and recall >= 0.95, (precision, recall, f1)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["phone", "handle", "chain", "repost"])
def test_each_known_group_is_one_cluster(clustered: list[dict[str, Any]], kind: str) -> None:
    groups = {g: ids for g, ids in _groups(clustered).items() if g.startswith(kind + "-")}
    assert groups
    for group, ids in groups.items():
        assert len(ids) == 1, f"{group} split into {len(ids)} clusters"
    sizes = {i["extra"]["group"]: i["cluster"]["size"] for i in clustered}
    for group in groups:
        assert sizes[group] == sum(i["extra"]["group"] == group for i in clustered)


@pytest.mark.slow
def test_shared_boilerplate_and_agency_paragraphs_link_nothing(
    clustered: list[dict[str, Any]],
) -> None:
    singles = [i for i in clustered if i["extra"]["group"].startswith(("single-", "agency-"))]
    assert sum(BOILERPLATE in i["text"] for i in singles) > 50
    assert all(i["cluster"]["size"] == 1 for i in singles)


@pytest.mark.slow
def test_a_cluster_is_named_after_its_first_ad_in_the_input(
    clustered: list[dict[str, Any]],
) -> None:
    first: dict[str, str] = {}
    for item in clustered:
        first.setdefault(item["cluster"]["id"], item["id"])
    assert all(cid == f"c-{ad_id}" for cid, ad_id in first.items())


@pytest.mark.slow
def test_without_cluster_items_carry_no_cluster(trafficscan, tmp_path: Path) -> None:
    src = _write(tmp_path / "ads.jsonl", make_ads(singletons=4)[:10])
    run = trafficscan("score", str(src), "--all", "-q", "-o", "out.jsonl")
    assert run.code == 0, run.err
    assert all("cluster" not in item for item in _items(tmp_path / "out.jsonl"))


def test_real_pages_link_only_reposts_of_one_listing(shared_data: Path, repo_root: Path) -> None:
    """The saved real pages: every multi-ad cluster is one listing posted again (same title)."""
    import sys

    sys.path.insert(0, str(repo_root / "scripts"))
    import realdata

    from trafficscan.clusters.memory import cluster_items
    from trafficscan.core.ad import ScoredAd

    ads = realdata.real_page_ads(shared_data)
    scored: list[ScoredAd] = ScorerSpec(model="").build().score_batch(ads)
    labels = cluster_items(scored).labels
    assert len(labels) == len(scored)
    members: dict[str, list[ScoredAd]] = defaultdict(list)
    for s, label in zip(scored, labels, strict=True):
        members[label["id"]].append(s)
    linked = [m for m in members.values() if len(m) > 1]
    assert linked  # the job board re-posts one listing many times
    for group in linked:
        bodies = {s.ad.body[:200] for s in group}
        assert len({s.ad.source for s in group}) == 1 and len(bodies) == 1, [
            s.ad.title for s in group
        ]


# --------------------------------------------------------------------------- structured fields


def _score(**fields: str) -> dict[str, Any]:
    ad = Ad(source="t", **fields)
    return ScorerSpec(model="").build().score_batch([ad])[0].entities


def test_structured_contact_price_and_location_reach_the_entities() -> None:
    entities = _score(
        text="Two room flat near the market, ask for details.",
        contact="WhatsApp 90000 12345 / Desk@Example.com",
        price="₹ 45,00,000",
        location="Guwahati, Assam",
    )
    assert entities["phones"] == ["+919000012345"]
    assert entities["emails"] == ["desk@example.com"]
    assert {"amount": 4500000, "currency": "INR"} in entities["prices"]
    assert entities["locations"] == ["Guwahati", "Assam"]


def test_an_unknown_place_is_kept_as_written() -> None:
    assert _score(text="Tutor for grade five.", location="Near  the old bus stand")[
        "locations"
    ] == ["Near the old bus stand"]


def test_ads_without_structured_fields_keep_their_entities() -> None:
    text = "Tutor for grade five, Rs 500 a week, call 90000 22222 in Patna."
    assert _score(text=text) == extract(text).entities()


def test_union_find_keeps_the_oldest_root() -> None:
    uf = UnionFind()
    for item in "abcd":
        uf.add(item)
    assert uf.union("c", "d") and uf.find("d") == "c"
    assert uf.union("d", "b") and uf.find("c") == "b"
    assert not uf.union("b", "c")
    assert uf.union("c", "a") and {uf.find(x) for x in "abcd"} == {"a"}


@pytest.mark.slow
def test_redacted_output_keys_the_cluster_id(trafficscan, tmp_path: Path) -> None:
    """A cluster id holds its first ad's content id, an unkeyed hash of the unmasked text."""
    ads = [r for r in make_ads() if r["group"] == "phone-0"]
    src = _write(tmp_path / "ads.jsonl", ads)
    plain = trafficscan("score", str(src), "--cluster", "--all", "-q", "-o", "plain.jsonl")
    masked = trafficscan(
        "score", str(src), "--cluster", "--all", "--redact", "-q", "-o", "masked.jsonl"
    )
    assert plain.code == masked.code == 0, masked.err
    ids = {i["cluster"]["id"] for i in _items(tmp_path / "plain.jsonl")}
    keyed = {i["cluster"]["id"] for i in _items(tmp_path / "masked.jsonl")}
    assert len(ids) == len(keyed) == 1 and ids.isdisjoint(keyed)
    assert all(i["cluster"]["size"] == 5 for i in _items(tmp_path / "masked.jsonl"))
