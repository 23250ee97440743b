"""Near-duplicate texts: the same template re-posted with other names, ages, cities, prices, phones.

A text becomes a set of *shingles* (word 4-grams) after normalisation that replaces what a
re-post changes by placeholders: numbers (ages, prices, phones), e-mails, links, handles and
gazetteer places. Two ads whose shingle sets overlap strongly (Jaccard ≳ 0.75) are one
template. Candidates are found with MinHash LSH (``datasketch`` MinHash, 64 permutations in 8
bands of 8 rows): an ad's 8 *band keys*, and two ads sharing one band key are linked. With
8 × 8, a pair at Jaccard 0.9 is linked with probability 0.99, at 0.8 with 0.77, at 0.5 with
0.03 (benchmarks/cluster.py measured it against an exact similarity join).

Generic boilerplate (a site's footer, "call now", an agency's standard paragraph) must not link
ads on its own. Three guards: shingles whose document frequency is high are dropped before
hashing (:class:`DocFreq`); an ad needs :data:`MIN_SHINGLES` distinctive shingles left to get
band keys at all; and a shared paragraph in otherwise different ads leaves their Jaccard low.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

#: Words per shingle.
SHINGLE = 4
#: Distinctive shingles an ad needs before its text can link it to anything.
MIN_SHINGLES = 6
NUM_PERM = 64
BANDS = 8
ROWS = NUM_PERM // BANDS
#: datasketch's hashing scheme, named: stored band keys must not change with its default.
SCHEME = "affine32"
#: Estimated Jaccard two texts need to count as one template.
MIN_JACCARD = 0.7
#: A shingle in more ads than this is generic (never below :data:`GENERIC_MIN_DF`) ...
GENERIC_MIN_DF = 20
#: ... or than this share of all ads seen, whichever is larger.
GENERIC_SHARE = 0.001

_EMAIL = re.compile(r"\S+@\S+\.\w+|\S+\s*[\[(]\s*at\s*[\])]\s*\S+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:com|in|net|org|me|io)\S*")
_HANDLE = re.compile(r"@\w+")
_WORD = re.compile(r"[^\W_]+")
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=1)
def _places() -> tuple[frozenset[str], dict[str, tuple[int, ...]], frozenset[tuple[str, ...]]]:
    """Gazetteer aliases: one-word ones, the lengths of longer ones by first word, longer ones."""
    from trafficscan.features.places import load_gazetteer

    aliases = {tuple(_WORD.findall(alias)) for alias in load_gazetteer()}
    aliases.discard(())
    single = frozenset(a[0] for a in aliases if len(a) == 1)
    lengths: dict[str, set[int]] = {}
    for a in aliases:
        if len(a) > 1:
            lengths.setdefault(a[0], set()).add(len(a))
    multi = frozenset(a for a in aliases if len(a) > 1)
    return single, {w: tuple(sorted(n, reverse=True)) for w, n in lengths.items()}, multi


_URL_HINTS = ("http", "www.", ".com", ".in", ".net", ".org", ".me", ".io")


def template_words(text: str) -> list[str]:
    """The words of a text with re-post variables replaced: ``#`` numbers, ``~`` contacts, ``@`` places."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if "@" in text or ("at" in text and ("[" in text or "(" in text)):
        text = _EMAIL.sub(" xcontactx ", text)
    if any(hint in text for hint in _URL_HINTS):
        text = _URL.sub(" xcontactx ", text)
    if "@" in text:
        text = _HANDLE.sub(" xcontactx ", text)
    single, lengths, multi = _places()
    words: list[str] = []
    raw = _WORD.findall(text)
    i, n = 0, len(raw)
    while i < n:
        w = raw[i]
        if w in lengths:  # the first word of a multi-word place
            for k in lengths[w]:
                if tuple(raw[i : i + k]) in multi:
                    words.append("@")
                    i += k
                    break
            else:
                k = 0
            if k:
                continue
        i += 1
        if w in single:
            w = "@"
        elif w == "xcontactx":
            w = "~"
        elif _DIGIT.search(w):
            w = "#"
        else:
            words.append(w)
            continue
        if words and words[-1] == w and w != "@":
            continue  # "90000 12345" and "12, 5000" are one variable each
        words.append(w)
    return words


