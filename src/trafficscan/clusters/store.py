"""Clusters in the state database, grown incrementally scan after scan.

Tables (schema step ``_v4_clusters``):

* ``cluster_ads``: one row per ad (content id) ever clustered, in the order first seen
  (``seq``), with its cluster, first source, first/last seen and locations;
* ``clusters``: per cluster its founder (``seq`` of its first ad, which names it), size and
  first/last seen;
* ``cluster_keys``: per link key (contact or LSH band, :mod:`.links`) the first ad that
  carried it and how many ads have: a new ad is linked to that first ad, an index probe each;
* ``cluster_links``: the links that joined two clusters (a spanning forest: one row per
  merge, so the table grows with the ads, not with the pairs);
* ``cluster_meta``: the shingle document-frequency sketch (:class:`.neardup.SketchFreq`).

A batch of ads costs a few set-wise indexed reads (its ads, its keys, the ads and clusters
those keys reach), linking in memory, and one write per changed row; nothing over the history
is recomputed. When two clusters merge, the one founded earlier keeps its id and the younger
one's ads are re-pointed to it. ``state prune`` prunes these tables too (:func:`prune_clusters`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from trafficscan.clusters.links import CONTACT_CAP, contact_key, contact_keys, text_keys
from trafficscan.clusters.memory import cluster_id
from trafficscan.clusters.neardup import SketchFreq, band_keys, shingles, signatures, similar
from trafficscan.core.ad import ScoredAd

_CHUNK = 500
#: ``cluster_keys.first`` of a key whose ads were all pruned (seqs start at 1).
_GONE = 0


@dataclass(slots=True)
class _Cluster:
    """A clusters row while a batch is added: merged in memory, written once at the end."""

    founder: int
    size: int
    first_seen: str
    last_seen: str
    stored: bool  # a row in ``clusters`` already
    changed: bool = False


class ClusterStore:
    """Adds scored ads to the clusters of one state database, inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._freq: SketchFreq | None = None

    def _sketch(self) -> SketchFreq:
        if self._freq is None:
            row = self._conn.execute(
                "SELECT value, docs FROM cluster_meta WHERE name = 'shingle_df'"
            ).fetchone()
            self._freq = SketchFreq(row[0], row[1]) if row else SketchFreq()
        return self._freq

    def add(self, items: Sequence[ScoredAd], seen: str) -> list[dict[str, Any]]:
        """Cluster a batch of scored ads against the whole history; return their clusters.

        One label per item, in item order: ``{"id": "c-…", "size": n}``, the size as of the
        end of this batch. The items are read, never changed (the pipeline composes).

        The result is the one of adding the ads one by one in order (each linked to the
        first ad of every key it carries, the older cluster surviving a merge), but the
        database is read and written in a few set-wise statements per batch: the linking
        runs in memory over the batch's keys and the clusters they touch. Adding one ad at a
        time cost a dozen statements per ad, a third of the clustering time.
        """
        if not items:
            return []
        conn = self._conn
        # every lookup in key order: the probes then walk each index once, leaf after leaf
        ids = sorted({item.ad.id for item in items})
        known: dict[str, tuple[int, str]] = {}  # ad_id → (seq, cluster) of ads seen before
        for chunk in _chunks(ids):
            for ad_id, seq, cid in conn.execute(
                f"SELECT ad_id, seq, cluster FROM cluster_ads WHERE ad_id IN ({_marks(chunk)})",
                chunk,
            ):
                known[ad_id] = (seq, cid)
        new: dict[str, ScoredAd] = {}
        for item in items:
            if item.ad.id not in known:
                new.setdefault(item.ad.id, item)
        fresh = list(new.values())
        values, owner = self._sketch().admit([shingles(item.ad.text) for item in fresh])
        sigs = signatures(values, owner, len(fresh))
        (top,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM cluster_ads").fetchone()
        seqs = range(top + 1, top + 1 + len(fresh))
        ad_keys = [
            list(dict.fromkeys(contact_keys(item.entities) + text_keys(band_keys(sig))))
            for item, sig in zip(fresh, sigs, strict=True)
        ]

        # what the history knows of these keys, and of the clusters they reach
        keys: dict[int, list[int]] = {}  # key → [first seq, ads carrying it]
        wanted = sorted({k.value for found in ad_keys for k in found})
        for chunk in _chunks(wanted):
            for key, first, n in conn.execute(
                f"SELECT key, first, n FROM cluster_keys WHERE key IN ({_marks(chunk)})", chunk
            ):
                keys[key] = [first, n]
        old_seqs = sorted({first for first, _ in keys.values()})
        cluster_of: dict[int, str] = {}  # seq → cluster, as stored
        old_sigs: dict[int, bytes] = {}
        for chunk in _chunks(old_seqs):
            for seq, cid, sig in conn.execute(
                f"SELECT seq, cluster, signature FROM cluster_ads WHERE seq IN ({_marks(chunk)})",
                chunk,
            ):
                cluster_of[seq] = cid
                if sig is not None:
                    old_sigs[seq] = bytes(sig)
        clusters: dict[str, _Cluster] = {}
        wanted_ids = sorted(
            {
                *cluster_of.values(),
                *(cid for _, cid in known.values()),
                *(cluster_id(item.ad.id) for item in fresh),
            }
        )
        for chunk in _chunks(wanted_ids):
            for cid, founder, size, first_seen, last_seen in conn.execute(
                "SELECT id, founder, size, first_seen, last_seen FROM clusters "
                f"WHERE id IN ({_marks(chunk)})",
                chunk,
            ):
                clusters[cid] = _Cluster(founder, size, first_seen, last_seen, stored=True)
        parent: dict[str, str] = {}

        def find(cid: str) -> str:
            root = cid
            while root in parent:
                root = parent[root]
            while cid != root:  # path compression
                parent[cid], cid = root, parent[cid]
            return root

        merged: list[str] = []  # stored clusters that merged into an older one
        links: list[tuple[int, int, str]] = []
        for _, cid in known.values():
            c = clusters[find(cid)]
            if seen > c.last_seen:
                c.last_seen, c.changed = seen, True
        new_sigs: dict[int, Any] = {}
        for item, seq, sig, found in zip(fresh, seqs, sigs, ad_keys, strict=True):
            cid = cluster_id(item.ad.id)
            if cid in clusters:  # its cluster outlived the ad (pruned): it rejoins it
                c = clusters[find(cid)]
                c.size += 1
                c.last_seen, c.changed = max(c.last_seen, seen), True
            else:
                clusters[cid] = _Cluster(seq, 1, seen, seen, stored=False, changed=True)
            cluster_of[seq] = cid
            new_sigs[seq] = sig
            for key in found:
                state = keys.get(key.value)
                if state is None:  # the first ad with this key
                    keys[key.value] = [seq, 1]
                    continue
                state[1] += 1
                if state[0] == _GONE:  # its ads were pruned: this one carries it on
                    state[0] = seq
                    continue
                first, n = state
                if first == seq:
                    continue
                if key.by != "text" and n > CONTACT_CAP:
                    continue  # a site's own number: it links no more ads
                if key.by == "text":
                    other = new_sigs[first] if first in new_sigs else old_sigs[first]
                    if not similar(sig, other):
                        continue
                ra, rb = find(cluster_of[first]), find(cid)
                if ra == rb:
                    continue
                old, young = (ra, rb) if clusters[ra].founder < clusters[rb].founder else (rb, ra)
                o, y = clusters[old], clusters[young]
                o.size += y.size
                o.first_seen, o.last_seen = (
                    min(o.first_seen, y.first_seen),
                    max(o.last_seen, y.last_seen),
                )
                o.changed = True
                parent[young] = old
                if y.stored:
                    merged.append(young)
                links.append((first, seq, key.by))

        # write it all: the new ads in their final clusters, re-pointed members, the clusters
        conn.executemany(
            "INSERT INTO cluster_ads (seq, ad_id, cluster, source, first_seen, last_seen, "
            "locations, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    seq,
                    item.ad.id,
                    find(cluster_id(item.ad.id)),
                    item.ad.source,
                    seen,
                    seen,
                    json.dumps(
                        list((item.entities or {}).get("locations") or []), ensure_ascii=False
                    ),
                    None if sig is None else sig.tobytes(),
                )
                for item, seq, sig in zip(fresh, seqs, sigs, strict=True)
            ],
        )
        conn.executemany(
            "UPDATE cluster_ads SET last_seen = MAX(last_seen, ?) WHERE seq = ?",
            [(seen, seq) for seq, _ in known.values()],
        )
        conn.executemany(
            "UPDATE cluster_ads SET cluster = ? WHERE cluster = ?",
            [(find(cid), cid) for cid in merged],
        )
        conn.executemany("DELETE FROM clusters WHERE id = ?", [(cid,) for cid in merged])
        conn.executemany(
            "INSERT INTO clusters (id, founder, size, first_seen, last_seen) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET size = excluded.size, first_seen = excluded.first_seen, "
            "last_seen = excluded.last_seen",
            [
                (cid, c.founder, c.size, c.first_seen, c.last_seen)
                for cid, c in clusters.items()
                if c.changed and cid not in parent
            ],
        )
        conn.executemany(
            "INSERT INTO cluster_keys (key, first, n) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET first = excluded.first, n = excluded.n",
            sorted((key, first, n) for key, (first, n) in keys.items()),
        )
        conn.executemany("INSERT INTO cluster_links (a, b, by) VALUES (?, ?, ?)", links)
        freq = self._sketch()
        conn.execute(
            "INSERT INTO cluster_meta (name, value, docs) VALUES ('shingle_df', ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value, docs = excluded.docs",
            (freq.blob(), freq.docs),
        )
        labels = []
        for item in items:
            seq_cid = known.get(item.ad.id)
            root = find(seq_cid[1] if seq_cid else cluster_id(item.ad.id))
            labels.append({"id": root, "size": clusters[root].size})
        return labels


