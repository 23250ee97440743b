"""``share export``: a flagged-ads file made fit to send to another unit (``trafficscan/share/v1``).

Every phone, e-mail and handle becomes its keyed hash (:mod:`.mask`), every text is masked by
span, and what another unit needs to act stays: indicators (rules, with the matches that do not
touch a contact re-pointed into the masked text), scores, categories, places, dates, cluster
sizes and evidence hashes. Things that would undo the masking are left out: the ad's URL (it
leads to the ad, and ad addresses often hold the number), the unkeyed content id (a hash of the
unmasked text, so a guessed number could be tested against it; the keyed id replaces it) and
the model's explanation. Before anything is written, every string of the document is extracted
once more and searched for the raw phones and e-mails of the input: any hit fails the export.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from trafficscan import __version__
from trafficscan.core.errors import InputError, Problem
from trafficscan.output.redact import (
    Contact,
    ContactHasher,
    ContactLeftError,
    MaskedText,
    assert_no_contacts,
    mask_of,
    mask_text,
    normal_contacts,
)

SHARE_SCHEMA = "trafficscan/share/v1"
FLAGGED_SCHEMA = "trafficscan/flagged/v1"
#: keys whose values are hashes, ids or signatures: hex digits there are not a phone
_OPAQUE_KEYS = frozenset(
    {"hash", "id", "key_id", "sha256", "public_key", "value", "record_id", "mask"}
)


def read_flagged(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The envelope (without items) and the items of a flagged file: ``json`` or ``jsonl``."""
    where = str(path)
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(Problem(file=where, message="file not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(file=where, message=f"cannot read it: {exc}")) from None
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("items"), list):
        header = {k: v for k, v in doc.items() if k != "items"}
        if header.get("schema") not in (None, FLAGGED_SCHEMA):
            raise InputError(
                Problem(
                    file=where,
                    key="schema",
                    message=f"is {header.get('schema')!r}, not {FLAGGED_SCHEMA!r}",
                    hint="export the output of `trafficscan scan` or `score`",
                )
            )
        items = doc["items"]
    else:
        header, items = {}, list(_jsonl(raw, where))
    problems = [
        Problem(file=where, key=f"items[{n}]", message="is not an object")
        for n, item in enumerate(items)
        if not isinstance(item, dict)
    ]
    problems += [
        Problem(
            file=where,
            key=f"items[{n}]",
            message="is redacted: its contacts are gone",
            hint="export the unredacted output; the export masks contacts itself",
        )
        for n, item in enumerate(items)
        if isinstance(item, dict) and item.get("redacted")
    ]
    if problems:
        raise InputError(problems)
    return header, items


def _jsonl(raw: str, where: str) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                Problem(
                    file=where,
                    line=n,
                    message=f"invalid JSON: {exc.msg}",
                    hint="give a flagged file written by scan or score (json or jsonl)",
                )
            ) from None


def _kept_matches(matches: Any, masked: MaskedText) -> list[dict[str, Any]]:
    """Matches re-pointed into the masked text; one that touches a contact is dropped."""
    out = []
    for m in matches or []:
        s, e = m.get("start"), m.get("end")
        if not isinstance(s, int) or not isinstance(e, int) or masked.overlaps_mask(s, e):
            continue
        ns, ne = masked.span(s, e)
        out.append({"text": masked.text[ns:ne], "start": ns, "end": ne})
    return out


def _domains(urls: Any, hasher: ContactHasher, where: str) -> list[str]:
    """The domains of the ad's web addresses (not chat links, which are handles)."""
    out: dict[str, None] = {}
    for url in urls or []:
        url = str(url)
        if mask_text(url, hasher, where=where).regions:
            continue  # a chat link or profile: a contact, already hashed
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
        if host:
            out[host.removeprefix("www.")] = None
    return list(out)


