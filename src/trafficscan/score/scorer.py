"""Stage: score. Features, rule hits and the model's probability combined into one explained score.

With a model, the score is the probability that the ad carries a trafficking signal **at the
base rate of its source** (docs/scoring.md)::

    logit(score) = logit(base_rate) + evidence
    evidence     = rules and entities + indicator words + bias   (the model's log-likelihood ratio)

The model takes the rule categories, the awareness dampening and the entity signals as inputs
beside the words, so the rules are weighed once, by training. Without a model the score is
the rule score (noisy-OR of categories, dampened by awareness language).

An ad is flagged only when its score reaches the threshold **and** it carries at least one
stated indicator an analyst can cite (:func:`indicators`): a rule hit, an entity signal
(stated minor age, obfuscated phone, scam-compound town) or an indicator word that moved the
model. Generic vocabulary can neither raise a score (it has no weight) nor flag an ad.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trafficscan.core.ad import Ad, Evidence, ScoredAd

if TYPE_CHECKING:
    from trafficscan.score.classifier.model import LoadedModel
    from trafficscan.score.rules import RuleSet

DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class ScorerSpec:
    """Everything needed to rebuild a :class:`Scorer`, cheap to send to a worker process."""

    rules: tuple[str, ...] = ()
    model: str | None = None  # None: the bundled model if present; "" : no model
    threshold: float | None = None
    region: str = "IN"
    base_rate: float | None = None  # None: the model's own
    source_base_rates: tuple[tuple[str, float], ...] = ()

    @classmethod
    def from_options(
        cls,
        rules: Sequence[Path],
        model: Path | None,
        no_model: bool,
        threshold: float | None,
        base_rate: float | None = None,
        source_base_rates: dict[str, float] | None = None,
    ) -> ScorerSpec:
        """The spec of the command-line options ``--rules``, ``--model``/``--no-model``,
        ``--threshold``, ``--base-rate`` and a config's per-source base rates."""
        return cls(
            rules=tuple(str(p) for p in rules),
            model="" if no_model else (str(model) if model else None),
            threshold=threshold,
            base_rate=base_rate,
            source_base_rates=tuple(sorted((source_base_rates or {}).items())),
        )

    def build(self) -> Scorer:
        from trafficscan.score.rules import load_rules

        ruleset = load_rules([Path(p) for p in self.rules])
        model = load_model_choice(self.model)
        return Scorer(
            ruleset,
            model,
            threshold=self.threshold,
            region=self.region,
            base_rate=self.base_rate,
            source_base_rates=dict(self.source_base_rates),
        )


def load_model_choice(choice: str | None) -> LoadedModel | None:
    """``""``: no model. ``None``: the bundled model (missing → rules only). Else that file."""
    if choice == "":
        return None
    from trafficscan.core.resources import default_model_path
    from trafficscan.score.classifier.model import load_model

    if choice is None:
        path = default_model_path()
        if not path.exists():
            return None
        return load_model(path)
    return load_model(Path(choice))


#: Entity signals that count as a stated indicator on their own (names of ``Features.entity_spans``).
ENTITY_INDICATORS = ("minor_age", "obfuscated_phone", "scam_hub")
#: An indicator word must move the model's log-odds by at least this much to be cited. 0.6 since
#: round five: with character n-grams weighted down (``TrainSettings.char_weight``) word weights
#: grew, and at 0.5 words such as "the next" and "earn" carried legitimate job ads (docs/model.md).
MIN_TERM_WEIGHT = 0.6


