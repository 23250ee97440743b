"""``trafficscan scan``: crawl → score → state (history, clusters, evidence) → output.

Streams: ads flow in batches from the crawl to the writer, scored in a thread while the crawl
goes on, and nothing holds a whole crawl in memory. Every user error is raised before the
output file is created, and the output is atomic, so a failed scan writes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trafficscan import __version__
from trafficscan.core.ad import Ad, ScoredAd
from trafficscan.core.errors import EXIT_OK, EXIT_PARTIAL
from trafficscan.output.items import item_to_dict
from trafficscan.output.terminal import (
    is_tty,
    keep_top,
    print_failures,
    print_summary,
    stderr_console,
)
from trafficscan.output.writers import OutputWriter, open_writer, utc_now
from trafficscan.pipeline.compose import compose, suppressed
from trafficscan.pipeline.logs import setup_logging
from trafficscan.pipeline.stop import GracefulStop
from trafficscan.score.scorer import Scorer, ScorerSpec
from trafficscan.share.keys import load_redact_key

if TYPE_CHECKING:
    from trafficscan.state.db import FinalStatus

log = logging.getLogger("trafficscan")
SCAN_BATCH = 64


@dataclass
class ScanOptions:
    config: Path | None = None
    output: str | None = None
    format: str | None = None  # None: from the -o extension, else json
    threshold: float | None = None
    sources: list[str] = field(default_factory=list)
    state: Path | None = None
    no_state: bool = False
    new_only: bool = False
    wait: bool = False
    max_pages: int | None = None
    write_all: bool = False
    model: Path | None = None
    no_model: bool = False
    rules: list[Path] = field(default_factory=list)
    redact: bool = False
    redact_key: Path | None = None  # a share key: masks then equal the share hashes
    log_file: Path | None = None
    quiet: bool = False
    force: bool = False  # replace an existing -o file
    evidence: str = "flagged"  # flagged | all | none: which pages the state keeps as evidence


def run_scan(opts: ScanOptions) -> int:
    setup_logging(opts.log_file, opts.quiet)
    with contextlib.ExitStack() as stack:
        # 1. everything the user gave us is validated before anything is fetched or written
        if opts.config is None:
            from trafficscan.sources.demo.server import serve_demo

            config = stack.enter_context(serve_demo())
        else:
            from trafficscan.sources.config import load_config

            config = load_config(opts.config)
        sources = config.select(opts.sources)
        scorer = ScorerSpec.from_options(
            opts.rules,
            opts.model,
            opts.no_model,
            opts.threshold,
            source_base_rates=config.base_rates(),
        ).build()
        from trafficscan.output.paths import plan_output

        plan = plan_output(opts.output, opts.format, force=opts.force)
        db = None
        if not opts.no_state:
            state_path = opts.state or _default_state(opts, stack)
            db = stack.enter_context(_open_state(state_path, opts.wait))
        writer = open_writer(
            plan.target,
            plan.format,
            redact=opts.redact,
            bom=plan.bom,
            redact_key=load_redact_key(opts.redact_key),
        )
        stop = stack.enter_context(GracefulStop())
        started = utc_now()
        scan_id = db.begin_scan([s.name for s in sources], started) if db else None
        keeper = None
        throwaway = opts.config is None and opts.state is None  # the demo's temporary history
        if db is not None and scan_id is not None and opts.evidence != "none" and not throwaway:
            from trafficscan.evidence.capture import EvidenceKeeper

            keeper = EvidenceKeeper(opts.evidence, db.path, scan_id, db)  # type: ignore[arg-type]
            stack.callback(keeper.close)
        log.info(
            "scan started",
            extra={"data": {"event": "scan_started", "sources": [s.name for s in sources]}},
        )
        counts = {"ads_seen": 0, "ads_new": 0, "ads_flagged": 0, "ads_written": 0}
        top: list[ScoredAd] = []
        from trafficscan.pipeline.crawler import Crawler

        crawler = Crawler(
            config,
            sources,
            max_pages=opts.max_pages,
            progress=not opts.quiet and is_tty(),
            capture=keeper is not None,
            on_page=keeper.on_page if keeper and opts.evidence == "all" else None,
        )
        status: FinalStatus = "completed"
        try:
            asyncio.run(
                _crawl_and_score(
                    crawler, scorer, writer, db, scan_id, opts, counts, top, stop, keeper
                )
            )
        except BaseException as exc:
            writer.abort()
            if db is not None and scan_id is not None:
                interrupted = isinstance(exc, KeyboardInterrupt | SystemExit)
                db.finish_scan(
                    scan_id,
                    status="interrupted" if interrupted else "failed",
                    counts=counts,
                    errors=crawler.stats.errors,
                )
            raise
        if not stop.signal:  # a stopped crawl is short for a reason the user knows
            recent = db.recent_source_ads() if db is not None and opts.max_pages is None else {}
            crawler.report_empty_sources(recent)
        stats = crawler.stats.to_dict()
        errors = list(crawler.stats.errors)
        if stop.signal:
            status = "interrupted"
            errors.append(
                {
                    "source": "*",
                    "url": "",
                    "error": f"scan interrupted by {stop.signal}",
                    "kind": "other",
                }
            )
        from trafficscan.fetch.stats import count_kinds

        scan_summary = {
            "sources": [s.name for s in sources],
            "started_at": started,
            "finished_at": utc_now(),
            "status": status,
            **{k: v for k, v in stats.items() if k != "errors"},
            "ads_seen": counts["ads_seen"],
            "ads_new": counts["ads_new"] if db is not None else counts["ads_seen"],
            "ads_flagged": counts["ads_flagged"],
            "ads_written": counts["ads_written"],
            "suppressed": counts.get("suppressed", 0),  # flags cleared by analyst verdicts
            "errors_by_kind": count_kinds(errors),
            "errors": errors,
        }
        header = {
            "generated_at": scan_summary["finished_at"],
            "trafficscan": __version__,
            "threshold": scorer.threshold,
            "model": scorer.model_info(),
            "scan": scan_summary,
        }
        path = writer.close(header)
        if db is not None and scan_id is not None:
            # per-source yields let later scans notice a source that suddenly finds far fewer ads
            per_source = {name: p.ads for name, p in crawler.stats.per_source.items()}
            db.finish_scan(
                scan_id,
                status=status,
                errors=errors,
                counts={**counts, "per_source_ads": per_source},
            )
        log.info(
            "scan finished",
            extra={
                "data": {
                    "event": "scan_finished",
                    **{k: v for k, v in scan_summary.items() if k != "errors"},
                    "errors": len(errors),
                    "output": path,
                }
            },
        )
        if not opts.quiet:
            print_summary(scan_summary, top, path, scorer.threshold, to_stderr=path == "-")
        elif errors:  # --quiet hides progress, never failures: cron mails what reaches stderr
            print_failures(scan_summary, path)
        return EXIT_PARTIAL if errors else EXIT_OK


def _default_state(opts: ScanOptions, stack: contextlib.ExitStack) -> Path:
    """The user's history, except for the demo: its site runs on a new random port each time,
    so its ads would pile up as "new" in the real history and link to their own old copies.
    The demo keeps a throw-away history of its own instead."""
    if opts.config is None:
        import tempfile

        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="trafficscan-demo-"))
        return Path(folder) / "state.sqlite3"
    from trafficscan.state import default_state_path

    return default_state_path()


def _open_state(path: Path, wait: bool) -> Any:
    """Open the state database; with ``--wait``, say on stderr which scan we are waiting for."""
    from trafficscan.core.errors import LockedError
    from trafficscan.state import StateDB

    try:
        return StateDB.open(path, wait=False)
    except LockedError as exc:
        if not wait:
            raise
        from rich.markup import escape

        from trafficscan.core.localtime import with_local

        stderr_console().print(
            f"waiting for another scan to release {escape(str(path))} "
            f"({escape(str(exc))}); started waiting "
            f"{with_local(utc_now())}; Ctrl-C to give up"
        )
    return StateDB.open(path, wait=True)


async def _crawl_and_score(
    crawler: Any,
    scorer: Scorer,
    writer: OutputWriter,
    db: Any,
    scan_id: Any,
    opts: ScanOptions,
    counts: dict[str, int],
    top: list[ScoredAd],
    stop: GracefulStop,
    keeper: Any = None,
) -> None:
    loop = asyncio.get_running_loop()
    batch: list[Ad] = []
    pending: asyncio.Future[list[ScoredAd]] | None = None

    from trafficscan.review.verdicts import cleared_keys, is_cleared

    cleared = cleared_keys(db) if db is not None else set()

    def unless_cleared(item: ScoredAd) -> ScoredAd:
        """An analyst cleared this exact text: it is not flagged again."""
        if not (item.flagged and is_cleared(cleared, item.ad.id, item.ad.text)):
            return item
        counts["suppressed"] = counts.get("suppressed", 0) + 1
        return suppressed(item)

    def finish(scored: list[ScoredAd]) -> None:
        done = [unless_cleared(item) for item in scored] if cleared else scored
        # each stage returns one value per ad, in order; the ads written are composed here
        nothing: list[None] = [None] * len(done)
        sightings = db.record(scan_id, done) if db is not None else nothing
        clusters = db.cluster(scan_id, done) if db is not None else nothing
        # pages of flagged ads are written, the rest let go with the batch
        evidence = keeper.after_scoring(done) if keeper is not None else nothing
        for parts in zip(done, sightings, clusters, evidence, strict=True):
            item = compose(*parts)
            counts["ads_seen"] += 1
            if item.is_new is not False:
                counts["ads_new"] += 1
            written = (item.flagged or opts.write_all) and not (
                opts.new_only and item.is_new is False
            )
            if item.flagged:
                counts["ads_flagged"] += 1
                if written:  # the summary's table shows only ads the output holds
                    keep_top(top, item)
            if written:
                writer.write(item_to_dict(item), findings=item.findings)
                counts["ads_written"] += 1

    task = asyncio.current_task()
    if task is not None:  # the first Ctrl-C cancels the crawl at once, even between ads
        stop.wake = lambda: loop.call_soon_threadsafe(task.cancel)
    gen = crawler.ads()
    try:
        async for ad in gen:
            batch.append(ad)
            if len(batch) >= SCAN_BATCH:
                # score in a thread while the crawl goes on; one batch in flight at a time
                if pending is not None:  # shielded: a Ctrl-C here must not drop the batch
                    finish(await asyncio.shield(pending))
                pending = loop.run_in_executor(None, scorer.score_batch, batch)
                batch = []
            if stop.signal:
                break
    except asyncio.CancelledError:
        if not stop.signal or task is None:
            raise
        task.uncancel()  # our own stop: the ads already read are still scored and written
    finally:
        stop.wake = None
        await gen.aclose()
    if pending is not None:
        finish(await pending)
    if batch:
        finish(scorer.score_batch(batch))