def shingles(text: str) -> set[int]:
    """The text's word 4-gram hashes (32-bit); a shorter text is one shingle of all its words."""
    words = template_words(text)
    if len(words) < SHINGLE:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {zlib.crc32(" ".join(words[i : i + SHINGLE]).encode())
            for i in range(len(words) - SHINGLE + 1)}


class DocFreq:
    """Exact document frequencies of shingles, for one input held in memory."""

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.docs = 0

    def add(self, found: Iterable[int]) -> None:
        self.counts.update(found)
        self.docs += 1

    def df(self, shingle: int) -> int:
        return self.counts[shingle]

    def cap(self) -> float:
        return max(GENERIC_MIN_DF, GENERIC_SHARE * self.docs)

    def distinctive(self, found: set[int]) -> set[int]:
        cap = self.cap()
        return {s for s in found if self.df(s) <= cap}


class SketchFreq(DocFreq):
    """Approximate document frequencies in fixed memory, for the state database's history.

    A count-min sketch (2 rows of 2^22 saturating 16-bit counters, 16 MiB): the estimate never
    undercounts, so a generic shingle is always recognised; a rare one is overcounted only by
    collisions, a handful at a million ads, far below the generic cap.
    """

    WIDTH = 1 << 22

    def __init__(self, blob: bytes | None = None, docs: int = 0) -> None:
        import numpy as np

        super().__init__()
        self.docs = docs
        self.table = (np.frombuffer(blob, dtype=np.uint16).reshape(2, self.WIDTH).copy()
                      if blob else np.zeros((2, self.WIDTH), dtype=np.uint16))

    def _cells(self, found: Iterable[int]) -> Any:
        import numpy as np

        h = np.fromiter(found, dtype=np.uint64)
        return h % self.WIDTH, (h * np.uint64(2654435761) >> np.uint64(7)) % self.WIDTH

    def add(self, found: Iterable[int]) -> None:
        import numpy as np

        a, b = self._cells(found)
        for row, cells in ((0, a), (1, b)):
            counts = self.table[row]
            np.add.at(counts, cells, 1)
            counts[cells] = np.minimum(counts[cells], 60000)  # saturate, never wrap
        self.docs += 1

    def distinctive(self, found: set[int]) -> set[int]:
        if not found:
            return set()
        import numpy as np

        items = list(found)
        a, b = self._cells(items)
        est = np.minimum(self.table[0][a], self.table[1][b])
        cap = self.cap()
        return {s for s, n in zip(items, est.tolist(), strict=True) if n <= cap}

    def blob(self) -> bytes:
        return bytes(self.table.tobytes())


@lru_cache(maxsize=1)
def _permutations() -> Any:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=17, hashfunc=_identity, scheme=SCHEME).permutations


def _identity(x: int) -> int:
    return x


def signature(found: set[int]) -> Any:
    """The MinHash signature (64 ``uint32``) of a shingle set; None with too few shingles."""
    if len(found) < MIN_SHINGLES:
        return None
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=17, hashfunc=_identity, permutations=_permutations(),
                scheme=SCHEME)
    m.update_batch(sorted(found))
    return m.hashvalues


def band_keys(sig: Any) -> list[int]:
    """The signature's LSH band keys (signed 64-bit, to store as SQLite integers)."""
    if sig is None:
        return []
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * ROWS : (band + 1) * ROWS].tobytes(),
                                 digest_size=8, person=b"band%d" % band).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def similar(a: Any, b: Any) -> bool:
    """Whether two signatures' estimated Jaccard reaches :data:`MIN_JACCARD`.

    A shared band key is only a candidate: pairs far below the threshold still share one now
    and then (3 in 1,000 at Jaccard 0.4, and job boards are full of such pairs), so every
    candidate is checked on the whole signature.
    """
    import numpy as np

    sa = np.frombuffer(a, dtype=np.uint32) if isinstance(a, bytes) else a
    sb = np.frombuffer(b, dtype=np.uint32) if isinstance(b, bytes) else b
    return float(np.count_nonzero(sa == sb)) / NUM_PERM >= MIN_JACCARD


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0
