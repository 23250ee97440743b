"""The rule data model: what a rule pack says, as frozen dataclasses.

Rules are data (docs/rules.md). The loader turns YAML into these objects after validating
every field; the engine compiles them; ``rules list --format json`` prints them back with
:meth:`Rule.to_dict`. They hold only plain values, so a rule set pickles cheaply and a worker
process can rebuild the compiled matcher from them without touching the files again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# what a rule may name: the one list, kept by the features stage (re-exported here)
from trafficscan.features.entity_names import ENTITY_NAMES as ENTITY_NAMES

#: Categories a rule may belong to (docs/rules.md, "Categories"). ``awareness`` is the
#: counter-indicator: its hits dampen the score instead of adding to it.
CATEGORIES: tuple[str, ...] = (
    "youth",
    "movement",
    "third-party-control",
    "restricted-freedom",
    "recruitment-fraud",
    "nationality",
    "obscured-contact",
    "payment",
    "commercial-sex",
    "bride-trafficking",
    "child-labour",
    "child-sale",
    "organ-trade",
    "emoji-code",
    "awareness",
)
AWARENESS = "awareness"

STATUSES: tuple[str, ...] = ("stable", "experimental")

#: ``near.within`` when a rule leaves it out.
DEFAULT_WITHIN = 5
#: Largest ``near.within`` accepted: beyond this "near" means "anywhere in the ad", which a
#: ``requires`` clause says more honestly.
MAX_WITHIN = 50


@dataclass(frozen=True, slots=True)
class Keywords:
    """Any of these phrases, as whole words. Kept as written; the engine normalises them."""

    keywords: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"keywords": list(self.keywords)}


@dataclass(frozen=True, slots=True)
class Regex:
    """An RE2 regex run on the normalised text."""

    regex: str

    def to_dict(self) -> dict[str, Any]:
        return {"regex": self.regex}


@dataclass(frozen=True, slots=True)
class Near:
    """A ``terms`` phrase within ``within`` words of a ``with`` phrase or of an entity."""

    terms: tuple[str, ...]
    within: int = DEFAULT_WITHIN
    with_: tuple[str, ...] = ()
    with_entity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        near: dict[str, Any] = {"terms": list(self.terms)}
        if self.with_entity is not None:
            near["with_entity"] = self.with_entity
        else:
            near["with"] = list(self.with_)
        near["within"] = self.within
        return {"near": near}


@dataclass(frozen=True, slots=True)
class Entity:
    """The features stage found an entity of this kind."""

    entity: str

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity}


Pattern = Keywords | Regex | Near | Entity


@dataclass(frozen=True, slots=True)
class Example:
    """One example text and the line it sits on, so a failing example can be found."""

    text: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One validated indicator rule. ``file``/``line`` say where it was defined."""

    id: str
    title: str
    category: str
    weight: float
    patterns: tuple[Pattern, ...]
    references: tuple[str, ...]
    match_examples: tuple[Example, ...]
    no_match_examples: tuple[Example, ...]
    requires: tuple[Pattern, ...] = ()
    unless: tuple[str, ...] = ()
    description: str = ""
    status: str = "stable"
    tags: tuple[str, ...] = ()
    file: str = ""
    line: int | None = None

    @property
    def where(self) -> str:
        """``file:line`` for messages and listings."""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    @property
    def is_awareness(self) -> bool:
        return self.category == AWARENESS

    def to_dict(self) -> dict[str, Any]:
        """The rule as it would be written in a pack, plus where it came from."""
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "category": self.category,
            "weight": self.weight,
            "status": self.status,
            "tags": list(self.tags),
            "patterns": [p.to_dict() for p in self.patterns],
            "requires": [p.to_dict() for p in self.requires],
            "unless": list(self.unless),
            "references": list(self.references),
            "examples": {
                "match": [e.text for e in self.match_examples],
                "no_match": [e.text for e in self.no_match_examples],
            },
            "file": self.file,
            "line": self.line,
        }
        return out
