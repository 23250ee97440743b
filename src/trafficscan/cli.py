"""The ``trafficscan`` command line. Each command imports its stage lazily, so ``--help`` is fast."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from trafficscan import __version__
from trafficscan.errors import EXIT_INPUT, EXIT_UNEXPECTED, InputError, TrafficscanError

app = typer.Typer(
    name="trafficscan",
    help="Find human-trafficking signals in online listings: crawl sources, extract contacts, "
    "score ads with explainable rules and a trained classifier, write the flagged ads as JSON.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="Show, test and validate the indicator rule packs.", no_args_is_help=True)
sources_app = typer.Typer(help="Check the sources of a scan config.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(sources_app, name="sources")


class OutFormat(StrEnum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trafficscan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """trafficscan: trafficking-signal scanner for online listings."""


# Options shared by several commands
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Scan config (YAML). Default: the bundled offline demo.")]
OutOpt = Annotated[str | None, typer.Option("--output", "-o", help="Output file; '-' for standard output. Default: flagged-YYYYMMDD-HHMMSS.<format>.")]
FormatOpt = Annotated[OutFormat, typer.Option("--format", "-f", help="Output format.")]
ThresholdOpt = Annotated[float | None, typer.Option("--threshold", "-t", min=0.0, max=1.0, help="Flag ads scoring at least this. Default: the model's threshold (0.5 without a model).")]
AllOpt = Annotated[bool, typer.Option("--all", help="Write every scored ad, not only the flagged ones.")]
ModelOpt = Annotated[Path | None, typer.Option("--model", "-m", help="Model file (.skops). Default: the bundled model.")]
NoModelOpt = Annotated[bool, typer.Option("--no-model", help="Score with the rules alone.")]
BaseRateOpt = Annotated[float | None, typer.Option("--base-rate", min=1e-6, max=0.5, help="Share of ads that are leads where these came from; scores are probabilities at it. Default: the config's, else the model's (0.005).")]
RulesOpt = Annotated[list[Path] | None, typer.Option("--rules", help="A folder of extra rule packs, added to the bundled ones (repeatable).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
RedactOpt = Annotated[bool, typer.Option("--redact", help="Mask phones, e-mails and handles in the output, for sharing.")]
TextColOpt = Annotated[list[str] | None, typer.Option("--text-column", help="Column(s) holding the ad text; several are joined. Default: text, or title and body.")]
LabelColOpt = Annotated[str, typer.Option("--label-column", help="Column holding the label.")]
PositiveOpt = Annotated[list[str] | None, typer.Option("--positive", help="Label value(s) meaning 'trafficking signal' (case-insensitive). Default: 1, true, yes.")]


@app.command()
def scan(
    config: ConfigOpt = None,
    output: OutOpt = None,
    format: FormatOpt = OutFormat.json,
    threshold: ThresholdOpt = None,
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Scan only this source (repeatable).")] = None,
    state: Annotated[Path | None, typer.Option("--state", help="State database (SQLite). Default: in the user data folder.")] = None,
    no_state: Annotated[bool, typer.Option("--no-state", help="Keep no history: every ad counts as new.")] = False,
    new_only: Annotated[bool, typer.Option("--new-only", help="Write only ads never seen before.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="If another scan holds the state database, wait for it instead of exiting.")] = False,
    max_pages: Annotated[int | None, typer.Option("--max-pages", min=1, help="Override every source's max_pages.")] = None,
    all: AllOpt = False,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    rules: RulesOpt = None,
    redact: RedactOpt = False,
    log_file: Annotated[Path | None, typer.Option("--log-file", help="Append JSON-lines log records here.")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Crawl the configured sources, score every ad, write the flagged ones.

    With no --config it scans the bundled offline demo site, served on 127.0.0.1.
    """
    from trafficscan.pipeline import ScanOptions, run_scan

    code = run_scan(ScanOptions(
        config=config, output=output, format=format.value, threshold=threshold,
        sources=source or [], state=state, no_state=no_state, new_only=new_only, wait=wait,
        max_pages=max_pages, write_all=all, model=model, no_model=no_model,
        rules=rules or [], redact=redact, log_file=log_file, quiet=quiet))
    raise typer.Exit(code)


@app.command()
def score(
    inputs: Annotated[list[str], typer.Argument(help="JSONL or CSV ad records; '-' reads JSONL from standard input.", show_default=False)],
    output: OutOpt = None,
    format: FormatOpt = OutFormat.json,
    threshold: ThresholdOpt = None,
    all: AllOpt = False,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    base_rate: BaseRateOpt = None,
    rules: RulesOpt = None,
    redact: RedactOpt = False,
    text_column: TextColOpt = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes. Default: all cores.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Ads scored per batch.")] = 1000,
    quiet: QuietOpt = False,
) -> None:
    """Score ads already on disk, without crawling."""
    from trafficscan.pipeline import ScoreOptions, run_score

    code = run_score(ScoreOptions(
        inputs=inputs, output=output, format=format.value, threshold=threshold, write_all=all,
        model=model, no_model=no_model, rules=rules or [], redact=redact, base_rate=base_rate,
        text_columns=text_column or [], jobs=jobs, batch_size=batch_size, quiet=quiet))
    raise typer.Exit(code)


