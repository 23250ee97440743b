"""Turn response bytes into text without ever failing.

Sites lie about their encoding: a header saying UTF-8 over a cp1252 body with a correct
``<meta charset>`` is common on old classifieds software, and so is the reverse, a server
default of ISO-8859-1 over a UTF-8 page. So a declared encoding is only a candidate:

1. a byte-order mark decides (the HTML standard's first rule);
2. a body that is valid UTF-8 and not plain ASCII is UTF-8, whatever is declared: text in a
   legacy encoding practically never forms valid multi-byte UTF-8 by chance, while decoding
   UTF-8 as cp1252 "succeeds" with mojibake (Hindi ads would lose every word);
3. otherwise bs4's ``UnicodeDammit`` tries, each strictly: the header's charset, the
   ``<meta charset>``, UTF-16 when the bytes show its pattern of NULs (a UTF-16 page without
   BOM is valid UTF-8 full of NULs), UTF-8 and cp1252 (the web's default for undeclared
   pages); the first that decodes cleanly wins. If none does, the first candidate with
   replacement characters keeps the text readable instead of losing the page.

No statistical detector is used, on purpose: none is installed with the project, and the one
``UnicodeDammit`` would pick up (charset-normalizer) reads short cp1252 ads as cp1250
(``naïve`` becomes ``naďve``), worse than the cp1252 default.
"""

from __future__ import annotations

import codecs
import logging
import re

_META_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_HEADER_RE = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
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


def _utf16_sniff(body: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the first KiB has NULs on one byte parity only, as
    UTF-16 markup (ASCII tags, spaces) has and UTF-8 or cp1252 text never does."""
    head = body[:1024]
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if odd >= pairs / 10 and even == 0:
        return "utf-16-le"
    if even >= pairs / 10 and odd == 0:
        return "utf-16-be"
    return None


def decode_body(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Decode ``body``; returns ``(text, codec used)``. ``codec`` ends in ``+replace`` if lossy."""
    from bs4.dammit import UnicodeDammit

    # its "could not be decoded" warning would reach stderr outside our logging, once a page;
    # the codec returned here says "+replace" instead
    logging.getLogger("bs4.dammit").setLevel(logging.ERROR)
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace"), name
    if not body:
        return "", "utf-8"
    if not body.isascii():
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    declared = [c for c in (header_charset(content_type), meta_charset(body)) if c]
    fallbacks = [c for c in (_utf16_sniff(body), "utf-8", "cp1252") if c]
    dammit = UnicodeDammit(
        body, known_definite_encodings=declared, user_encodings=fallbacks, is_html=True
    )
    text, codec = dammit.unicode_markup, dammit.original_encoding
    if text is None or codec is None:  # cannot happen: the last try replaces what it cannot read
        return body.decode("utf-8", errors="replace"), "utf-8+replace"
    codec = _codec(codec) or codec
    return text, codec + "+replace" if dammit.contains_replacement_characters else codec
