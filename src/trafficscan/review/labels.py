"""Analyst labels as JSONL ad records: ``labels export`` writes them, ``labels import`` reads them.

A labels file is an ad-records file (SPEC "Ad records") with four more fields: ``label``
(1 = signal, 0 = not a signal), ``analyst``, ``labelled_at`` (ISO-8601 UTC) and ``note``. It is
valid input to ``trafficscan train`` as it stands, so labels move between machines and into a
training set without a conversion step. Skips are not labels and are never exported.

Import is all or nothing: every line is validated before the first row is written, every bad
line is reported with its number, and the rows go in in one transaction. A half-imported file
would leave an analyst unsure which verdicts the tool now holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from trafficscan.core.ad import content_id, join_text
from trafficscan.core.errors import InputError, Problem
from trafficscan.review.verdicts import AD_FIELDS, Label, Verdict, VerdictStore, text_hash
from trafficscan.state.db import normalize_time

_SIGNAL = {"1", "true", "yes", "signal"}
_NOT_SIGNAL = {"0", "false", "no", "not_signal", "not a signal"}
_LABEL_HINT = "use 1 (signal) or 0 (not a signal)"


def verdict_to_record(v: Verdict) -> dict[str, Any]:
    """The exported line: the ad as reviewed, then the verdict."""
    ad = {k: v.record[k] for k in AD_FIELDS if k in v.record}
    return {
        **ad,
        "id": v.ad_id,
        "label": 1 if v.label == "signal" else 0,
        "analyst": v.analyst,
        "labelled_at": v.labelled_at,
        "note": v.note,
    }


def export_lines(store: VerdictStore) -> Iterator[str]:
    for v in store.all(("signal", "not_signal")):
        yield json.dumps(verdict_to_record(v), ensure_ascii=False) + "\n"


def parse_labels(path: Path, *, analyst: str, now: str) -> list[Verdict]:
    """Every row of ``path`` as a verdict, or InputError listing every bad line.

    ``analyst`` and ``now`` fill in rows that lack ``analyst`` / ``labelled_at`` (labels from
    a spreadsheet): the importing analyst vouches for them, at the time of the import.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            Problem(file=str(path), message=f"cannot read it: {exc.strerror or exc}")
        ) from exc
    try:
        lines = raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem(file=str(path), message="is not UTF-8 text", hint="save it as UTF-8 JSON lines")
        ) from exc
    verdicts: list[Verdict] = []
    problems: list[Problem] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        row_or_problem = _parse_row(line, str(path), n, analyst=analyst, now=now)
        if isinstance(row_or_problem, Problem):
            problems.append(row_or_problem)
        else:
            verdicts.append(row_or_problem)
    if problems:
        raise InputError(problems)
    if not verdicts:
        raise InputError(
            Problem(
                file=str(path),
                message="holds no labels",
                hint="one JSON object per line, each with text and label",
            )
        )
    return verdicts


def _parse_row(line: str, path: str, n: int, *, analyst: str, now: str) -> Verdict | Problem:
    def bad(message: str, key: str | None = None, hint: str | None = None) -> Problem:
        return Problem(file=path, line=n, key=key, message=message, hint=hint)

    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return bad(f"not valid JSON ({exc.msg}, column {exc.colno})")
    if not isinstance(row, dict):
        return bad("not a JSON object", hint='one ad record per line: {"text": ..., "label": 1}')
    for key in ("text", "title", "body", "analyst", "note", "id"):
        if key in row and row[key] is not None and not isinstance(row[key], str):
            return bad(f"must be a string, not {type(row[key]).__name__}", key)
    text = row.get("text") or join_text(row.get("title") or "", row.get("body") or "")
    if not text.strip():
        return bad("the ad has no text", "text", "give text, or title and body")
    label = _label(row.get("label"))
    if label is None:
        shown = json.dumps(row.get("label")) if "label" in row else "missing"
        return bad(f"{shown} is not a label", "label", _LABEL_HINT)
    when = row.get("labelled_at")
    if when in (None, ""):
        when = now
    else:
        try:
            when = normalize_time(str(when))
            datetime.fromisoformat(when)
        except ValueError:
            return bad(
                f"{when!r} is not an ISO-8601 time", "labelled_at", "e.g. 2026-11-20T09:30:00Z"
            )
    record = {k: row[k] for k in AD_FIELDS if k in row and row[k] is not None}
    record["text"] = text
    ad_id = row.get("id") or content_id(text)
    record["id"] = ad_id
    return Verdict(
        ad_id=ad_id,
        text_hash=text_hash(text),
        label=label,
        analyst=(row.get("analyst") or "").strip() or analyst,
        labelled_at=when,
        note=row.get("note") or "",
        score=None,
        record=record,
    )


def _label(value: Any) -> Label | None:
    if isinstance(value, bool):
        return "signal" if value else "not_signal"
    if isinstance(value, int | float) and value in (0, 1):
        return "signal" if value == 1 else "not_signal"
    if isinstance(value, str):
        key = value.strip().casefold()
        if key in _SIGNAL:
            return "signal"
        if key in _NOT_SIGNAL:
            return "not_signal"
    return None
