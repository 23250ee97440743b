"""Read ad records (SPEC "Ad records") from JSONL or CSV as a stream, with located errors.

Used by ``score``, ``train`` and ``evaluate``. A bad line raises :class:`InputError` naming the
file and line, so the command exits 2 before anything is written (outputs are atomic); with
``skip_bad`` it is skipped and listed in :attr:`RecordStats.bad` instead. Fields that are not
ad fields are reported once per file (with a "did you mean" for a likely misspelling, since a
``boddy`` field would otherwise silently leave the body unscored) and kept in ``Ad.extra``, so
the output carries the user's own columns (ids, phone columns) through.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import logging
import re
import sys
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import orjson

from trafficscan.core.ad import Ad, join_text
from trafficscan.core.errors import InputError, Problem

DEFAULT_POSITIVE = ("1", "true", "yes", "y")
DEFAULT_NEGATIVE = ("0", "false", "no", "n")
_FIELDS = ("id", "url", "source", "price", "location", "posted_at", "contact")
_TEXT_FIELDS = ("text", "title", "body")
_DELIMITERS = (",", ";", "\t")

log = logging.getLogger("trafficscan.sources.records")


@dataclass(frozen=True, slots=True)
class RecordOptions:
    """How to read a labelled file "as it comes" (--text-column, --label-column, --positive)."""

    text_columns: Sequence[str] = ()
    label_column: str = "label"
    positive: Sequence[str] = ()
    category_column: str = "category"
    need_label: bool = False
    skip_bad: bool = False  # skip invalid lines (listed in RecordStats.bad) instead of raising

    def known_fields(self) -> frozenset[str]:
        """The fields read as part of an ad; every other one is passed through as ``extra``."""
        text = tuple(self.text_columns) or _TEXT_FIELDS
        return frozenset((*_FIELDS, *text, self.label_column, self.category_column))


@dataclass(slots=True)
class RecordStats:
    read: int = 0
    skipped_empty: int = 0
    by_file: dict[str, int] = field(default_factory=dict)
    bad: list[Problem] = field(default_factory=list)  # lines skipped with skip_bad
    unknown_fields: dict[str, list[str]] = field(default_factory=dict)  # per file, as reported


def _open(path: str) -> tuple[TextIO, str]:
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="strict"), "jsonl"
    p = Path(path)
    if not p.exists():
        raise InputError(Problem(file=path, message="file not found"))
    if p.is_dir():
        raise InputError(
            Problem(
                file=path,
                message="is a folder, not a file",
                hint="name the JSONL or CSV files themselves",
            )
        )
    kind = "csv" if p.suffix.lower() in (".csv", ".tsv") else "jsonl"
    return open(p, encoding="utf-8-sig", newline="" if kind == "csv" else None), kind


def read_records(
    paths: Sequence[str | Path],
    opts: RecordOptions = RecordOptions(),
    stats: RecordStats | None = None,
) -> Iterator[Ad]:
    """Yield one :class:`Ad` per record of every file, in order. Streams: O(1) memory."""
    stats = stats if stats is not None else RecordStats()
    positive = {v.strip().lower() for v in opts.positive}
    known = opts.known_fields()
    for raw_path in paths:
        path = str(raw_path)
        fh, kind = _open(path)
        count = 0
        reported: set[str] = set()
        file_name = Path(path).name  # the source of records that do not name their own
        try:
            rows = _jsonl_rows(fh, path) if kind == "jsonl" else _csv_rows(fh, path)
            for line, row in rows:
                try:
                    if isinstance(row, Problem):
                        raise InputError(row)
                    _report_unknown(row, known, reported, path, line, stats)
                    ad = ad_from_record(
                        row,
                        source=file_name,
                        file=path,
                        line=line,
                        opts=opts,
                        positive=positive,
                        known=known,
                    )
                except InputError as exc:
                    if not opts.skip_bad:
                        raise _with_skip_hint(exc) from None
                    stats.bad.extend(exc.problems)
                    log.warning("skipped %s", exc.problems[0])
                    continue
                if ad is None:
                    stats.skipped_empty += 1
                    continue
                count += 1
                stats.read += 1
                yield ad
        except UnicodeDecodeError as exc:
            raise InputError(
                Problem(
                    file=path,
                    message=f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                    hint="convert the file to UTF-8",
                )
            ) from None
        finally:
            if path != "-":
                fh.close()
        stats.by_file[path] = count
        if count == 0:
            raise InputError(
                Problem(
                    file=path,
                    message="no ad records in this file",
                    hint="expected JSONL objects or CSV rows with text, or title and body",
                )
            )


def load_json_line(line: str) -> Any:
    """One JSONL line as Python values, as ``json.loads`` reads it, through orjson (3x faster).

    orjson refuses what Python accepts (``NaN``, lone surrogate escapes) and silently rounds an
    integer beyond 64 bits to a float (a 23-digit case number would lose its last digits and
    collide with its neighbour): such lines are read again by ``json.loads``, which keeps the
    integer exact and words the error for everything truly broken. A ``\\ud800`` escape with no
    partner is valid JSON but no character: it is refused here, naming its column, instead of
    crashing the content id or the output writer later.
    """
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        pass
    else:
        if not _rounded(obj):
            return obj
    obj = json.loads(line)
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        pos = next((m.start() for m in _SURROGATE_ESCAPE.finditer(line) if not m.group(1)), 0)
        raise json.JSONDecodeError(
            "unpaired UTF-16 surrogate escape, not a character", line, pos
        ) from None
    return obj


# a high surrogate escape with its low partner (group 1), or any surrogate escape on its own
_SURROGATE_ESCAPE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
    r"|\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_INT64 = 2.0**63
_NOT_TEXT = frozenset((float, dict, list))


def _rounded(obj: Any) -> bool:
    """Whether orjson may have rounded an integer: a float at or beyond 64-bit range."""
    values = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else (obj,)
    if _NOT_TEXT.isdisjoint(map(type, values)):  # the usual record: strings, ints, null
        return False
    for v in values:
        t = type(v)
        if t is float:
            if abs(v) >= _INT64:
                return True
        elif (t is dict or t is list) and _rounded(v):
            return True
    return False


def input_extra_columns(paths: Sequence[str | Path], opts: RecordOptions) -> tuple[str, ...]:
    """The input files' own columns that are not ad fields, in first-seen order, read from
    each CSV header (or a JSONL file's first record) before scoring starts: a CSV output's
    header has to name them before the first row is written."""
    known = opts.known_fields()
    found: dict[str, None] = {}
    for raw in paths:
        path = str(raw)
        if path == "-" or not Path(path).is_file():
            continue
        try:
            fh, kind = _open(path)
        except InputError:
            continue
        with fh:
            try:
                if kind == "csv":
                    first = fh.readline()
                    names = next(csv.reader([first], delimiter=sniff_delimiter(first, path)), [])
                else:
                    line = next((x for x in fh if x.strip()), "")
                    obj = load_json_line(line) if line else {}
                    names = list(obj) if isinstance(obj, dict) else []
            except (ValueError, UnicodeDecodeError, csv.Error):
                continue  # reading the records proper reports what is wrong with the file
        for name in names:
            name = str(name).strip()
            if name and name not in known:
                found.setdefault(name, None)
    return tuple(found)


def _with_skip_hint(exc: InputError) -> InputError:
    """The first bad line, with the way out: ``--skip-bad`` skips and lists them all."""
    first = exc.problems[0]
    if first.line is None:
        return exc
    hint = f"{first.hint}; " if first.hint else ""
    return InputError(
        Problem(
            file=first.file,
            line=first.line,
            key=first.key,
            message=first.message,
            hint=hint + "or pass --skip-bad to skip bad lines and list them",
        )
    )


def _report_unknown(
    row: dict[str, Any],
    known: frozenset[str],
    reported: set[str],
    path: str,
    line: int,
    stats: RecordStats,
) -> None:
    """Say once per file which fields are not read as the ad, suggesting the likely intended one."""
    new = [k for k in row if k not in known and k not in reported]
    if not new:
        return
    reported.update(new)
    for name in map(str, new):
        stats.unknown_fields.setdefault(path, []).append(name)
        close = difflib.get_close_matches(name.lower(), sorted(known), n=1, cutoff=0.75)
        if close:  # a likely misspelling: the field the user meant is silently not read
            log.warning(
                "%s:%d: field %r is not an ad field (did you mean %r?); it is not "
                "scored, only passed through as extra",
                path,
                line,
                name,
                close[0],
            )
        else:  # the user's own column (a case id, a language tag): kept, said in the log
            log.info("%s:%d: field %r passed through as extra", path, line, name)


def _jsonl_rows(fh: TextIO, path: str) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    for n, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        try:
            obj = load_json_line(line)
        except json.JSONDecodeError as exc:
            yield (
                n,
                Problem(
                    file=path,
                    line=n,
                    message=f"invalid JSON: {exc.msg} (column {exc.colno})",
                    hint="each line must be one JSON object",
                ),
            )
            continue
        if not isinstance(obj, dict):
            yield (
                n,
                Problem(
                    file=path, line=n, message=f"expected a JSON object, got {type(obj).__name__}"
                ),
            )
            continue
        yield n, obj


def sniff_delimiter(header: str, path: str = "") -> str:
    """``,``, ``;`` or tab, whichever splits the header line most (outside quotes): spreadsheets
    in locales with a decimal comma export ``;``-separated "CSV"."""
    if path.lower().endswith(".tsv"):
        return "\t"
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties keep the first: ","
    return best if counts[best] else ","


def _csv_rows(fh: TextIO, path: str) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    csv.field_size_limit(2**31 - 1)
    header_line = fh.readline()
    fh.seek(0)
    delimiter = sniff_delimiter(header_line, path)
    reader = csv.DictReader(fh, delimiter=delimiter)
    try:
        if not reader.fieldnames:
            return
        header = [h.strip() if h else h for h in reader.fieldnames]
        reader.fieldnames = header
        for row in reader:
            if None in row:
                yield (
                    reader.line_num,
                    Problem(
                        file=path,
                        line=reader.line_num,
                        message=f"more fields than the header's {len(header)} columns",
                        hint="quote fields that contain the delimiter",
                    ),
                )
                continue
            yield reader.line_num, row
    except csv.Error as exc:
        raise InputError(
            Problem(file=path, line=reader.line_num, message=f"invalid CSV: {exc}")
        ) from None


def _text(value: Any) -> str:
    if type(value) is str:  # nearly always: one test
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from exported spreadsheets
        return ""
    return str(value)


def ad_from_record(
    row: Any,
    *,
    source: str,
    file: str = "<record>",
    line: int | None = None,
    opts: RecordOptions = RecordOptions(),
    positive: Set[str] | None = None,
    known: frozenset[str] | None = None,
) -> Ad | None:
    """One SPEC "Ad record" as an :class:`Ad`, or ``None`` when it holds no text at all.

    The one place a record becomes an ad, for files (``score``, ``train``, ``evaluate``) and for
    crawled ``jsonl`` sources alike, so a record has the same text and content id whichever way
    it arrives. ``text`` is used when present, with ``title`` before it; otherwise ``title``
    and ``body`` (SPEC: both are read when present); ``--text-column`` names other fields to
    join instead. ``contact`` is kept as a field but not joined into the text: SPEC's text is
    ``text`` or ``title`` and ``body``. Every value is stripped; ``null`` and ``NaN`` (how
    spreadsheets export an empty cell) are empty. The record's own ``source`` wins over
    ``source`` (the file or config name): it says where the ad was originally posted. Fields
    that are not ad fields are kept in ``extra``; ``label`` is read only when ``opts.need_label``.

    Raises :class:`InputError` naming ``file``, ``line`` and the field for a record that is not
    an ad record.
    """
    if not isinstance(row, dict):
        raise InputError(
            Problem(
                file=file, line=line, message=f"expected a JSON object, got {type(row).__name__}"
            )
        )
    if opts.text_columns:
        missing = [c for c in opts.text_columns if c not in row]
        if missing:
            raise InputError(
                Problem(
                    file=file,
                    line=line,
                    key=", ".join(missing),
                    message="text column not found",
                    hint=f"columns here: {', '.join(map(str, row))}",
                )
            )
        text = join_text(*(_text(row[c]) for c in opts.text_columns))
        title = body = ""
    else:
        if "text" not in row and "title" not in row and "body" not in row:
            raise InputError(
                Problem(
                    file=file,
                    line=line,
                    message="no text, title or body field",
                    hint=f"use --text-column to name it; fields here: {', '.join(map(str, row))}",
                )
            )
        title, body = _text(row.get("title")).strip(), _text(row.get("body")).strip()
        text = _text(row.get("text")).strip()
        text = join_text(title, text or body) if text else join_text(title, body)
    if not text:  # join_text strips every part: empty or whitespace-only is ""
        return None
    label: int | None = None
    if opts.need_label:
        if opts.label_column not in row:
            raise InputError(
                Problem(
                    file=file,
                    line=line,
                    key=opts.label_column,
                    message="label column not found",
                    hint=f"use --label-column; fields here: {', '.join(map(str, row))}",
                )
            )
        if positive is None:
            positive = {v.strip().lower() for v in opts.positive}
        label = parse_label(row[opts.label_column], positive, file, line)
    if known is None:
        known = opts.known_fields()
    # fields an ad lacks cost a dict lookup, not a conversion and a strip
    fields = {k: _text(row[k]).strip() for k in _FIELDS if k in row}
    get = fields.get
    category = row.get(opts.category_column)
    extra = {str(k): v for k, v in row.items() if k not in known}
    return Ad(
        source=get("source") or source,
        url=get("url", ""),
        title=title,
        body=body,
        price=get("price", ""),
        location=get("location", ""),
        posted_at=get("posted_at", ""),
        contact=get("contact", ""),
        id=get("id", ""),
        label=label,
        category=_text(category).strip() if category is not None else "",
        text=text,
        extra=extra,
    )


def parse_label(value: Any, positive: Set[str], path: str, line: int | None) -> int:
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
    raise InputError(
        Problem(
            file=path,
            line=line,
            message=f"unknown label {raw!r}",
            hint="labels are 1/0; for other values name the positive ones with --positive",
        )
    )
