"""The two pipelines: ``scan`` (crawl → score → output) and ``score`` (files → score → output).

Both stream: ads flow in batches from the source to the writer, and nothing holds a whole
crawl or input file in memory. Every user error is raised before the output file is created,
and outputs are atomic, so a failed run writes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trafficscan import __version__
from trafficscan.ad import Ad, ScoredAd
from trafficscan.errors import EXIT_OK, EXIT_PARTIAL
from trafficscan.output.items import item_to_dict
from trafficscan.output.writers import OutputWriter, open_writer, utc_now
from trafficscan.scoring import Scorer, ScorerSpec
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


def scorer_spec(rules: Sequence[Path], model: Path | None, no_model: bool,
                threshold: float | None, base_rate: float | None = None,
                source_base_rates: dict[str, float] | None = None) -> ScorerSpec:
    return ScorerSpec(rules=tuple(str(p) for p in rules),
                      model="" if no_model else (str(model) if model else None),
                      threshold=threshold, base_rate=base_rate,
                      source_base_rates=tuple(sorted((source_base_rates or {}).items())))


def model_info(scorer: Scorer) -> dict[str, Any] | None:
    if scorer.model is None:
        return None
    return scorer.model.info()


def setup_logging(log_file: Path | None, quiet: bool) -> None:
    """Errors to stderr (always); everything to ``--log-file`` as JSON lines when given."""
    import json

    root = logging.getLogger("trafficscan")
    root.setLevel(logging.INFO)
    root.propagate = False
    for h in list(root.handlers):
        root.removeHandler(h)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.ERROR if quiet else logging.WARNING)
    stderr.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root.addHandler(stderr)
    if log_file is not None:
        from trafficscan.output.paths import make_parent

        make_parent(log_file, what="log")

        class JsonFormatter(logging.Formatter):
            def format(self, record: logging.LogRecord) -> str:
                entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
                         "level": record.levelname.lower(), "logger": record.name,
                         "message": record.getMessage(), "pid": os.getpid()}
                extra = getattr(record, "data", None)
                if isinstance(extra, dict):
                    entry.update(extra)
                return json.dumps(entry, ensure_ascii=False)

        try:
            fh = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            from trafficscan.errors import InputError, Problem

            raise InputError(Problem(file=str(log_file),
                                     message=f"cannot open the log file: {exc.strerror or exc}")) from None
        fh.setFormatter(JsonFormatter())
        fh.setLevel(logging.INFO)
        root.addHandler(fh)


def _is_tty() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


# --------------------------------------------------------------------------- scan


STOPPING = "stopping — finishing writes (Ctrl-C again to abort)"


class _Stop:
    """Turns SIGINT/SIGTERM into a graceful stop: finish what is done, mark the scan interrupted.

    The first signal says so on stderr and wakes the crawl at once (``wake``), so no new
    request starts even while every remaining page is failing; a second one aborts.
    """

    def __init__(self) -> None:
        self.signal: str | None = None
        self.wake: Any = None  # set by the crawl: cancels it from the signal handler
        self._old: dict[int, Any] = {}

    def __enter__(self) -> _Stop:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):  # not the main thread (tests): leave as is
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.signal is not None:  # a second signal: stop at once
            raise KeyboardInterrupt
        self.signal = signal.Signals(signum).name
        with contextlib.suppress(Exception):
            sys.stderr.write(f"\n{STOPPING}\n")
            sys.stderr.flush()
        if self.wake is not None:
            self.wake()

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


def run_scan(opts: ScanOptions) -> int:
    setup_logging(opts.log_file, opts.quiet)
    with contextlib.ExitStack() as stack:
        # 1. everything the user gave us is validated before anything is fetched or written
        if opts.config is None:
            from trafficscan.demo.server import serve_demo

            config = stack.enter_context(serve_demo())
        else:
            from trafficscan.config import load_config

            config = load_config(opts.config)
        sources = config.select(opts.sources)
        scorer = scorer_spec(opts.rules, opts.model, opts.no_model, opts.threshold,
                             source_base_rates=config.base_rates()).build()
        from trafficscan.output.paths import plan_output

        plan = plan_output(opts.output, opts.format, force=opts.force)
        db = None
        if not opts.no_state:
            state_path = opts.state or _default_state(opts, stack)
            db = stack.enter_context(_open_state(state_path, opts.wait))
        writer = open_writer(plan.target, plan.format, redact=opts.redact, bom=plan.bom,
                             redact_key=load_redact_key(opts.redact_key))
        stop = stack.enter_context(_Stop())
        started = utc_now()
        scan_id = db.begin_scan([s.name for s in sources], started) if db else None
        keeper = None
        throwaway = opts.config is None and opts.state is None  # the demo's temporary history
        if db is not None and scan_id is not None and opts.evidence != "none" and not throwaway:
            from trafficscan.evidence.capture import EvidenceKeeper

            keeper = EvidenceKeeper(opts.evidence, db.path, scan_id, db)  # type: ignore[arg-type]
            stack.callback(keeper.close)
        log.info("scan started", extra={"data": {"event": "scan_started", "sources": [s.name for s in sources]}})
        counts = {"ads_seen": 0, "ads_new": 0, "ads_flagged": 0, "ads_written": 0}
        top: list[ScoredAd] = []
        from trafficscan.crawl import Crawler

        crawler = Crawler(config, sources, max_pages=opts.max_pages,
                          progress=not opts.quiet and _is_tty(), capture=keeper is not None,
                          on_page=keeper.on_page if keeper and opts.evidence == "all" else None)
        status: FinalStatus = "completed"
        try:
            asyncio.run(_crawl_and_score(crawler, scorer, writer, db, scan_id, opts, counts, top, stop,
                                         keeper))
        except BaseException as exc:
            writer.abort()
            if db is not None and scan_id is not None:
                interrupted = isinstance(exc, KeyboardInterrupt | SystemExit)
                db.finish_scan(scan_id, status="interrupted" if interrupted else "failed",
                               counts=counts, errors=crawler.stats.errors)
            raise
        if not stop.signal:  # a stopped crawl is short for a reason the user knows
            recent = db.recent_source_ads() if db is not None and opts.max_pages is None else {}
            crawler.report_empty_sources(recent)
        stats = crawler.stats.to_dict()
        errors = list(crawler.stats.errors)
        if stop.signal:
            status = "interrupted"
            errors.append({"source": "*", "url": "", "error": f"scan interrupted by {stop.signal}",
                           "kind": "other"})
        from trafficscan.crawl.stats import count_kinds

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
        header = {"generated_at": scan_summary["finished_at"], "trafficscan": __version__,
                  "threshold": scorer.threshold, "model": model_info(scorer),
                  "scan": scan_summary}
        path = writer.close(header)
        if db is not None and scan_id is not None:
            # per-source yields let later scans notice a source that suddenly finds far fewer ads
            per_source = {name: p.ads for name, p in crawler.stats.per_source.items()}
            db.finish_scan(scan_id, status=status, errors=errors,
                           counts={**counts, "per_source_ads": per_source})
        log.info("scan finished", extra={"data": {"event": "scan_finished", **{k: v for k, v in scan_summary.items() if k != "errors"}, "errors": len(errors), "output": path}})
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
    from trafficscan.errors import LockedError
    from trafficscan.state import StateDB

    try:
        return StateDB.open(path, wait=False)
    except LockedError as exc:
        if not wait:
            raise
        from rich.markup import escape

        from trafficscan.localtime import with_local

        _stderr_console().print(f"waiting for another scan to release {escape(str(path))} "
                                f"({escape(str(exc))}); started waiting "
                                f"{with_local(utc_now())}; Ctrl-C to give up")
    return StateDB.open(path, wait=True)


def _stderr_console() -> Any:
    """No hard wrapping: cron mails these lines, and a URL cut at column 80 cannot be opened."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def describe_errors(errors: list[dict[str, Any]]) -> str:
    """``2 connection errors · 1 HTTP error · 1 empty source``: what kind of failures, in words."""
    from trafficscan.crawl.stats import count_kinds

    words = {"connection": ("connection error", "connection errors"),
             "http": ("HTTP error", "HTTP errors"),
             "robots": ("blocked by robots.txt", "blocked by robots.txt"),
             "empty": ("source with too few ads", "sources with too few ads"),
             "other": ("other error", "other errors")}
    return " · ".join(f"{n} {words[k][n != 1]}" for k, n in count_kinds(errors).items())


