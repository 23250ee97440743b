"""Places named in an ad, from a small curated gazetteer (``data/places.tsv``).

Movement is a core trafficking indicator: a foreign destination in a job offer, a known
scam-compound town (Myawaddy, Sihanoukville, KK Park...) or a source region. The gazetteer is
data so analysts can extend it without touching code; all aliases go into one Aho-Corasick
automaton, built once on first use and matched on the normalised text (so "D u b a i" and
"DUBAI" are found), whole words only, longest match first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from trafficscan.features.normalize import NormalizedText, normalize
from trafficscan.features.types import Location

__all__ = ["GAZETTEER_PATH", "Place", "extract_locations", "load_gazetteer"]

GAZETTEER_PATH = Path(__file__).with_name("data") / "places.tsv"


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    kind: str
    scam_hub: bool

    @property
    def foreign(self) -> bool:
        return self.country != "IN"


def _norm_alias(alias: str) -> str:
    """Aliases go through the same normalisation as ad text, so both sides agree."""
    return normalize(alias.strip()).text


@lru_cache(maxsize=4)
def load_gazetteer(path: Path = GAZETTEER_PATH) -> dict[str, Place]:
    """``{normalised alias: Place}`` from a gazetteer file (see the header of places.tsv)."""
    table: dict[str, Place] = {}
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#") or line.startswith("name\t"):
                continue
            cols = line.split("\t")
            if len(cols) != 5:
                raise ValueError(f"{path}:{lineno}: expected 5 tab-separated columns")
            name, country, kind, flags, aliases = cols
            place = Place(name, country, kind, "scam_hub" in flags.split(","))
            for alias in [name, *aliases.split("|")]:
                alias = _norm_alias(alias)
                if alias and alias != "-":
                    table.setdefault(alias, place)
    return table


# Letters by how often they occur in English (the space first, then Latin letters; any other
# character after them). See _automaton.
_LETTER_RANK = {ch: i for i, ch in enumerate(" etaoinsrhldcumfpgwybvkxjqz")}


def _insertion_key(alias: str) -> list[int]:
    return [_LETTER_RANK.get(ch, len(_LETTER_RANK) + ord(ch)) for ch in alias]


@lru_cache(maxsize=4)
def _automaton(path: Path = GAZETTEER_PATH) -> Any:
    import ahocorasick

    auto = ahocorasick.Automaton()
    # A node of the automaton looks its next character up among its children one by one, in
    # the order they were added. Adding the aliases sorted by common letters first puts the
    # children a text most often needs first: the scan is ~20% faster. The automaton (and so
    # every match) is the same whatever the order.
    table = load_gazetteer(path)
    for alias in sorted(table, key=_insertion_key):
        auto.add_word(alias, (len(alias), table[alias]))
    auto.make_automaton()
    return auto


_DEFAULT: list[Any] = []


def _default_automaton() -> Any:
    """The bundled gazetteer's automaton, without hashing a Path on every call."""
    if not _DEFAULT:
        _DEFAULT.append(_automaton(GAZETTEER_PATH))
    return _DEFAULT[0]


def _is_word_char(ch: str) -> bool:
    # no mark is below U+0300: the comparison spares the Unicode lookup for most characters
    return ch.isalnum() or (ch >= "\u0300" and unicodedata.category(ch)[0] == "M")


def _longest_whole_word_at(
    text: str, start: int, matches: Iterable[tuple[int, tuple[int, Place]]]
) -> tuple[int, int, Place] | None:
    """The longest of the automaton's ``matches`` that starts at ``start`` and is a whole word
    of ``text``, if any."""
    if start > 0 and _is_word_char(text[start - 1]):
        return None
    best: tuple[int, int, Place] | None = None
    for end_idx, (length, place) in matches:
        end = end_idx + 1
        if end - length == start and (end == len(text) or not _is_word_char(text[end])):
            best = (start, end, place)  # matches come by their end: a later one is longer
    return best


def extract_locations(view: NormalizedText, path: Path = GAZETTEER_PATH) -> list[Location]:
    """Gazetteer places named in the normalised text, in order, never overlapping."""
    text = view.text
    if not text:
        return []
    hits: list[tuple[int, int, Place]] = []
    n = len(text)
    auto = _default_automaton() if path is GAZETTEER_PATH else _automaton(path)
    pos = 0
    while pos < n:
        resume = n
        for end_idx, (length, place) in auto.iter_long(text, pos):
            start = end_idx - length + 1
            end = end_idx + 1
            if not (
                (start > 0 and _is_word_char(text[start - 1]))
                or (end < n and _is_word_char(text[end]))
            ):
                hits.append((start, end, place))
                continue
            # The longest alias here is glued to a word ("india" in "indian", "navi mumbai"
            # in "innavi mumbai"), and iter_long would go on after it, never trying what
            # starts inside it ("mumbai"). Take the longest whole-word alias starting here,
            # else scan again from the next character.
            shorter = _longest_whole_word_at(text, start, auto.iter(text, start, end))
            resume = shorter[1] if shorter else start + 1
            if shorter:
                hits.append(shorter)
            break
        pos = resume
    if not hits:
        return []
    if len(hits) > 1:
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out: list[Location] = []
    last_end = -1
    for start, end, place in hits:
        if start < last_end:
            continue
        s, e = view.span(start, end)
        out.append(
            Location(place.name, place.country, place.kind, s, e, place.foreign, place.scam_hub)
        )
        last_end = end
    return out