# --------------------------------------------------------------------------- pruning


def prune_clusters(conn: sqlite3.Connection, cutoff: str) -> tuple[int, int]:
    """Drop ads last seen before ``cutoff`` that no posting holds any more; (ads, clusters) gone.

    Runs in ``state prune``'s transaction after its postings went, so an ad kept for a case
    (flagged, labelled, exported) keeps its cluster row too. With an ad go its links and its
    signature; a cluster left empty goes; a surviving cluster keeps its id, its founder's
    rank (a merge still lets the older cluster win) and is *not* split where a pruned ad
    bridged two parts: the link was observed, and re-splitting would change ids analysts
    wrote down. A link key whose first ad went is handed to the oldest surviving ad of the
    same cluster that carries it, so a returning network still links to what is left of
    it; with no such ad the key keeps its count (a site's own number stays capped) and
    the next ad to carry it becomes its first. A pruned ad's seq may be handed out again:
    nothing refers to it any more (a founder is its cluster's smallest seq, so a surviving
    cluster's founder is never above the largest seq left).
    """
    doomed = conn.execute(
        "SELECT seq, cluster FROM cluster_ads WHERE last_seen < ? "
        "AND ad_id NOT IN (SELECT ad_id FROM postings)",
        (cutoff,),
    ).fetchall()
    if not doomed:
        return 0, 0
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pruned_ads "
        "(seq INTEGER PRIMARY KEY, cluster TEXT NOT NULL)"
    )
    conn.execute("DELETE FROM pruned_ads")
    conn.executemany("INSERT INTO pruned_ads (seq, cluster) VALUES (?, ?)", doomed)
    orphans: dict[str, list[int]] = {}  # cluster → keys whose first ad goes
    for key, cid in conn.execute(
        "SELECT k.key, d.cluster FROM cluster_keys k JOIN pruned_ads d ON d.seq = k.first"
    ):
        orphans.setdefault(cid, []).append(key)
    conn.execute(
        "DELETE FROM cluster_links WHERE a IN (SELECT seq FROM pruned_ads) "
        "OR b IN (SELECT seq FROM pruned_ads)"
    )
    conn.execute("DELETE FROM cluster_ads WHERE seq IN (SELECT seq FROM pruned_ads)")
    conn.execute("DROP TABLE pruned_ads")
    touched = list({cid for _, cid in doomed})
    left: dict[str, tuple[int, str, str]] = {}
    for chunk in _chunks(touched):
        for cid, size, first_seen, last_seen in conn.execute(
            "SELECT cluster, COUNT(*), MIN(first_seen), MAX(last_seen) FROM cluster_ads "
            f"WHERE cluster IN ({_marks(chunk)}) GROUP BY cluster",
            chunk,
        ):
            left[cid] = (size, first_seen, last_seen)
    gone = [cid for cid in touched if cid not in left]
    conn.executemany("DELETE FROM clusters WHERE id = ?", [(cid,) for cid in gone])
    conn.executemany(
        "UPDATE clusters SET size = ?, first_seen = ?, last_seen = ? WHERE id = ?",
        [(*row, cid) for cid, row in left.items()],
    )
    moves: list[tuple[int, int]] = []
    for cid, keys in orphans.items():
        carriers = _carriers(conn, cid) if cid in left else {}
        moves += [(carriers.get(key, _GONE), key) for key in keys]
    conn.executemany("UPDATE cluster_keys SET first = ? WHERE key = ?", moves)
    return len(doomed), len(gone)