def print_failures(scan: dict[str, Any], path: str) -> None:
    """The failures of a scan, on stderr: what ``--quiet`` still prints."""
    from rich.markup import escape

    console = _stderr_console()
    errors = scan.get("errors", [])
    console.print(f"trafficscan: scan {escape(str(scan.get('status', '')))} with "
                  f"{describe_errors(errors)}; wrote {scan.get('ads_written', 0)} ads to {escape(path)}")
    for e in errors[:10]:
        console.print(f"  • {escape(_error_line(e))}")
    if len(errors) > 10:
        console.print(f"  … and {len(errors) - 10} more (scan.errors)")


def _error_line(e: dict[str, Any]) -> str:
    where = f"{e.get('source', '')}: {e.get('url', '')}".rstrip(": ")
    return f"{where} — {e.get('error', '')}"


async def _crawl_and_score(crawler: Any, scorer: Scorer, writer: OutputWriter, db: Any,
                           scan_id: Any, opts: ScanOptions, counts: dict[str, int],
                           top: list[ScoredAd], stop: _Stop, keeper: Any = None) -> None:
    loop = asyncio.get_running_loop()
    batch: list[Ad] = []
    pending: asyncio.Future[list[ScoredAd]] | None = None

    from trafficscan.review.verdicts import cleared_keys, is_cleared

    cleared = cleared_keys(db) if db is not None else set()

    def finish(done: list[ScoredAd]) -> None:
        for item in done:  # an analyst cleared this exact text: it is not flagged again
            if item.flagged and cleared and is_cleared(cleared, item.ad.id, item.ad.text):
                item.flagged = False
                item.explanation["suppressed"] = "an analyst marked this text not a signal"
                counts["suppressed"] = counts.get("suppressed", 0) + 1
        if db is not None:
            db.record(scan_id, done)
            db.cluster(scan_id, done)
        if keeper is not None:  # pages of flagged ads are written, the rest let go
            keeper.after_scoring(done)
        for item in done:
            counts["ads_seen"] += 1
            if item.is_new is not False:
                counts["ads_new"] += 1
            written = (item.flagged or opts.write_all) and not (opts.new_only and item.is_new is False)
            if item.flagged:
                counts["ads_flagged"] += 1
                if written:  # the summary's table shows only ads the output holds
                    _keep_top(top, item)
            if written:
                writer.write(item_to_dict(item))
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


