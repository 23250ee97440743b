"""URL normalisation and the allowed-hosts guard.

Normalising before the visited-set lookup is what makes "one ad page is fetched once per scan"
true: ``?utm_source=x`` variants and ``#comments`` fragments of the same page share one key.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, unquote_plus, urljoin, urlsplit, urlunsplit

_TRACKING = frozenset({"fbclid", "gclid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# characters left as they are; anything else (spaces, non-ASCII) is percent-encoded as browsers
# do, and existing %XX escapes are kept, so equal pages get equal keys
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k.startswith("utm_") or k in _TRACKING


def normalize_url(url: str, base: str | None = None) -> str | None:
    """Resolve ``url`` against ``base`` and canonicalise it; ``None`` if it is not http(s).

    Drops the fragment and tracking parameters (``utm_*``, ``fbclid``, ``gclid``), lower-cases
    scheme and host, drops a default port and gives an empty path ``/``. The remaining query
    parameters keep their order: sites treat ``?a=1&b=2`` and ``?b=2&a=1`` differently often
    enough that sorting would merge distinct pages.
    """
    url = url.strip()
    if not url:
        return None
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = parts.query
    if query:
        # filter the raw segments so kept parameters keep their exact encoding
        kept = [seg for seg in query.split("&")
                if seg and not _is_tracking(unquote_plus(seg.partition("=")[0]))]
        query = "&".join(kept)
    path = quote(parts.path, safe=_PATH_SAFE) or "/"
    return urlunsplit((scheme, netloc, path, quote(query, safe=_QUERY_SAFE), ""))


def host_of(url: str) -> str:
    """The lower-cased host name of ``url`` (no port): the key of rate limits and host checks."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def origin_of(url: str) -> str:
    """``scheme://host[:port]``: robots.txt applies per origin (RFC 9309 section 2.3)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class HostGuard:
    """Decides whether a URL may be requested for a source: only its own hosts, exactly.

    Subdomains are not implied (``example.org`` does not allow ``ads.example.org``): the
    config promises "no request ever leaves these", so the list is read literally.
    """

    def __init__(self, hosts: Iterable[str]) -> None:
        self.hosts = frozenset(h.lower() for h in hosts)

    def allows(self, url: str) -> bool:
        return host_of(url) in self.hosts
