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
from operator import itemgetter

from trafficscan.features.types import fast_init

__all__ = ["NormalizedText", "contact_view", "normalize", "normalize_both"]


def _is_trailing_mark(ch: str) -> bool:
    """Marks that belong to the character before them (combining accents, keycap, VS16)."""
    return unicodedata.category(ch) in ("Mn", "Me", "Mc") or ch in "\ufe0e\ufe0f"


@fast_init
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
        if not 0 <= start < end <= n:
            start = max(0, min(start, n))
            end = max(0, min(end, n))
            if start >= end:
                o = self.offsets[start]
                return o, o
        s = self.offsets[start]
        e = self.offsets[end - 1] + 1
        orig = self.original
        limit = len(orig)
        # no mark is below U+0300: one comparison spares the Unicode lookup for most characters
        while e < limit and orig[e] >= "\u0300" and _is_trailing_mark(orig[e]):
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


# Offsets are ``None`` while the text still maps one-to-one onto the original (offset i is i),
# as it does for most ads: no list of offsets is built, and the final tuple, the same for every
# text of that length, is shared (tuples are immutable). The shared ones are sliced from one
# prebuilt tuple, so they hold the same int objects: at most 4 MiB for all lengths up to 1,024.
_Offsets = list[int] | None
_IDENTITY = tuple(range(1025))
_identity_by_length: dict[int, tuple[int, ...]] = {}


def _identity(n: int) -> tuple[int, ...]:
    """``(0, 1, ..., n)``."""
    offsets = _identity_by_length.get(n)
    if offsets is None:
        if n >= len(_IDENTITY):
            return tuple(range(n + 1))
        offsets = _identity_by_length[n] = _IDENTITY[: n + 1]
    return offsets


def _frozen(offs: _Offsets, n_original: int) -> tuple[int, ...]:
    """The ``offsets`` of a :class:`NormalizedText`: ``offs`` plus the final sentinel."""
    if offs is None:
        return _identity(n_original)
    return (*offs, n_original)


def _contact(original: str) -> tuple[str, _Offsets, str | None]:
    """The contact view as (text, offsets without the final sentinel, or None for one-to-one,
    the text with its line breaks made spaces when that is printable, else None)."""
    if original.isascii():
        text, offs = original.lower(), None
    else:
        folded = original.casefold()
        if len(folded) == len(original) and unicodedata.is_normalized("NFKC", original):
            # casefold never shortens a character, so equal length means one-to-one.
            text, offs = folded, None
        else:
            text, offs = _fold_slow(original)
    # every invisible character is unprintable, and the line break (not one of them) is the only
    # unprintable character of most ads: C calls spare the search for them
    if text.isprintable():
        return text, offs, text
    flat = text.replace("\n", " ")
    if flat.isprintable():
        return text, offs, flat
    if _INVISIBLE.search(text) is not None:
        if offs is None:
            offs = list(range(len(text)))
        text, offs = _rewrite(text, offs, _INVISIBLE, _drop_invisible)
    return text, offs, None


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
# >= 3 single letters spaced or dotted out with one consistent separator: "n e w", "y.o.u";
# the left boundary (no [\w@$] before) is checked by _join_edits
_JOIN = re.compile(rf"[a-z](?P<sep>{_SEP})[a-z](?:(?P=sep)[a-z])+(?!\w)")
_JOIN_HINT = re.compile(rf"{_SEP}[a-z]{_SEP}[a-z]")  # found one character into every run
# The hint of a run with its one separator twice, and then no word character (the run ends or
# goes on with the separator): " e w" of "n e w". Each starts with a literal, which re looks
# for faster than a class; together they tell that most texts have no run at all ("a good"
# has a _JOIN_HINT match, no _SPACE_HINT one).
_SPACE_HINT = re.compile(r" [a-z] [a-z](?!\w)")
_DOT_HINT = re.compile(r"\.[a-z]\.[a-z](?!\w)")
_DASH_HINT = re.compile(r"-[a-z]-[a-z](?!\w)")
# a leet digit/symbol or a homoglyph: the word around it is examined in Python (the class
# repeated as [...][...]*, not [...]+, so that re scans fast: see _regex)
_LEET_CHAR = f"[013457@$!{_HOMO_CLASS}]"
_LEET_HIT = re.compile(f"{_LEET_CHAR}{_LEET_CHAR}*")
_ODD_WS = re.compile(r"\s{2,}|[^\S ]")
_REPEATED_PUNCT = re.compile(rf"([{_PUNCT}])\1+")

# Whether _leet_edits or _REPEATED_PUNCT can find anything (a necessary condition, in one scan
# that starts with a class, so that re only stops at those characters). _leet_edits only
# rewrites a word from a hit that is a homoglyph, "@" or "$"; a leet digit right after a letter
# or "_" (one after a space or a digit starts a number, or a word that starts with a digit: both
# are left alone); or "!" after a word character or before one (after more "!"). Most ads have
# neither that nor a punctuation mark twice, only numbers and single punctuation.
_MAY_EDIT = re.compile(
    rf"[013457$!{_PUNCT}{_HOMO_CLASS}]"
    rf"(?:(?<=[@${_HOMO_CLASS}])|(?<=[^\W\d][013457])|(?<=\w!)|(?<=!)!*\w|(?<=([{_PUNCT}]))\1)"
)

# (start, end, replacement, sources): sources[k] is the index in the text that replacement
# character k comes from; None for an in-place rewrite (same length, character k from start + k),
# which leaves the offsets as they are.
_Edit = tuple[int, int, str, "range | tuple[int, ...] | None"]


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
            edits.append((ws, we, new, None))
    return edits