def _keep_top(top: list[ScoredAd], item: ScoredAd, n: int = 10) -> None:
    top.append(item)
    if len(top) > n * 4:
        top.sort(key=lambda s: -s.score)
        del top[n:]


def print_summary(scan: dict[str, Any], top: list[ScoredAd], path: str, threshold: float,
                  *, to_stderr: bool = False) -> None:
    from rich.console import Console
    from rich.markup import escape

    from trafficscan.localtime import with_local

    console = Console(stderr=to_stderr, highlight=False)
    errors = scan.get("errors", [])
    line = (f"[bold]{len(scan.get('sources', []))}[/] sources · [bold]{scan.get('pages_fetched', 0)}[/] pages · "
            f"[bold]{scan['ads_seen']}[/] ads seen · [bold]{scan['ads_new']}[/] new · "
            f"[bold red]{scan['ads_flagged']}[/] flagged (score ≥ {threshold:g})")
    if scan.get("robots_forbidden"):  # an unreachable robots.txt is an error, never counted here
        line += f" · {scan['robots_forbidden']} URLs disallowed by robots.txt"
    console.print(line)
    if scan.get("finished_at"):
        console.print(f"Finished {with_local(scan['finished_at'])}")
    if scan.get("suppressed"):
        console.print(f"{scan['suppressed']} suppressed by analyst verdicts (marked not a signal)")
    _print_top(console, top)
    if errors:
        console.print(f"[yellow]{len(errors)} error{'s' * (len(errors) != 1)}[/] "
                      f"({describe_errors(errors)}; listed in the output's scan.errors):")
        for e in errors[:5]:
            console.print(f"  [yellow]•[/] {escape(_error_line(e))}")
        if len(errors) > 5:
            console.print(f"  … and {len(errors) - 5} more")
    if path != "-":
        console.print(f"Wrote [bold]{scan['ads_written']}[/] ads to [cyan]{escape(path)}[/] (mode 0600)")


def reasons(item: ScoredAd, per_category: int = 3) -> str:
    """One line per rule category: the distinct words that fired it (what an analyst quotes)."""
    words: dict[str, dict[str, None]] = {}
    for hit in item.hits:
        if hit.category == "awareness":
            continue
        bucket = words.setdefault(hit.category, {})
        for m in hit.matches:
            bucket.setdefault(" ".join(m.text.split()), None)
    lines = []
    for cat, found in words.items():
        shown = list(found)[:per_category]
        more = f" +{len(found) - len(shown)}" if len(found) > len(shown) else ""
        lines.append(f"{cat}: " + ", ".join(f"“{w}”" for w in shown) + more)
    terms = [t["term"] for t in (item.explanation.get("model") or {}).get("terms", [])]
    if terms and len(lines) < 2:  # few or no rules: say which words moved the model
        lines.append("model: " + ", ".join(f"“{t}”" for t in terms[:per_category]))
    return "\n".join(lines)


