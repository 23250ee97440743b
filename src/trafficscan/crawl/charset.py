"""Turn response bytes into text without ever failing.

Sites lie about their encoding: a header saying UTF-8 over a cp1252 body with a correct
``<meta charset>`` is common on old classifieds software. So every declared encoding is only a
candidate, tried strictly in the HTML standard's order (BOM, header, meta), then UTF-8 and
cp1252; the first that decodes cleanly wins. If none does, UTF-8 with replacement characters
keeps the text readable instead of losing the page.
"""

from __future__ import annotations

import codecs
import re

_META_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_HEADER_RE = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# WHATWG: these labels mean windows-1252 on the web (it is a superset that browsers use)
_WEB_ALIASES = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _WEB_ALIASES.get(name, name)


def header_charset(content_type: str) -> str | None:
    """The codec named by a ``Content-Type`` header's ``charset``, if Python knows it."""
    m = _HEADER_RE.search(content_type or "")
    return _codec(m.group(1)) if m else None


def meta_charset(body: bytes) -> str | None:
    """The codec of a ``<meta charset>`` or ``http-equiv`` tag in the first 4 KiB."""
    m = _META_RE.search(body[:4096])
    return _codec(m.group(1).decode("ascii", "replace")) if m else None


def decode_body(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Decode ``body``; returns ``(text, codec used)``. ``codec`` ends in ``+replace`` if lossy."""
    candidates: list[str] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace"), name
    for found in (header_charset(content_type), meta_charset(body), "utf-8", "cp1252"):
        if found and found not in candidates:
            candidates.append(found)
    for name in candidates:
        try:
            return body.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", errors="replace"), "utf-8+replace"
