"""The rule score: combinations of distinct indicators are strong, repeats are not.

Implements docs/rules.md exactly::

    s_c        = max weight of the hits in category c            (c != awareness)
    base       = 1 - prod_c (1 - s_c)                             (noisy-OR over categories)
    dampening  = 1 - prod_a (1 - w_a)                             (over awareness hits)
    rule_score = base * (1 - dampening)

and splits the score into per-category shares so a report can say how much each part
contributed (the shares add up to ``score``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from trafficscan.core.ad import RuleHit
from trafficscan.score.rules.spec import AWARENESS


@dataclass(frozen=True, slots=True)
class RuleScore:
    """The rule score of one ad and how it was reached.

    ``by_category`` is each category's ``s_c`` (its strongest hit); ``contributions`` is
    each category's additive share of ``score``; ``awareness`` lists the awareness rule ids
    that dampened it.
    """

    score: float
    base: float
    dampening: float
    by_category: dict[str, float] = field(default_factory=dict)
    awareness: list[str] = field(default_factory=list)
    contributions: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "base": self.base,
            "dampening": self.dampening,
            "by_category": dict(self.by_category),
            "contributions": dict(self.contributions),
            "awareness": list(self.awareness),
        }


def score_hits(hits: Iterable[RuleHit]) -> RuleScore:
    """Combine rule hits into one score in 0..1 (see the module docstring)."""
    by_category: dict[str, float] = {}
    aware: dict[str, float] = {}  # rule id -> weight: a rule dampens once, however listed
    for hit in hits:
        if hit.category == AWARENESS:
            if hit.weight > aware.get(hit.rule_id, -1.0):
                aware[hit.rule_id] = hit.weight
        elif hit.weight > by_category.get(hit.category, -1.0):
            by_category[hit.category] = hit.weight
    awareness = list(aware)
    undamped = 1.0
    for w in aware.values():
        undamped *= 1.0 - w
    miss = 1.0
    for s in by_category.values():
        miss *= 1.0 - s
    base = 1.0 - miss
    dampening = 1.0 - undamped
    score = base * (1.0 - dampening)
    return RuleScore(
        score=score,
        base=base,
        dampening=dampening,
        by_category=dict(sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))),
        awareness=awareness,
        contributions=_shares(by_category, score),
    )


def _shares(by_category: dict[str, float], score: float) -> dict[str, float]:
    """Split ``score`` between categories in proportion to ``-log(1 - s_c)``.

    Noisy-OR is ``1 - exp(-sum(lambda_c))`` with ``lambda_c = -log(1 - s_c)``: each category
    adds its lambda, so a share proportional to lambda is the exact, order-free attribution.
    A category at weight 1 (lambda infinite) takes the whole score, shared with any other at 1.
    """
    if not by_category or score <= 0.0:
        return dict.fromkeys(by_category, 0.0)
    certain = [c for c, s in by_category.items() if s >= 1.0]
    if certain:
        return {c: (score / len(certain) if c in certain else 0.0) for c in by_category}
    lambdas = {c: -math.log1p(-s) for c, s in by_category.items()}
    total = sum(lambdas.values())
    return {
        c: score * lam / total for c, lam in sorted(lambdas.items(), key=lambda kv: (-kv[1], kv[0]))
    }
