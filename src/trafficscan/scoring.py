"""Stage: score. Features, rule hits and the model's probability combined into one explained score.

The combined score is a documented blend (docs/scoring.md)::

    score = (α · model_score + (1 − α) · rule_base) × (1 − dampening)     (with a model)
    score = rule_base × (1 − dampening) = rule_score                      (rules only)

``rule_base`` is the noisy-OR of the distinct rule categories hit and ``dampening`` comes from
the awareness rules (news, NGO, police and advisory language): an article *about* trafficking is
not an ad, so that language pulls the whole score down, not only the rules' part. ``α``
(``combine_weight``) and the flagging threshold are chosen on validation data when the model is
trained and stored with it. Each part's contribution is exact and they add up to the score:
``α · model_score · (1 − dampening)`` and ``(1 − α) · rule_base · (1 − dampening)``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trafficscan.ad import Ad, ScoredAd

if TYPE_CHECKING:
    from trafficscan.classifier.model import LoadedModel
    from trafficscan.rules import RuleSet

DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class ScorerSpec:
    """Everything needed to rebuild a :class:`Scorer`, cheap to send to a worker process."""

    rules: tuple[str, ...] = ()
    model: str | None = None  # None: the bundled model if present; "" : no model
    threshold: float | None = None
    region: str = "IN"

    def build(self) -> Scorer:
        from trafficscan.rules import load_rules

        ruleset = load_rules([Path(p) for p in self.rules])
        model = load_model_choice(self.model)
        return Scorer(ruleset, model, threshold=self.threshold, region=self.region)


def load_model_choice(choice: str | None) -> LoadedModel | None:
    """``""``: no model. ``None``: the bundled model (missing → rules only). Else that file."""
    if choice == "":
        return None
    from trafficscan.classifier.model import load_model
    from trafficscan.resources import default_model_path

    if choice is None:
        path = default_model_path()
        if not path.exists():
            return None
        return load_model(path)
    return load_model(Path(choice))


class Scorer:
    """Scores ads in batches: extract features once, match rules, run the model once a batch."""

    def __init__(self, ruleset: RuleSet, model: LoadedModel | None = None, *,
                 threshold: float | None = None, region: str = "IN") -> None:
        self.ruleset = ruleset
        self.model = model
        self.region = region
        if threshold is not None:
            self.threshold = threshold
        elif model is not None:
            self.threshold = model.threshold
        else:
            self.threshold = DEFAULT_THRESHOLD
        self.alpha = model.combine_weight if model is not None else 0.0

    def score_batch(self, ads: Sequence[Ad]) -> list[ScoredAd]:
        from trafficscan.features import extract
        from trafficscan.rules import score_hits

        feats = [extract(ad.text, region=self.region) for ad in ads]
        hits = [self.ruleset.match(f) for f in feats]
        rule_scores = [score_hits(h) for h in hits]
        probs: Sequence[float | None]
        X = None
        if self.model is not None and ads:
            X = self.model.matrix(feats, rule_scores)
            probs = self.model.proba(X)
        else:
            probs = [None] * len(ads)
        out: list[ScoredAd] = []
        for ad, f, h, rs, p in zip(ads, feats, hits, rule_scores, probs, strict=True):
            score, explanation = combine(rs, p, self.alpha)
            out.append(ScoredAd(ad=ad, score=score, rule_score=rs.score, model_score=p,
                                flagged=score >= self.threshold, entities=f.entities(),
                                hits=h, explanation=explanation))
        if X is not None:
            # only flagged ads: the words behind the model's share, for the analyst's report
            flagged = [i for i, s in enumerate(out) if s.flagged]
            for i, why in zip(flagged, self.model.explain(X, flagged), strict=True):  # type: ignore[union-attr]
                out[i].explanation["model"] = why
        return out


def blend(model_score: Any, rule_base: Any, dampening: Any, alpha: float) -> Any:
    """The combined score; works on floats and on numpy arrays alike (training uses arrays)."""
    return (alpha * model_score + (1 - alpha) * rule_base) * (1 - dampening)


def combine(rule_score: Any, model_score: float | None, alpha: float) -> tuple[float, dict[str, Any]]:
    """The combined score and how much each part contributed to it."""
    keep = 1 - rule_score.dampening
    if model_score is None:
        score = rule_score.score
        parts = {"rules": round(score, 4), "model": None}
        formula = "score = rule_base × (1 − dampening)"
    else:
        score = blend(model_score, rule_score.base, rule_score.dampening, alpha)
        parts = {"rules": round((1 - alpha) * rule_score.base * keep, 4),
                 "model": round(alpha * model_score * keep, 4)}
        formula = _formula(alpha)
    explanation: dict[str, Any] = {
        "formula": formula,
        "contributions": parts,
        "rule_base": round(rule_score.base, 4),
        "rule_categories": {k: round(v, 4) for k, v in rule_score.by_category.items()},
        "dampening": round(rule_score.dampening, 4),
    }
    if rule_score.awareness:
        explanation["counter_indicators"] = list(rule_score.awareness)
    return min(max(float(score), 0.0), 1.0), explanation


@functools.lru_cache(maxsize=16)
def _formula(alpha: float) -> str:
    return f"score = ({alpha:g} × model_score + {1 - alpha:g} × rule_base) × (1 − dampening)"
