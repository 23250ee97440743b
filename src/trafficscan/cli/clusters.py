"""``trafficscan clusters`` and ``trafficscan lookup``: read the state database, never write it.

Both open the database read-only and without the scan lock (a running scan may hold it; WAL
lets us read meanwhile), so an analyst can answer a complaint while the nightly scan runs.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from trafficscan.core.errors import EXIT_OK, InputError, Problem


def _open(state: Path | None) -> sqlite3.Connection:
    from trafficscan.state import state_path

    path = state_path(state)
    if not path.is_file():
        raise InputError(
            Problem(
                file=str(path),
                message="no state database here",
                hint="pass --state with the database your scans use",
            )
        )
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro", uri=True)
        conn.execute("SELECT 1 FROM cluster_ads LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        hint = (
            "run `trafficscan scan --state` with this version first: it adds the cluster tables"
            if "no such table" in str(exc)
            else "pass --state with the database your scans use"
        )
        raise InputError(
            Problem(file=str(path), message=f"no clusters in this database ({exc})", hint=hint)
        ) from None
    return conn


def clusters_command(state: Path | None, min_size: int, fmt: str) -> int:
    """Print the clusters of the history, most spread first."""
    from trafficscan.clusters.store import list_clusters

    conn = _open(state)
    try:
        found = list_clusters(conn, min_size)
    finally:
        conn.close()
    if fmt == "json":
        sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False)
    if not found:
        console.print(f"no cluster of {min_size} or more ads")
        return EXIT_OK
    table = Table(
        title=f"{len(found)} clusters of {min_size}+ ads, most spread first", title_justify="left"
    )
    for name, justify in (
        ("cluster", "left"),
        ("ads", "right"),
        ("states", "left"),
        ("cities", "left"),
        ("sources", "left"),
        ("linked by", "left"),
        ("first seen", "left"),
        ("last seen", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for c in found:
        by: dict[str, int] = {}
        for link in c["links"]:
            by[link["by"]] = by.get(link["by"], 0) + 1
        table.add_row(
            escape(c["id"]),
            str(c["size"]),
            escape(", ".join(c.get("states") or []) or "—"),
            escape(", ".join(c["cities"]) or "—"),
            escape(", ".join(c["sources"])),
            ", ".join(f"{k} ×{n}" for k, n in sorted(by.items())),
            c["first_seen"],
            c["last_seen"],
        )
    console.print(table)
    return EXIT_OK


def parse_contacts(values: list[str]) -> list[tuple[str, str]]:
    """Each argument through the features extractor, so any spelling finds the stored key."""
    from trafficscan.features import extract
    from trafficscan.features.contact_keys import contacts_of

    out: list[tuple[str, str]] = []
    bad: list[Problem] = []
    for value in values:
        found = contacts_of(extract(value).entities())
        if not found and not value.lstrip().startswith("@"):
            found = contacts_of(extract("@" + value.strip()).entities())  # a bare handle
        if not found:
            bad.append(
                Problem(
                    file="<argument>",
                    key=value,
                    message="not a phone number, e-mail or handle",
                    hint="write a phone with its digits (+91 90000 12345), an e-mail, "
                    "or a handle as @name or 'instagram: name'",
                )
            )
        out += [c for c in found if c not in out]
    if bad:
        raise InputError(bad)
    return out


def lookup_command(contacts: list[str], state: Path | None, fmt: str) -> int:
    """Has this contact appeared in our scans? Exit 0 when any was found, 1 when none was."""
    from trafficscan.clusters.store import lookup

    keys = parse_contacts(contacts)
    conn = _open(state)
    try:
        found = lookup(conn, keys)
    finally:
        conn.close()
    if fmt == "json":
        sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_lookup(found)
    return EXIT_OK if any(f["found"] for f in found) else 1


def _print_lookup(found: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=True)
    for f in found:
        if not f["found"]:
            console.print(f"[bold]{escape(f['contact'])}[/]: not seen in any scan")
            continue
        n = len(f["ads"])
        console.print(
            f"[bold]{escape(f['contact'])}[/]: {n} ad{'s' * (n != 1)} · "
            f"first seen {f['first_seen']} · last seen {f['last_seen']}"
        )
        console.print(f"  sources: {escape(', '.join(f['sources']))}")
        console.print(f"  cities: {escape(', '.join(f['cities']) or '—')}")
        for c in f["clusters"]:
            console.print(f"  cluster {escape(c['id'])} ({c['size']} ad{'s' * (c['size'] != 1)})")
        for ad in f["ads"][:10]:
            console.print(f"  • {escape(ad['id'])} {escape(' '.join(ad['urls'][:2]))}")
        if n > 10:
            console.print(f"  … and {n - 10} more (--format json lists all)")