def _print_top(console: Any, top: list[ScoredAd], n: int = 5) -> None:
    from rich.table import Table

    top.sort(key=lambda s: -s.score)
    if not top:
        return
    table = Table(title="Top flagged ads", title_justify="left", show_lines=False)
    table.add_column("score", justify="right")
    table.add_column("rules", justify="right")
    table.add_column("model", justify="right")
    clustered = any(item.cluster is not None for item in top[:n])
    if clustered:  # how many ads its network holds: one ad is a lead, fifty are a network
        table.add_column("cluster", justify="right")
    table.add_column("ad", ratio=2)
    table.add_column("why (rule category: words)", ratio=3, overflow="fold")
    from rich.markup import escape

    for item in top[:n]:
        title = (item.ad.title or item.ad.text)[:60].replace("\n", " ")
        table.add_row(f"{item.score:.2f}", f"{item.rule_score:.2f}",
                      "—" if item.model_score is None else f"{item.model_score:.2f}",
                      *([_cluster_cell(item)] if clustered else []),
                      escape(title), escape(reasons(item) or "model only"))
    console.print(table)


def _cluster_cell(item: ScoredAd) -> str:
    size = (item.cluster or {}).get("size")
    return "—" if size is None else f"{size} ad{'s' * (size != 1)}"


# --------------------------------------------------------------------------- score


def _batches(ads: Iterator[Ad], size: int) -> Iterator[list[Ad]]:
    batch: list[Ad] = []
    for ad in ads:
        batch.append(ad)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_WORKER: Scorer | None = None


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _init_worker(spec: ScorerSpec) -> None:
    global _WORKER
    _ignore_sigint()
    _WORKER = spec.build()
    _freeze_long_lived()


def _freeze_long_lived() -> None:
    """Move everything built so far (rules, model tables, imports) out of the garbage
    collector's sight: it lives as long as the process, yet every full collection walked it,
    about 12 % of ``score`` time. Forked workers also share those pages longer this way."""
    import gc

    gc.collect()
    gc.freeze()


@dataclass(frozen=True, slots=True)
class _Encoding:
    """How scored ads become output text: done where they are scored (worker or parent)."""

    fmt: str
    redact_key: bytes | None  # one key for the whole output, so every worker masks alike
    write_all: bool
    extra_columns: tuple[str, ...] = ()  # input columns a CSV output passes through


#: One scored ad as the parent needs it: flagged?, its output text (None: not written).
_Encoded = tuple[bool, str | None, float]


def _encode_batch(scorer: Scorer, batch: list[Ad], enc: _Encoding) -> list[_Encoded]:
    from trafficscan.output.writers import encode_record

    out: list[_Encoded] = []
    for s in scorer.score_batch(batch):
        text = (encode_record(item_to_dict(s), enc.fmt, redact_key=enc.redact_key,
                              extra_columns=enc.extra_columns)
                if s.flagged or enc.write_all else None)
        out.append((s.flagged, text, s.score))
    return out


def _score_in_worker(batch: list[Ad], enc: _Encoding) -> list[_Encoded]:
    assert _WORKER is not None
    return _encode_batch(_WORKER, batch, enc)