def share_item(item: dict[str, Any], hasher: ContactHasher, where: str) -> dict[str, Any]:
    """One flagged item as a share item (see docs/sharing.md)."""
    text = item.get("text")
    masked = mask_text(
        text if isinstance(text, str) else "", hasher, where=f"{where}: text", links=True
    )
    out: dict[str, Any] = {"id": hasher.keyed_id(str(item.get("id", "")))}
    out["source"] = item.get("source", "")
    for name in ("title", "text", "price", "location"):
        value = item.get(name)
        if name == "text":
            out[name] = masked.text
        elif isinstance(value, str):
            out[name] = mask_text(value, hasher, where=f"{where}: {name}", links=True).text
        else:
            out[name] = ""
    out["posted_at"] = item.get("posted_at", "")
    for name in ("score", "rule_score", "model_score", "flagged"):
        out[name] = item.get(name)
    rules = []
    for hit in item.get("rules") or []:
        if not isinstance(hit, dict):
            continue
        kept = {k: hit[k] for k in ("id", "category", "weight", "title") if k in hit}
        kept["matches"] = _kept_matches(hit.get("matches"), masked)
        rules.append(kept)
    out["categories"] = sorted({str(h["category"]) for h in rules if h.get("category")})
    out["rules"] = rules
    out["indicators"] = _indicators(item.get("explanation"), rules, masked)
    ents: dict[str, Any] = item["entities"] if isinstance(item.get("entities"), dict) else {}
    out["entities"] = {
        "ages": list(ents.get("ages") or []),
        "prices": list(ents.get("prices") or []),
        "locations": list(ents.get("locations") or []),
        "domains": _domains(ents.get("urls"), hasher, f"{where}: url"),
    }
    contacts: dict[Contact, None] = dict.fromkeys([*normal_contacts(ents), *masked.contacts])
    out["contacts"] = [
        {"kind": c.kind, "hash": (h := hasher.hash(c)), "mask": mask_of(c.kind, h)}
        for c in contacts
    ]
    for name in ("first_seen", "last_seen"):
        if item.get(name):
            out[name] = item[name]
    seen = item.get("seen_with")
    if isinstance(seen, dict) and isinstance(seen.get("count"), int):
        out["seen_with_count"] = seen["count"]
    cluster = item.get("cluster")
    if isinstance(cluster, dict) and isinstance(cluster.get("size"), int):
        out["cluster_size"] = cluster["size"]
    evidence = item.get("evidence")
    if isinstance(evidence, dict):
        out["evidence"] = {
            k: evidence[k] for k in ("sha256", "record_id", "fetched_at", "warc") if k in evidence
        }
    return out


def _indicators(
    explanation: Any, rules: list[dict[str, Any]], masked: MaskedText
) -> list[dict[str, Any]]:
    """The explanation's stated indicators, with the words of the kept matches and entity spans
    re-pointed into the masked text (an obfuscated-phone span then covers the phone's mask)."""
    if not isinstance(explanation, dict):
        return []
    words = {h.get("id"): list(dict.fromkeys(m["text"] for m in h["matches"])) for h in rules}
    out: list[dict[str, Any]] = []
    for ind in explanation.get("indicators") or []:
        if not isinstance(ind, dict):
            continue
        kind = ind.get("kind")
        if kind == "rule":
            out.append(
                {
                    "kind": "rule",
                    "id": ind.get("id"),
                    "category": ind.get("category"),
                    "words": words.get(ind.get("id"), []),
                }
            )
        elif kind == "entity":
            spans = [list(masked.span(int(s), int(e))) for s, e in ind.get("spans") or []]
            out.append({"kind": "entity", "name": ind.get("name"), "spans": spans})
        elif kind == "word":
            out.append({"kind": "word", "term": ind.get("term"), "weight": ind.get("weight")})
    return out


def build_share(
    path: Path, hasher: ContactHasher, key_id: str, *, unit: str = "", generated_at: str
) -> dict[str, Any]:
    """The share document for the flagged file at ``path`` (not yet signed)."""
    header, items = read_flagged(path)
    shared = [
        share_item(item, hasher, f"{path}: item {n} ({item.get('id', '?')})")
        for n, item in enumerate(items)
    ]
    contacts = {c["hash"] for it in shared for c in it["contacts"]}
    model = header.get("model") if isinstance(header.get("model"), dict) else None
    doc: dict[str, Any] = {
        "schema": SHARE_SCHEMA,
        "generated_at": generated_at,
        "trafficscan": __version__,
        "unit": unit,
        "key_id": key_id,
        "from": {
            "schema": header.get("schema", FLAGGED_SCHEMA),
            "generated_at": header.get("generated_at"),
            "threshold": header.get("threshold"),
            "model": {k: model[k] for k in ("name", "version", "sha256") if k in model}
            if model
            else None,
        },
        "counts": {"items": len(shared), "contacts": len(contacts)},
        "items": shared,
    }
    check_document(doc, _raw_contacts(items), where=str(path))
    return doc


def _raw_contacts(items: list[dict[str, Any]]) -> set[str]:
    """Plain spellings of the input's phones and e-mails, to prove none is in the output."""
    import phonenumbers

    raw: set[str] = set()
    for item in items:
        ents = item.get("entities") if isinstance(item.get("entities"), dict) else {}
        for c in normal_contacts(ents):
            if c.kind == "email":
                raw.add(c.value)
            elif c.kind == "phone":
                raw.add(c.value)
                with contextlib.suppress(phonenumbers.NumberParseException):
                    raw.add(str(phonenumbers.parse(c.value).national_number))
    return {r for r in raw if len(r) >= 6}


def check_document(doc: Any, raw: set[str], *, where: str) -> None:
    """Fail when any string of ``doc`` holds a contact the extractor reads, or a raw phone or
    e-mail of the input: the proof that the masking held, run on what will be written."""
    for path, value in _strings(doc, "$"):
        assert_no_contacts(value, where=f"{where}: {path}")
        low = value.casefold()
        for r in raw:
            if r in low:
                raise ContactLeftError(
                    f"{where}: {path}: an input contact is still in the share "
                    "file; nothing was written. Please report this, it is a bug."
                )


def _strings(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            if k not in _OPAQUE_KEYS:
                yield from _strings(v, f"{path}.{k}")
    elif isinstance(node, list):
        for n, v in enumerate(node):
            yield from _strings(v, f"{path}[{n}]")