@app.command()
def train(
    data: Annotated[list[Path], typer.Argument(help="Labelled ad records (JSONL or CSV).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to save the model (.skops).")] = Path("model.skops"),
    test_size: Annotated[float, typer.Option("--test-size", min=0.05, max=0.5, help="Share held out for metrics and the threshold.")] = 0.2,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same data and seed give the same model.")] = 13,
    text_column: TextColOpt = None,
    label_column: LabelColOpt = "label",
    positive: PositiveOpt = None,
    rules: RulesOpt = None,
    cv: Annotated[int, typer.Option("--cv", min=0, max=20, help="Cross-validation folds on the training part (0: skip).")] = 5,
    char_ngrams: Annotated[bool, typer.Option("--char-ngrams/--words-only",
                                              help="Add character 3-5-gram TF-IDF (sees through spelling variants; "
                                                   "only n-grams far more frequent in positives get a weight) or use word n-grams only.")] = True,
    base_rate: Annotated[float | None, typer.Option("--base-rate", min=1e-6, max=0.5, help="Base rate the model is calibrated and its threshold chosen for (default 0.005).")] = None,
    min_precision: Annotated[float | None, typer.Option("--min-precision", min=0.01, max=1.0, help="Precision the default threshold must keep at the base rate (default 0.3).")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Train a classifier from labelled ads, print held-out metrics, save it with its metadata."""
    from trafficscan.classifier.commands import train_command

    raise typer.Exit(train_command(data=data, output=output, test_size=test_size, seed=seed,
                                   text_columns=text_column or [], label_column=label_column,
                                   positive=positive or [], rules=rules or [], cv=cv, quiet=quiet,
                                   char_ngrams=char_ngrams, base_rate=base_rate,
                                   min_precision=min_precision))


@app.command()
def evaluate(
    data: Annotated[list[Path], typer.Argument(help="Labelled ad records (JSONL or CSV).", show_default=False)],
    model: ModelOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    text_column: TextColOpt = None,
    label_column: LabelColOpt = "label",
    positive: PositiveOpt = None,
    category_column: Annotated[str, typer.Option("--category-column", help="Column with an indicator category, for per-category recall.")] = "category",
    rules: RulesOpt = None,
    threshold: ThresholdOpt = None,
    base_rate: BaseRateOpt = None,
) -> None:
    """Print precision, recall, F1, ROC-AUC, PR-AUC, false-positive rate, the precision expected at the base rate and the confusion matrix."""
    from trafficscan.classifier.commands import evaluate_command

    raise typer.Exit(evaluate_command(data=data, model=model, json_out=json_out,
                                      text_columns=text_column or [], label_column=label_column,
                                      positive=positive or [], category_column=category_column,
                                      rules=rules or [], threshold=threshold, base_rate=base_rate))


@rules_app.command("list")
def rules_list(
    format: Annotated[ListFormat, typer.Option("--format", "-f", help="table or json.")] = ListFormat.table,
    rules: RulesOpt = None,
) -> None:
    """Show every rule: id, category, weight, title, pattern count."""
    from trafficscan.rules.commands import list_command

    raise typer.Exit(list_command(rules or [], format.value))


@rules_app.command("test")
def rules_test(rules: RulesOpt = None) -> None:
    """Run every rule's own match / no_match examples; show failures as a table."""
    from trafficscan.rules.commands import test_command

    raise typer.Exit(test_command(rules or []))


@rules_app.command("lint")
def rules_lint(rules: RulesOpt = None) -> None:
    """Validate the rule files; exit 2 on any problem."""
    from trafficscan.rules.commands import lint_command

    raise typer.Exit(lint_command(rules or []))


@sources_app.command("check")
def sources_check(config: ConfigOpt = None) -> None:
    """Validate a config and fetch each source's first page: items found, one sample ad."""
    from trafficscan.crawl.check import check_command

    raise typer.Exit(check_command(config))


def _fail(err: TrafficscanError) -> NoReturn:
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    if isinstance(err, InputError):
        n = len(err.problems)
        console.print(f"[bold red]error:[/] {n} problem{'s' * (n != 1)} found, nothing written")
        for p in err.problems:
            console.print(f"  [red]•[/] {p}", markup=False) if False else console.out(f"  • {p}")
    else:
        console.print(f"[bold red]error:[/] {err}")
    sys.exit(err.exit_code)


def main() -> None:
    """Console-script entry point: user errors become a message and their exit status."""
    try:
        app()
    except TrafficscanError as err:
        _fail(err)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_UNEXPECTED)
    except Exception:
        import traceback

        traceback.print_exc()
        sys.exit(EXIT_UNEXPECTED)


__all__ = ["EXIT_INPUT", "app", "main"]
