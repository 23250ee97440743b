"""The ``trafficscan`` command line. Each command imports its stage lazily, so ``--help`` is fast."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from trafficscan import __version__
from trafficscan.core.errors import EXIT_INPUT, EXIT_UNEXPECTED, InputError, TrafficscanError

app = typer.Typer(
    name="trafficscan",
    help="Find human-trafficking signals in online listings: crawl sources, extract contacts, "
    "score ads with explainable rules and a trained classifier, write the flagged ads as JSON.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(
    help="Show, test and validate the indicator rule packs.", no_args_is_help=True
)
sources_app = typer.Typer(help="Check the sources of a scan config.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(sources_app, name="sources")
share_app = typer.Typer(
    help="Share flagged ads with other units as keyed contact hashes; match and verify their files.",
    no_args_is_help=True,
)
app.add_typer(share_app, name="share")
evidence_app = typer.Typer(
    help="Verify the stored evidence (WARC files) and export case bundles.", no_args_is_help=True
)
app.add_typer(evidence_app, name="evidence")
state_app = typer.Typer(
    help="Look after the state database: prune old history.", no_args_is_help=True
)
app.add_typer(state_app, name="state")
labels_app = typer.Typer(
    help="Export and import analyst verdicts as JSONL labelled ad records.", no_args_is_help=True
)
app.add_typer(labels_app, name="labels")


ABORTED = "\naborted: stopped at once; no output file was written, the state database is intact\n"


def _aborting(run: Callable[[Any], int]) -> Callable[[Any], int]:
    """A second Ctrl-C (or one before the crawl starts) ends at once, but never in silence:
    typer would turn the KeyboardInterrupt into a bare exit 130."""

    def wrapper(opts: Any) -> int:
        try:
            return run(opts)
        except KeyboardInterrupt:
            sys.stderr.write(ABORTED)
            raise typer.Exit(130) from None

    return wrapper


class OutFormat(StrEnum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


class EvidenceMode(StrEnum):
    flagged = "flagged"
    all = "all"
    none = "none"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trafficscan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """trafficscan: trafficking-signal scanner for online listings."""


# Options shared by several commands
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Scan config (YAML). Default: the bundled offline demo."),
]
OutOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Output file; '-' for standard output. Default: flagged-YYYYMMDD-HHMMSS.<format>.",
    ),
]
FormatOpt = Annotated[
    OutFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: the -o file's extension (.json, .jsonl, .csv), else json.",
    ),
]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force", help="Replace the -o file if it exists (otherwise: exit 2, nothing replaced)."
    ),
]
ThresholdOpt = Annotated[
    float | None,
    typer.Option(
        "--threshold",
        "-t",
        min=0.0,
        max=1.0,
        help="Flag ads scoring at least this. Default: the model's threshold (0.5 without a model).",
    ),
]
AllOpt = Annotated[
    bool, typer.Option("--all", help="Write every scored ad, not only the flagged ones.")
]
ModelOpt = Annotated[
    Path | None,
    typer.Option("--model", "-m", help="Model file (.skops). Default: the bundled model."),
]
NoModelOpt = Annotated[bool, typer.Option("--no-model", help="Score with the rules alone.")]
BaseRateOpt = Annotated[
    float | None,
    typer.Option(
        "--base-rate",
        min=1e-6,
        max=0.5,
        help="Share of ads that are leads where these came from; scores are probabilities at it. Default: the config's, else the model's (0.005).",
    ),
]
RulesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules", help="A folder of extra rule packs, added to the bundled ones (repeatable)."
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
RedactOpt = Annotated[
    bool,
    typer.Option("--redact", help="Mask phones, e-mails and handles in the output, for sharing."),
]
RedactKeyOpt = Annotated[
    Path | None,
    typer.Option(
        "--redact-key",
        help="Redact with this share key (implies --redact): masks then match `share export` hashes. Default: a random key per output.",
    ),
]
TextColOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--text-column",
        help="Column(s) holding the ad text; several are joined. Default: text, or title and body.",
    ),
]
LabelColOpt = Annotated[str, typer.Option("--label-column", help="Column holding the label.")]
PositiveOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--positive",
        help="Label value(s) meaning 'trafficking signal' (case-insensitive; repeat it or separate with commas: spam,smishing). Default: 1, true, yes.",
    ),
]
VerdictStateOpt = Annotated[
    Path | None,
    typer.Option(
        "--state", help="State database holding the verdicts. Default: the one scan uses."
    ),
]
AnalystOpt = Annotated[
    str | None, typer.Option("--analyst", help="Who decides. Default: the login name.")
]


def _split_commas(values: list[str] | None) -> list[str]:
    """``--positive spam,smishing`` means two labels, as ``--positive spam --positive smishing``."""
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


@app.command()
def scan(
    config: ConfigOpt = None,
    output: OutOpt = None,
    format: FormatOpt = None,
    force: ForceOpt = False,
    threshold: ThresholdOpt = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Scan only this source (repeatable).")
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="State database (SQLite). Default: in the user data folder."),
    ] = None,
    no_state: Annotated[
        bool, typer.Option("--no-state", help="Keep no history: every ad counts as new.")
    ] = False,
    new_only: Annotated[
        bool, typer.Option("--new-only", help="Write only ads never seen before.")
    ] = False,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="If another scan holds the state database, wait for it instead of exiting.",
        ),
    ] = False,
    max_pages: Annotated[
        int | None, typer.Option("--max-pages", min=1, help="Override every source's max_pages.")
    ] = None,
    all: AllOpt = False,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    rules: RulesOpt = None,
    redact: RedactOpt = False,
    redact_key: RedactKeyOpt = None,
    log_file: Annotated[
        Path | None, typer.Option("--log-file", help="Append JSON-lines log records here.")
    ] = None,
    evidence: Annotated[
        EvidenceMode,
        typer.Option(
            "--evidence",
            help="With state: keep the pages of flagged ads as received (WARC, beside the state database), every page (all) or none.",
        ),
    ] = EvidenceMode.flagged,
    quiet: QuietOpt = False,
) -> None:
    """Crawl the configured sources, score every ad, write the flagged ones.

    With no --config it scans the bundled offline demo site, served on 127.0.0.1.
    """
    from trafficscan.pipeline.scan import ScanOptions, run_scan

    code = _aborting(run_scan)(
        ScanOptions(
            config=config,
            output=output,
            format=format.value if format else None,
            force=force,
            threshold=threshold,
            sources=source or [],
            state=state,
            no_state=no_state,
            new_only=new_only,
            wait=wait,
            max_pages=max_pages,
            write_all=all,
            model=model,
            no_model=no_model,
            rules=rules or [],
            redact=redact,
            redact_key=redact_key,
            log_file=log_file,
            quiet=quiet,
            evidence=evidence.value,
        )
    )
    raise typer.Exit(code)


@app.command()
def score(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="JSONL or CSV ad records; '-' reads JSONL from standard input.", show_default=False
        ),
    ],
    output: OutOpt = None,
    format: FormatOpt = None,
    force: ForceOpt = False,
    threshold: ThresholdOpt = None,
    all: AllOpt = False,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    base_rate: BaseRateOpt = None,
    rules: RulesOpt = None,
    redact: RedactOpt = False,
    redact_key: RedactKeyOpt = None,
    text_column: TextColOpt = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes. Default: all cores."),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Ads scored per batch.")
    ] = 1000,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad",
            help="Skip invalid input lines and list them, instead of exiting 2 on the first.",
        ),
    ] = False,
    cluster: Annotated[
        bool,
        typer.Option(
            "--cluster",
            help="Link the input's ads by shared contacts and re-posted texts; each item gets cluster {id, size}. Holds the input in memory.",
        ),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Score ads already on disk, without crawling."""
    from trafficscan.pipeline.score import ScoreOptions, run_score

    code = _aborting(run_score)(
        ScoreOptions(
            inputs=inputs,
            output=output,
            format=format.value if format else None,
            force=force,
            skip_bad=skip_bad,
            threshold=threshold,
            write_all=all,
            model=model,
            no_model=no_model,
            rules=rules or [],
            redact=redact,
            redact_key=redact_key,
            base_rate=base_rate,
            text_columns=text_column or [],
            jobs=jobs,
            batch_size=batch_size,
            quiet=quiet,
            cluster=cluster,
        )
    )
    raise typer.Exit(code)


