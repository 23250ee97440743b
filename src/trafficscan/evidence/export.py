"""``trafficscan evidence export``: a case bundle for chosen ads, to attach to a certificate.

The bundle (one zip) holds

* ``evidence.warc.gz``: a ``warcinfo`` record naming the bundle, then the chosen records
  copied **byte for byte** from the store (each gzip member as stored), so their digests and
  record ids are the originals and any WARC tool can check them;
* ``manifest.json``: per record its id, URL, SHA-256 of the body, WARC digests, fetch time in
  UTC and IST, source file, scan id and tool version, and the SHA-256 of the bundle's WARC;
* ``annexure.txt`` and ``annexure.html``: the same facts laid out for an officer to attach to a
  certificate under Section 63 of the Bharatiya Sakshya Adhiniyam, 2023. They state facts
  only; the certificate's wording and signature are the officer's.

Every record is verified before it is copied; one that fails ends the export with exit 5.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from trafficscan import __version__
from trafficscan.core.errors import InputError, IntegrityError, Problem
from trafficscan.evidence.record import StoredRecord
from trafficscan.evidence.store import _sha256_writer_class

IST = timezone(timedelta(hours=5, minutes=30), "IST")
WARC_NAME = "evidence.warc.gz"


@dataclass(slots=True)
class Chosen:
    """One record going into the bundle, with the ads it shows."""

    record: StoredRecord
    ads: list[str]
    scan_id: int | None = None
    block_digest: str = ""
    payload_digest: str = ""
    request_id: str = ""
    ip_address: str = ""


def ist(utc_iso: str) -> str:
    """``2026-12-03T08:00:00Z`` → ``2026-12-03 13:30:00 IST``."""
    moment = datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    return moment.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S IST")


def utc(utc_iso: str) -> str:
    moment = datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_exchange(base: Path, rec: StoredRecord) -> bytes:
    """The stored bytes of one exchange (response and request members), checked.

    Raises IntegrityError when the file is missing or the bytes no longer hold their digests.
    """
    path = base / rec.warc
    try:
        with path.open("rb") as fh:
            fh.seek(rec.offset)
            data = fh.read(rec.length)
    except OSError as exc:
        raise IntegrityError(
            f"{rec.warc}: record {rec.record_id} cannot be read: {exc.strerror or exc}"
        ) from None
    if len(data) != rec.length:
        raise IntegrityError(
            f"{rec.warc} at offset {rec.offset}: record {rec.record_id} is cut short"
        )
    return data


def _check(data: bytes, chosen: Chosen) -> None:
    """Recompute the digests of the copied bytes; fill in the headers the manifest quotes."""
    from warcio.archiveiterator import ArchiveIterator

    rec = chosen.record
    where = f"{rec.warc} at offset {rec.offset}: record {rec.record_id}"
    try:
        records = list(_read(ArchiveIterator(io.BytesIO(data), check_digests=True)))
    except Exception as exc:
        raise IntegrityError(f"{where}: unreadable ({type(exc).__name__}: {exc})") from None
    if not records or records[0][0].get_header("WARC-Record-ID") != rec.record_id:
        raise IntegrityError(f"{where}: the state database points at another record")
    for _headers, passed, problems in records:
        if passed is False:
            raise IntegrityError(f"{where}: digest does not match ({'; '.join(problems)})")
    response = records[0][0]
    chosen.block_digest = response.get_header("WARC-Block-Digest") or ""
    chosen.payload_digest = response.get_header("WARC-Payload-Digest") or ""
    chosen.ip_address = response.get_header("WARC-IP-Address") or ""
    if len(records) > 1:
        chosen.request_id = records[1][0].get_header("WARC-Record-ID") or ""


def _read(records: Any) -> Any:
    for record in records:
        while record.raw_stream.read(1 << 20):
            pass
        yield record.rec_headers, record.digest_checker.passed, list(record.digest_checker.problems)


def resolve(db: Any, ids: list[str], flagged: Path | None) -> list[Chosen]:
    """The records behind ``ids`` (ad ids or WARC record ids), from the index or a flagged file.

    With ``--from`` and no ids, every item of the file that carries evidence.
    """
    from trafficscan.evidence.index import record_by_id, records_of_ads, scan_of

    wanted: dict[str, Chosen] = {}
    problems: list[Problem] = []

    def add(rec: StoredRecord, ad: str | None) -> None:
        chosen = wanted.setdefault(rec.record_id, Chosen(rec, [], scan_of(db, rec.record_id)))
        if ad and ad not in chosen.ads:
            chosen.ads.append(ad)

    if flagged is not None:
        from trafficscan.output.report.load import load_flagged

        items = load_flagged(flagged).items
        by_id = {str(i.get("id")): i for i in items}
        for key in ids or [str(i.get("id")) for i in items if i.get("evidence")]:
            item = by_id.get(key)
            ev = (item or {}).get("evidence")
            if not isinstance(ev, dict) or not ev.get("record_id"):
                problems.append(
                    Problem(
                        file=str(flagged),
                        key=key,
                        message="no item with this id carries evidence",
                        hint="scan with state and --evidence flagged or all",
                    )
                )
                continue
            rec = record_by_id(db, str(ev["record_id"]))
            if rec is None:
                problems.append(
                    Problem(
                        file=str(flagged),
                        key=key,
                        message=f"record {ev['record_id']} is not in the state "
                        "database's evidence store",
                        hint="pass the --state the scan used",
                    )
                )
                continue
            add(rec, key)
    else:
        if not ids:
            raise InputError(
                Problem(
                    file="<command line>",
                    message="name the ads to export (ids), or give --from FLAGGED.json",
                )
            )
        ad_records = records_of_ads(db, [i for i in ids if not i.startswith("<urn:")])
        for key in ids:
            if key.startswith("<urn:"):
                rec = record_by_id(db, key)
                if rec is not None:
                    add(rec, None)
                    continue
            elif key in ad_records:
                for rec in ad_records[key]:
                    add(rec, key)
                continue
            problems.append(
                Problem(
                    file=str(db.path),
                    key=key,
                    message="no stored evidence for this ad or record id",
                    hint="use an item's id from a scan with state, or its evidence.record_id",
                )
            )
    if problems:
        raise InputError(problems)
    return list(wanted.values())


def export_bundle(
    db: Any, chosen: list[Chosen], output: Path, *, force: bool = False
) -> dict[str, Any]:
    """Write the bundle atomically (mode 0600); return its manifest."""
    if output.exists() and not force:
        raise InputError(
            Problem(
                file=str(output),
                message="already exists; nothing was replaced",
                hint="pass --force to replace it, or name another file",
            )
        )
    base = Path(db.path).parent
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    warc = io.BytesIO()
    writer = _sha256_writer_class()(warc, gzip=True, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            WARC_NAME,
            {
                "software": f"trafficscan/{__version__}",
                "format": "WARC File Format 1.1",
                "description": f"trafficscan case bundle: {len(chosen)} records copied unchanged "
                "from the evidence store",
                "created": created,
            },
        )
    )
    for c in chosen:
        data = read_exchange(base, c.record)
        _check(data, c)
        warc.write(data)
    warc_bytes = warc.getvalue()
    manifest = _manifest(chosen, created, hashlib.sha256(warc_bytes).hexdigest(), len(warc_bytes))
    files = {
        WARC_NAME: warc_bytes,
        "manifest.json": json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"),
        "annexure.txt": annexure_text(manifest).encode("utf-8"),
        "annexure.html": annexure_html(manifest).encode("utf-8"),
    }
    _write_zip(output, files)
    return manifest


def _manifest(chosen: list[Chosen], created: str, warc_sha: str, warc_size: int) -> dict[str, Any]:
    return {
        "schema": "trafficscan/case-bundle/v1",
        "created_at": created,
        "created_at_ist": ist(created),
        "tool": f"trafficscan {__version__}",
        "warc": {"file": WARC_NAME, "sha256": warc_sha, "bytes": warc_size},
        "records": [
            {
                "record_id": c.record.record_id,
                "request_record_id": c.request_id,
                "url": c.record.url,
                "sha256": c.record.sha256,
                "warc_payload_digest": c.payload_digest,
                "warc_block_digest": c.block_digest,
                "server_ip": c.ip_address,
                "fetched_at_utc": utc(c.record.fetched_at),
                "fetched_at_ist": ist(c.record.fetched_at),
                "source_file": c.record.warc,
                "scan_id": c.scan_id,
                "tool_version": __version__,
                "ads": c.ads,
            }
            for c in chosen
        ],
    }


_FACTS = [
    ("Record ID (WARC-Record-ID)", "record_id"),
    ("Request record ID", "request_record_id"),
    ("URL", "url"),
    ("Fetched (UTC)", "fetched_at_utc"),
    ("Fetched (IST)", "fetched_at_ist"),
    ("Server IP address", "server_ip"),
    ("SHA-256 of the HTTP body as received (hex)", "sha256"),
    ("WARC-Payload-Digest", "warc_payload_digest"),
    ("WARC-Block-Digest", "warc_block_digest"),
    ("Stored in", "source_file"),
    ("Scan id", "scan_id"),
    ("Ads (content ids)", "ads"),
]

_INTRO = (
    "Annexure: electronic records and their hash values, for the certificate under "
    "Section 63 of the Bharatiya Sakshya Adhiniyam, 2023"
)
_NOTE = (
    "Facts recorded by the tool. The statements of the certificate itself, and its "
    "signature, are the officer's."
)


def _value(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return "-" if value in (None, "") else str(value)


def annexure_text(manifest: dict[str, Any]) -> str:
    lines = [
        _INTRO,
        "=" * len(_INTRO),
        "",
        f"Produced by: {manifest['tool']}",
        f"Produced at: {manifest['created_at']} ({manifest['created_at_ist']})",
        f"Archive file: {manifest['warc']['file']} ({manifest['warc']['bytes']} bytes)",
        f"SHA-256 of the archive file: {manifest['warc']['sha256']}",
        "Hash algorithm: SHA-256 (FIPS 180-4); WARC digests in base32, as ISO 28500 writes them.",
        f"Number of records: {len(manifest['records'])}",
        "",
        _NOTE,
        "",
    ]
    width = max(len(label) for label, _ in _FACTS)
    for n, record in enumerate(manifest["records"], 1):
        lines += [f"Record {n}", "-" * len(f"Record {n}")]
        lines += [f"{label.ljust(width)}  {_value(record, key)}" for label, key in _FACTS]
        lines.append("")
    return "\n".join(lines)


def annexure_html(manifest: dict[str, Any]) -> str:
    e = html.escape
    rows = []
    for n, record in enumerate(manifest["records"], 1):
        cells = "".join(
            f"<tr><th>{e(label)}</th><td><code>{e(_value(record, key))}</code></td></tr>"
            for label, key in _FACTS
        )
        rows.append(f"<section><h2>Record {n}</h2><table>{cells}</table></section>")
    head = (
        f"<tr><th>Produced by</th><td>{e(manifest['tool'])}</td></tr>"
        f"<tr><th>Produced at</th><td>{e(manifest['created_at'])} ({e(manifest['created_at_ist'])})</td></tr>"
        f"<tr><th>Archive file</th><td><code>{e(manifest['warc']['file'])}</code> "
        f"({manifest['warc']['bytes']} bytes)</td></tr>"
        f"<tr><th>SHA-256 of the archive file</th><td><code>{e(manifest['warc']['sha256'])}</code></td></tr>"
        f"<tr><th>Number of records</th><td>{len(manifest['records'])}</td></tr>"
    )
    style = (
        "body{font-family:serif;max-width:180mm;margin:10mm auto;font-size:11pt}"
        "table{border-collapse:collapse;width:100%;margin-bottom:6mm}"
        "th,td{border:1px solid #444;padding:2mm;text-align:left;vertical-align:top}"
        "th{width:35%;font-weight:normal;background:#f2f2f2}code{word-break:break-all}"
        "section{page-break-inside:avoid}@page{size:A4;margin:12mm}"
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(_INTRO)}</title><style>{style}</style></head><body>"
        f"<h1>{e(_INTRO)}</h1><table>{head}</table><p>{e(_NOTE)}</p>{''.join(rows)}"
        f"</body></html>\n"
    )


def _write_zip(output: Path, files: dict[str, bytes]) -> None:
    """Temp file beside the target, mode 0600, then rename: never a half-written bundle."""
    from trafficscan.output.paths import make_parent

    make_parent(output, what="case bundle")
    from trafficscan.core.atomic import atomic_file

    with atomic_file(output) as fh, zipfile.ZipFile(fh, "w") as zf:
        for name, data in files.items():
            kind = zipfile.ZIP_STORED if name.endswith(".gz") else zipfile.ZIP_DEFLATED
            zf.writestr(name, data, compress_type=kind)
