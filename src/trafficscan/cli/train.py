"""``trafficscan train`` and ``trafficscan evaluate``."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trafficscan.core.errors import EXIT_OK, InputError, Problem


def _read_labelled(
    data: Sequence[Path],
    text_columns: Sequence[str],
    label_column: str,
    positive: Sequence[str],
    category_column: str = "category",
    *,
    both_classes: bool = True,
) -> list[Any]:
    from trafficscan.sources.records import RecordOptions, read_records

    opts = RecordOptions(
        text_columns=tuple(text_columns),
        label_column=label_column,
        positive=tuple(positive),
        category_column=category_column,
        need_label=True,
    )
    ads = list(read_records([str(p) for p in data], opts))
    labels = {ad.label for ad in ads}
    if not ads:
        raise InputError(
            Problem(
                file=", ".join(map(str, data)),
                message="no labelled records",
                hint="check the file and --text-column",
            )
        )
    if both_classes and len(labels) < 2:
        only = "positive (1)" if labels == {1} else "negative (0)"
        raise InputError(
            Problem(
                file=", ".join(map(str, data)),
                key=label_column,
                message=f"all {len(ads)} records are {only}: a classifier needs both classes",
                hint="check --label-column and --positive",
            )
        )
    return ads


def train_command(
    *,
    data: Sequence[Path],
    output: Path,
    test_size: float,
    seed: int,
    text_columns: Sequence[str],
    label_column: str,
    positive: Sequence[str],
    rules: Sequence[Path],
    cv: int,
    quiet: bool,
    char_ngrams: bool = True,
    base_rate: float | None = None,
    min_precision: float | None = None,
    with_labels: bool = False,
    state: Path | None = None,
) -> int:
    from rich.console import Console

    from trafficscan.score.classifier.model import save_model
    from trafficscan.score.classifier.train import TrainSettings, data_sha256, prepare, train_model
    from trafficscan.score.rules import load_rules

    console = Console(stderr=True, quiet=quiet, highlight=False)
    ruleset = load_rules(list(rules))
    ads = _read_labelled(data, text_columns, label_column, positive)
    labelled = None
    if with_labels:  # analyst verdicts replace corpus labels of the same ad (review.training)
        from trafficscan.review.training import LabelledSet
        from trafficscan.state import state_path

        labelled = LabelledSet.load(state_path(state))
        baseline = list(ads)
        ads = labelled.merge(ads)
        console.print(
            f"{len(labelled.ads):,} analyst verdicts ({len(labelled.cleared):,} cleared): "
            f"{labelled.replaced:,} corpus labels replaced, {labelled.added:,} ads added"
        )
    n_pos = sum(ad.label == 1 for ad in ads)
    if min(n_pos, len(ads) - n_pos) < 2:
        raise InputError(
            Problem(
                file=", ".join(map(str, data)),
                key=label_column,
                message=f"only {min(n_pos, len(ads) - n_pos)} record(s) of one class; need at least 2 of each",
            )
        )
    settings = TrainSettings(test_size=test_size, seed=seed, cv=cv)
    if not char_ngrams:
        settings.char_ngrams = None
    if base_rate is not None:
        settings.base_rate = base_rate
    if min_precision is not None:
        settings.min_precision = min_precision
    t0 = time.perf_counter()
    with console.status(f"extracting features from {len(ads):,} ads…") as status:
        prepared = prepare(
            ads,
            ruleset,
            settings,
            lambda i: status.update(f"extracting features: {i:,}/{len(ads):,} ads"),
        )
        del ads[:]  # features are extracted; the ads themselves are no longer needed
        vec, clf, meta = train_model(
            prepared,
            settings,
            data_sha256=data_sha256(data),
            sources=[str(p) for p in data],
            step=lambda msg: status.update(msg + "…"),
        )
        meta["rules"] = {
            "packs": list(ruleset.packs),
            "rules": len(ruleset),
            "sha256": ruleset.digest,
        }
        meta["train_seconds"] = round(time.perf_counter() - t0, 2)
        sha = save_model(output, vec, clf, meta)
    print_metrics(
        console,
        meta["metrics"],
        title=f"Held-out metrics ({meta['metrics']['n']:,} ads never seen in training)",
    )
    cvm = meta["metrics"]["cv"]
    if cvm["f1_mean"] is not None:
        console.print(
            f"cross-validation ({cvm['folds']} folds on the training part): F1 {cvm['f1_mean']:.3f} ± {cvm['f1_std']:.3f}"
        )
    choice = meta["threshold_choice"]
    console.print(
        f"{len(prepared.y):,} ads ({n_pos:,} positive) · trained in {meta['train_seconds']:.1f} s · "
        f"{meta['features']['indicator_terms']:,} indicator terms"
    )
    if "expected_precision" in choice:
        console.print(
            f"threshold {meta['threshold']:.4g} at base rate {meta['base_rate']:g}: out of fold, "
            f"recall {choice['recall']:.3f}, {choice['fpr']:.2%} of benign ads flagged, "
            f"expected precision {choice['expected_precision']:.2f} (goal ≥ {choice['min_precision']:g})"
        )
    console.print(f"saved [cyan]{output}[/] (sha256 {sha[:12]}…)")
    if labelled is not None:
        from trafficscan.review.training import compare

        compare(console, baseline, labelled, meta, output, ruleset, settings, rules)
    return EXIT_OK


def print_metrics(console: Any, metrics: dict[str, Any], *, title: str) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("score")
    base_rate = next(
        (
            m.get("base_rate")
            for m in metrics.values()
            if isinstance(m, dict) and m.get("base_rate")
        ),
        None,
    )
    at = f"precision at {base_rate:g}" if base_rate else "precision at base rate"
    for col in (
        "precision",
        "recall",
        "F1",
        "ROC-AUC",
        "PR-AUC",
        "FPR",
        at,
        "threshold",
        "tn fp / fn tp",
    ):
        table.add_column(col, justify="right")
    for name in ("model", "rules", "combined"):
        m = metrics.get(name)
        if not m:
            continue
        (tn, fp), (fn, tp) = m["confusion"]
        fmt = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
        fpr = "—" if m.get("fpr") is None else f"{m['fpr']:.2%}"
        table.add_row(
            name,
            fmt(m["precision"]),
            fmt(m["recall"]),
            fmt(m["f1"]),
            fmt(m["roc_auc"]),
            fmt(m["pr_auc"]),
            fpr,
            fmt(m.get("precision_at_base_rate")),
            f"{m['threshold']:.4g}",
            f"{tn} {fp} / {fn} {tp}",
        )
    console.print(table)
    cats = metrics.get("by_category")
    if cats:
        ct = Table(title="By category (combined score)", title_justify="left")
        for col in ("category", "ads", "recall of positives", "negatives flagged"):
            ct.add_column(col, justify="left" if col == "category" else "right")
        for cat, e in cats.items():
            ct.add_row(
                cat,
                str(e["n"]),
                "—" if "recall" not in e else f"{e['recall']:.3f} of {e['positives']}",
                "—" if "negatives" not in e else f"{e['flagged']} of {e['negatives']}",
            )
        console.print(ct)


def evaluate_command(
    *,
    data: Sequence[Path],
    model: Path | None,
    json_out: bool,
    text_columns: Sequence[str],
    label_column: str,
    positive: Sequence[str],
    category_column: str,
    rules: Sequence[Path],
    threshold: float | None,
    base_rate: float | None = None,
) -> int:
    from rich.console import Console

    result = evaluate_metrics(
        data,
        model=model,
        text_columns=text_columns,
        label_column=label_column,
        positive=positive,
        category_column=category_column,
        rules=rules,
        threshold=threshold,
        base_rate=base_rate,
    )
    if json_out:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        console = Console(highlight=False)
        print_metrics(
            console,
            result,
            title=f"{result['n']:,} ads, {result['positives']:,} positive · "
            f"model {Path(result['model_file']['path']).name}",
        )
    return EXIT_OK


def evaluate_metrics(
    data: Sequence[Path],
    *,
    model: Path | None = None,
    text_columns: Sequence[str] = (),
    label_column: str = "label",
    positive: Sequence[str] = (),
    category_column: str = "category",
    rules: Sequence[Path] = (),
    threshold: float | None = None,
    base_rate: float | None = None,
) -> dict[str, Any]:
    """The metrics of ``evaluate --json`` (SPEC shape plus ``fpr``, the precision expected at
    the base rate, ``rules`` and ``by_category``), computed by the same :class:`Scorer` that
    ``scan`` and ``score`` use: ``combined`` is exactly what they flag (indicator gate
    included); ``model`` is the score alone at the same threshold. A file of one class is
    fine: positives give recall, negatives the false-positive rate.
    """
    import numpy as np

    from trafficscan.core.resources import default_model_path
    from trafficscan.score.classifier.metrics import binary_metrics, by_category
    from trafficscan.score.classifier.model import load_model
    from trafficscan.score.rules import load_rules
    from trafficscan.score.scorer import Scorer

    lm = load_model(model or default_model_path())
    scorer = Scorer(load_rules(list(rules)), lm, threshold=threshold, base_rate=base_rate)
    ads = _read_labelled(
        data, text_columns, label_column, positive, category_column, both_classes=False
    )
    y = np.array([ad.label for ad in ads])
    scores: list[float] = []
    flags: list[float] = []
    rule_scores: list[float] = []
    for start in range(0, len(ads), 1000):  # batches, never one ad at a time
        for item in scorer.score_batch(ads[start : start + 1000]):
            scores.append(item.score)
            flags.append(1.0 if item.flagged else 0.0)
            rule_scores.append(item.rule_score)
    t, rate = scorer.threshold, scorer.base_rate
    combined = binary_metrics(y, flags, 0.5, base_rate=rate)
    combined["threshold"] = round(t, 6)
    if len(set(y.tolist())) == 2:  # ranking measures of the score behind the flags
        combined["roc_auc"] = binary_metrics(y, scores, t)["roc_auc"]
        combined["pr_auc"] = binary_metrics(y, scores, t)["pr_auc"]
    result: dict[str, Any] = {
        "n": len(ads),
        "positives": int(y.sum()),
        "base_rate": rate,
        "model": binary_metrics(y, scores, t, base_rate=rate),
        "rules": binary_metrics(y, rule_scores, 0.5, base_rate=rate),
        "combined": combined,
        "model_file": {"path": lm.path, "sha256": lm.sha256, "created": lm.meta.get("created")},
    }
    cats = [ad.category for ad in ads]
    if any(cats):
        result["by_category"] = by_category(y.tolist(), flags, cats, 0.5)
    return result
