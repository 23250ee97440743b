"""The evidence store: pages exactly as received, in WARC 1.1 files beside the state database.

Layout and guarantees, each for a record that may have to stand in court:

* ``<state folder>/evidence/YYYY/MM/DD/scan-<scan id>-NNNNN.warc.gz``: one series of files per
  scan, numbered from 00000, a new file once one passes :data:`ROLL_BYTES`. A file is created
  with ``O_EXCL`` (never reopened, so never rewritten once closed) and mode 0600: pages
  carry phone numbers of possible victims.
* Every file starts with a ``warcinfo`` record naming the tool version and the scan; each
  exchange is a ``response`` record (status line, headers and body as received, before any
  content decoding) followed by its ``request`` record, both with ``WARC-Date``,
  ``WARC-IP-Address`` when the transport told it, and SHA-256 ``WARC-Block-Digest`` and
  ``WARC-Payload-Digest``, written by ``warcio``.
* Gzip per record, and each exchange reaches the file in one ``write()`` call: a SIGKILL
  leaves every earlier record whole, and at worst the exchange being written cut short at the
  file's end, where ``evidence verify`` reports it as incomplete (it was never indexed).
* The state database learns of a record only after it is on disk (``evidence`` table), so an
  index row never points at a missing record; a page whose body is byte-identical to one
  already stored for the same URL points to that earlier record instead of a new copy.
"""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from trafficscan import __version__
from trafficscan.evidence.record import StoredRecord

if TYPE_CHECKING:
    from trafficscan.fetch.fetcher import Capture
    from trafficscan.state.db import StateDB

EvidenceMode = Literal["flagged", "all", "none"]
EVIDENCE_MODES: tuple[str, ...] = ("flagged", "all", "none")

#: A WARC file is closed and the next one begun once it passes this size (1 GB is the usual
#: ceiling of web archives; smaller files copy and verify in pieces).
ROLL_BYTES = 100_000_000
FOLDER = "evidence"


def evidence_root(state_path: Path) -> Path:
    """The store beside a state database: ``<its folder>/evidence``."""
    return Path(state_path).expanduser().absolute().parent / FOLDER


def _sha256_writer_class() -> type[Any]:
    """warcio's writer with SHA-256 digests (it defaults to SHA-1, too weak for evidence)."""
    from warcio.utils import Digester
    from warcio.warcwriter import WARCWriter

    class SHA256WARCWriter(WARCWriter):
        @staticmethod
        def _create_digester() -> Any:
            return Digester("sha256")

    return SHA256WARCWriter


def _warc_date(iso: str) -> str:
    """``2026-12-03T08:00:00.123456Z``: WARC 1.1 allows (and we keep) microseconds."""
    return iso if iso.endswith("Z") else iso + "Z"


