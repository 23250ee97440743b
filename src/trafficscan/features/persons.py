"""Recognizer: counted mentions of people on offer or wanted ("2 girls", "do ladkiyan").

The noun is found first, then the count is read backwards from it (digits or number words in
English, Hinglish and Hindi), through up to two adjectives ("3 new college girls"). Runs on the
normalised view; spans are of the original text.
"""

from __future__ import annotations

import re
import unicodedata

from trafficscan.features._regex import trie
from trafficscan.features.normalize import NormalizedText
from trafficscan.features.types import Person

__all__ = ["extract_persons"]

_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "twenty": 20, "do": 2, "teen": 3, "char": 4, "paanch": 5, "panch": 5,
    "dono": 2, "दो": 2, "तीन": 3, "चार": 4, "पांच": 5, "पाँच": 5, "दस": 10,
}  # fmt: skip
_PERSON_NOUNS = [
    "girls", "girl", "ladies", "lady", "women", "woman", "females", "female", "boys", "boy",
    "models", "model", "escorts", "ladkiyan", "ladkiyaan", "ladkiya", "ladki", "bhabhi",
    "bhabhis", "aunties", "aunty", "housewives", "children", "child", "kids", "maids", "maid",
    "workers", "candidates", "persons", "people", "brides", "babies", "baby", "लड़कियां",
    "लड़कियाँ", "लड़की", "महिलाएं", "बच्चे", "लड़के",
]  # fmt: skip
_PERSON_ADJECTIVES = (
    "new|young|fresh|hot|college|beautiful|sexy|indian|russian|nepali|bengali|assamese|"
    r"north[\s-]?east|local|foreign|vip|more|other|genuine|real|smart|educated|unmarried|"
    "married|single|female|male|fit|healthy|strong|small"
)
# Found noun first, then the count is read backwards from it. The noun pattern starts with the
# character before the noun ([^a-z]: the noun must start a word, checked exactly in
# extract_persons), so re only stops at word starts; a noun at the very start has no count
# before it anyway.
_PERSON_NOUN = re.compile(rf"[^a-z]({trie(_PERSON_NOUNS)})(?![a-z\u0900-\u097f])")
_PERSON_COUNT = re.compile(
    r"(?P<n>\d{1,3}|" + trie(_NUMBER_WORDS) + r")\s?\+?\s?"
    rf"(?:(?:{_PERSON_ADJECTIVES})\s){{0,2}}$"
)
# what the text right before a counted noun must end with (see _may_have_count)
_COUNT_ENDINGS = tuple(_NUMBER_WORDS)
_ADJECTIVE_ENDINGS = tuple(
    "east" if a.startswith("north") else a for a in _PERSON_ADJECTIVES.split("|")
)


def _may_have_count(text: str, s: int) -> bool:
    """Whether ``_PERSON_COUNT`` can match right before ``s``: a necessary condition, tested
    with a few string calls instead of a regex search of the whole window.

    Before the noun stands an adjective and one whitespace character, or the count followed by
    ``\\s?\\+?\\s?``; the count is a digit or a number word. (``$`` also matches before a
    final newline, so a newline right before the noun is always worth the search.)
    """
    k = s
    if k and text[k - 1] == "\n":
        return True
    if k and text[k - 1].isspace():
        k -= 1
        if text.endswith(_ADJECTIVE_ENDINGS, 0, k):
            return True
    if k and text[k - 1] == "+":
        k -= 1
    if k and text[k - 1].isspace():
        k -= 1
    return k > 0 and (text[k - 1].isdecimal() or text.endswith(_COUNT_ENDINGS, 0, k))


def extract_persons(view: NormalizedText) -> list[Person]:
    """Every counted mention of people (1 to 500) in the normalised view ``view``."""
    text = view.text
    out: list[Person] = []
    for m in _PERSON_NOUN.finditer(text):
        s = m.start(1)
        if text[s - 1].isalpha() or not _may_have_count(text, s):
            continue
        c = _PERSON_COUNT.search(text, max(0, s - 40), s)
        if c is None:
            continue
        n0 = c.start("n")
        if n0 > 0 and (text[n0 - 1].isalnum() or text[n0 - 1] in ".,/-–"):
            continue  # "age 14-18 girls", "covid19 girls"
        if text[max(0, n0 - 3) : n0] == "to ":
            continue  # "14 to 18 girls"
        raw = c.group("n")
        if raw.isdigit():
            count = int("".join(str(unicodedata.decimal(ch, 0)) for ch in raw))
        else:
            count = _NUMBER_WORDS.get(raw, 0)
        if 0 < count <= 500:
            out.append(Person(count, m.group(1), *view.span(n0, m.end())))
    return out
