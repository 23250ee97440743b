"""``share match``: the keyed contact hashes that several share files (or the local history) hold.

Two units that used the same key get the same hash for the same phone, e-mail or handle,
however each ad wrote it, so equal hashes are shared contacts; nothing else about the other
unit's ads is learnt. With ``--key`` the local state database's contacts are hashed under the
key as well and take part under the name ``local``, with our own ad ids.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from trafficscan.core.errors import InputError, Problem
from trafficscan.output.redact import Contact, ContactHasher
from trafficscan.share.export import SHARE_SCHEMA

LOCAL = "local"


@dataclass
class ShareFile:
    label: str  # the path as given: the key of ``ads`` in the json output
    unit: str
    key_id: str
    #: hash -> (kind, ids of the ads holding it, in file order)
    hashes: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SharedContact:
    hash: str
    kind: str
    ads: dict[str, list[str]]  # file label (or "local") -> ad ids

    def to_dict(self) -> dict[str, Any]:
        return {"hash": self.hash, "kind": self.kind, "ads": self.ads}


def read_share(path: Path) -> ShareFile:
    """Read a share file's contact hashes; anything else is an InputError naming the file."""
    where = str(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(Problem(file=where, message="file not found")) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            Problem(
                file=where,
                message=f"not a readable JSON file: {exc}",
                hint="give files written by `trafficscan share export`",
            )
        ) from None
    if not isinstance(doc, dict) or doc.get("schema") != SHARE_SCHEMA:
        got = doc.get("schema") if isinstance(doc, dict) else None
        raise InputError(
            Problem(
                file=where,
                key="schema",
                message=f"is {got!r}, not {SHARE_SCHEMA!r}",
                hint="give files written by `trafficscan share export`",
            )
        )
    out = ShareFile(where, str(doc.get("unit") or ""), str(doc.get("key_id") or ""))
    problems = []
    for n, item in enumerate(doc.get("items") or []):
        contacts = item.get("contacts") if isinstance(item, dict) else None
        if not isinstance(contacts, list):
            problems.append(
                Problem(file=where, key=f"items[{n}].contacts", message="missing or not a list")
            )
            continue
        for c in contacts:
            if not (
                isinstance(c, dict)
                and isinstance(c.get("hash"), str)
                and isinstance(c.get("kind"), str)
            ):
                problems.append(
                    Problem(
                        file=where,
                        key=f"items[{n}].contacts",
                        message="an entry lacks hash or kind",
                    )
                )
                continue
            _, ids = out.hashes.setdefault(c["hash"], (c["kind"], []))
            ad_id = str(item.get("id", ""))
            if ad_id not in ids:
                ids.append(ad_id)
    if problems:
        raise InputError(problems)
    return out


def local_hashes(state: Path, hasher: ContactHasher) -> dict[str, tuple[str, list[str]]]:
    """Every contact of the local history hashed under the key, with our ad ids (oldest first).

    The database is opened read-only (no lock, no migration): a running scan may hold it.
    """
    if not state.is_file():
        raise InputError(
            Problem(
                file=str(state),
                message="no state database here",
                hint="pass --state with the database your scans use",
            )
        )
    try:
        conn = sqlite3.connect(f"file:{quote(str(state.absolute()))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(
            Problem(file=str(state), message=f"cannot open the state database: {exc}")
        ) from None
    try:
        rows = conn.execute(
            "SELECT c.kind, c.value, p.ad_id FROM contacts c "
            "JOIN posting_contacts pc ON pc.contact_id = c.id "
            "JOIN postings p ON p.id = pc.posting_id ORDER BY p.first_seen, p.id"
        ).fetchall()
    except sqlite3.Error as exc:
        raise InputError(
            Problem(
                file=str(state),
                message=f"not a readable trafficscan state database: {exc}",
                hint="pass --state with the database your scans use",
            )
        ) from None
    finally:
        conn.close()
    out: dict[str, tuple[str, list[str]]] = {}
    for kind, value, ad_id in rows:
        if kind.startswith("handle:"):
            contact = Contact("handle", f"{kind[len('handle:') :]}:{value}")
        else:
            contact = Contact(kind, value)
        _, ids = out.setdefault(hasher.hash(contact), (contact.kind, []))
        if ad_id not in ids:
            ids.append(ad_id)
    return out


def find_shared(sources: dict[str, dict[str, tuple[str, list[str]]]]) -> list[SharedContact]:
    """Hashes held by at least two sources, most widely shared first."""
    by_hash: dict[str, dict[str, list[str]]] = defaultdict(dict)
    kinds: dict[str, str] = {}
    for label, hashes in sources.items():
        for h, (kind, ids) in hashes.items():
            by_hash[h][label] = ids
            kinds.setdefault(h, kind)
    shared = [SharedContact(h, kinds[h], ads) for h, ads in by_hash.items() if len(ads) >= 2]
    shared.sort(key=lambda s: (-len(s.ads), -sum(len(v) for v in s.ads.values()), s.kind, s.hash))
    return shared


def describe(shared: list[SharedContact], units: dict[str, str], n_ids: int = 8) -> list[str]:
    """The table as sentences an analyst reads: per shared contact, where it was seen."""
    if not shared:
        return ["No contact in common."]
    lines = [f"{len(shared)} contact{'s' * (len(shared) != 1)} in common:"]
    for s in shared:
        lines.append(f"{s.kind} {s.hash[:16]}…")
        others = [label for label in s.ads if label != LOCAL]
        for label in others:
            ids = s.ads[label]
            name = f"{label} ({units[label]})" if units.get(label) else label
            lines.append(f"  in {name}: {len(ids)} ad{'s' * (len(ids) != 1)}: {_ids(ids, n_ids)}")
        if LOCAL in s.ads:
            ids = s.ads[LOCAL]
            where = " and ".join(others) or "the files"
            lines.append(
                f"  this {s.kind} in {where} is one we saw in {len(ids)} of our ads: "
                f"{_ids(ids, n_ids)}"
            )
    return lines


def _ids(ids: list[str], n: int) -> str:
    shown = ", ".join(ids[:n])
    return shown + (f" … +{len(ids) - n}" if len(ids) > n else "")
