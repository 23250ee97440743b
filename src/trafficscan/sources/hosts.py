"""Host names in the one spelling that configs, links and requests are compared in.

An analyst may write ``allowed_hosts: ["खोज.भारत"]`` or a start URL ``https://उदाहरण.भारत/``;
the page links to ``xn--21bm4l.xn--h2brj9c`` or to the Unicode name; the request goes out to
the ASCII name. All of these are one host only if they are reduced to one form: lower case,
an international name in its IDNA (punycode) form exactly as w3lib writes it into normalised
URLs (``fetch.urls.normalize_url``), so the host a guard checks is the host httpx is sent to.

This lives in the config stage because the config checks hosts when it is loaded (a host
that has no ASCII form is a config error, not a crawl that silently fetches nothing), and the
fetch stage may import from here, not the other way round.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

# the URL standard's forbidden host code points (and controls): no such host exists
_BAD_HOST = re.compile(r"[\x00-\x20\x7f#%/:<>?@\[\\\]^|]")
# the dots IDNA separates labels at (RFC 3490 section 3.1): "खोज。भारत" is "खोज.भारत"
_DOTS = re.compile("[.\u3002\uff0e\uff61]")


@functools.lru_cache(maxsize=4096)
def ascii_host(host: str) -> str:
    """``host`` lower-cased, an international name in IDNA (punycode) form as w3lib writes it,
    an IPv6 literal in brackets. ``ValueError`` for a name that cannot be a host (a space in
    it, a label IDNA cannot encode)."""
    from w3lib.url import safe_url_string

    host = host.lower()
    if ":" in host:  # IPv6 literal
        return f"[{host}]"
    if host.isascii():
        if _BAD_HOST.search(host):
            raise ValueError(f"invalid host {host!r}")
        return host
    # w3lib falls back to the raw UTF-8 name when IDNA refuses it: that is not ASCII
    ascii_name = urlsplit(safe_url_string(f"http://{host}/")).hostname
    if not ascii_name or not ascii_name.isascii():
        raise ValueError(f"cannot encode host {host!r}")
    return ascii_name.lower()


def host_key(host: str) -> str:
    """The form hosts are compared in: :func:`ascii_host` without IPv6 brackets; ``""`` if
    ``host`` cannot be one (so it matches nothing)."""
    try:
        return ascii_host(host).strip("[]") if host else ""
    except (ValueError, UnicodeError):
        return ""


def host_problem(host: str) -> str | None:
    """What is wrong with ``host`` (a configured name, no port), as "it ...", or ``None``.

    Stricter than :func:`ascii_host`, which has to take whatever a web page links to: a
    config's host also needs labels of 1 to 63 characters (RFC 1034), or it would simply never
    match, and the scan would skip every page without saying why.
    """
    labels = _DOTS.split(host)
    if labels[-1] == "":  # "example.org." (the root) is fine
        labels.pop()
    if "" in labels:
        return "has an empty label (two dots in a row, or a dot first)"
    try:
        name = ascii_host(host)
    except (ValueError, UnicodeError):
        if host.isascii():
            return "holds a character no host name has"
        return "cannot be written in ASCII (IDNA): a label may be too long or hold a symbol"
    if any(len(label) > 63 for label in name.removesuffix(".").split(".")):
        return "has a label (the part between dots) longer than 63 characters"
    return None