class Scorer:
    """Scores ads in batches: extract features once, match rules, run the model once a batch."""

    def __init__(
        self,
        ruleset: RuleSet,
        model: LoadedModel | None = None,
        *,
        threshold: float | None = None,
        region: str = "IN",
        base_rate: float | None = None,
        source_base_rates: dict[str, float] | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.model = model
        self.region = region
        if threshold is not None:
            self.threshold = threshold
        elif model is not None:
            self.threshold = model.threshold
        else:
            self.threshold = DEFAULT_THRESHOLD
        self.base_rate = (
            base_rate if base_rate is not None else (model.base_rate if model is not None else None)
        )
        self.source_base_rates = dict(source_base_rates or {})

    def model_info(self) -> dict[str, Any] | None:
        """What the output header says of the model (``None``: rules only)."""
        return None if self.model is None else self.model.info()

    def rate_of(self, ad: Ad) -> float | None:
        """The base rate an ad's score is read at: its source's, else the scorer's."""
        return self.source_base_rates.get(ad.source, self.base_rate)

    def score_batch(self, ads: Sequence[Ad]) -> list[ScoredAd]:
        from trafficscan.features.structured import merge_structured
        from trafficscan.score.analysis import analyse

        feats, hits, rule_scores = analyse([ad.text for ad in ads], self.ruleset, self.region)
        if self.model is not None and ads:
            import numpy as np

            rates = [self.rate_of(ad) for ad in ads]
            X = self.model.matrix(feats, rule_scores)
            log_odds = self.model.log_odds(X, np.array(rates, dtype=np.float64)).tolist()
            scores = [_sigmoid(v) for v in log_odds]
        else:
            X, rates, log_odds = None, [None] * len(ads), [None] * len(ads)
            scores = [rs.score for rs in rule_scores]
        candidates = [i for i, s in enumerate(scores) if s >= self.threshold]
        why = (
            dict(zip(candidates, self.model.explain(X, candidates), strict=True))
            if (X is not None and self.model is not None)
            else {}
        )
        out: list[ScoredAd] = []
        for i, (ad, f, h, rs) in enumerate(zip(ads, feats, hits, rule_scores, strict=True)):
            explanation = explain(rs, scores[i], rates[i], log_odds[i], why.get(i))
            found = indicators(f, h, why.get(i))  # the evidence a flag needs
            if found:
                explanation["indicators"] = [e.to_dict() for e in found]
            flagged = scores[i] >= self.threshold and bool(found)
            if scores[i] >= self.threshold and not found:
                explanation["not_flagged"] = "no stated indicator (generic words only)"
            if not flagged:
                explanation.pop("model", None)
            out.append(
                ScoredAd(
                    ad=ad,
                    score=round(scores[i], 6),
                    rule_score=rs.score,
                    model_score=None if log_odds[i] is None else round(scores[i], 6),
                    flagged=flagged,
                    hits=h,
                    entities=merge_structured(ad, f.entities(), self.region),
                    explanation=explanation,
                    findings=f.contact_findings(),
                )
            )
        return out


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


def indicators(
    features: Any, hits: Sequence[Any], model_why: dict[str, Any] | None
) -> list[Evidence]:
    """The stated indicators of an ad, in the words an analyst would cite in a report.

    Rule hits (not awareness language) with the phrase that fired; entity signals with the
    span of the text that carries them (the text itself is not repeated: it may be a phone);
    and indicator words that moved the model by at least :data:`MIN_TERM_WEIGHT`.
    """
    from trafficscan.score.rules.spec import AWARENESS

    out: list[Evidence] = []
    for hit in hits:
        if hit.category != AWARENESS:
            out.append(
                Evidence(
                    "rule",
                    hit.rule_id,
                    hit.category,
                    hit.title,
                    words=tuple(_unique(m.text for m in hit.matches)),
                )
            )
    for name in ENTITY_INDICATORS:
        spans = features.entity_spans(name)
        if spans:
            out.append(Evidence("entity", name, spans=tuple(spans)))
    if model_why:
        for term in model_why.get("terms", []):
            if term["weight"] >= MIN_TERM_WEIGHT:
                out.append(Evidence("word", term["term"], weight=term["weight"]))
    return out


def _unique(words: Any) -> list[str]:
    return list(dict.fromkeys(words))


def explain(
    rule_score: Any,
    score: float,
    base_rate: float | None,
    log_odds: float | None,
    model_why: dict[str, Any] | None,
) -> dict[str, Any]:
    """How the score was reached: the rule part always, the base rate and the model's log-odds
    split when a model scored the ad."""
    explanation: dict[str, Any] = {
        "rule_base": round(rule_score.base, 4),
        "rule_categories": {k: round(v, 4) for k, v in rule_score.by_category.items()},
        "dampening": round(rule_score.dampening, 4),
    }
    if log_odds is None:
        explanation["formula"] = "score = rule_base × (1 − dampening)"
    else:
        explanation["formula"] = "score = σ(logit(base_rate) + evidence)"
        explanation["base_rate"] = base_rate
        explanation["evidence"] = round(log_odds - _logit(base_rate), 3) if base_rate else None
    if rule_score.awareness:
        explanation["counter_indicators"] = list(rule_score.awareness)
    if model_why is not None:
        explanation["model"] = model_why
    return explanation


def _logit(p: float) -> float:
    return math.log(p / (1 - p))
