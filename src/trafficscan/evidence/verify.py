"""``trafficscan evidence verify``: re-read WARC files and recompute every digest.

The check is warcio's own (``ArchiveIterator(check_digests=True)``), so a file that passes
here passes in any web-archive tool; we only add what an analyst needs to act on a failure:
the file, the record's offset and its ``WARC-Record-ID``. With the state database, the
index is checked too: every record it lists must still be in its file, with the body
SHA-256 the ad's ``evidence`` quotes.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: Record types that carry content and so must carry digests (warcinfo: block only).
_DIGESTED = frozenset({"response", "request", "resource"})


@dataclass(frozen=True, slots=True)
class Failure:
    file: str
    offset: int | None
    record_id: str | None
    problem: str

    def __str__(self) -> str:
        where = self.file + (f" at offset {self.offset}" if self.offset is not None else "")
        record = f" record {self.record_id}" if self.record_id else ""
        return f"{where}{record}: {self.problem}"


@dataclass(slots=True)
class Verification:
    files: int = 0
    records: int = 0
    bytes: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    #: record id -> hex SHA-256 of its HTTP body, from the payload digest (responses only)
    payload_sha256: dict[str, str] = field(default_factory=dict)
    checked: set[Path] = field(default_factory=set)  # absolute paths of the files read
    #: cut-off last records of a writer that was killed: reported, not failures
    incomplete: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def warc_files(paths: Iterable[Path]) -> list[Path]:
    """The WARC files under ``paths`` (files as given, folders searched), in a stable order."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(
                q for q in p.rglob("*") if q.name.endswith((".warc.gz", ".warc")) and q.is_file()
            )
        else:
            found.append(p)
    return found


def _hex_of(digest: str | None) -> str | None:
    """``sha256:<base32>`` → hex, as items quote it; None for other algorithms."""
    if not digest or not digest.lower().startswith("sha256:"):
        return None
    value = digest.split(":", 1)[1]
    try:
        raw = bytes.fromhex(value) if len(value) == 64 else base64.b32decode(value.upper())
    except ValueError:
        return None
    return raw.hex()


def verify_file(path: Path, result: Verification, label: str | None = None) -> None:
    """Check every record of one file, adding what fails to ``result``.

    warcio skips a gzip member that ends early without a word, so the bytes it read are
    compared with the file's size: a cut-off last record (a writer killed mid-write) is
    reported as incomplete, anything else left over as a failure.
    """
    from warcio.archiveiterator import ArchiveIterator

    name = label or str(path)
    result.files += 1
    result.checked.add(path.absolute())
    try:
        fh = path.open("rb")
    except OSError as exc:
        result.failures.append(Failure(name, None, None, f"cannot be read: {exc.strerror or exc}"))
        return
    offset: int | None = 0
    record_id: str | None = None
    short: Failure | None = None  # a record cut short: a failure unless it is the file's tail
    unreadable: Failure | None = None
    with fh:
        size = os.fstat(fh.fileno()).st_size
        records = ArchiveIterator(fh, check_digests=True)
        try:
            for record in records:
                if short is not None:
                    result.failures.append(short)
                    short = None
                offset = records.get_record_offset()
                headers = record.rec_headers
                record_id = headers.get_header("WARC-Record-ID")
                while record.raw_stream.read(1 << 20):
                    pass
                digest = headers.get_header("WARC-Block-Digest")
                if not record.rec_type or not record_id:
                    short = Failure(name, offset, None, "is not a whole WARC record")
                    continue
                result.records += 1
                if record.digest_checker.passed is False:
                    problems = "; ".join(record.digest_checker.problems)
                    result.failures.append(
                        Failure(name, offset, record_id, f"digest does not match ({problems})")
                    )
                elif digest and record.digest_checker.passed is None:
                    short = Failure(
                        name,
                        offset,
                        record_id,
                        "is shorter than its Content-Length: its digest cannot hold",
                    )
                elif record.rec_type in _DIGESTED and not digest:
                    result.failures.append(
                        Failure(name, offset, record_id, "has no WARC-Block-Digest to check")
                    )
                elif record.rec_type == "response" and record_id:
                    sha = _hex_of(headers.get_header("WARC-Payload-Digest"))
                    if sha:
                        result.payload_sha256[record_id] = sha
                record_id = None
            end = records.offset
        except Exception as exc:  # warcio raises many kinds on malformed bytes
            end = records.offset
            unreadable = Failure(
                name,
                end,
                record_id,
                "unreadable from here on "
                f"({type(exc).__name__}: {str(exc).strip() or 'no detail'})",
            )
        result.bytes += size
    if short is not None and short.offset is not None:
        end = short.offset
    if short is not None and end >= size:
        result.failures.append(short)
    if end < size:
        fh = path.open("rb")
        with fh:
            fh.seek(end)
            tail = fh.read()
        if _is_cut_gzip(tail):
            result.incomplete.append(
                Failure(
                    name,
                    end,
                    None,
                    f"last record is incomplete ({len(tail)} bytes): the writer "
                    "stopped while writing it; it was never indexed or cited",
                )
            )
        else:
            result.failures.append(
                unreadable
                or Failure(
                    name,
                    end,
                    None,
                    f"{size - end} bytes after the last record are not a WARC record",
                )
            )


def _is_cut_gzip(data: bytes) -> bool:
    """True when ``data`` is the start of a gzip stream that simply stops."""
    d = zlib.decompressobj(31)
    try:
        d.decompress(data)
    except zlib.error:
        return False
    return not d.eof


def verify(paths: Iterable[Path], *, labels: dict[Path, str] | None = None) -> Verification:
    """Verify every WARC file under ``paths``."""
    result = Verification()
    started = time.perf_counter()
    for path in warc_files(paths):
        verify_file(path, result, (labels or {}).get(path))
    result.seconds = time.perf_counter() - started
    return result


def check_index(state_path: Path, result: Verification, *, whole_store: bool = True) -> None:
    """Every record the state database lists must be in its file with the SHA-256 it quotes.

    Read-only and lock-free: verifying must not wait for, or block, the hourly scan.
    """
    base = state_path.expanduser().absolute().parent
    uri = f"file:{state_path.expanduser().absolute()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            rows = conn.execute("SELECT warc, record_id, sha256 FROM evidence").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return  # no evidence table yet (an older database): nothing indexed to check
    for warc, record_id, sha256 in rows:
        if not whole_store and (base / warc).absolute() not in result.checked:
            continue  # not among the files asked for
        if not (base / warc).is_file():
            result.failures.append(Failure(warc, None, record_id, "file is missing"))
        elif record_id not in result.payload_sha256:
            result.failures.append(
                Failure(
                    warc, None, record_id, "record listed in the state database is not in the file"
                )
            )
        elif result.payload_sha256[record_id] != sha256:
            result.failures.append(
                Failure(
                    warc,
                    None,
                    record_id,
                    f"body SHA-256 is not the {sha256} the state database "
                    "and the flagged output quote",
                )
            )
