"""``score --cluster``: the clusters of one input, in memory, with no state database.

The input's order is its age: the first ad of a cluster names it (``c-`` and its content id),
as the state database's clusters are named after their first-seen ad.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from trafficscan.clusters.links import CONTACT_CAP, Key, contact_keys, text_keys
from trafficscan.clusters.neardup import DocFreq, band_keys, shingles, signature, similar
from trafficscan.clusters.unionfind import UnionFind
from trafficscan.core.ad import ScoredAd


@dataclass
class Clustering:
    """Cluster of every ad id, sizes, and the links that joined them (a spanning forest).

    ``labels`` are the clusters of the items given to :func:`cluster_items`, in their order:
    what the pipeline composes into the ads it writes.
    """

    cluster_of: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    links: list[dict[str, str]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)

    def label(self, ad_id: str) -> dict[str, Any]:
        cid = self.cluster_of[ad_id]
        return {"id": cid, "size": self.sizes[cid]}


def cluster_id(ad_id: str) -> str:
    return f"c-{ad_id}"


def cluster_items(items: Sequence[ScoredAd]) -> Clustering:
    """Link the items by shared contacts and near-duplicate texts; the items are not changed.

    ``Clustering.labels`` holds each item's ``{"id", "size"}``, in item order.
    """
    uf = UnionFind()
    freq = DocFreq()
    texts: dict[str, set[int]] = {}
    keys: dict[str, list[Key]] = {}
    for item in items:
        ad_id = item.ad.id
        uf.add(ad_id)
        if ad_id not in texts:
            texts[ad_id] = found = shingles(item.ad.text)
            freq.add(found)
            keys[ad_id] = contact_keys(item.entities)
    sigs: dict[str, Any] = {}
    for ad_id, found in texts.items():
        sigs[ad_id] = sig = signature(freq.distinctive(found))
        keys[ad_id] += text_keys(band_keys(sig))
    owners: dict[Key, list[str]] = {}
    for ad_id, found_keys in keys.items():
        for key in found_keys:
            owners.setdefault(key, []).append(ad_id)
    out = Clustering()
    for key, ads in owners.items():
        if len(ads) < 2 or (key.by != "text" and len(ads) > CONTACT_CAP):
            continue
        for other in ads[1:]:
            if key.by == "text" and not similar(sigs[ads[0]], sigs[other]):
                continue
            if uf.union(ads[0], other):
                out.links.append({"a": ads[0], "b": other, "by": key.by})
    for ad_id in texts:
        root = cluster_id(uf.find(ad_id))
        out.cluster_of[ad_id] = root
        out.sizes[root] = out.sizes.get(root, 0) + 1
    out.labels = [out.label(item.ad.id) for item in items]
    return out