@app.command()
def train(
    data: Annotated[
        list[Path], typer.Argument(help="Labelled ad records (JSONL or CSV).", show_default=False)
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to save the model (.skops).")
    ] = Path("model.skops"),
    test_size: Annotated[
        float,
        typer.Option(
            "--test-size", min=0.05, max=0.5, help="Share held out for metrics and the threshold."
        ),
    ] = 0.2,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same data and seed give the same model.")
    ] = 13,
    text_column: TextColOpt = None,
    label_column: LabelColOpt = "label",
    positive: PositiveOpt = None,
    rules: RulesOpt = None,
    cv: Annotated[
        int,
        typer.Option(
            "--cv", min=0, max=20, help="Cross-validation folds on the training part (0: skip)."
        ),
    ] = 5,
    char_ngrams: Annotated[
        bool,
        typer.Option(
            "--char-ngrams/--words-only",
            help="Add character 3-5-gram TF-IDF (sees through spelling variants; "
            "only n-grams far more frequent in positives get a weight) or use word n-grams only.",
        ),
    ] = True,
    base_rate: Annotated[
        float | None,
        typer.Option(
            "--base-rate",
            min=1e-6,
            max=0.5,
            help="Base rate the model is calibrated and its threshold chosen for (default 0.005).",
        ),
    ] = None,
    min_precision: Annotated[
        float | None,
        typer.Option(
            "--min-precision",
            min=0.01,
            max=1.0,
            help="Precision the default threshold must keep at the base rate (default 0.2).",
        ),
    ] = None,
    with_labels: Annotated[
        bool,
        typer.Option(
            "--with-labels",
            help="Add the analyst verdicts of the state database (they win over the data's labels for the same ad) and print before/after metrics.",
        ),
    ] = False,
    state: VerdictStateOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Train a classifier from labelled ads, print held-out metrics, save it with its metadata."""
    from trafficscan.cli.train import train_command

    raise typer.Exit(
        train_command(
            data=data,
            output=output,
            test_size=test_size,
            seed=seed,
            text_columns=text_column or [],
            label_column=label_column,
            positive=_split_commas(positive),
            rules=rules or [],
            cv=cv,
            quiet=quiet,
            char_ngrams=char_ngrams,
            base_rate=base_rate,
            min_precision=min_precision,
            with_labels=with_labels,
            state=state,
        )
    )


@app.command()
def evaluate(
    data: Annotated[
        list[Path] | None,
        typer.Argument(help="Labelled ad records (JSONL or CSV).", show_default=False),
    ] = None,
    model: ModelOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    text_column: TextColOpt = None,
    label_column: LabelColOpt = "label",
    positive: PositiveOpt = None,
    category_column: Annotated[
        str,
        typer.Option(
            "--category-column", help="Column with an indicator category, for per-category recall."
        ),
    ] = "category",
    rules: RulesOpt = None,
    threshold: ThresholdOpt = None,
    base_rate: BaseRateOpt = None,
    labels: Annotated[
        bool,
        typer.Option(
            "--labels",
            help="Evaluate on the analyst verdicts of the state database instead of files: how many past flags analysts confirmed, then the model's metrics on them.",
        ),
    ] = False,
    state: VerdictStateOpt = None,
) -> None:
    """Print precision, recall, F1, ROC-AUC, PR-AUC, false-positive rate, the precision expected at the base rate and the confusion matrix."""
    from trafficscan.cli.train import evaluate_command

    if labels:
        from trafficscan.cli.review import evaluate_labels_command

        raise typer.Exit(
            evaluate_labels_command(
                state=state,
                model=model,
                json_out=json_out,
                rules=rules or [],
                threshold=threshold,
                base_rate=base_rate,
            )
        )
    if not data:
        raise InputError(
            "give labelled ad records (JSONL or CSV), or --labels for the analyst verdicts",
            file="evaluate",
        )
    raise typer.Exit(
        evaluate_command(
            data=data,
            model=model,
            json_out=json_out,
            text_columns=text_column or [],
            label_column=label_column,
            positive=_split_commas(positive),
            category_column=category_column,
            rules=rules or [],
            threshold=threshold,
            base_rate=base_rate,
        )
    )


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path("scan.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a commented starter config (the demo's sources as a template, every key explained)."""
    from trafficscan.core.errors import Problem
    from trafficscan.core.resources import demo_dir
    from trafficscan.output.paths import make_parent

    if path.exists() and not force:
        raise InputError(
            Problem(
                file=str(path),
                message="already exists; nothing was replaced",
                hint="pass --force to replace it, or name another file",
            )
        )
    make_parent(path, what="config")
    path.write_text((demo_dir() / "starter.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    typer.echo(
        f"Wrote {path}. Next: edit its sources, then `trafficscan sources check -c {path}` "
        f"and `trafficscan scan -c {path}`."
    )


@app.command("clusters")
def clusters_cmd(
    state: Annotated[
        Path | None, typer.Option("--state", help="State database. Default: the one scan uses.")
    ] = None,
    min_size: Annotated[
        int, typer.Option("--min-size", min=1, help="Only clusters of at least this many ads.")
    ] = 2,
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ListFormat.table,
) -> None:
    """Ads linked into networks by shared contacts and re-posted texts, most spread first."""
    from trafficscan.cli.clusters import clusters_command

    raise typer.Exit(clusters_command(state, min_size, format.value))


@app.command()
def lookup(
    contacts: Annotated[
        list[str],
        typer.Argument(help="Phones, e-mails or handles, in any spelling.", show_default=False),
    ],
    state: Annotated[
        Path | None, typer.Option("--state", help="State database. Default: the one scan uses.")
    ] = None,
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ListFormat.table,
) -> None:
    """Has this contact appeared in our scans? Its ads, sources, cities, first/last seen, cluster. Exit 1: never seen."""
    from trafficscan.cli.clusters import lookup_command

    raise typer.Exit(lookup_command(contacts, state, format.value))


@app.command()
def report(
    flagged: Annotated[
        str,
        typer.Argument(
            help="A flagged-ads file written by scan or score (json or jsonl).", show_default=False
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="The HTML report; '-' for standard output. Default: the input's name with .html, in this folder.",
        ),
    ] = None,
    redact: Annotated[
        bool,
        typer.Option(
            "--redact", help="Mask every phone, e-mail and handle in the report, for sharing."
        ),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Write one self-contained HTML case report of the flagged ads, to read, print (A4) and file."""
    from trafficscan.output.report import report_command

    raise typer.Exit(report_command(flagged, output, redact=redact, quiet=quiet))


class ReviewOrder(StrEnum):
    score = "score"
    uncertain = "uncertain"


@app.command()
def review(
    flagged: Annotated[
        Path | None,
        typer.Argument(
            help="A flagged-ads file (json or jsonl). Default: the newest flagged-*.json here.",
            show_default=False,
        ),
    ] = None,
    state: VerdictStateOpt = None,
    analyst: AnalystOpt = None,
    order: Annotated[
        ReviewOrder,
        typer.Option(
            "--order", help="score: highest first; uncertain: nearest the threshold first."
        ),
    ] = ReviewOrder.score,
) -> None:
    """Walk through flagged ads in the terminal and record a verdict on each: signal, not a signal, skip."""
    from trafficscan.cli.review import review_command

    raise typer.Exit(review_command(flagged, state=state, analyst=analyst, order=order.value))


@labels_app.command("export")
def labels_export(
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="JSONL file to write (mode 0600); '-' or none: standard output."
        ),
    ] = None,
    state: VerdictStateOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write every signal / not-a-signal verdict as a JSONL ad record with label, analyst, labelled_at, note."""
    from trafficscan.cli.review import export_command

    raise typer.Exit(export_command(output, state=state, force=force))


@labels_app.command("import")
def labels_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="JSONL labelled ad records, as `labels export` writes.", show_default=False
        ),
    ],
    state: VerdictStateOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """Add verdicts from a labels file; any bad line: exit 2 naming it, nothing imported."""
    from trafficscan.cli.review import import_command

    raise typer.Exit(import_command(file, state=state, analyst=analyst))


@rules_app.command("list")
def rules_list(
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ListFormat.table,
    rules: RulesOpt = None,
) -> None:
    """Show every rule: id, category, weight, title, pattern count."""
    from trafficscan.cli.rules import list_command

    raise typer.Exit(list_command(rules or [], format.value))


@rules_app.command("test")
def rules_test(rules: RulesOpt = None) -> None:
    """Run every rule's own match / no_match examples; show failures as a table."""
    from trafficscan.cli.rules import test_command

    raise typer.Exit(test_command(rules or []))


@rules_app.command("lint")
def rules_lint(rules: RulesOpt = None) -> None:
    """Validate the rule files; exit 2 on any problem."""
    from trafficscan.cli.rules import lint_command

    raise typer.Exit(lint_command(rules or []))


@sources_app.command("check")
def sources_check(config: ConfigOpt = None) -> None:
    """Validate a config and fetch each source's first page: items found, one sample ad."""
    from trafficscan.pipeline.check import check_command

    raise typer.Exit(check_command(config))


ShareKeyOpt = Annotated[
    Path,
    typer.Option(
        "--key", "-k", help="Share key file (from `share keygen`, mode 0600).", show_default=False
    ),
]


@share_app.command("keygen")
def share_keygen(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Key file to write (mode 0600).", show_default=False),
    ],
    signing: Annotated[
        bool,
        typer.Option(
            "--signing", help="Make an Ed25519 signing pair: NAME (private) and NAME.pub."
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing key file.")] = False,
) -> None:
    """Make a share key (32 random bytes) that the participating units agree on, or a signing pair."""
    from trafficscan.cli.share import keygen_command

    raise typer.Exit(keygen_command(output, signing=signing, force=force))


@share_app.command("export")
def share_export(
    flagged: Annotated[
        Path,
        typer.Argument(
            help="A flagged file written by scan or score (json or jsonl, not redacted).",
            show_default=False,
        ),
    ],
    key: ShareKeyOpt,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Share file to write.", show_default=False)
    ],
    sign: Annotated[
        Path | None,
        typer.Option(
            "--sign", help="Sign with this Ed25519 private key (from `share keygen --signing`)."
        ),
    ] = None,
    unit: Annotated[
        str,
        typer.Option(
            "--unit",
            help="Who shares it, e.g. 'Assam Police CID cyber cell': shown by `share match`.",
        ),
    ] = "",
    force: Annotated[
        bool, typer.Option("--force", help="Replace the -o file if it exists.")
    ] = False,
) -> None:
    """Write a share file: contacts as keyed hashes, texts masked, indicators and scores kept."""
    from trafficscan.cli.share import export_command

    raise typer.Exit(export_command(flagged, key, output, sign=sign, unit=unit, force=force))


@share_app.command("match")
def share_match(
    files: Annotated[list[Path], typer.Argument(help="Share files.", show_default=False)],
    key: Annotated[
        Path | None,
        typer.Option("--key", "-k", help="Share key: also compare with the local history."),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state", help="State database for the local history. Default: the one scan uses."
        ),
    ] = None,
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ListFormat.table,
) -> None:
    """Contacts (keyed hashes) that occur in more than one file, or in the local history, with the ads on each side."""
    from trafficscan.cli.share import match_command

    raise typer.Exit(match_command(files, key=key, state=state, fmt=format.value))


