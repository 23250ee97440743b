"""Text normalisation that remembers where every character came from.

Rules and extractors match on normalised text (NFKC, case-folded, leetspeak undone, spaced-out
letters joined) but must report spans of the *original* ad text, so an analyst can highlight the
words. :func:`normalize` returns a :class:`NormalizedText` whose ``offsets[i]`` is the index in the
original string of normalised character ``i``.

Two views are built, both with an offset map into the original:

* the **contact view** (:func:`contact_view`): NFKC, case folding, invisible characters removed
  and nothing else. Phones, e-mails, handles, URLs and prices are read from it, because undoing
  leetspeak would destroy exactly what they are made of (``@``, ``$``, digits next to letters).
* the **normalised text** (:func:`normalize`): the contact view plus spaced/dotted letters joined,
  leetspeak and homoglyphs undone inside words, repeated punctuation and whitespace folded. Rules,
  ages, places and counts are read from it. ``docs/rules.md`` is the contract for this view.

Speed matters (every crawled ad goes through here), so the work is done by a handful of regex
passes; Python code only runs per *match* (a leet word, a whitespace run), never per character,
except for text that NFKC or case folding would change (full-width, ligatures, ``ß``...).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["NormalizedText", "contact_view", "normalize", "normalize_both"]


def _is_trailing_mark(ch: str) -> bool:
    """Marks that belong to the character before them (combining accents, keycap, VS16)."""
    return unicodedata.category(ch) in ("Mn", "Me", "Mc") or ch in "\ufe0e\ufe0f"


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Normalised text plus the map back to the original.

    Invariants: ``len(offsets) == len(text) + 1``, ``offsets`` never decreases, and
    ``offsets[-1] == len(original)``.
    """

    original: str
    text: str
    offsets: tuple[int, ...]  # len(offsets) == len(text) + 1; last entry == len(original)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of ``text`` to the matching half-open span of ``original``.

        The end is stretched over combining marks, variation selectors and the keycap mark that
        follow the last character, so a highlight never cuts a visible character in two.
        """
        n = len(self.text)
        start = max(0, min(start, n))
        end = max(0, min(end, n))
        if start >= end:
            o = self.offsets[start]
            return o, o
        s = self.offsets[start]
        e = self.offsets[end - 1] + 1
        orig = self.original
        limit = len(orig)
        while e < limit and _is_trailing_mark(orig[e]):
            e += 1
        return s, e

    def to_norm(self, original_index: int) -> int:
        """The first normalised index whose source is at or after ``original_index``."""
        return bisect.bisect_left(self.offsets, original_index, 0, len(self.offsets) - 1)


# --------------------------------------------------------------------------------------------
# Contact view: NFKC + casefold + invisible characters removed.

# Soft hyphen, zero-width space/joiners, bidi controls, word joiner, BOM, C0/C1 controls that
# are not whitespace. A ZWJ right after an emoji is kept: it glues emoji sequences (👨‍👩‍👧).
_INVISIBLE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]"
)  # a plain class (no look-behind) so the common "nothing to remove" case is one C scan
_EMOJI_BEFORE_ZWJ = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")


def _drop_invisible(m: re.Match[str]) -> tuple[str, tuple[int, ...]] | None:
    s = m.start()
    if m.group() == "\u200d" and s > 0 and _EMOJI_BEFORE_ZWJ.match(m.string, s - 1):
        return None  # keep the joiner of an emoji sequence
    return "", ()


_char_cache: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    out = _char_cache.get(ch)
    if out is None:
        out = unicodedata.normalize("NFKC", ch).casefold()
        # NFKC turns some characters into a space + combining mark (e.g. U+00A8 -> " \u0308");
        # keep them as written so the result stays one "character" where possible.
        if len(_char_cache) < 50_000:
            _char_cache[ch] = out
    return out


def _fold_slow(original: str) -> tuple[str, list[int]]:
    """NFKC + casefold cluster by cluster (a base character and its combining marks)."""
    out: list[str] = []
    offs: list[int] = []
    n = len(original)
    i = 0
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(original[j]):
            j += 1
        piece = (
            _fold_char(original[i])
            if j == i + 1
            else unicodedata.normalize("NFKC", original[i:j]).casefold()
        )
        out.append(piece)
        if len(piece) == 1:
            offs.append(i)
        else:
            offs.extend([i] * len(piece))
        i = j
    return "".join(out), offs


def _contact(original: str) -> tuple[str, list[int]]:
    """The contact view as (text, offsets without the final sentinel)."""
    n = len(original)
    if original.isascii():
        text = original.lower()
        offs = list(range(n))
    else:
        folded = original.casefold()
        if len(folded) == n and unicodedata.is_normalized("NFKC", original):
            # casefold never shortens a character, so equal length means one-to-one.
            text, offs = folded, list(range(n))
        else:
            text, offs = _fold_slow(original)
    # every invisible character is unprintable: one C call spares the search for most ads
    if not text.isprintable() and _INVISIBLE.search(text) is not None:
        text, offs = _rewrite(text, offs, _INVISIBLE, _drop_invisible)
    return text, offs


# --------------------------------------------------------------------------------------------
# The regex-pass engine.

_Repl = tuple[str, "tuple[int, ...] | range | list[int]"]


def _rewrite(
    text: str,
    offs: list[int],
    pattern: re.Pattern[str],
    fn: Callable[[re.Match[str]], _Repl | None],
) -> tuple[str, list[int]]:
    """Replace every match of ``pattern`` by ``fn(match)`` and carry the offset map along.

    ``fn`` returns ``(replacement, sources)`` where ``sources[k]`` is the index *in text* that
    replacement character ``k`` comes from, or ``None`` to leave the match alone. Unchanged
    stretches are copied with slices, so the cost is per match, not per character.
    """
    out: list[str] = []
    new_offs: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        r = fn(m)
        if r is None:
            continue
        s, e = m.span()
        if s > pos:
            out.append(text[pos:s])
            new_offs.extend(offs[pos:s])
        rep, src = r
        out.append(rep)
        new_offs.extend([offs[k] for k in src])
        pos = e
    if not out and pos == 0:
        return text, offs
    out.append(text[pos:])
    new_offs.extend(offs[pos:])
    return "".join(out), new_offs


# --------------------------------------------------------------------------------------------
# Normalised text: edits from three cheap scans, applied in one go.

_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
# Cyrillic and Greek letters that look Latin; undone only in words that also have Latin letters
# (a Russian ad written in Cyrillic stays Cyrillic).
_HOMOGLYPH = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ӏ": "l", "ɡ": "g", "ο": "o", "α": "a", "ρ": "p", "ν": "v", "κ": "k", "τ": "t",
    "ι": "i", "υ": "u", "ε": "e", "χ": "x", "β": "b", "η": "n", "μ": "u",
}  # fmt: skip
_HOMO_CLASS = "".join(_HOMOGLYPH)
_LATIN = re.compile(r"[a-z]")
_TRAILING_DIGITS = re.compile(r"\d{2,}$")

_PUNCT = r"!\"#%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~¡¿·•…‹›«»。、।॥‐‑‒–—―"
_SEP = r"[ .\-_*·•]"
# >= 3 single letters spaced or dotted out with one consistent separator: "n e w", "y.o.u"
_JOIN = re.compile(rf"(?<![\w@$])[a-z](?P<sep>{_SEP})[a-z](?:(?P=sep)[a-z])+(?!\w)")
_JOIN_HINT = re.compile(rf"{_SEP}[a-z]{_SEP}[a-z]")  # cheap test before the real search
# a leet digit/symbol or a homoglyph: the word around it is examined in Python
_LEET_HIT = re.compile(rf"[013457@$!{_HOMO_CLASS}]+")
_ODD_WS = re.compile(r"\s{2,}|[^\S ]")
_REPEATED_PUNCT = re.compile(rf"([{_PUNCT}])\1+")

_Edit = tuple[int, int, str, "range | tuple[int, ...]"]


def _undo_leet(word: str) -> str | None:
    """Leet digits and symbols inside a word become letters; None when nothing changes.

    A word that starts with a digit is left alone (``18yo``, ``2bhk``; callers never offer
    one), so is a word without any letter (``$500``). A trailing run of two or more digits is
    kept (``age18``, ``covid19``), as is a leading ``@`` (a handle). Homoglyphs are undone only
    in words that also contain Latin letters.
    """
    if not any(c.isalpha() for c in word):
        return None
    has_latin = _LATIN.search(word) is not None
    tail = _TRAILING_DIGITS.search(word)
    stop = tail.start() if tail else len(word)
    chars = list(word)
    changed = False
    for k, c in enumerate(chars):
        rep = _HOMOGLYPH.get(c)
        if rep is not None:
            if not has_latin:
                continue
        elif k >= stop or (c == "@" and k == 0):
            continue
        else:
            rep = _LEET.get(c)
            if rep is None:
                continue
        chars[k] = rep
        changed = True
    return "".join(chars) if changed else None


_WORD_REST = re.compile(r"(?:[\w@$]|!+(?=[\w@$]))*")


def _leet_edits(text: str) -> list[_Edit]:
    """Rewrites of words that contain leet symbols or homoglyphs (see :func:`_undo_leet`)."""
    edits: list[_Edit] = []
    n = len(text)
    done = 0  # end of the last word examined
    for m in _LEET_HIT.finditer(text):
        s, e = m.span()
        if s < done:
            continue
        if s > 0:
            prev = text[s - 1]
            if prev.isdigit() and text[s].isdigit():
                continue  # inside a number: 9000012345, 2024
            before = prev.isalnum() or prev in "_@$"
        else:
            before = False
        if not before and not text[s].isalpha():
            if e >= n:
                continue
            nxt = text[e]
            if not (nxt.isalnum() or nxt in "_@$" or (nxt == "!" and e + 1 < n)):
                continue  # a lone "1", "$", "!!!"
        ws = s
        while ws > 0:
            c = text[ws - 1]
            if not (c.isalnum() or c in "_@$!"):
                break
            ws -= 1
        while text[ws] == "!":
            ws += 1
        we = _WORD_REST.match(text, e).end()  # type: ignore[union-attr]  # matches the empty string
        while we > ws and text[we - 1] == "!":
            we -= 1  # "hot!!!": the word is "hot"
        done = max(we, e)
        if we <= ws or text[ws].isdigit() or text[ws] == "_":
            continue  # 18yo, 2bhk, 24x7, phone numbers: tokens that start with a digit
        if "@" in text[ws:we] and text.startswith(".", we) and we + 1 < n:
            continue  # name@domain.tld: an e-mail address, not leetspeak
        new = _undo_leet(text[ws:we])
        if new is not None:
            edits.append((ws, we, new, range(ws, we)))
    return edits


def _full(original: str, text: str, offs: list[int]) -> NormalizedText:
    n = len(text)
    edits: list[_Edit] = []
    if _JOIN_HINT.search(text) is not None:
        for m in _JOIN.finditer(text):
            s, e = m.span()
            edits.append((s, e, m.group()[::2], range(s, e, 2)))
    edits.extend(_leet_edits(text))
    # str tests in C first: most ads have neither double spaces nor line breaks
    if "  " in text or not text.isprintable():
        for m in _ODD_WS.finditer(text):
            s, e = m.span()
            edge = s == 0 or e == n
            edits.append((s, e, "" if edge else " ", () if edge else (s,)))
    for m in _REPEATED_PUNCT.finditer(text):
        s, e = m.span()
        edits.append((s, e, text[s], (s,)))
    if n and text[0] == " ":
        edits.append((0, 1, "", ()))
    if n > 1 and text[-1] == " ":
        edits.append((n - 1, n, "", ()))
    if edits:
        edits.sort(key=lambda x: x[0])
        out: list[str] = []
        new_offs: list[int] = []
        pos = 0
        for s, e, rep, src in edits:
            if s < pos:
                continue  # overlapping rewrites: the first one wins
            if s > pos:
                out.append(text[pos:s])
                new_offs.extend(offs[pos:s])
            out.append(rep)
            new_offs.extend([offs[k] for k in src])
            pos = e
        out.append(text[pos:])
        new_offs.extend(offs[pos:])
        text, offs = "".join(out), new_offs
    else:
        offs = offs.copy()
    offs.append(len(original))
    return NormalizedText(original, text, tuple(offs))


def contact_view(original: str) -> NormalizedText:
    """NFKC + casefold + invisible characters removed: the text contacts and prices are read from."""
    text, offs = _contact(original)
    offs.append(len(original))
    return NormalizedText(original, text, tuple(offs))


def normalize(original: str) -> NormalizedText:
    """The normalised text that rules match on (see ``docs/rules.md``)."""
    text, offs = _contact(original)
    return _full(original, text, offs)


def normalize_both(original: str) -> tuple[NormalizedText, NormalizedText]:
    """``(contact_view(original), normalize(original))``, sharing the work of the first pass."""
    text, offs = _contact(original)
    full = _full(original, text, offs)
    offs.append(len(original))
    return NormalizedText(original, text, tuple(offs)), full
