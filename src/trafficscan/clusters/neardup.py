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
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain
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
    return {
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode())
        for i in range(len(words) - SHINGLE + 1)
    }


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
        self.table = (
            np.frombuffer(blob, dtype=np.uint16).reshape(2, self.WIDTH).copy()
            if blob
            else np.zeros((2, self.WIDTH), dtype=np.uint16)
        )

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

    def admit(self, sets: Sequence[set[int]]) -> tuple[Any, Any]:
        """Add each set in turn and keep its distinctive shingles, for a whole batch at once.

        The same answer as ``add(s); distinctive(s)`` for each set in order (a set is judged
        on the counts of the sets before it and itself, never of those after it), but with
        a few numpy passes instead of two per ad. Returns the kept shingles, flat, and the
        index of the set each came from (ascending).
        """
        import numpy as np

        n = len(sets)
        lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=n)
        flat = np.fromiter(chain.from_iterable(sets), dtype=np.uint64, count=int(lengths.sum()))
        owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
        est = None
        for row, cells in enumerate(self._cells(flat)):
            cells = cells.astype(np.int64)
            # how many entries (this set and earlier ones) fall in each entry's cell
            key = cells * (n + 1) + owner
            ordered = np.sort(key)
            within = np.searchsorted(ordered, key, side="right") - np.searchsorted(
                ordered, cells * (n + 1), side="left"
            )
            counts = self.table[row]
            row_est = np.minimum(counts[cells].astype(np.int64) + within, 60000)
            est = row_est if est is None else np.minimum(est, row_est)
            touched, hits = np.unique(cells, return_counts=True)
            counts[touched] = np.minimum(counts[touched].astype(np.int64) + hits, 60000)
        caps = np.maximum(GENERIC_MIN_DF, GENERIC_SHARE * (self.docs + 1 + np.arange(n)))
        self.docs += n
        if est is None:
            return flat, owner
        keep = est <= caps[owner]
        return flat[keep], owner[keep]

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

    m = MinHash(
        num_perm=NUM_PERM, seed=17, hashfunc=_identity, permutations=_permutations(), scheme=SCHEME
    )
    m.update_batch(sorted(found))
    return m.hashvalues


def _fmix32(h: Any) -> Any:
    """MurmurHash3's 32-bit finalizer, as datasketch's ``affine32`` scheme pre-mixes inputs."""
    import numpy as np

    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


#: Shingles hashed per numpy pass in :func:`signatures`: bounds its memory (×64×4 bytes, 4 MiB).
_PASS = 1 << 14


def signatures(values: Any, owner: Any, n: int) -> list[Any]:
    """:func:`signature` of ``n`` shingle sets given flat (``owner`` ascending), all at once.

    The same values as datasketch's ``MinHash.update_batch`` with :func:`_permutations`
    (tests/clusters check it), computed over many ads per numpy pass: the per-ad MinHash
    object and its Python-level hashing were a fifth of the clustering time.
    """
    import numpy as np

    out: list[Any] = [None] * n
    if not len(values):
        return out
    a, b = _permutations()
    sizes = np.bincount(owner, minlength=n)
    ends = np.cumsum(sizes)
    present = np.flatnonzero(sizes).tolist()  # reduceat needs non-empty segments
    hv = _fmix32(values.astype(np.uint32))
    i = 0
    while i < len(present):
        first = int(ends[present[i]] - sizes[present[i]])
        j = i + 1  # a run of ads whose shingles fit one pass (at least one ad)
        while j < len(present) and ends[present[j]] - first <= _PASS:
            j += 1
        run = present[i:j]
        last = int(ends[run[-1]])
        with np.errstate(over="ignore"):
            phv = hv[first:last, None] * a[None, :] + b[None, :]
        mins = np.minimum.reduceat(phv, ends[run] - sizes[run] - first, axis=0)
        for k, ad in enumerate(run):
            if sizes[ad] >= MIN_SHINGLES:
                out[ad] = mins[k]
        i = j
    return out


def band_keys(sig: Any) -> list[int]:
    """The signature's LSH band keys (signed 64-bit, to store as SQLite integers)."""
    if sig is None:
        return []
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(
            sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8, person=b"band%d" % band
        ).digest()
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