class EvidenceStore:
    """Writes the exchanges of one scan; one store per scan, used from the event-loop thread."""

    def __init__(
        self,
        state_path: Path,
        scan_id: int,
        db: StateDB | None = None,
        *,
        roll_bytes: int = ROLL_BYTES,
    ) -> None:
        self.base = Path(state_path).expanduser().absolute().parent
        self.scan_id = scan_id
        self.db = db
        self.roll_bytes = roll_bytes
        self.records_written = 0
        self.bytes_written = 0
        self._writer_class = _sha256_writer_class()
        self._fd: int | None = None
        self._path: Path | None = None
        self._size = 0
        self._number = 0

    # -- writing -----------------------------------------------------------------------------

    def store(self, capture: Capture) -> dict[str, str]:
        """Store ``capture`` (once) and return its item ``evidence``; index it if a db is given."""
        if capture.ref is not None:
            return capture.ref
        sha = hashlib.sha256(capture.body).hexdigest()
        earlier = self._earlier(capture.url, sha)
        if earlier is not None:
            capture.ref = earlier
            capture.body = b""  # nothing more to write: let the bytes go
            return earlier
        stored = self._append(capture, sha)
        if self.db is not None:
            from trafficscan.evidence.index import add_record

            add_record(self.db, stored, self.scan_id)
        capture.ref = stored.ref()
        capture.body = b""
        return capture.ref

    def _earlier(self, url: str, sha: str) -> dict[str, str] | None:
        """The record of an earlier fetch of ``url`` with the very same body, if still stored."""
        if self.db is None:
            return None
        from trafficscan.evidence.index import find_record

        row = find_record(self.db, url, sha)
        if row is None or not (self.base / row.warc).is_file():
            return None
        return row.ref()

    def _append(self, capture: Capture, sha: str) -> StoredRecord:
        buf = io.BytesIO()
        writer = self._writer_class(buf, gzip=True, warc_version="1.1")
        response, request = _records(writer, capture)
        writer.write_record(response)
        writer.write_record(request)
        data = buf.getvalue()
        if self._fd is not None and self._size > 0 and self._size + len(data) > self.roll_bytes:
            self.close()
        if self._fd is None:
            self._open_next()
        assert self._fd is not None and self._path is not None
        offset = self._size
        _write_all(self._fd, data)
        self._size += len(data)
        self.records_written += 2
        self.bytes_written += len(data)
        return StoredRecord(
            warc=self._path.relative_to(self.base).as_posix(),
            record_id=response.rec_headers.get_header("WARC-Record-ID"),
            offset=offset,
            length=len(data),
            url=capture.url,
            sha256=sha,
            fetched_at=capture.fetched_at,
        )

    def _open_next(self) -> None:
        """Begin a new file: never an existing one, so a closed file is never written again."""
        today = datetime.now(UTC)
        folder = self.base / FOLDER / f"{today:%Y}" / f"{today:%m}" / f"{today:%d}"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        while True:
            path = folder / f"scan-{self.scan_id}-{self._number:05d}.warc.gz"
            self._number += 1
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
            except FileExistsError:
                continue  # an earlier run of the same scan id (a restored database): next number
            break
        self._fd, self._path, self._size = fd, path, 0
        buf = io.BytesIO()
        writer = self._writer_class(buf, gzip=True, warc_version="1.1")
        info = {
            "software": f"trafficscan/{__version__}",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "trafficscan-scan-id": str(self.scan_id),
            "description": "Pages as received by a trafficscan scan, kept as evidence",
        }
        writer.write_record(writer.create_warcinfo_record(path.name, info))
        data = buf.getvalue()
        _write_all(fd, data)
        self._size = len(data)
        self.bytes_written += len(data)

    def close(self) -> None:
        """Close the current file for good (fsync first: it is evidence)."""
        if self._fd is None:
            return
        try:
            os.fsync(self._fd)
        finally:
            os.close(self._fd)
            self._fd = None
            self._path = None

    def __enter__(self) -> EvidenceStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _records(writer: Any, capture: Capture) -> tuple[Any, Any]:
    """The response and request records of one exchange (warcio computes the digests)."""
    from warcio.statusandheaders import StatusAndHeaders

    date = _warc_date(capture.fetched_at)
    common = {"WARC-Date": date}
    if capture.server_ip:
        common["WARC-IP-Address"] = capture.server_ip
    protocol, _, status = capture.status_line.partition(" ")
    http_headers = StatusAndHeaders(
        status, capture.headers, protocol=protocol, is_http_request=False
    )
    response = writer.create_warc_record(
        capture.url,
        "response",
        payload=io.BytesIO(capture.body),
        length=len(capture.body),
        http_headers=http_headers,
        warc_headers_dict=dict(common),
    )
    req_headers = StatusAndHeaders(
        capture.request_line, capture.request_headers, is_http_request=True
    )
    request = writer.create_warc_record(
        capture.url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=req_headers,
        warc_headers_dict={
            **common,
            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    return response, request
