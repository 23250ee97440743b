"""Streaming, atomic output writers.

Files are written to a temporary file in the target folder with mode 0600 (they hold phone
numbers of possible victims) and renamed into place only when complete: a killed scan leaves
no partial output. ``-`` writes to standard output.

``jsonl`` and ``csv`` stream in input order. ``json`` must sort items by score inside one
envelope whose ``scan`` summary is only known at the end, so each item is spooled to a temporary
file as it arrives and only ``(score, offset, length)`` stays in memory (~40 bytes an item);
closing sorts that index and copies the items into the envelope.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from trafficscan.core.finding import Finding
from trafficscan.output.items import SCHEMA, redact_item

FORMATS = ("json", "jsonl", "csv")

CSV_COLUMNS = (
    "id",
    "source",
    "url",
    "title",
    "text",
    "price",
    "location",
    "posted_at",
    "score",
    "rule_score",
    "model_score",
    "flagged",
    "phones",
    "emails",
    "handles",
    "urls",
    "ages",
    "prices",
    "locations",
    "rule_ids",
    "categories",
    "matched_words",
    "first_seen",
    "last_seen",
    "new",
    "seen_with_count",
)


def default_output_name(fmt: str, now: datetime | None = None) -> str:
    now = now or datetime.now()
    return f"flagged-{now:%Y%m%d-%H%M%S}.{fmt}"


def _dumps(obj: Any) -> str:
    """Compact JSON, UTF-8 text as is, through orjson: half the cost of ``json.dumps`` (13 µs
    less an ad) and the same bytes for all 40,000 benchmark records. It differs only in
    spelling huge or tiny floats (``1e16``, not ``1e+16``: the same number) and in writing
    NaN as ``null`` (valid JSON). What it refuses, such as an integer beyond 64 bits copied
    from an input file, goes through ``json.dumps``."""
    try:
        return orjson.dumps(obj).decode("utf-8")
    except TypeError:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def flatten_for_csv(rec: dict[str, Any]) -> dict[str, str]:
    """Nested fields become ``;``-joined text so a spreadsheet shows them in one cell."""
    ents = rec.get("entities") or {}
    rules = rec.get("rules") or []

    def join(values: Iterable[Any]) -> str:
        return ";".join(str(v) for v in values)

    row = {k: rec.get(k) for k in CSV_COLUMNS}
    row["phones"] = join(ents.get("phones", []))
    row["emails"] = join(ents.get("emails", []))
    row["handles"] = join(f"{h['platform']}:{h['value']}" for h in ents.get("handles", []))
    row["urls"] = join(ents.get("urls", []))
    row["ages"] = join(ents.get("ages", []))
    row["prices"] = join(f"{p['amount']:g} {p['currency']}" for p in ents.get("prices", []))
    row["locations"] = join(ents.get("locations", []))
    row["rule_ids"] = join(h["id"] for h in rules)
    row["categories"] = join(sorted({h["category"] for h in rules}))
    row["matched_words"] = join(m["text"] for h in rules for m in h.get("matches", []))
    sw = rec.get("seen_with")
    row["seen_with_count"] = sw.get("count") if isinstance(sw, dict) else ""
    return {
        k: "" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
        for k, v in row.items()
    }


def csv_columns(extra_columns: Sequence[str] = ()) -> tuple[str, ...]:
    """The CSV header: the fixed columns, then an input file's own columns passed through
    (``input_<name>`` where a name is already taken, e.g. a user's own ``score``)."""
    return (*CSV_COLUMNS, *(_extra_name(c) for c in extra_columns))


def _extra_name(column: str) -> str:
    return f"input_{column}" if column in CSV_COLUMNS else column


def encode_record(
    record: dict[str, Any],
    fmt: str,
    *,
    redact_key: bytes | None = None,
    extra_columns: Sequence[str] = (),
    findings: Sequence[Finding] | None = None,
) -> str:
    """One output record as the text the writer stores: a JSONL line, a CSV row, or compact
    JSON for the envelope's spool. Pure, so worker processes can do it in parallel.

    With ``redact_key`` the record is redacted under that key: one key for a whole output (the
    writer's :attr:`OutputWriter.redact_key`, passed to every worker), so masks agree; its text
    is masked by ``findings``, the scorer's contact findings (``ScoredAd.findings``), when given."""
    if redact_key is not None:
        # passed-through input columns may hold contacts that masking cannot see: dropped
        record = {k: v for k, v in record.items() if k != "extra"}
        record = redact_item(record, redact_key, findings=findings)
    if fmt == "csv":
        row = flatten_for_csv(record)
        extra = record.get("extra") or {}
        for col in extra_columns:
            value = extra.get(col)
            row[_extra_name(col)] = (
                "" if value is None else (value if isinstance(value, str) else _dumps(value))
            )
        buf = io.StringIO()
        csv.DictWriter(buf, fieldnames=csv_columns(extra_columns), extrasaction="ignore").writerow(
            row
        )
        return buf.getvalue()
    return _dumps(record) + "\n" if fmt == "jsonl" else _dumps(record)


class OutputWriter:
    """Write output records; call :meth:`close` with the envelope header on success."""

    def __init__(
        self,
        target: str,
        fmt: str,
        *,
        redact: bool = False,
        bom: bool = False,
        redact_key: bytes | None = None,
        extra_columns: Sequence[str] = (),
    ) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        self.target = target
        self.fmt = fmt
        self.redact = redact or redact_key is not None
        #: The key of ``--redact``: a share key when given, else random for this output only
        #: (then forgotten), so nobody can test guessed numbers against its masks.
        self.redact_key = (
            redact_key if redact_key is not None else (secrets.token_bytes(32) if redact else None)
        )
        self.extra_columns = tuple(extra_columns)  # input columns CSV passes through
        self.count = 0
        self._tmp_path: str | None = None
        self._index: list[tuple[float, int, int]] = []
        self._spool: IO[bytes] | None = None
        self._anon_fd: int | None = None
        if target == "-":
            self._out: IO[str] = sys.stdout
        else:
            folder = os.path.dirname(os.path.abspath(target))
            fd = _anonymous_file(folder)
            if fd is not None:  # Linux: a nameless file, gone if we are killed
                self._anon_fd = fd
            else:  # elsewhere: a hidden .part file, renamed into place when complete
                fd, self._tmp_path = tempfile.mkstemp(
                    prefix=f".{os.path.basename(target)}.", suffix=".part", dir=folder
                )
                os.fchmod(fd, 0o600)
            self._out = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115
        if fmt == "csv":
            if bom:  # Excel reads a BOM-less CSV as ANSI: Devanagari and ₹ come out garbled
                self._out.write("\ufeff")
            csv.DictWriter(self._out, fieldnames=csv_columns(self.extra_columns)).writeheader()
        elif fmt == "json":
            self._spool = tempfile.TemporaryFile()  # noqa: SIM115 - anonymous: gone if killed

    def write(self, record: dict[str, Any], *, findings: Sequence[Finding] | None = None) -> None:
        """Encode and write one record; ``findings``: its scorer's contact findings, which
        ``--redact`` masks (``ScoredAd.findings``; ``None`` extracts the text again)."""
        self.write_encoded(
            encode_record(
                record,
                self.fmt,
                redact_key=self.redact_key,
                extra_columns=self.extra_columns,
                findings=findings,
            ),
            record.get("score"),
        )

    def write_encoded(self, text: str, score: float | None) -> None:
        """Write a record already encoded by :func:`encode_record` (e.g. in a worker process)."""
        self.write_encoded_many(((text, score),))

    def write_encoded_many(self, records: Sequence[tuple[str, float | None]]) -> None:
        """:meth:`write_encoded` for a batch of (text, score) pairs, one write call for all."""
        self.count += len(records)
        if self.fmt != "json":
            self._out.write("".join([text for text, _ in records]))
            return
        assert self._spool is not None
        for text, score in records:
            data = text.encode("utf-8")
            offset = self._spool.tell()
            self._spool.write(data)
            # sort key: score descending, then arrival order (stable and deterministic)
            self._index.append((-(score or 0.0), offset, len(data)))

    def close(self, header: dict[str, Any] | None = None) -> str:
        """Finish the output. For ``json``, ``header`` is the envelope (schema, scan, ...)."""
        if self.fmt == "json":
            self._write_envelope(header or {})
        self._out.flush()
        if self._anon_fd is not None:
            os.fsync(self._out.fileno())
            _link_into_place(self._out.fileno(), self.target)
            self._out.close()
            self._anon_fd = None
        elif self._tmp_path is not None:
            os.fsync(self._out.fileno())
            self._out.close()
            os.replace(self._tmp_path, self.target)
            self._tmp_path = None
        return self.target

    def abort(self) -> None:
        """Drop a partial output: nothing half-written is ever left at the target path."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        if self._anon_fd is not None:
            self._out.close()  # the nameless file disappears with its descriptor
            self._anon_fd = None
        if self._tmp_path is not None:
            try:
                self._out.close()
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(self._tmp_path)
                self._tmp_path = None

    def _write_envelope(self, header: dict[str, Any]) -> None:
        assert self._spool is not None
        env = {"schema": SCHEMA, **header}
        env.pop("items", None)
        head = json.dumps(env, ensure_ascii=False, indent=2)
        # open the envelope, stream the sorted items, close it
        self._out.write(head[:-2] + ',\n  "items": [')
        self._index.sort()
        spool = self._spool
        for n, (_, offset, length) in enumerate(self._index):
            spool.seek(offset)
            item = json.loads(spool.read(length))
            text = json.dumps(item, ensure_ascii=False, indent=2)
            self._out.write(("\n    " if n == 0 else ",\n    ") + text.replace("\n", "\n    "))
        self._out.write("\n  ]\n}\n" if self._index else "]\n}\n")
        spool.close()
        self._spool = None
        self._index = []


def _anonymous_file(folder: str) -> int | None:
    """An unnamed file in ``folder`` (Linux ``O_TMPFILE``), mode 0600; None where unsupported.

    A scan killed with SIGKILL then leaves nothing behind: not even a temporary file holding
    phone numbers. The file gets its name only in :func:`_link_into_place`, once complete.
    """
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, 0o600)
    except OSError:  # file system without O_TMPFILE support
        return None


def _link_into_place(fd: int, target: str) -> None:
    """Give the finished nameless file its name atomically (link to a temp name, rename)."""
    folder = os.path.dirname(os.path.abspath(target))
    # a dir fd makes CPython call linkat(AT_SYMLINK_FOLLOW); plain link() would not follow
    # the /proc/self/fd magic link
    dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for attempt in range(100):
            tmp = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}.{attempt}.part")
            try:
                os.link(f"/proc/self/fd/{fd}", tmp, src_dir_fd=dir_fd, follow_symlinks=True)
                break
            except FileExistsError:
                continue
        else:
            raise OSError(f"cannot create a temporary name beside {target}")
    finally:
        os.close(dir_fd)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def open_writer(
    target: str | Path | None,
    fmt: str,
    *,
    redact: bool = False,
    now: datetime | None = None,
    bom: bool = False,
    redact_key: bytes | None = None,
    extra_columns: Sequence[str] = (),
) -> OutputWriter:
    name = str(target) if target is not None else default_output_name(fmt, now)
    return OutputWriter(
        name, fmt, redact=redact, bom=bom, redact_key=redact_key, extra_columns=extra_columns
    )


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


__all__ = ["CSV_COLUMNS", "FORMATS", "OutputWriter", "flatten_for_csv", "open_writer", "utc_now"]
