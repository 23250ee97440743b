"""Read ad records (SPEC "Ad records") from JSONL or CSV as a stream, with located errors.

Used by ``score``, ``train`` and ``evaluate``. A bad line raises :class:`InputError` naming the
file and line, so the command exits 2 before anything is written (outputs are atomic).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import orjson

from trafficscan.ad import Ad, join_text
from trafficscan.errors import InputError, Problem

DEFAULT_POSITIVE = ("1", "true", "yes", "y")
DEFAULT_NEGATIVE = ("0", "false", "no", "n")
_FIELDS = ("id", "url", "source", "price", "location", "posted_at", "contact")


@dataclass(frozen=True, slots=True)
class RecordOptions:
    """How to read a labelled file "as it comes" (--text-column, --label-column, --positive)."""

    text_columns: Sequence[str] = ()
    label_column: str = "label"
    positive: Sequence[str] = ()
    category_column: str = "category"
    need_label: bool = False


@dataclass(slots=True)
class RecordStats:
    read: int = 0
    skipped_empty: int = 0
    by_file: dict[str, int] = field(default_factory=dict)


def _open(path: str) -> tuple[TextIO, str]:
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="strict"), "jsonl"
    p = Path(path)
    if not p.exists():
        raise InputError(Problem(file=path, message="file not found"))
    if p.is_dir():
        raise InputError(Problem(file=path, message="is a folder, not a file",
                                 hint="name the JSONL or CSV files themselves"))
    kind = "csv" if p.suffix.lower() in (".csv", ".tsv") else "jsonl"
    return open(p, encoding="utf-8-sig", newline="" if kind == "csv" else None), kind


def read_records(paths: Sequence[str | Path], opts: RecordOptions = RecordOptions(),
                 stats: RecordStats | None = None) -> Iterator[Ad]:
    """Yield one :class:`Ad` per record of every file, in order. Streams: O(1) memory."""
    stats = stats if stats is not None else RecordStats()
    positive = {v.strip().lower() for v in opts.positive}
    for raw_path in paths:
        path = str(raw_path)
        fh, kind = _open(path)
        count = 0
        try:
            rows = _jsonl_rows(fh, path) if kind == "jsonl" else _csv_rows(fh, path)
            for line, row in rows:
                ad = _to_ad(row, path, line, opts, positive)
                if ad is None:
                    stats.skipped_empty += 1
                    continue
                count += 1
                stats.read += 1
                yield ad
        except UnicodeDecodeError as exc:
            raise InputError(Problem(file=path, message=f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                     hint="convert the file to UTF-8")) from None
        finally:
            if path != "-":
                fh.close()
        stats.by_file[path] = count
        if count == 0:
            raise InputError(Problem(file=path, message="no ad records in this file",
                                     hint="expected JSONL objects or CSV rows with text, or title and body"))


def _loads(line: str) -> Any:
    """``json.loads``, through orjson (3x faster) for the lines it accepts. What it refuses
    goes to ``json.loads``, which accepts what Python always did (NaN, integers beyond 64 bits)
    and words the error for everything else."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)


def _jsonl_rows(fh: TextIO, path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for n, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        try:
            obj = _loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(Problem(file=path, line=n, message=f"invalid JSON: {exc.msg} (column {exc.colno})",
                                     hint="each line must be one JSON object")) from None
        if not isinstance(obj, dict):
            raise InputError(Problem(file=path, line=n, message=f"expected a JSON object, got {type(obj).__name__}"))
        yield n, obj


def _csv_rows(fh: TextIO, path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    csv.field_size_limit(2**31 - 1)
    sample = fh.read(4096)
    fh.seek(0)
    delimiter = "\t" if path.lower().endswith(".tsv") or (sample.count("\t") > sample.count(",")) else ","
    reader = csv.DictReader(fh, delimiter=delimiter)
    try:
        if not reader.fieldnames:
            return
        header = [h.strip() if h else h for h in reader.fieldnames]
        reader.fieldnames = header
        for row in reader:
            if None in row:
                raise InputError(Problem(file=path, line=reader.line_num,
                                         message=f"more fields than the header's {len(header)} columns",
                                         hint="quote fields that contain the delimiter"))
            yield reader.line_num, row
    except csv.Error as exc:
        raise InputError(Problem(file=path, line=reader.line_num, message=f"invalid CSV: {exc}")) from None


def _text(value: Any) -> str:
    if type(value) is str:  # nearly always: one test
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from exported spreadsheets
        return ""
    return str(value)


def _to_ad(row: dict[str, Any], path: str, line: int, opts: RecordOptions,
           positive: set[str]) -> Ad | None:
    if opts.text_columns:
        missing = [c for c in opts.text_columns if c not in row]
        if missing:
            raise InputError(Problem(file=path, line=line, key=", ".join(missing),
                                     message="text column not found",
                                     hint=f"columns here: {', '.join(map(str, row))}"))
        text = join_text(*(_text(row[c]) for c in opts.text_columns))
        title = body = ""
    else:
        if "text" not in row and "title" not in row and "body" not in row:
            raise InputError(Problem(file=path, line=line,
                                     message="no text, title or body field",
                                     hint=f"use --text-column to name it; fields here: {', '.join(map(str, row))}"))
        title, body = _text(row.get("title")).strip(), _text(row.get("body")).strip()
        text = _text(row.get("text")).strip()
        text = join_text(title, text or body) if text else join_text(title, body)
    if not text.strip():
        return None
    label: int | None = None
    if opts.need_label:
        if opts.label_column not in row:
            raise InputError(Problem(file=path, line=line, key=opts.label_column,
                                     message="label column not found",
                                     hint=f"use --label-column; fields here: {', '.join(map(str, row))}"))
        label = parse_label(row[opts.label_column], positive, path, line)
    # fields an ad lacks cost a dict lookup, not a conversion and a strip
    fields = {k: _text(row[k]).strip() for k in _FIELDS if k in row}
    get = fields.get
    category = row.get(opts.category_column)
    return Ad(source=get("source") or _file_name(path), url=get("url", ""), title=title,
              body=body, price=get("price", ""), location=get("location", ""),
              posted_at=get("posted_at", ""), contact=get("contact", ""), id=get("id", ""),
              label=label, category=_text(category).strip() if category is not None else "",
              text=text)


@functools.lru_cache(maxsize=64)
def _file_name(path: str) -> str:
    return Path(path).name


def parse_label(value: Any, positive: set[str], path: str, line: int) -> int:
    raw = _text(value).strip()
    low = raw.lower()
    if low.endswith(".0"):
        low = low[:-2]
    if positive:
        return int(low in positive)
    if low in DEFAULT_POSITIVE:
        return 1
    if low in DEFAULT_NEGATIVE:
        return 0
    raise InputError(Problem(file=path, line=line, message=f"unknown label {raw!r}",
                             hint="labels are 1/0; for other values name the positive ones with --positive"))