def run_score(opts: ScoreOptions) -> int:
    from trafficscan.records import RecordOptions, RecordStats, read_records

    setup_logging(None, opts.quiet)
    spec = scorer_spec(opts.rules, opts.model, opts.no_model, opts.threshold, opts.base_rate)
    scorer = spec.build()  # validates rules and model before any output exists
    _freeze_long_lived()
    for p in opts.inputs:  # fail fast on a missing file, before creating the output
        if p != "-" and not Path(p).is_file():
            from trafficscan.errors import InputError, Problem

            raise InputError(Problem(file=p, message="file not found"))
    from trafficscan.output.paths import plan_output
    from trafficscan.records import input_extra_columns

    stats = RecordStats()
    record_opts = RecordOptions(text_columns=opts.text_columns, skip_bad=opts.skip_bad)
    ads = read_records(opts.inputs, record_opts, stats)
    jobs = opts.jobs or (os.cpu_count() or 1)
    plan = plan_output(opts.output, opts.format, force=opts.force)
    extra_columns = input_extra_columns(opts.inputs, record_opts) if plan.format == "csv" else ()
    writer = open_writer(plan.target, plan.format, redact=opts.redact, bom=plan.bom,
                         redact_key=load_redact_key(opts.redact_key), extra_columns=extra_columns)
    counts = {"ads_seen": 0, "ads_flagged": 0, "ads_written": 0}
    started = time.perf_counter()
    progress = None
    try:
        if not opts.quiet and _is_tty():
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            progress = Progress(SpinnerColumn(), TextColumn("scoring: {task.completed:,} ads"),
                                TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                                transient=True, console=None)
            progress.start()
            task = progress.add_task("score", total=None, rate="")
        enc = _Encoding(plan.format, writer.redact_key, opts.write_all, writer.extra_columns)
        scored = (_clustered(ads, opts.batch_size, scorer, enc) if opts.cluster
                  else _scored_batches(ads, opts.batch_size, jobs, spec, scorer, enc))
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
    header = {"generated_at": utc_now(), "trafficscan": __version__,
              "threshold": scorer.threshold, "model": model_info(scorer),
              "scan": {"sources": [str(p) for p in opts.inputs], "ads_seen": counts["ads_seen"],
                       "ads_skipped_empty": stats.skipped_empty,
                       "ads_flagged": counts["ads_flagged"], "ads_written": counts["ads_written"],
                       "errors": [{"source": p.file, "line": p.line, "error": p.message,
                                   "kind": "input"} for p in stats.bad]}}
    path = writer.close(header)
    from rich.markup import escape

    if not opts.quiet:
        from rich.console import Console

        console = Console(stderr=True, highlight=False)
        console.print(f"[bold]{counts['ads_seen']:,}[/] ads scored in {elapsed:.1f} s "
                      f"({counts['ads_seen'] / max(elapsed, 1e-9):,.0f} ads/s) · "
                      f"[bold red]{counts['ads_flagged']:,}[/] flagged (score ≥ {scorer.threshold:g})"
                      + ("" if path == "-" else f" · wrote {counts['ads_written']:,} to [cyan]{escape(path)}[/]"))
    if stats.bad:  # listed even with --quiet: the output lacks these lines
        from rich.markup import escape

        console = _stderr_console()
        console.print(f"skipped {len(stats.bad)} bad input line{'s' * (len(stats.bad) != 1)} "
                      "(--skip-bad; listed in the output's scan.errors):")
        for problem in stats.bad[:10]:
            console.print(f"  • {escape(str(problem))}")
        if len(stats.bad) > 10:
            console.print(f"  … and {len(stats.bad) - 10} more")
        return EXIT_PARTIAL
    return EXIT_OK


def _clustered(ads: Iterator[Ad], size: int, scorer: Scorer,
               enc: _Encoding) -> Iterator[list[_Encoded]]:
    """``score --cluster``: score every ad, cluster the whole input, then encode in input order.

    A cluster's size is known only once the last ad is read, so the scored input is held in
    memory (about 2 KB an ad) and scored in this process.
    """
    from trafficscan.clusters.memory import cluster_items
    from trafficscan.output.writers import encode_record

    items: list[ScoredAd] = []
    for batch in _batches(ads, size):
        items.extend(scorer.score_batch(batch))
    cluster_items(items)
    for start in range(0, len(items), size):
        yield [(s.flagged, encode_record(item_to_dict(s), enc.fmt, redact_key=enc.redact_key,
                                         extra_columns=enc.extra_columns)
                if s.flagged or enc.write_all else None, s.score)
               for s in items[start : start + size]]


def _scored_batches(ads: Iterator[Ad], size: int, jobs: int, spec: ScorerSpec,
                    scorer: Scorer, enc: _Encoding) -> Iterator[list[_Encoded]]:
    """Score and encode batches in input order; with ``jobs > 1``, in worker processes.

    Workers return finished output text, not records: the parent then only counts and writes,
    instead of building, redacting and serialising every record alone, and a string crosses
    the process boundary cheaper than a nested dict.
    """
    batches = _batches(ads, size)
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    if jobs <= 1 or second is None:  # small input: a pool costs more than it saves
        yield _encode_batch(scorer, first, enc)
        if second is not None:
            yield _encode_batch(scorer, second, enc)
            for b in batches:
                yield _encode_batch(scorer, b, enc)
        return
    import itertools
    import multiprocessing as mp
    from collections import deque

    global _WORKER
    if sys.platform == "linux":
        # forked workers inherit the scorer already built (rules compiled, model loaded)
        _WORKER = scorer
        ctx = mp.get_context("fork")
        pool_args: dict[str, Any] = {"initializer": _ignore_sigint}
    else:
        ctx = mp.get_context("spawn")
        pool_args = {"initializer": _init_worker, "initargs": (spec,)}
    with ctx.Pool(jobs, **pool_args) as pool:
        # Pool.imap would drain the whole input into its task queue; a bounded window of
        # batches in flight keeps memory flat and the output in input order.
        window: deque[Any] = deque()
        for batch in itertools.chain([first, second], batches):
            window.append(pool.apply_async(_score_in_worker, (batch, enc)))
            if len(window) >= 2 * jobs:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()