def _carriers(conn: sqlite3.Connection, cid: str) -> dict[int, int]:
    """``{key: seq}``: each link key of a cluster's ads, with its oldest ad carrying it."""
    out: dict[int, int] = {}
    rows = conn.execute(
        "SELECT seq, ad_id, signature FROM cluster_ads WHERE cluster = ? ORDER BY seq", (cid,)
    ).fetchall()
    contacts: dict[str, list[Any]] = {}
    if _has_table(conn, "postings"):
        for ad_id, kind, value in conn.execute(
            "SELECT DISTINCT p.ad_id, k.kind, k.value FROM cluster_ads a "
            "JOIN postings p ON p.ad_id = a.ad_id "
            "JOIN posting_contacts pc ON pc.posting_id = p.id "
            "JOIN contacts k ON k.id = pc.contact_id WHERE a.cluster = ?",
            (cid,),
        ):
            contacts.setdefault(ad_id, []).append(contact_key(kind, value))
    import numpy as np

    for seq, ad_id, sig in rows:
        bands = band_keys(None if sig is None else np.frombuffer(sig, dtype=np.uint32))
        for key in [*contacts.get(ad_id, ()), *text_keys(bands)]:
            out.setdefault(key.value, seq)
    return out


# --------------------------------------------------------------------------- reading


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def list_clusters(conn: sqlite3.Connection, min_size: int = 2) -> list[dict[str, Any]]:
    """Every cluster of at least ``min_size`` ads, most spread first (cities, sources, size)."""
    out = []
    for cid, size, first_seen, last_seen in conn.execute(
        "SELECT id, size, first_seen, last_seen FROM clusters WHERE size >= ? ORDER BY founder",
        (min_size,),
    ).fetchall():
        out.append(describe_cluster(conn, cid, size, first_seen, last_seen))
    out.sort(key=lambda c: (-len(c["cities"]), -len(c["sources"]), -c["size"], c["first_seen"]))
    return out