@share_app.command("verify")
def share_verify(
    share: Annotated[Path, typer.Argument(help="A signed share file.", show_default=False)],
    public_key: Annotated[
        Path, typer.Option("--public-key", help="The signer's NAME.pub.", show_default=False)
    ],
) -> None:
    """Check a share file's signature: exit 0 when it holds, 5 when it does not."""
    from trafficscan.cli.share import verify_command

    raise typer.Exit(verify_command(share, public_key))


EvidenceStateOpt = Annotated[
    Path | None,
    typer.Option(
        "--state", help="State database whose evidence store to use. Default: the one scan uses."
    ),
]


@evidence_app.command("verify")
def evidence_verify(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="WARC files or folders. Default: the whole store beside the state database.",
            show_default=False,
        ),
    ] = None,
    state: EvidenceStateOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Recompute every digest: exit 0 when all hold, 5 when any does not (naming file and record)."""
    from trafficscan.cli.evidence import verify_command

    raise typer.Exit(verify_command(paths or [], state, quiet=quiet))


@evidence_app.command("export")
def evidence_export(
    ids: Annotated[
        list[str] | None,
        typer.Argument(
            help="Ad ids (or WARC record ids) to export. With --from and no ids: every item of the file that has evidence.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="The case bundle (.zip) to write, mode 0600.", show_default=False
        ),
    ] = Path("case.zip"),
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A flagged file written by scan: take the records its items' evidence names.",
        ),
    ] = None,
    state: EvidenceStateOpt = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write a case bundle: one WARC with just these records, manifest.json and the certificate annexure (txt, html)."""
    from trafficscan.cli.evidence import export_command

    raise typer.Exit(export_command(ids or [], from_file, state, output, force=force, quiet=quiet))


