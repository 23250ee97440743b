"""Stage: score (rules). Indicator rule packs as data, validated, compiled and explained.

``load_rules`` reads and validates the packs (every problem at once, with file and line),
``RuleSet.match`` finds the hits of one ad with original-text spans, ``score_hits`` combines
them per docs/rules.md.
"""

from __future__ import annotations

from trafficscan.score.rules.engine import RuleSet
from trafficscan.score.rules.loader import load_rules
from trafficscan.score.rules.rule_score import RuleScore, score_hits
from trafficscan.score.rules.spec import AWARENESS, CATEGORIES, ENTITY_NAMES, Rule

__all__ = [
    "AWARENESS",
    "CATEGORIES",
    "ENTITY_NAMES",
    "Rule",
    "RuleScore",
    "RuleSet",
    "load_rules",
    "score_hits",
]
