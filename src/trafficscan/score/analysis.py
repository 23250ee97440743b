"""The per-ad half of scoring that needs no model: features, rule hits, rule score.

``Scorer.score_batch`` (scan, score, evaluate) and ``classifier.train.prepare`` (train) both
read ads through :func:`analyse`, so a model is trained on exactly the inputs it later scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

# at module level, not in analyse(): a "from package import name" inside a function goes
# through importlib each call. This module is itself imported lazily, by the scorer and by
# training, so loading these here costs --help nothing.
from trafficscan.features import extract  # the function (the package binds it lazily)
from trafficscan.score.rules.rule_score import score_hits

if TYPE_CHECKING:
    from trafficscan.core.ad import RuleHit
    from trafficscan.features import Features
    from trafficscan.score.rules import RuleScore, RuleSet


def analyse(
    texts: Sequence[str], ruleset: RuleSet, region: str = "IN"
) -> tuple[list[Features], list[list[RuleHit]], list[RuleScore]]:
    """For each text: its features, the rules that fired and their score (three parallel lists,
    built a list at a time: this runs for every ad scored or trained on)."""
    feats = [extract(text, region=region) for text in texts]
    hits = [ruleset.match(f) for f in feats]
    return feats, hits, [score_hits(h) for h in hits]
