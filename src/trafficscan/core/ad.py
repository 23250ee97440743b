"""The types every stage passes along: an :class:`Ad` in, a :class:`ScoredAd` out.

One result type explains everything that scores an ad: a :class:`RuleHit` carries the rule,
its weight and the :class:`Match` spans of the original text; the model's probability and the
combined score sit beside the hits in :class:`ScoredAd`, with the share each part contributed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from trafficscan.core.finding import Finding

_WS = re.compile(r"\s+")


@dataclass(slots=True)
class Ad:
    """One advertisement as found on a source or read from a file.

    ``text`` is what every later stage analyses and what match spans index into: the title,
    body and contact field joined by newlines (empty parts left out).
    """

    source: str
    url: str = ""
    title: str = ""
    body: str = ""
    price: str = ""
    location: str = ""
    posted_at: str = ""
    contact: str = ""
    id: str = ""
    label: int | None = None
    category: str = ""
    text: str = field(default="", repr=False)
    #: An input file's own fields that are not ad fields (an analyst's case id, a phone
    #: column): carried through to the output unchanged under ``extra``.
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    #: The page this ad was read from, as received (``crawl.fetch.Capture``), while the scan
    #: keeps evidence: held only until the ad is scored, then written or dropped.
    capture: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.text:
            self.text = join_text(self.title, self.body, self.contact)
        if not self.id:
            self.id = content_id(self.text)

    def is_empty(self) -> bool:
        return not (self.title.strip() or self.body.strip() or self.text.strip())


def join_text(*parts: str) -> str:
    """Join non-empty parts with newlines, skipping a part already contained in the text."""
    out: list[str] = []
    for part in parts:
        part = (part or "").strip()
        if part and not any(part in seen for seen in out):
            out.append(part)
    return "\n".join(out)


def content_id(text: str) -> str:
    """A stable id from normalised content: same words, same id, whatever the spacing or case.

    Volatile fields (URL, source, dates) are left out so that a re-posted ad keeps its id.
    """
    canon = _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Match:
    """A span of the ad's original ``text`` that triggered something."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(slots=True)
class RuleHit:
    """A rule that fired on an ad, with the words that fired it.

    ``matches`` are the indicator itself: the phrase, pattern, entity or pair of ``near``
    phrases that fired. ``context`` are the words a rule's ``requires`` demanded around it
    ("job", "required" beside a child's age): needed for the hit, but not what an analyst cites.
    """

    rule_id: str
    category: str
    weight: float
    title: str = ""
    matches: list[Match] = field(default_factory=list)
    context: list[Match] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.rule_id,
            "category": self.category,
            "weight": self.weight,
            "title": self.title,
            "matches": [m.to_dict() for m in self.matches],
        }
        if self.context:
            out["context"] = [m.to_dict() for m in self.context]
        return out


@dataclass(slots=True)
class Evidence:
    """One stated indicator of an ad, whoever found it, in one shape (``explanation.indicators``).

    ``kind`` says who: ``rule`` (a rule hit: ``name`` is the rule id, ``words`` the phrases that
    fired), ``entity`` (a recognizer's signal such as ``minor_age``: ``spans`` into the original
    text, never the text itself, which may be a phone) or ``word`` (an indicator term that moved
    the model by ``weight`` log-odds). A flag needs at least one: it is what an analyst cites.
    """

    kind: str
    name: str
    category: str = ""
    title: str = ""
    words: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    weight: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The output form; field names per kind as documented in docs/scoring.md."""
        if self.kind == "rule":
            return {
                "kind": "rule",
                "id": self.name,
                "category": self.category,
                "title": self.title,
                "words": list(self.words),
            }
        if self.kind == "entity":
            return {"kind": "entity", "name": self.name, "spans": [list(s) for s in self.spans]}
        return {"kind": "word", "term": self.name, "weight": self.weight}


@dataclass(slots=True)
class ScoredAd:
    """An ad with its entities, rule hits, model probability and combined score."""

    ad: Ad
    score: float
    rule_score: float
    model_score: float | None
    flagged: bool
    entities: dict[str, Any] = field(default_factory=dict)
    hits: list[RuleHit] = field(default_factory=list)
    explanation: dict[str, Any] = field(default_factory=dict)
    first_seen: str | None = None
    last_seen: str | None = None
    is_new: bool | None = None
    seen_with: dict[str, Any] | None = None
    #: ``{"id": "c-…", "size": n}`` when the ad was clustered (``scan`` with state, ``score --cluster``).
    cluster: dict[str, Any] | None = None
    #: Where the page as received is stored: ``{warc, record_id, sha256, fetched_at}``.
    evidence: dict[str, str] | None = None
    #: The phone, e-mail and handle findings of ``ad.text`` (spans of it) from the scorer's own
    #: extraction: ``--redact`` masks exactly these, never a second search of the text.
    findings: tuple[Finding, ...] = field(default=(), repr=False, compare=False)