@state_app.command("prune")
def state_prune(
    older_than: Annotated[
        float,
        typer.Option(
            "--older-than",
            min=1,
            help="Remove history and evidence last seen more than this many days ago.",
            show_default=False,
        ),
    ],
    state: Annotated[
        Path | None, typer.Option("--state", help="State database. Default: the one scan uses.")
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Remove old history and unreferenced evidence; never a flagged, labelled or exported ad's."""
    from trafficscan.state.prune import prune_command

    raise typer.Exit(prune_command(state, older_than, quiet=quiet))


def _fail(err: TrafficscanError) -> NoReturn:
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, highlight=False)
    if isinstance(err, InputError):
        n = len(err.problems)
        console.print(f"[bold red]error:[/] {n} problem{'s' * (n != 1)} found, nothing written")
        for p in err.problems:
            console.print(f"  [red]•[/] {escape(str(p))}")
    else:
        console.print(f"[bold red]error:[/] {escape(str(err))}")
    sys.exit(err.exit_code)


def _positional_config(argv: list[str]) -> str | None:
    """``scan olx.yaml``: the YAML file given where ``-c`` was meant, or None."""
    if not argv or argv[0] != "scan":
        return None
    command = typer.main.get_command(app)
    scan_cmd = getattr(command, "commands", {}).get("scan")
    takes_value = {
        o
        for p in getattr(scan_cmd, "params", [])
        if not getattr(p, "is_flag", False)
        for o in p.opts
    }
    skip = False
    for arg in argv[1:]:
        if skip:
            skip = False
        elif arg == "--":
            continue
        elif arg.startswith("-"):
            skip = arg in takes_value
        elif arg.lower().endswith((".yaml", ".yml")):
            return arg
    return None


def main() -> None:
    """Console-script entry point: user errors become a message and their exit status."""
    config = _positional_config(sys.argv[1:])
    if config is not None:  # instead of click's bare "unexpected extra argument"
        sys.stderr.write(f"error: unexpected argument {config!r}; did you mean -c {config}?\n")
        sys.exit(EXIT_INPUT)
    try:
        app()
    except TrafficscanError as err:
        _fail(err)
    except KeyboardInterrupt:
        sys.stderr.write(ABORTED)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_UNEXPECTED)
    except Exception:
        import traceback

        traceback.print_exc()
        sys.exit(EXIT_UNEXPECTED)


__all__ = ["EXIT_INPUT", "app", "main"]
