"""``trafficscan state prune``: drop old history and evidence nobody can need, keep every case.

What goes, when last seen (or fetched) more than ``--older-than`` days ago:

* postings of ads that were never flagged, never labelled by an analyst and never exported
  into a case bundle, with the contact links only they held and the contacts left unlinked;
* scans no remaining posting refers to;
* the cluster rows of ads no remaining posting holds (``trafficscan.clusters.store``
  ``prune_clusters``): their memberships, links and signatures, and clusters left empty;
  surviving clusters keep their ids;
* evidence records no flagged, labelled or exported ad refers to, and then every WARC file
  none of whose records is still indexed. A file holding one record that must stay is kept
  whole: closed files are never rewritten, so a kept record keeps its neighbours.

Everything happens in one transaction, then files are deleted: a kill in between leaves
files without index rows (harmless, removed by the next prune), never rows without files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trafficscan.state.db import StateDB

#: Ads whose history and evidence are kept whatever their age (``ad_id`` column of postings).
_KEPT_ADS = """
    SELECT ad_id FROM postings WHERE flagged = 1
    UNION SELECT ae.ad_id FROM ad_evidence ae JOIN evidence_exports x ON x.evidence_id = ae.evidence_id
"""
_VERDICT_ADS = " UNION SELECT ad_id FROM verdicts"


@dataclass(slots=True)
class PruneReport:
    cutoff: str
    postings: int = 0
    contacts: int = 0
    scans: int = 0
    evidence_records: int = 0
    warc_files: int = 0
    warc_bytes: int = 0
    warc_files_kept: int = 0  # old files kept whole for a record that must stay
    cluster_ads: int = 0
    clusters: int = 0  # clusters left empty

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def prune(db: StateDB, older_than_days: float, *, now: datetime | None = None) -> PruneReport:
    """Remove what is older than ``older_than_days`` and referenced by no case; see module doc."""
    moment = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    cutoff = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = PruneReport(cutoff=cutoff)
    with db.transaction() as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        kept = _KEPT_ADS + (_VERDICT_ADS if "verdicts" in tables else "")
        report.evidence_records = conn.execute(
            "DELETE FROM evidence WHERE fetched_at < ? "
            "AND id NOT IN (SELECT evidence_id FROM evidence_exports) "
            f"AND id NOT IN (SELECT evidence_id FROM ad_evidence WHERE ad_id IN ({kept}))",
            (cutoff,),
        ).rowcount
        report.postings = conn.execute(
            f"DELETE FROM postings WHERE last_seen < ? AND ad_id NOT IN ({kept})", (cutoff,)
        ).rowcount
        report.contacts = conn.execute(
            "DELETE FROM contacts WHERE id NOT IN (SELECT contact_id FROM posting_contacts)"
        ).rowcount
        report.scans = conn.execute(
            "DELETE FROM scans WHERE status != 'running' AND COALESCE(finished, started) < ? "
            "AND id NOT IN (SELECT first_scan FROM postings UNION SELECT last_scan FROM postings "
            "UNION SELECT first_completed_scan FROM postings WHERE first_completed_scan IS NOT NULL)",
            (cutoff,),
        ).rowcount
        if "cluster_ads" in tables:
            from trafficscan.clusters.store import prune_clusters

            report.cluster_ads, report.clusters = prune_clusters(conn, cutoff)
        indexed = {row[0] for row in conn.execute("SELECT DISTINCT warc FROM evidence")}
    _remove_files(Path(db.path).parent, indexed, moment, report)
    return report


def _remove_files(base: Path, indexed: set[str], before: datetime, report: PruneReport) -> None:
    """Delete old WARC files with no indexed record; count the old ones kept for a case."""
    root = base / "evidence"
    if not root.is_dir():
        return
    limit = before.timestamp()
    for path in sorted(root.rglob("*.warc.gz")):
        if path.stat().st_mtime >= limit:
            continue  # recent: its scan's records may be indexed after it was last written
        if path.relative_to(base).as_posix() in indexed:
            report.warc_files_kept += 1
            continue
        report.warc_bytes += path.stat().st_size
        path.unlink()
        report.warc_files += 1
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def prune_command(state: Path | None, older_than: float, *, quiet: bool = False) -> int:
    from rich.console import Console

    from trafficscan.core.errors import EXIT_OK, InputError, Problem
    from trafficscan.state import StateDB, state_path

    path = state_path(state).expanduser().absolute()
    if not path.is_file():
        raise InputError(
            Problem(
                file=str(path),
                message="no state database here",
                hint="pass the --state the scans use",
            )
        )
    with StateDB.open(path) as db:
        report = prune(db, older_than)
    if not quiet:
        Console(highlight=False, soft_wrap=True).print(
            f"pruned history before {report.cutoff}: {report.postings} postings, "
            f"{report.contacts} contacts, {report.scans} scans, {report.cluster_ads} clustered "
            f"ads ({report.clusters} clusters left empty), {report.evidence_records} "
            f"evidence records, {report.warc_files} WARC files ({report.warc_bytes / 1e6:,.1f} MB); "
            f"kept every flagged, labelled or exported ad and its evidence"
            + (
                f" ({report.warc_files_kept} old files kept whole for them)"
                if report.warc_files_kept
                else ""
            )
        )
    return EXIT_OK
