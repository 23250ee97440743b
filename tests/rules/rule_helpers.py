"""Helpers for the rule tests (imported by name; conftest only holds fixtures): packs written to tmp folders, and fake features.

The engine only needs ``features.normalized`` and ``features.entity_spans(name)``, so the unit
tests build those by hand: they test the engine, not the features stage's extractors.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from trafficscan.features.normalize import NormalizedText, normalize

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"


@dataclass
class FakeFeatures:
    normalized: NormalizedText
    entities: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def entity_spans(self, name: str) -> list[tuple[int, int]]:
        return list(self.entities.get(name, []))


def features(
    text: str, *, norm: NormalizedText | None = None, **entities: str | list[str]
) -> FakeFeatures:
    """Fake features of ``text``; each entity is given as the substring(s) of ``text`` it covers."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for name, subs in entities.items():
        for sub in [subs] if isinstance(subs, str) else subs:
            start = text.index(sub)
            spans.setdefault(name, []).append((start, start + len(sub)))
    return FakeFeatures(norm or normalize(text), spans)


_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}


def toy_normalize(original: str) -> NormalizedText:
    """A small stand-in for the real normaliser with the two tricks that move offsets:
    leetspeak inside words (``g1rl``) and spaced-out letters (``N E W``) joined, whitespace
    folded. It keeps an exact offset map, so span mapping can be tested independently."""
    out: list[str] = []
    offs: list[int] = []
    tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", original)]
    i = 0
    while i < len(tokens):
        run = [tokens[i]]
        # join runs of >= 3 single-character tokens: "n 3 w" -> "new"
        j = i + 1
        while j < len(tokens) and len(tokens[j][1]) == 1 and len(tokens[i][1]) == 1:
            run.append(tokens[j])
            j += 1
        if len(run) >= 3:
            chars = [(pos, ch) for pos, ch in run]
            i = j
        else:
            pos, tok = tokens[i]
            chars = [(pos + k, ch) for k, ch in enumerate(tok)]
            i += 1
        if out:
            out.append(" ")
            offs.append(chars[0][0] - 1)
        starts_digit = chars[0][1].isdigit()
        for pos, ch in chars:
            ch = ch.lower()
            if not starts_digit and ch in _LEET:
                ch = _LEET[ch]
            out.append(ch)
            offs.append(pos)
    offs.append(len(original))
    return NormalizedText(original, "".join(out), tuple(offs))


def write_pack(folder: Path, yaml_text: str, name: str = "pack.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(yaml_text).lstrip(), encoding="utf-8")
    return path


def rule_yaml(
    rid: str,
    body: str,
    *,
    category: str = "youth",
    weight: float = 0.4,
    match: str = "x",
    no_match: str = "y",
) -> str:
    """One rule with the boilerplate filled in; ``body`` holds patterns/requires/unless."""
    body = textwrap.indent(textwrap.dedent(body).strip(), "  ")
    return (
        f"- id: {rid}\n  title: Test rule {rid}\n  category: {category}\n"
        f'  weight: {weight}\n{body}\n  references: ["test"]\n'
        f"  examples:\n    match: [{match!r}]\n    no_match: [{no_match!r}]\n"
    )
