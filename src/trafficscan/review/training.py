"""``train --with-labels``: analyst verdicts as training data, and what they changed.

An analyst's verdict is the best label the tool has: it was given on an ad the tool itself
flagged, from the places it really reads. So verdicts *replace* the corpus label of the same ad
(same content id, or the exact same text) and are added where the corpus lacks the ad.

The comparison trains the same settings twice, without and with the verdicts, and scores both
on two sets the held-out split cannot show: the ads analysts cleared (does the retrained model
stop flagging them?) and, in a checkout with ``../shared/data`` beside it, the real listings of
``scripts/realdata.py`` that no one labelled (does it flag more of them than before?).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trafficscan.core.ad import Ad
from trafficscan.core.errors import InputError, Problem
from trafficscan.review.verdicts import Verdict, VerdictStore, text_hash

_CHECKOUT = Path(__file__).resolve().parents[3]


@dataclass(slots=True)
class LabelledSet:
    """The stored verdicts as ads, and how merging them changed the training data."""

    ads: list[Ad]
    replaced: int = 0
    added: int = 0
    cleared: list[Ad] = field(default_factory=list)

    @classmethod
    def load(cls, state: Path) -> LabelledSet:
        with VerdictStore.open(state) as store:
            verdicts = store.all(("signal", "not_signal"))
        if not verdicts:
            raise InputError(
                Problem(
                    file=str(state),
                    message="holds no analyst verdicts",
                    hint="review flagged ads first (trafficscan review), or import labels",
                )
            )
        ads = [verdict_ad(v) for v in verdicts]
        return cls(ads=ads, cleared=[a for a in ads if a.label == 0])

    def merge(self, corpus: Sequence[Ad]) -> list[Ad]:
        """The corpus with every ad an analyst judged carrying the analyst's label."""
        by_id = {ad.id: ad for ad in self.ads}
        by_text = {text_hash(ad.text): ad for ad in self.ads}
        used: set[str] = set()
        out: list[Ad] = []
        for ad in corpus:
            verdict = by_id.get(ad.id) or by_text.get(text_hash(ad.text))
            if verdict is None:
                out.append(ad)
                continue
            if verdict.id not in used:  # one copy, with the analyst's label
                used.add(verdict.id)
                out.append(verdict)
            self.replaced += 1
        added = [ad for ad in self.ads if ad.id not in used]
        self.added = len(added)
        return out + added


def verdict_ad(v: Verdict) -> Ad:
    r = v.record
    return Ad(
        source=str(r.get("source") or "analyst"),
        url=str(r.get("url") or ""),
        title=str(r.get("title") or ""),
        text=str(r.get("text") or ""),
        id=v.ad_id,
        label=1 if v.label == "signal" else 0,
    )


def real_check_ads() -> list[Ad] | None:
    """The real listings of ``scripts/realdata.py``, or None outside a checkout with the data."""
    script = _CHECKOUT / "scripts" / "realdata.py"
    shared = _CHECKOUT.parent / "shared" / "data" / "real-pages"
    if not (script.is_file() and shared.is_dir()):
        return None
    spec = importlib.util.spec_from_file_location("trafficscan_realdata", script)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.real_page_ads(shared.parent)


def flag_counts(model: Path, rules: Sequence[Path], sets: dict[str, list[Ad]]) -> dict[str, int]:
    """How many ads of each set the model at ``model`` flags, scored as ``scan`` scores them."""
    from trafficscan.score.classifier.model import load_model
    from trafficscan.score.rules import load_rules
    from trafficscan.score.scorer import Scorer

    scorer = Scorer(load_rules(list(rules)), load_model(model))
    return {name: sum(s.flagged for s in scorer.score_batch(ads)) for name, ads in sets.items()}


def print_comparison(
    console: Any, before: dict[str, Any], after: dict[str, Any], sets: dict[str, list[Ad]]
) -> None:
    """Before/after: held-out metrics of each model, then the flags on each check set."""
    from rich.table import Table

    table = Table(title="Before / after the analyst verdicts", title_justify="left")
    for col in ("", "before (corpus only)", "after (with verdicts)"):
        table.add_column(col, justify="left" if not col else "right")
    for key, name in (
        ("precision", "held-out precision"),
        ("recall", "held-out recall"),
        ("f1", "held-out F1"),
        ("fpr", "held-out false-positive rate"),
    ):
        b, a = before["metrics"]["combined"].get(key), after["metrics"]["combined"].get(key)
        fmt = (
            (lambda v: "—" if v is None else f"{v:.2%}")
            if key == "fpr"
            else (lambda v: "—" if v is None else f"{v:.3f}")
        )
        table.add_row(name, fmt(b), fmt(a))
    for name, ads in sets.items():
        n = len(ads)
        b, a = before["flags"][name], after["flags"][name]
        table.add_row(f"{name}: flagged", f"{b} of {n} ({b / n:.1%})", f"{a} of {n} ({a / n:.1%})")
    console.print(table)


def fit_baseline(ads: list[Ad], ruleset: Any, settings: Any, output: Path) -> dict[str, Any]:
    """Train the "before" model: the same settings on the corpus alone; returns its meta."""
    from trafficscan.score.classifier.model import save_model
    from trafficscan.score.classifier.train import prepare, train_model

    prepared = prepare(ads, ruleset, settings)
    vec, clf, meta = train_model(prepared, settings, data_sha256="", sources=["corpus only"])
    save_model(output, vec, clf, meta)
    return meta


def compare(
    console: Any,
    baseline: list[Ad],
    labelled: LabelledSet,
    after_meta: dict[str, Any],
    after_model: Path,
    ruleset: Any,
    settings: Any,
    rules: Sequence[Path],
) -> None:
    """Train the baseline in a temporary folder, then print the before/after table."""
    import tempfile

    sets: dict[str, list[Ad]] = {}
    if labelled.cleared:
        sets["ads analysts cleared"] = labelled.cleared
    real = real_check_ads()
    if real:
        sets["real listings (check set)"] = real
    with tempfile.TemporaryDirectory(prefix="trafficscan-before-") as folder:
        before_model = Path(folder) / "before.skops"
        with console.status("training the corpus-only model for comparison…"):
            before_meta = fit_baseline(baseline, ruleset, settings, before_model)
        before = {
            "metrics": before_meta["metrics"],
            "flags": flag_counts(before_model, rules, sets),
        }
    after = {"metrics": after_meta["metrics"], "flags": flag_counts(after_model, rules, sets)}
    print_comparison(console, before, after, sets)
    if real is None:
        console.print("real-text check set not found (../shared/data beside a checkout): skipped")
