"""Keyed contact hashes and masking by span: what ``share export`` and ``--redact`` both use.

A contact's *normal form* is the one the state database stores (E.164 phone, lower-case
e-mail, ``platform:handle``), so a hash made here from a flagged file equals the hash of the
same contact read from the local history. Its hash is ``HMAC-SHA256(key, normal form)`` in
hex: without the key nobody can test a guessed number, which is what made the old unkeyed
``--redact`` masks reversible.

Texts are masked **by span**: every phone, e-mail and handle span is replaced by the contact's
mask, whatever spelling the ad used (digit words, Devanagari digits, spaced digits,
``name [at] domain``). Searching for the rendered number instead would miss exactly the
spellings ads use to hide numbers. An ad's text is masked by the contact findings the scorer's
own extraction returned (``ScoredAd.findings``, same region), so what is masked is exactly what
was scored and shown in ``entities``. Where no spans were kept, the text is extracted here:
``share export`` reads an already written file, and the short ``title``, ``contact``, ``url``
strings are not spans of the scored text. Either way the masked text is then extracted once
more, and any contact still found is an error, never written: that is a check, not the search.

A mask is ``[phone:…]``, ``[email:…]`` or ``[handle:…]`` holding the hash's first 16 hex
digits spelled in the letters of :data:`MASK_ALPHABET` (``0`` → ``b`` … ``f`` → ``z``): hex
digits in a text could form a number the extractor reads as a phone, and these letters are
neither digits, nor letters the extractor reads as digits (o, i, l, s), nor vowels that could
spell a digit word.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trafficscan.core.errors import TrafficscanError
from trafficscan.features.contact_keys import contacts_of

if TYPE_CHECKING:
    from trafficscan.core.finding import Finding

KINDS = ("phone", "email", "handle")
MASK_ALPHABET = "bcdfghjkmnpqrtvz"
_HEX_TO_MASK = str.maketrans("0123456789abcdef", MASK_ALPHABET)
MASK_HEX_DIGITS = 16


class ContactLeftError(TrafficscanError):
    """A masked text still holds a contact: refuse to write it (exit 1, a bug to report)."""


@dataclass(frozen=True, slots=True, order=True)
class Contact:
    """A contact in its normal form: ``kind`` is phone, email or handle; ``value`` is the
    E.164 number, the lower-case address or ``platform:handle``."""

    kind: str
    value: str


def normal_contacts(entities: Mapping[str, Any] | None) -> list[Contact]:
    """The contacts of an ``entities`` object, normalised exactly as the state database does."""
    out: list[Contact] = []
    for kind, value in contacts_of(entities):
        if kind.startswith("handle:"):
            out.append(Contact("handle", f"{kind[len('handle:') :]}:{value}"))
        else:
            out.append(Contact(kind, value))
    return out


#: Which contact wins when two findings have the same span (a number and the WhatsApp account
#: made from it): the phone, then the e-mail, then the handle.
_KIND_RANK = {"phone": 0, "email": 1, "handle": 2}


def found_contacts(findings: Iterable[Finding]) -> list[tuple[int, int, Contact]]:
    """The contact findings' spans with their contact (the finding's normal form), phones
    first, then e-mails, then handles, each in text order."""
    spans = [
        (x.start, x.end, Contact(x.kind, x.normalized))
        for x in findings
        if x.kind in _KIND_RANK and x.normalized  # no normal form: no key to mask with
    ]
    spans.sort(key=lambda s: _KIND_RANK[s[2].kind])  # stable: text order within a kind
    return spans


class ContactHasher:
    """Keyed hashes and masks of contacts under one key (HMAC-SHA256)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a contact key must be at least 16 bytes")
        self._key = key
        self._cache: dict[Contact, str] = {}

    def hash(self, contact: Contact) -> str:
        """HMAC-SHA256 of the contact's normal form, hex: what share files carry."""
        digest = self._cache.get(contact)
        if digest is None:
            digest = hmac.new(self._key, contact.value.encode("utf-8"), hashlib.sha256).hexdigest()
            if len(self._cache) < 100_000:
                self._cache[contact] = digest
        return digest

    def mask(self, contact: Contact) -> str:
        """The mask that stands for the contact in texts and entities."""
        return mask_of(contact.kind, self.hash(contact))

    def keyed_id(self, ad_id: str) -> str:
        """An ad's id under the key: a content id is an unkeyed hash of the ad text, so with the
        masked text beside it a guessed number could be tested; the keyed id cannot."""
        return hmac.new(self._key, f"ad:{ad_id}".encode(), hashlib.sha256).hexdigest()[:16]


