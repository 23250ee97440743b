"""Stage: score (rules). Indicator rule packs as data, validated, compiled and explained.

``load_rules`` reads and validates the packs (every problem at once, with file and line),
``RuleSet.match`` finds the hits of one ad with original-text spans, ``score_hits`` combines
them per docs/rules.md.
"""

from __future__ import annotations

from trafficscan.rules.engine import RuleSet
from trafficscan.rules.loader import load_rules
from trafficscan.rules.model import AWARENESS, CATEGORIES, ENTITY_NAMES, Rule
from trafficscan.rules.scoring import RuleScore, score_hits

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
