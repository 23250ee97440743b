"""``trafficscan score``: ad records on disk → score → output, streaming, on all cores.

Every user error (rules, model, a missing input, the output path) is raised before the output
file is created; a bad input line is exit 2 naming it, or skipped and listed with ``--skip-bad``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trafficscan import __version__
from trafficscan.core.ad import Ad, ScoredAd
from trafficscan.core.errors import EXIT_OK, EXIT_PARTIAL
from trafficscan.output.items import item_to_dict
from trafficscan.output.terminal import is_tty, print_score_summary, print_skipped
from trafficscan.output.writers import open_writer, utc_now
from trafficscan.pipeline.compose import compose
from trafficscan.pipeline.logs import setup_logging
from trafficscan.pipeline.workers import (
    Encoded,
    Encoding,
    batches,
    freeze_long_lived,
    scored_batches,
)
from trafficscan.score.scorer import Scorer, ScorerSpec
from trafficscan.share.keys import load_redact_key


@dataclass
class ScoreOptions:
    inputs: list[str]
    output: str | None = None
    format: str | None = None  # None: from the -o extension, else json
    threshold: float | None = None
    write_all: bool = False
    model: Path | None = None
    no_model: bool = False
    rules: list[Path] = field(default_factory=list)
    redact: bool = False
    redact_key: Path | None = None  # a share key: masks then equal the share hashes
    text_columns: list[str] = field(default_factory=list)
    base_rate: float | None = None
    jobs: int | None = None
    batch_size: int = 1000
    quiet: bool = False
    force: bool = False
    skip_bad: bool = False  # skip and list bad input lines instead of exiting 2 on the first
    cluster: bool = False  # link the input's ads into clusters (holds the input in memory)


def run_score(opts: ScoreOptions) -> int:
    from trafficscan.sources.records import RecordOptions, RecordStats, read_records

    setup_logging(None, opts.quiet)
    spec = ScorerSpec.from_options(
        opts.rules, opts.model, opts.no_model, opts.threshold, opts.base_rate
    )
    scorer = spec.build()  # validates rules and model before any output exists
    freeze_long_lived()
    for p in opts.inputs:  # fail fast on a missing file, before creating the output
        if p != "-" and not Path(p).is_file():
            from trafficscan.core.errors import InputError, Problem

            raise InputError(Problem(file=p, message="file not found"))
    from trafficscan.output.paths import plan_output
    from trafficscan.sources.records import input_extra_columns

    stats = RecordStats()
    record_opts = RecordOptions(text_columns=opts.text_columns, skip_bad=opts.skip_bad)
    ads = read_records(opts.inputs, record_opts, stats)
    jobs = opts.jobs or (os.cpu_count() or 1)
    plan = plan_output(opts.output, opts.format, force=opts.force)
    extra_columns = input_extra_columns(opts.inputs, record_opts) if plan.format == "csv" else ()
    writer = open_writer(
        plan.target,
        plan.format,
        redact=opts.redact,
        bom=plan.bom,
        redact_key=load_redact_key(opts.redact_key),
        extra_columns=extra_columns,
    )
    counts = {"ads_seen": 0, "ads_flagged": 0, "ads_written": 0}
    started = time.perf_counter()
    progress = None
    try:
        if not opts.quiet and is_tty():
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            progress = Progress(
                SpinnerColumn(),
                TextColumn("scoring: {task.completed:,} ads"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                transient=True,
                console=None,
            )
            progress.start()
            task = progress.add_task("score", total=None, rate="")
        enc = Encoding(plan.format, writer.redact_key, opts.write_all, writer.extra_columns)
        scored = (
            _clustered(ads, opts.batch_size, scorer, enc)
            if opts.cluster
            else scored_batches(ads, opts.batch_size, jobs, spec, scorer, enc)
        )
        for records in scored:
            counts["ads_seen"] += len(records)
            counts["ads_flagged"] += sum(flagged for flagged, _, _ in records)
            out = [(text, score) for _, text, score in records if text is not None]
            writer.write_encoded_many(out)
            counts["ads_written"] += len(out)
            if progress is not None:
                rate = counts["ads_seen"] / max(time.perf_counter() - started, 1e-9)
                progress.update(task, completed=counts["ads_seen"], rate=f"{rate:,.0f} ads/s")
    except BaseException:
        writer.abort()
        raise
    finally:
        if progress is not None:
            progress.stop()
    elapsed = time.perf_counter() - started
    header = {
        "generated_at": utc_now(),
        "trafficscan": __version__,
        "threshold": scorer.threshold,
        "model": scorer.model_info(),
        "scan": {
            "sources": [str(p) for p in opts.inputs],
            "ads_seen": counts["ads_seen"],
            "ads_skipped_empty": stats.skipped_empty,
            "ads_flagged": counts["ads_flagged"],
            "ads_written": counts["ads_written"],
            "errors": [
                {"source": p.file, "line": p.line, "error": p.message, "kind": "input"}
                for p in stats.bad
            ],
        },
    }
    path = writer.close(header)
    if not opts.quiet:
        print_score_summary(
            counts["ads_seen"],
            counts["ads_flagged"],
            counts["ads_written"],
            elapsed,
            scorer.threshold,
            path,
        )
    if stats.bad:  # listed even with --quiet: the output lacks these lines
        print_skipped(stats.bad)
        return EXIT_PARTIAL
    return EXIT_OK


def _clustered(
    ads: Iterator[Ad], size: int, scorer: Scorer, enc: Encoding
) -> Iterator[list[Encoded]]:
    """``score --cluster``: score every ad, cluster the whole input, then encode in input order.

    A cluster's size is known only once the last ad is read, so the scored input is held in
    memory (about 2 KB an ad) and scored in this process.
    """
    from trafficscan.clusters.memory import cluster_items
    from trafficscan.output.writers import encode_record

    items: list[ScoredAd] = []
    for batch in batches(ads, size):
        items.extend(scorer.score_batch(batch))
    labels = cluster_items(items).labels
    for start in range(0, len(items), size):
        yield [
            (
                s.flagged,
                encode_record(
                    item_to_dict(compose(s, cluster=label)),
                    enc.fmt,
                    redact_key=enc.redact_key,
                    extra_columns=enc.extra_columns,
                    findings=s.findings,
                )
                if s.flagged or enc.write_all
                else None,
                s.score,
            )
            for s, label in zip(
                items[start : start + size], labels[start : start + size], strict=True
            )
        ]