def _join_edits(text: str) -> list[_Edit]:
    """Runs of spaced or dotted single letters (``_JOIN``), joined.

    Every run has a ``_JOIN_HINT`` match one character after its start, so the run is only
    tried there: the same leftmost, non-overlapping matches as ``_JOIN.finditer`` with the
    left boundary ``(?<![\\w@$])`` in the pattern, which would make ``re`` try every position.
    Before that, a hint with one separator twice (``_SPACE_HINT``...) or one of the rare
    separators must be there at all.
    """
    if not (
        _SPACE_HINT.search(text, 1) is not None
        or ("." in text and _DOT_HINT.search(text, 1) is not None)
        or ("-" in text and _DASH_HINT.search(text, 1) is not None)
        or "_" in text or "*" in text or "·" in text or "•" in text
    ):  # fmt: skip
        return []  # no run (the usual case)
    edits: list[_Edit] = []
    hint = _JOIN_HINT.search(text, 1)
    while hint is not None:
        k = hint.start() - 1
        prev = text[k - 1] if k > 0 else " "
        m = None if prev.isalnum() or prev in "_@$" else _JOIN.match(text, k)
        if m is None:
            hint = _JOIN_HINT.search(text, k + 2)
            continue
        s, e = m.span()
        edits.append((s, e, m.group()[::2], range(s, e, 2)))
        hint = _JOIN_HINT.search(text, e + 1)
    return edits


def _space_edits(text: str) -> list[_Edit]:
    """Whitespace runs (``_ODD_WS``) folded to one space, dropped at either end of the text."""
    n = len(text)
    edits: list[_Edit] = []
    for m in _ODD_WS.finditer(text):
        s, e = m.span()
        if s == 0 or e == n:
            edits.append((s, e, "", ()))
        else:
            edits.append((s, e, " ", None if e - s == 1 else (s,)))
    return edits


def _apply(text: str, offs: _Offsets, edits: list[_Edit]) -> tuple[str, _Offsets]:
    """``text`` with ``edits`` applied; where two overlap, the one that starts first wins."""
    edits.sort(key=itemgetter(0))
    out: list[str] = []
    kept: list[_Edit] = []
    in_place = True
    pos = 0
    for edit in edits:
        s = edit[0]
        if s < pos:
            continue
        out.append(text[pos:s])
        out.append(edit[2])
        kept.append(edit)
        in_place = in_place and edit[3] is None
        pos = edit[1]
    out.append(text[pos:])
    if in_place:
        return "".join(out), offs  # the offsets stay as they were
    if offs is None:
        offs = list(range(len(text)))
    new_offs: list[int] = []
    pos = 0
    for s, e, _, src in kept:
        new_offs += offs[pos:s]
        new_offs += offs[s:e] if src is None else [offs[k] for k in src]
        pos = e
    new_offs += offs[pos:]
    return "".join(out), new_offs


def _full(text: str, offs: _Offsets, flat: str | None = None) -> tuple[str, _Offsets]:
    """The normalised text from the contact view; ``offs`` is returned as it is when no
    rewrite moved a character (it may then be shared with the contact view). ``flat`` is
    ``text`` with its line breaks made spaces when the caller knows that to be printable."""
    n = len(text)
    edits = _join_edits(text)
    later: list[_Edit] = []  # after the whitespace edits: the first of two at one start wins
    if _MAY_EDIT.search(text) is not None:
        edits += _leet_edits(text)
        for m in _REPEATED_PUNCT.finditer(text):
            s, e = m.span()
            later.append((s, e, text[s], (s,)))
    if n and text[0] == " ":
        later.append((0, 1, "", ()))
    if n > 1 and text[-1] == " ":
        later.append((n - 1, n, "", ()))
    # Every whitespace character but the space is unprintable. So when the text with its line
    # breaks made spaces is printable, has no double space and neither starts nor ends with one,
    # the only whitespace to fold is lone line breaks inside it, each a space in place: C calls
    # tell, and the usual ad (a title, a line break, a body) needs nothing else.
    if flat is None:
        flat = text.replace("\n", " ")
        printable = flat.isprintable()
    else:
        printable = True
    lone_breaks = (
        printable and "  " not in flat and not flat.startswith(" ") and not flat.endswith(" ")
    )
    if lone_breaks and not edits and not later:
        return flat, offs
    if not lone_breaks or flat != text:
        edits += _space_edits(text)
    edits += later
    if not edits:
        return text, offs
    return _apply(text, offs, edits)


def contact_view(original: str) -> NormalizedText:
    """NFKC + casefold + invisible characters removed: the text contacts and prices are read from."""
    text, offs, _ = _contact(original)
    return NormalizedText(original, text, _frozen(offs, len(original)))


def normalize(original: str) -> NormalizedText:
    """The normalised text that rules match on (see ``docs/rules.md``)."""
    text, offs = _full(*_contact(original))
    return NormalizedText(original, text, _frozen(offs, len(original)))


def normalize_both(original: str) -> tuple[NormalizedText, NormalizedText]:
    """``(contact_view(original), normalize(original))``, sharing the work of the first pass."""
    text, offs, flat = _contact(original)
    contact = NormalizedText(original, text, _frozen(offs, len(original)))
    full_text, full_offs = _full(text, offs, flat)
    # an offset map the rewrites left alone is shared (tuples are immutable)
    full_offsets = contact.offsets if full_offs is offs else _frozen(full_offs, len(original))
    return contact, NormalizedText(original, full_text, full_offsets)