def describe_cluster(
    conn: sqlite3.Connection, cid: str, size: int, first_seen: str, last_seen: str
) -> dict[str, Any]:
    ads = conn.execute(
        "SELECT seq, ad_id, source, first_seen, last_seen, locations FROM cluster_ads "
        "WHERE cluster = ? ORDER BY seq",
        (cid,),
    ).fetchall()
    by_seq = {seq: ad_id for seq, ad_id, *_ in ads}
    links = []
    for chunk in _chunks(list(by_seq)):
        for a, b, by in conn.execute(
            f"SELECT a, b, by FROM cluster_links WHERE a IN ({_marks(chunk)}) ORDER BY id", chunk
        ):
            links.append({"a": by_seq[a], "b": by_seq[b], "by": by})
    urls = _urls(conn, list(by_seq.values()))
    timeline: list[dict[str, str]] = []
    sources: dict[str, None] = {}
    items = []
    for _, ad_id, source, ad_first, ad_last, locations in ads:
        ad_sources = list(dict.fromkeys([source, *(s for s, _ in urls.get(ad_id, []))]))
        sources.update(dict.fromkeys(ad_sources))
        places = json.loads(locations or "[]")
        items.append(
            {
                "id": ad_id,
                "sources": ad_sources,
                "urls": [u for _, u in urls.get(ad_id, [])],
                "locations": places,
                "first_seen": ad_first,
                "last_seen": ad_last,
            }
        )
        for place in places:
            timeline.append({"location": place, "first_seen": ad_first})
    timeline.sort(key=lambda t: t["first_seen"])
    cities = list(dict.fromkeys(t["location"] for t in timeline))
    from trafficscan.clusters.regions import state_of

    states = list(dict.fromkeys(s for s in map(state_of, cities) if s))
    return {
        "id": cid,
        "size": size,
        "first_seen": first_seen,
        "last_seen": last_seen,
        "sources": list(sources),
        "cities": cities,
        "states": states,
        "locations": timeline,
        "ads": items,
        "links": links,
    }


