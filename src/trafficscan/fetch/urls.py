"""URL normalisation and the allowed-hosts guard.

Normalising before the visited-set lookup is what makes "one ad page is fetched once per scan"
true: ``?utm_source=x`` variants, ``#comments`` fragments, ``/a/./b/../c`` and ``/a/c``,
``%e0`` and ``%E0``, ``bücher.example`` and ``xn--bcher-kva.example`` of the same page share
one key. The URL grammar (IDNA hosts, percent-encoding what browsers encode, dot segments,
escape case) is w3lib's, Scrapy's URL library; the query policy is ours (see
:func:`normalize_url`). The host spelling is :mod:`trafficscan.sources.hosts`', shared with the
config, so a host in ``allowed_hosts`` and the same host in a link compare equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from trafficscan.sources.hosts import ascii_host, host_key

_TRACKING = frozenset({"fbclid", "gclid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k.startswith("utm_") or k in _TRACKING


def normalize_url(url: str, base: str | None = None) -> str | None:
    """Resolve ``url`` against ``base`` and canonicalise it; ``None`` if it is not http(s).

    Drops the fragment, any user name and password, and tracking parameters (``utm_*``,
    ``fbclid``, ``gclid``); lower-cases scheme and host and writes an international host in
    its ASCII (IDNA) form; drops a default port; percent-encodes what browsers encode
    (spaces, non-ASCII as UTF-8, a backslash read as ``/``); in the path resolves
    ``.``/``..`` segments, upper-cases escapes, decodes escaped unreserved characters and
    escapes a stray ``%`` as ``%25`` (``w3lib.url.canonicalize_url``). The query only gets
    upper-case escapes (RFC 3986 section 6.2.2.1): its parameters keep their order and their
    ``+``/``%20``, because sites treat ``?a=1&b=2`` and ``?b=2&a=1`` differently often enough
    that sorting (what ``canonicalize_url`` does) would merge distinct pages.
    """
    from w3lib.url import canonicalize_url, safe_url_string

    url = url.strip()
    if not url:
        return None
    try:  # a broken link such as "http://[x" is not a page, not a crash of the parser
        parts = urlsplit(urljoin(base, url) if base else url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        host = ascii_host(parts.hostname)
        safe = urlsplit(safe_url_string(urlunsplit((scheme, host, parts.path, parts.query, ""))))
        # a stray "%" becomes "%25" first: else decoding "%%41" would make a new escape "%A"
        path = _STRAY_PERCENT.sub("%25", safe.path)
        path = urlsplit(canonicalize_url(urlunsplit((scheme, host, path, "", "")))).path
    except (ValueError, UnicodeError):  # a host IDNA refuses, e.g. an over-long label
        return None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # filter the encoded segments (after safe_url_string, which may trim or escape them, so a
    # second pass finds nothing left to drop) and keep each kept one's exact encoding
    query = "&".join(
        seg
        for seg in safe.query.split("&")
        if seg and not _is_tracking(unquote_plus(seg.partition("=")[0]))
    )
    query = _ESCAPE.sub(lambda m: m.group().upper(), query)
    return urlunsplit((scheme, netloc, path or "/", query, ""))


def host_of(url: str) -> str:
    """The lower-cased host name of ``url`` (no port, IDNA form, IPv6 without brackets): the
    key of rate limits and host checks, the same for every spelling of one host."""
    try:
        return host_key(urlsplit(url).hostname or "")
    except ValueError:  # urlsplit refuses "http://[x"
        return ""


def origin_of(url: str) -> str:
    """``scheme://host[:port]``: robots.txt applies per origin (RFC 9309 section 2.3)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class HostGuard:
    """Decides whether a URL may be requested for a source: only its own hosts, exactly.

    Subdomains are not implied (``example.org`` does not allow ``ads.example.org``): the
    config promises "no request ever leaves these", so the list is read literally. An
    international name matches in either spelling (``bücher.example`` is
    ``xn--bcher-kva.example``, the form normalised URLs carry).
    """

    def __init__(self, hosts: Iterable[str]) -> None:
        self.hosts = frozenset(filter(None, map(host_key, hosts)))

    def allows(self, url: str) -> bool:
        return host_of(url) in self.hosts
