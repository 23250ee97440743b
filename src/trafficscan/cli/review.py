"""``trafficscan review`` and ``trafficscan labels export|import``."""

from __future__ import annotations

import sys
from pathlib import Path

from trafficscan.core.errors import InputError, Problem
from trafficscan.state import state_path
from trafficscan.state.lock import utc_now


def newest_flagged(folder: Path = Path(".")) -> Path:
    """The newest ``flagged-*.json``/``.jsonl`` here: what the analyst scanned last."""
    found = sorted(
        (p for p in folder.glob("flagged-*.json*") if p.suffix in (".json", ".jsonl")),
        key=lambda p: p.stat().st_mtime,
    )
    if not found:
        raise InputError(
            Problem(
                file=str(folder.absolute()),
                message="no flagged-*.json file here",
                hint="give the file a scan wrote: trafficscan review FLAGGED.json",
            )
        )
    return found[-1]


def review_command(
    flagged: Path | None, *, state: Path | None, analyst: str | None, order: str
) -> int:
    from trafficscan.cli.review_app import ReviewApp, order_items
    from trafficscan.output.report.load import load_flagged
    from trafficscan.review.verdicts import VerdictStore, default_analyst

    loaded = load_flagged(flagged or newest_flagged())
    items = [r for r in loaded.items if r.get("flagged", True)]
    if not items:
        print(f"{loaded.path} holds no flagged ads: nothing to review.")
        return 0
    threshold = float(loaded.header.get("threshold") or 0.5)
    with VerdictStore.open(state_path(state), create=True) as store:
        app = ReviewApp(order_items(items, order, threshold), store, analyst or default_analyst())
        decided = app.run() or 0
        left = len(app.pending) - app.position
    print(
        f"{decided} verdicts recorded in {store.path}; "
        + (f"{left} ads left: run the same command to carry on." if left else "all ads reviewed.")
    )
    return 0


def export_command(output: str | None, *, state: Path | None, force: bool) -> int:
    from trafficscan.review.labels import export_lines
    from trafficscan.review.verdicts import VerdictStore
    from trafficscan.share.keys import write_private

    with VerdictStore.open(state_path(state)) as store:
        lines = list(export_lines(store))
    data = "".join(lines).encode("utf-8")
    if output in (None, "-"):
        sys.stdout.write(data.decode("utf-8"))
    else:  # the texts hold phone numbers: private, and never a half-written file
        write_private(Path(output), data, force=force, what="labels file")
        print(f"Wrote {len(lines)} labels to {output} (mode 0600)", file=sys.stderr)
    return 0


def import_command(path: Path, *, state: Path | None, analyst: str | None) -> int:
    from trafficscan.review.labels import parse_labels
    from trafficscan.review.verdicts import VerdictStore, default_analyst

    verdicts = parse_labels(path, analyst=analyst or default_analyst(), now=utc_now())
    with VerdictStore.open(state_path(state), create=True) as store:
        n = store.put_many(verdicts)
    signal = sum(v.label == "signal" for v in verdicts)
    print(
        f"Imported {n} labels from {path} into {store.path}: {signal} signal, "
        f"{n - signal} not a signal."
    )
    return 0


def evaluate_labels_command(
    *,
    state: Path | None,
    model: Path | None,
    json_out: bool,
    rules: list[Path],
    threshold: float | None,
    base_rate: float | None,
) -> int:
    """How many past flags analysts confirmed, then the model's metrics on the verdicts.

    The first number is the precision of the tool as analysts met it; the second set says how
    the model at hand (perhaps retrained since) ranks those same ads.
    """
    import json
    import tempfile

    from rich.console import Console

    from trafficscan.cli.train import evaluate_metrics, print_metrics
    from trafficscan.review.labels import verdict_to_record
    from trafficscan.review.verdicts import VerdictStore

    path = state_path(state)
    with VerdictStore.open(path) as store:
        verdicts = store.all()
    judged = [v for v in verdicts if v.label != "skip"]
    if not judged:
        raise InputError(
            Problem(
                file=str(path),
                message="holds no signal / not-a-signal verdicts",
                hint="review flagged ads first: trafficscan review",
            )
        )
    confirmed = sum(v.label == "signal" for v in judged)
    past = {
        "reviewed": len(judged),
        "confirmed": confirmed,
        "cleared": len(judged) - confirmed,
        "skipped": len(verdicts) - len(judged),
        "precision_of_past_flags": round(confirmed / len(judged), 4),
    }
    with tempfile.TemporaryDirectory(prefix="trafficscan-labels-") as folder:
        data = Path(folder) / "labels.jsonl"
        data.write_text(
            "".join(
                json.dumps(
                    {k: r[k] for k in ("id", "source", "title", "text", "label") if k in r},
                    ensure_ascii=False,
                )
                + "\n"
                for r in map(verdict_to_record, judged)
            ),
            encoding="utf-8",
        )
        result = evaluate_metrics(
            [data], model=model, rules=rules, threshold=threshold, base_rate=base_rate
        )
    result["past_flags"] = past
    if json_out:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    console = Console(highlight=False)
    console.print(
        f"Past flags: analysts confirmed [bold]{confirmed}[/] of {len(judged)} "
        f"(precision {past['precision_of_past_flags']:.1%}), cleared {past['cleared']}, "
        f"skipped {past['skipped']}"
    )
    print_metrics(console, result, title=f"The model on the {len(judged)} analyst verdicts")
    return 0