def mask_of(kind: str, digest: str) -> str:
    """``[kind:letters]`` for a hex hash (see the module docstring for the alphabet)."""
    return f"[{kind}:{digest[:MASK_HEX_DIGITS].translate(_HEX_TO_MASK)}]"


@dataclass(frozen=True, slots=True)
class MaskedText:
    """A text with its contacts masked, and the map from original spans to masked ones."""

    original: str
    text: str
    #: (original start, original end, masked start, masked end) of each mask, in order
    regions: tuple[tuple[int, int, int, int], ...] = ()
    contacts: tuple[Contact, ...] = field(default_factory=tuple)

    def overlaps_mask(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e, _, _ in self.regions)

    def position(self, i: int, *, is_end: bool) -> int:
        """Where original offset ``i`` lands; inside a mask, at its start (or end for ends)."""
        k = bisect.bisect_right([r[0] for r in self.regions], i) - 1
        if k < 0:
            return i
        s, e, ns, ne = self.regions[k]
        if i >= e:
            return ne + (i - e)
        if i == s:
            return ns
        return ne if is_end else ns

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The masked-text span of an original span, stretched over any mask it touches."""
        return self.position(start, is_end=False), self.position(end, is_end=True)


def mask_text(
    text: str,
    hasher: ContactHasher,
    *,
    where: str = "text",
    links: bool = False,
    findings: Sequence[Finding] | None = None,
) -> MaskedText:
    """Mask every contact of ``text``, then prove none is left.

    ``findings`` are the contact findings of this very text from the scorer (spans of it):
    they are masked as they are. Without them (``None``) the text is extracted here, in the
    default region. Overlapping spans (a WhatsApp link and the number inside it) become one
    mask: that of the longest span. With ``links`` (extraction only), every other web address
    becomes ``[link:domain]`` too (share files: an ad's address often holds its number, which
    the extractor rightly does not read as a contact inside a link). Raises
    :class:`ContactLeftError` when the masked text still holds a contact, and ``ValueError``
    for findings that are not spans of ``text``.
    """
    if not text:
        return MaskedText(text, text)
    found: list[tuple[int, int, Contact | str]]
    if findings is not None:
        if links:
            raise ValueError("mask_text: links=True needs the text extracted, not findings")
        for x in findings:
            if text[x.start : x.end] != x.value:
                raise ValueError(f"{where}: a {x.kind} finding is not a span of this text")
        found = list(found_contacts(findings))
    else:
        from trafficscan.features import extract

        features = extract(text)
        found = list(found_contacts(features.contact_findings()))
        if links:
            found += [(u.start, u.end, f"[link:{u.domain}]") for u in features.urls]
    if not found:
        return MaskedText(text, text)
    found.sort(key=lambda x: (x[0], -(x[1] - x[0]), isinstance(x[2], str)))
    merged: list[
        list[Any]
    ] = []  # [start, end, contact (or link mask) of the longest span, its length]
    for s, e, c in found:
        if merged and s < merged[-1][1]:
            last = merged[-1]
            if e - s > last[3] or (e - s == last[3] and isinstance(last[2], str)):
                last[2], last[3] = c, e - s
            last[1] = max(last[1], e)
        else:
            merged.append([s, e, c, e - s])
    parts: list[str] = []
    regions: list[tuple[int, int, int, int]] = []
    pos = out_len = 0
    for s, e, c, _ in merged:
        parts.append(text[pos:s])
        out_len += s - pos
        token = c if isinstance(c, str) else hasher.mask(c)
        regions.append((s, e, out_len, out_len + len(token)))
        parts.append(token)
        out_len += len(token)
        pos = e
    parts.append(text[pos:])
    masked = "".join(parts)
    assert_no_contacts(masked, where=where)
    contacts = tuple(dict.fromkeys(c for _, _, c in found if isinstance(c, Contact)))
    return MaskedText(text, masked, tuple(regions), contacts)


def assert_no_contacts(text: str, *, where: str) -> None:
    """Extract ``text`` again; any phone, e-mail or handle in it is a leak, never written."""
    if not text:
        return
    from trafficscan.features import extract

    left = found_contacts(extract(text).contact_findings())
    if left:
        kinds = ", ".join(sorted({c.kind for _, _, c in left}))
        raise ContactLeftError(
            f"{where}: a {kinds} is still readable after masking (at offset {left[0][0]}); "
            "nothing was written. Please report this with the ad, it is a bug."
        )


def mask_strings(values: Iterable[str], hasher: ContactHasher, *, where: str) -> list[str]:
    """:func:`mask_text` of each string (e.g. the URLs of an ad)."""
    return [mask_text(v, hasher, where=where).text for v in values]
