"""The batched clustering gives exactly what adding ads one at a time gave, only faster.

``ClusterStore.add`` links a whole batch in memory and writes it set-wise; the signatures and
document frequencies are computed for many ads per numpy pass. Stored signatures and band keys
must not change (a database built before keeps linking), and neither may any cluster.
"""

from __future__ import annotations

import random
import sqlite3

import numpy as np
import pytest

from trafficscan.clusters import neardup
from trafficscan.clusters.links import CONTACT_CAP, contact_keys, text_keys
from trafficscan.clusters.neardup import (
    SketchFreq,
    band_keys,
    shingles,
    signature,
    signatures,
    similar,
)
from trafficscan.clusters.store import ClusterStore
from trafficscan.core.ad import Ad, ScoredAd
from trafficscan.state.schema import migrate

WORDS = [
    "tutor",
    "cook",
    "driver",
    "room",
    "rent",
    "bicycle",
    "laptop",
    "tailor",
    "nurse",
    "cleaner",
    "garden",
    "paint",
    "repair",
    "wiring",
    "plumbing",
    "class",
    "batch",
    "evening",
    "morning",
    "weekly",
    "monthly",
    "fees",
    "advance",
    "deposit",
    "family",
    "office",
    "shop",
    "market",
    "station",
    "school",
    "college",
    "hostel",
    "near",
    "main",
    "road",
]
FOOTER = "posted on city classifieds terms apply report misuse to the site team call now"


def _sets(rng: random.Random, n: int) -> list[set[int]]:
    out = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 30)))
        out.append(shingles(text + (" " + FOOTER if i % 2 else "")))
    return out


@pytest.mark.parametrize("pass_size", [1 << 14, 7])
def test_signatures_and_frequencies_match_one_ad_at_a_time(
    pass_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neardup, "_PASS", pass_size)
    sets = _sets(random.Random(3), 300)
    one, batch = SketchFreq(), SketchFreq()
    expected = []
    for found in sets:
        one.add(found)
        expected.append(signature(one.distinctive(found)))  # datasketch's MinHash
    values, owner = batch.admit(sets)
    got = signatures(values, owner, len(sets))
    assert batch.docs == one.docs and np.array_equal(batch.table, one.table)
    assert sum(s is None for s in expected) > 10  # short texts; the footer turns generic too
    assert [None if s is None else s.tolist() for s in got] == [
        None if s is None else s.tolist() for s in expected
    ]


def _reference(
    batches: list[list[ScoredAd]],
) -> tuple[list[list[dict[str, object]]], list[tuple[str, str, str]]]:
    """The clustering as first written: one ad at a time, oldest cluster surviving a merge."""
    freq = SketchFreq()
    seq_of: dict[str, int] = {}
    cluster: dict[int, str] = {}
    sigs: dict[int, object] = {}
    keys: dict[int, list[int]] = {}
    size: dict[str, int] = {}
    founder: dict[str, int] = {}
    by_seq: dict[int, str] = {}
    links: list[tuple[str, str, str]] = []
    labels = []
    for batch in batches:
        for item in batch:
            if item.ad.id in seq_of:
                continue
            seq = len(seq_of) + 1
            seq_of[item.ad.id], by_seq[seq] = seq, item.ad.id
            cid = f"c-{item.ad.id}"
            cluster[seq], size[cid], founder[cid] = cid, 1, seq
            found = shingles(item.ad.text)
            freq.add(found)
            sigs[seq] = sig = signature(freq.distinctive(found))
            for key in dict.fromkeys(contact_keys(item.entities) + text_keys(band_keys(sig))):
                if key.value not in keys:
                    keys[key.value] = [seq, 1]
                    continue
                keys[key.value][1] += 1
                first, n = keys[key.value]
                if (key.by != "text" and n > CONTACT_CAP) or (
                    key.by == "text" and not similar(sig, sigs[first])
                ):
                    continue
                ca, cb = cluster[first], cluster[seq]
                if ca == cb:
                    continue
                old, young = (ca, cb) if founder[ca] < founder[cb] else (cb, ca)
                for s, c in cluster.items():
                    if c == young:
                        cluster[s] = old
                size[old] += size.pop(young)
                links.append((by_seq[first], item.ad.id, key.by))
        labels.append(
            [
                {"id": cluster[seq_of[i.ad.id]], "size": size[cluster[seq_of[i.ad.id]]]}
                for i in batch
            ]
        )
    return labels, links


def _history(rng: random.Random) -> list[list[ScoredAd]]:
    """Ads whose phone groups, templates and bridges span batches, some ads seen twice."""
    ads: list[ScoredAd] = []
    template = " ".join(rng.choice(WORDS) for _ in range(25))
    for i in range(400):
        phones = [f"+91900000{rng.randint(0, 120):04d}"]  # groups that meet across batches
        if rng.random() < 0.05:
            phones.append(f"+91800000{rng.randint(0, 60):04d}")  # bridges two groups
        text = (
            template.replace("tutor", f"tutor {rng.randint(20, 40)}")
            if i % 9 == 0
            else " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 30)))
        )
        ad = Ad(source="olx", url=f"https://olx.example.org/{i}", text=f"{text} number {i}")
        ads.append(
            ScoredAd(
                ad=ad,
                score=0.1,
                rule_score=0.1,
                model_score=None,
                flagged=False,
                entities={"phones": phones, "emails": [], "handles": []},
            )
        )
    batches = [ads[k : k + 50] for k in range(0, len(ads), 50)]
    for k, batch in enumerate(batches[1:], 1):
        batch += [rng.choice(ads[: 50 * k]) for _ in range(3)]  # seen again in a later scan
        batch.append(batch[0])  # twice in one batch
    return batches


def test_batches_cluster_exactly_as_one_ad_at_a_time() -> None:
    batches = _history(random.Random(11))
    expected, expected_links = _reference(batches)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrate(conn)
    store = ClusterStore(conn)
    got = []
    for day, batch in enumerate(batches, 1):
        conn.execute("BEGIN")
        labels = store.add(batch, f"2026-11-{day:02d}T06:00:00Z")
        conn.execute("COMMIT")
        got.append([dict(label) for label in labels])
    assert got == expected
    ids = dict(conn.execute("SELECT seq, ad_id FROM cluster_ads"))
    links = [
        (ids[a], ids[b], by)
        for a, b, by in conn.execute("SELECT a, b, by FROM cluster_links ORDER BY id")
    ]
    assert links == expected_links
    assert sum(1 for *_, by in links if by == "text") >= 10  # the template linked across batches
    assert len({c["id"] for c in got[-1]}) < len(got[-1])  # and the phones merged clusters
    sizes = dict(conn.execute("SELECT id, size FROM clusters"))
    members = dict(conn.execute("SELECT cluster, COUNT(*) FROM cluster_ads GROUP BY cluster"))
    assert sizes == members
