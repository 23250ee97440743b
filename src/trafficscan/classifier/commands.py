"""``trafficscan train`` and ``trafficscan evaluate``."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trafficscan.errors import EXIT_OK, InputError, Problem


def _read_labelled(data: Sequence[Path], text_columns: Sequence[str], label_column: str,
                   positive: Sequence[str], category_column: str = "category") -> list[Any]:
    from trafficscan.records import RecordOptions, read_records

    opts = RecordOptions(text_columns=tuple(text_columns), label_column=label_column,
                         positive=tuple(positive), category_column=category_column, need_label=True)
    ads = list(read_records([str(p) for p in data], opts))
    labels = {ad.label for ad in ads}
    if len(labels) < 2:
        only = "positive (1)" if labels == {1} else "negative (0)"
        raise InputError(Problem(file=", ".join(map(str, data)), key=label_column,
                                 message=f"all {len(ads)} records are {only}: a classifier needs both classes",
                                 hint="check --label-column and --positive"))
    return ads


def train_command(*, data: Sequence[Path], output: Path, test_size: float, seed: int,
                  text_columns: Sequence[str], label_column: str, positive: Sequence[str],
                  rules: Sequence[Path], cv: int, quiet: bool, char_ngrams: bool = True) -> int:
    from rich.console import Console

    from trafficscan.classifier.model import save_model
    from trafficscan.classifier.train import TrainSettings, data_sha256, prepare, train_model
    from trafficscan.rules import load_rules

    console = Console(stderr=True, quiet=quiet, highlight=False)
    ruleset = load_rules(list(rules))
    ads = _read_labelled(data, text_columns, label_column, positive)
    n_pos = sum(ad.label == 1 for ad in ads)
    if min(n_pos, len(ads) - n_pos) < 2:
        raise InputError(Problem(file=", ".join(map(str, data)), key=label_column,
                                 message=f"only {min(n_pos, len(ads) - n_pos)} record(s) of one class; need at least 2 of each"))
    settings = TrainSettings(test_size=test_size, seed=seed, cv=cv)
    if not char_ngrams:
        settings.char_ngrams = None
    t0 = time.perf_counter()
    with console.status(f"extracting features from {len(ads):,} ads…") as status:
        prepared = prepare(ads, ruleset, settings,
                           lambda i: status.update(f"extracting features: {i:,}/{len(ads):,} ads"))
        del ads[:]  # features are extracted; the ads themselves are no longer needed
        vec, clf, meta = train_model(prepared, settings, data_sha256=data_sha256(data),
                                     sources=[str(p) for p in data],
                                     step=lambda msg: status.update(msg + "…"))
        meta["rules"] = {"packs": list(ruleset.packs), "rules": len(ruleset), "sha256": ruleset.digest}
        meta["train_seconds"] = round(time.perf_counter() - t0, 2)
        sha = save_model(output, vec, clf, meta)
    print_metrics(console, meta["metrics"], title=f"Held-out metrics ({meta['metrics']['n']:,} ads never seen in training)")
    cvm = meta["metrics"]["cv"]
    if cvm["f1_mean"] is not None:
        console.print(f"cross-validation ({cvm['folds']} folds on the training part): F1 {cvm['f1_mean']:.3f} ± {cvm['f1_std']:.3f}")
    console.print(f"{len(prepared.y):,} ads ({n_pos:,} positive) · trained in {meta['train_seconds']:.1f} s · "
                  f"threshold {meta['threshold']:.3f} · score = {meta['combine_weight']:g} × model + "
                  f"{1 - meta['combine_weight']:g} × rules")
    console.print(f"saved [cyan]{output}[/] (sha256 {sha[:12]}…)")
    return EXIT_OK


def print_metrics(console: Any, metrics: dict[str, Any], *, title: str) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("score")
    for col in ("precision", "recall", "F1", "ROC-AUC", "PR-AUC", "threshold", "tn fp / fn tp"):
        table.add_column(col, justify="right")
    for name in ("model", "rules", "combined"):
        m = metrics.get(name)
        if not m:
            continue
        (tn, fp), (fn, tp) = m["confusion"]
        fmt = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
        table.add_row(name, fmt(m["precision"]), fmt(m["recall"]), fmt(m["f1"]), fmt(m["roc_auc"]),
                      fmt(m["pr_auc"]), fmt(m["threshold"]), f"{tn} {fp} / {fn} {tp}")
    console.print(table)
    cats = metrics.get("by_category")
    if cats:
        ct = Table(title="By category (combined score)", title_justify="left")
        for col in ("category", "ads", "recall of positives", "negatives flagged"):
            ct.add_column(col, justify="left" if col == "category" else "right")
        for cat, e in cats.items():
            ct.add_row(cat, str(e["n"]), "—" if "recall" not in e else f"{e['recall']:.3f} of {e['positives']}",
                       "—" if "negatives" not in e else f"{e['flagged']} of {e['negatives']}")
        console.print(ct)


def evaluate_command(*, data: Sequence[Path], model: Path | None, json_out: bool,
                     text_columns: Sequence[str], label_column: str, positive: Sequence[str],
                     category_column: str, rules: Sequence[Path], threshold: float | None) -> int:
    from rich.console import Console

    result = evaluate_metrics(data, model=model, text_columns=text_columns, label_column=label_column,
                              positive=positive, category_column=category_column, rules=rules,
                              threshold=threshold)
    if json_out:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        console = Console(highlight=False)
        print_metrics(console, result, title=f"{result['n']:,} ads, {result['positives']:,} positive · "
                                             f"model {Path(result['model_file']['path']).name}")
    return EXIT_OK


def evaluate_metrics(data: Sequence[Path], *, model: Path | None = None, text_columns: Sequence[str] = (),
                     label_column: str = "label", positive: Sequence[str] = (), category_column: str = "category",
                     rules: Sequence[Path] = (), threshold: float | None = None) -> dict[str, Any]:
    """The metrics of ``evaluate --json`` (SPEC shape plus ``rules`` and ``by_category``)."""
    import numpy as np

    from trafficscan.classifier.metrics import binary_metrics, by_category
    from trafficscan.classifier.model import load_model
    from trafficscan.features import extract
    from trafficscan.resources import default_model_path
    from trafficscan.rules import load_rules, score_hits
    from trafficscan.scoring import blend

    ruleset = load_rules(list(rules))
    lm = load_model(model or default_model_path())
    ads = _read_labelled(data, text_columns, label_column, positive, category_column)
    y = np.array([ad.label for ad in ads])
    model_scores: list[float] = []
    rule_scores: list[float] = []
    bases: list[float] = []
    damps: list[float] = []
    for start in range(0, len(ads), 1000):  # batches, never one ad at a time
        chunk = ads[start:start + 1000]
        feats = [extract(ad.text) for ad in chunk]
        hits = [ruleset.match(f) for f in feats]
        rs = [score_hits(h) for h in hits]
        model_scores.extend(lm.predict_proba(feats, hits, rs))
        rule_scores.extend(r.score for r in rs)
        bases.extend(r.base for r in rs)
        damps.extend(r.dampening for r in rs)
    m = np.array(model_scores)
    r = np.array(rule_scores)
    combined = blend(m, np.array(bases), np.array(damps), lm.combine_weight)
    t = threshold if threshold is not None else lm.threshold
    result: dict[str, Any] = {
        "n": len(ads), "positives": int(y.sum()),
        "model": binary_metrics(y, m, lm.model_threshold if threshold is None else t),
        "rules": binary_metrics(y, r, 0.5),
        "combined": binary_metrics(y, combined, t),
        "model_file": {"path": lm.path, "sha256": lm.sha256, "created": lm.meta.get("created")},
    }
    cats = [ad.category for ad in ads]
    if any(cats):
        result["by_category"] = by_category(y.tolist(), combined.tolist(), cats, t)
    return result
