"""Read a flagged-ads file for the report: the ``json`` envelope ``scan`` writes, or ``jsonl``.

The report is often made days later, on another machine, from a file that travelled by USB
stick or e-mail; a truncated or hand-edited file must end in a message naming the file, the
line and what is wrong (exit 2), never in a trace or in a report that silently lacks ads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trafficscan.core.errors import InputError, Problem

#: Item fields the report cannot do without; everything else is optional and shown when present.
REQUIRED_ITEM_KEYS = ("id", "text", "score")


@dataclass(slots=True)
class FlaggedFile:
    """What the report shows: the envelope's header (``scan``, ``threshold``, ...) and its items."""

    path: str
    header: dict[str, Any] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)


def load_flagged(path: str | Path) -> FlaggedFile:
    """Read ``path``; a JSON envelope with ``items``, or one item per line (JSONL)."""
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError(
            Problem(
                file=name,
                message="file not found",
                hint="give the JSON file a scan wrote, e.g. flagged-20261203-101500.json",
            )
        )
    if p.is_dir():
        raise InputError(Problem(file=name, message="is a folder, not a file"))
    try:
        raw = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem(
                file=name,
                message=f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                hint="give the JSON file a scan wrote",
            )
        ) from None
    if not raw.strip():
        raise InputError(
            Problem(file=name, message="is empty", hint="give the JSON file a scan wrote")
        )
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        if raw.lstrip().startswith("{") and "\n" in raw.strip() and _looks_like_jsonl(raw):
            return _load_jsonl(name, raw)
        raise InputError(
            Problem(
                file=name,
                line=exc.lineno,
                message=f"invalid JSON: {exc.msg} (column {exc.colno})",
                hint="the file may be cut short; write it again with trafficscan scan",
            )
        ) from None
    if isinstance(doc, dict) and "items" in doc:
        items = doc["items"]
        if not isinstance(items, list):
            raise InputError(Problem(file=name, key="items", message="must be a list of ads"))
        header = {k: v for k, v in doc.items() if k != "items"}
        flagged = FlaggedFile(name, header, [])
        for n, item in enumerate(items):
            flagged.items.append(_check_item(item, name, key=f"items[{n}]"))
        return flagged
    if isinstance(doc, dict):  # a JSONL file holding a single item
        return FlaggedFile(name, {}, [_check_item(doc, name, line=1)])
    raise InputError(
        Problem(
            file=name,
            message=f"expected a JSON object with 'items', got {type(doc).__name__}",
            hint="give the JSON file a scan wrote",
        )
    )


def _looks_like_jsonl(raw: str) -> bool:
    first = raw.lstrip().split("\n", 1)[0]
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False


def _load_jsonl(name: str, raw: str) -> FlaggedFile:
    flagged = FlaggedFile(name)
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                Problem(file=name, line=n, message=f"invalid JSON: {exc.msg} (column {exc.colno})")
            ) from None
        flagged.items.append(_check_item(obj, name, line=n))
    return flagged


def _check_item(
    item: Any, name: str, *, key: str | None = None, line: int | None = None
) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InputError(
            Problem(
                file=name,
                line=line,
                key=key,
                message=f"expected an ad object, got {type(item).__name__}",
            )
        )
    missing = [k for k in REQUIRED_ITEM_KEYS if k not in item]
    if missing:
        raise InputError(
            Problem(
                file=name,
                line=line,
                key=key,
                message=f"ad lacks {', '.join(missing)}",
                hint="is this a flagged-ads file written by trafficscan scan or score?",
            )
        )
    if not isinstance(item["text"], str):
        raise InputError(
            Problem(
                file=name,
                line=line,
                key=f"{key}.text" if key else "text",
                message="must be a string",
            )
        )
    if not isinstance(item["score"], int | float) or isinstance(item["score"], bool):
        raise InputError(
            Problem(
                file=name,
                line=line,
                key=f"{key}.score" if key else "score",
                message="must be a number",
            )
        )
    return item


__all__ = ["FlaggedFile", "load_flagged"]
