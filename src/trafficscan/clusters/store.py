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

Adding an ad costs a few indexed reads and writes; nothing over the history is recomputed.
When two clusters merge, the one founded earlier keeps its id and the younger one's ads are
re-pointed to it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from trafficscan.ad import ScoredAd
from trafficscan.clusters.links import CONTACT_CAP, contact_keys, text_keys
from trafficscan.clusters.memory import cluster_id
from trafficscan.clusters.neardup import SketchFreq, band_keys, shingles, signature, similar

_CHUNK = 500
#: One probe per key: count the ad and learn the key's first ad (RETURNING: SQLite 3.35+).
_UPSERT_KEY = ("INSERT INTO cluster_keys (key, first, n) VALUES (?, ?, 1) "
               "ON CONFLICT (key) DO UPDATE SET n = n + 1 RETURNING first, n")


class ClusterStore:
    """Adds scored ads to the clusters of one state database, inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._freq: SketchFreq | None = None

    def _sketch(self) -> SketchFreq:
        if self._freq is None:
            row = self._conn.execute(
                "SELECT value, docs FROM cluster_meta WHERE name = 'shingle_df'").fetchone()
            self._freq = SketchFreq(row[0], row[1]) if row else SketchFreq()
        return self._freq

    def add(self, items: Sequence[ScoredAd], seen: str) -> None:
        """Cluster a batch of scored ads against the whole history; set ``item.cluster``."""
        if not items:
            return
        conn = self._conn
        freq = self._sketch()
        for item in items:
            ad_id = item.ad.id
            row = conn.execute("SELECT seq, cluster FROM cluster_ads WHERE ad_id = ?",
                               (ad_id,)).fetchone()
            locations = list((item.entities or {}).get("locations") or [])
            if row is not None:
                conn.execute("UPDATE cluster_ads SET last_seen = MAX(last_seen, ?) WHERE seq = ?",
                             (seen, row[0]))
                conn.execute("UPDATE clusters SET last_seen = MAX(last_seen, ?) WHERE id = ?",
                             (seen, row[1]))
                continue
            cid = cluster_id(ad_id)
            found = shingles(item.ad.text)
            freq.add(found)
            sig = signature(freq.distinctive(found))
            seq = conn.execute(
                "INSERT INTO cluster_ads (ad_id, cluster, source, first_seen, last_seen, locations, "
                "signature) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (ad_id, cid, item.ad.source, seen, seen, json.dumps(locations, ensure_ascii=False),
                 None if sig is None else sig.tobytes()),
            ).lastrowid
            assert seq is not None
            conn.execute("INSERT INTO clusters (id, founder, size, first_seen, last_seen) "
                         "VALUES (?, ?, 1, ?, ?)", (cid, seq, seen, seen))
            keys = contact_keys(item.entities) + text_keys(band_keys(sig))
            for key in dict.fromkeys(keys):
                first, n = conn.execute(_UPSERT_KEY, (key.value, seq)).fetchone()
                if first == seq:  # the first ad with this key
                    continue
                if key.by != "text" and n > CONTACT_CAP:
                    continue  # a site's own number: it links no more ads
                if key.by == "text" and not similar(sig, self._signature(first)):
                    continue
                self._union(first, seq, key.by)
        conn.execute(
            "INSERT INTO cluster_meta (name, value, docs) VALUES ('shingle_df', ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value, docs = excluded.docs",
            (freq.blob(), freq.docs))
        for item in items:
            cid, size = conn.execute(
                "SELECT c.id, c.size FROM cluster_ads a JOIN clusters c ON c.id = a.cluster "
                "WHERE a.ad_id = ?", (item.ad.id,)).fetchone()
            item.cluster = {"id": cid, "size": size}

    def _signature(self, seq: int) -> bytes:
        return bytes(self._conn.execute("SELECT signature FROM cluster_ads WHERE seq = ?",
                                        (seq,)).fetchone()[0])

    def _union(self, a: int, b: int, by: str) -> None:
        conn = self._conn
        (ca,) = conn.execute("SELECT cluster FROM cluster_ads WHERE seq = ?", (a,)).fetchone()
        (cb,) = conn.execute("SELECT cluster FROM cluster_ads WHERE seq = ?", (b,)).fetchone()
        if ca == cb:
            return
        rows = {r[0]: r[1:] for r in conn.execute(
            "SELECT id, founder, size, first_seen, last_seen FROM clusters WHERE id IN (?, ?)",
            (ca, cb))}
        old, young = (ca, cb) if rows[ca][0] < rows[cb][0] else (cb, ca)
        conn.execute("UPDATE cluster_ads SET cluster = ? WHERE cluster = ?", (old, young))
        conn.execute(
            "UPDATE clusters SET size = size + ?, first_seen = MIN(first_seen, ?), "
            "last_seen = MAX(last_seen, ?) WHERE id = ?",
            (rows[young][1], rows[young][2], rows[young][3], old))
        conn.execute("DELETE FROM clusters WHERE id = ?", (young,))
        conn.execute("INSERT INTO cluster_links (a, b, by) VALUES (?, ?, ?)", (a, b, by))


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


def describe_cluster(conn: sqlite3.Connection, cid: str, size: int, first_seen: str,
                     last_seen: str) -> dict[str, Any]:
    ads = conn.execute(
        "SELECT seq, ad_id, source, first_seen, last_seen, locations FROM cluster_ads "
        "WHERE cluster = ? ORDER BY seq", (cid,)).fetchall()
    by_seq = {seq: ad_id for seq, ad_id, *_ in ads}
    links = []
    for chunk in _chunks(list(by_seq)):
        for a, b, by in conn.execute(
            f"SELECT a, b, by FROM cluster_links WHERE a IN ({_marks(chunk)}) ORDER BY id", chunk):
            links.append({"a": by_seq[a], "b": by_seq[b], "by": by})
    urls = _urls(conn, list(by_seq.values()))
    timeline: list[dict[str, str]] = []
    sources: dict[str, None] = {}
    items = []
    for _, ad_id, source, ad_first, ad_last, locations in ads:
        ad_sources = list(dict.fromkeys([source, *(s for s, _ in urls.get(ad_id, []))]))
        sources.update(dict.fromkeys(ad_sources))
        places = json.loads(locations or "[]")
        items.append({"id": ad_id, "sources": ad_sources,
                      "urls": [u for _, u in urls.get(ad_id, [])],
                      "locations": places, "first_seen": ad_first, "last_seen": ad_last})
        for place in places:
            timeline.append({"location": place, "first_seen": ad_first})
    timeline.sort(key=lambda t: t["first_seen"])
    cities = list(dict.fromkeys(t["location"] for t in timeline))
    return {"id": cid, "size": size, "first_seen": first_seen, "last_seen": last_seen,
            "sources": list(sources), "cities": cities, "locations": timeline,
            "ads": items, "links": links}


def _urls(conn: sqlite3.Connection, ad_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """``{ad_id: [(source, url), …]}`` from the postings (absent in a bare cluster store)."""
    out: dict[str, list[tuple[str, str]]] = {}
    if not _has_table(conn, "postings"):
        return out
    for chunk in _chunks(ad_ids):
        for ad_id, source, url in conn.execute(
            f"SELECT ad_id, source, url FROM postings WHERE ad_id IN ({_marks(chunk)}) ORDER BY id",
            chunk):
            out.setdefault(ad_id, []).append((source, url))
    return out


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (name,)).fetchone() is not None


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
            (kind, value)).fetchall()
        ads: dict[str, dict[str, Any]] = {}
        clusters: dict[str, int] = {}
        cities: dict[str, None] = {}
        for ad_id, source, url, first, last, cid, locations, size in rows:
            ad = ads.setdefault(ad_id, {"id": ad_id, "sources": [], "urls": [],
                                        "first_seen": first, "last_seen": last,
                                        "cluster": None if cid is None else {"id": cid, "size": size}})
            if source not in ad["sources"]:
                ad["sources"].append(source)
            ad["urls"].append(url)
            ad["last_seen"] = max(ad["last_seen"], last)
            if cid is not None:
                clusters[cid] = size
            cities.update(dict.fromkeys(json.loads(locations or "[]")))
        found = list(ads.values())
        out.append({
            "contact": f"{kind[7:]}:{value}" if kind.startswith("handle:") else value,
            "kind": kind.partition(":")[0],
            "found": bool(found),
            "ads": found,
            "sources": list(dict.fromkeys(s for a in found for s in a["sources"])),
            "cities": list(cities),
            "first_seen": min((a["first_seen"] for a in found), default=None),
            "last_seen": max((a["last_seen"] for a in found), default=None),
            "clusters": [{"id": c, "size": n} for c, n in clusters.items()],
        })
    return out