def _urls(conn: sqlite3.Connection, ad_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """``{ad_id: [(source, url), …]}`` from the postings (absent in a bare cluster store)."""
    out: dict[str, list[tuple[str, str]]] = {}
    if not _has_table(conn, "postings"):
        return out
    for chunk in _chunks(ad_ids):
        for ad_id, source, url in conn.execute(
            f"SELECT ad_id, source, url FROM postings WHERE ad_id IN ({_marks(chunk)}) ORDER BY id",
            chunk,
        ):
            out.setdefault(ad_id, []).append((source, url))
    return out


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        is not None
    )


def lookup(conn: sqlite3.Connection, contacts: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """Per normalised contact: its ads, sources, cities, first/last seen and clusters."""
    out = []
    for kind, value in contacts:
        rows = conn.execute(
            "SELECT p.ad_id, p.source, p.url, p.first_seen, p.last_seen, a.cluster, a.locations, "
            "c.size FROM contacts k "
            "JOIN posting_contacts pc ON pc.contact_id = k.id "
            "JOIN postings p ON p.id = pc.posting_id "
            "LEFT JOIN cluster_ads a ON a.ad_id = p.ad_id "
            "LEFT JOIN clusters c ON c.id = a.cluster "
            "WHERE k.kind = ? AND k.value = ? ORDER BY p.first_seen, p.id",
            (kind, value),
        ).fetchall()
        ads: dict[str, dict[str, Any]] = {}
        clusters: dict[str, int] = {}
        cities: dict[str, None] = {}
        for ad_id, source, url, first, last, cid, locations, size in rows:
            ad = ads.setdefault(
                ad_id,
                {
                    "id": ad_id,
                    "sources": [],
                    "urls": [],
                    "first_seen": first,
                    "last_seen": last,
                    "cluster": None if cid is None else {"id": cid, "size": size},
                },
            )
            if source not in ad["sources"]:
                ad["sources"].append(source)
            ad["urls"].append(url)
            ad["last_seen"] = max(ad["last_seen"], last)
            if cid is not None:
                clusters[cid] = size
            cities.update(dict.fromkeys(json.loads(locations or "[]")))
        found = list(ads.values())
        out.append(
            {
                "contact": f"{kind[7:]}:{value}" if kind.startswith("handle:") else value,
                "kind": kind.partition(":")[0],
                "found": bool(found),
                "ads": found,
                "sources": list(dict.fromkeys(s for a in found for s in a["sources"])),
                "cities": list(cities),
                "first_seen": min((a["first_seen"] for a in found), default=None),
                "last_seen": max((a["last_seen"] for a in found), default=None),
                "clusters": [{"id": c, "size": n} for c, n in clusters.items()],
            }
        )
    return out
