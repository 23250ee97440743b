"""E-mail addresses, web addresses and messaging/social-media handles.

Read from the contact view (NFKC + case folding only): ``@``, dots and digits must survive.
E-mails include the ``name [at] domain [dot] com`` family that ads use to slip past filters;
handles come from profile links (``t.me/x``, ``wa.me/<digits>``, ``instagram.com/x``) and from
``@name`` or ``insta: name`` with the platform named nearby.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from trafficscan.features._regex import trie
from trafficscan.features.normalize import NormalizedText
from trafficscan.features.phones import validate_phone
from trafficscan.features.types import Email, Handle, Url

__all__ = ["extract_emails", "extract_handles", "extract_urls"]

_TLDS = (
    "com|in|org|net|co|info|biz|io|me|edu|gov|xyz|online|site|club|app|link|ly|gl|page|live|"
    "vip|shop|store|top|tk|ml|ga|cf|gq|ru|ae|uk|us|ca|au|sg|my|th|kh|la|mm|np|bd|lk|pk|cn|hk|"
    "ph|id|vn|de|fr|it|nl|eu|qa|sa|om|kw|bh|ws|to|cc|tv|pro|mobi|work|jobs|news|blog|am|dog"
)
_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*|\s+at\s+)"
_DOT = r"(?:\.|\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*|\s+dot\s+)"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_EMAIL = re.compile(
    rf"(?<![\w.+%-])(?P<local>[a-z0-9](?:[a-z0-9._%+\-_]{{0,62}}[a-z0-9_])?){_AT}"
    rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL})*){_DOT}(?P<tld>[a-z]{{2,24}})(?![a-z0-9-])"
)
_DOT_SPLIT = re.compile(_DOT)
_KNOWN_TLD = frozenset(_TLDS.split("|"))
# as a trie (see _regex): the same matches, since a TLD is always followed by (?![a-z0-9-]) and
# so at most one of them fits at a position, whatever the order of the alternatives
_TLD = trie(_KNOWN_TLD)
# "name at gmail dot com" is only believed for mail providers people actually write that way
_MAIL_PROVIDERS = frozenset(
    [
        "gmail",
        "yahoo",
        "hotmail",
        "outlook",
        "rediffmail",
        "rediff",
        "protonmail",
        "proton",
        "live",
        "icloud",
        "ymail",
        "aol",
        "mail",
        "zoho",
        "yandex",
        "gmx",
    ]
)

_URL_CHARS = r"[^\s<>\"'\[\]{}|\\^`]"
_URL = re.compile(
    rf"(?<![\w@.-])(?:(?:https?://|www\.){_URL_CHARS}+"
    rf"|(?:{_LABEL}\.)+{_TLD}(?![a-z0-9-])(?:[/?#]{_URL_CHARS}*)?)"
)
_URL_TRAIL = ".,;:!?'\")]}>*"
_MESSAGING_DOMAINS = frozenset(
    [
        "t.me",
        "telegram.me",
        "telegram.dog",
        "wa.me",
        "api.whatsapp.com",
        "chat.whatsapp.com",
        "whatsapp.com",
        "wa.link",
        "m.me",
    ]
)

_PLATFORM_WORDS = re.compile(
    r"(?P<instagram>instagram|\binsta\b|\big\b|इंस्टा)|(?P<snapchat>snapchat|\bsnap\b|\bsc\b)"
    r"|(?P<facebook>facebook|\bfb\b|फेसबुक)|(?P<telegram>telegram|telegrm|\btg\b|\btele\b|टेलीग्राम)"
    r"|(?P<twitter>twitter|\bx\.com\b)"
)
# "@" first, then the look-behind for the character before it: a pattern that starts with a
# literal is found at C speed, one that starts with a look-behind is tried at every position
_AT_HANDLE = re.compile(
    r"@(?<![\w@.]@)(?P<h>[a-z][a-z0-9_.]{1,31}[a-z0-9_]|[a-z][a-z0-9_])(?![\w@])"
)
_HANDLE_PLATFORMS = [
    "instagram", "insta", "ig", "telegram", "tg", "snapchat", "snap", "sc", "facebook", "fb",
]  # fmt: skip
_HANDLE_LABELS = ["id", "username", "user name", "user", "handle", "account", "a/c", "profile"]
_NAMED_HANDLE = re.compile(
    r"(?P<p>"
    + trie(_HANDLE_PLATFORMS)
    + r")\s*(?:id|username|user\s?name|user|handle|account|a/c|profile)?\s*[:=\-]+\s*@?"
    r"(?P<h>[a-z][a-z0-9_.]{2,31}[a-z0-9_])(?![\w@])"
)
# No URL without "http", "www." or a dot and a known TLD. The first two are found with str
# tests, the last with a pattern that starts with a literal, which re finds as fast as str.find
# (one pattern for all three would stop at every "h" and "w" of the text).
_URL_HINT = re.compile(rf"\.{_TLD}(?![a-z0-9-])")
# Substrings without which no spelled-out address can be there (" at ", "at]", "at)", "at}",
# "at>", "at\n", "\nat "), as one pattern that starts with the literal "at", for the same reason.
# After " at " comes a closing bracket ("[ at ]"), or the domain: a label, then a dot written
# one way or another (_DOT), which the English word "at" seldom has after it ("at noon." does).
_EMAIL_HINT = re.compile(
    r"at(?:[\])}>\n]"
    r"|(?<=[ \n]at) \s*(?:[\])}>]|[a-z0-9][a-z0-9-]*(?:\.|\s*[\[({<]|\s+dot\s)))"
)

# What the text right before the first ":", "=" or "-" of a _NAMED_HANDLE match (and the
# whitespace there) ends with: a platform, or a label after one ("user\s?name" ends with "name").
_HANDLE_LABEL_ENDS = (*_HANDLE_PLATFORMS, *_HANDLE_LABELS, "name")

_PLATFORM_ALIASES = {
    "instagram": "instagram", "insta": "instagram", "ig": "instagram",
    "telegram": "telegram", "tg": "telegram",
    "snapchat": "snapchat", "snap": "snapchat", "sc": "snapchat",
    "facebook": "facebook", "fb": "facebook",
}  # fmt: skip
_NOT_HANDLES = frozenset(
    [
        "join",
        "now",
        "only",
        "contact",
        "message",
        "msg",
        "dm",
        "link",
        "below",
        "here",
        "available",
        "group",
        "channel",
        "me",
        "us",
        "call",
        "chat",
        "text",
        "inbox",
        "profile",
        "page",
        "account",
        "id",
    ]
)


_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._%+-_")


def _email_matches(text: str) -> list[re.Match[str]]:
    """Matches of _EMAIL, tried only where an "@" or an "at" stands.

    Scanning the whole ad with _EMAIL costs a local-part match at every word; anchoring on the
    few places an address can be is several times cheaper and finds the same addresses.
    """
    anchors: set[int] = set()
    for needle in (
        "@",
        " at ",
        "[at",
        "(at",
        "{at",
        "<at",
        "[ at",
        "( at",
        "{ at",
        "< at",
        "[@",
        "(@",
        "{@",
        "<@",
        "[ @",
        "( @",
        "{ @",
        "< @",
    ):  # "name [@] mail.com"
        k = text.find(needle)
        while k >= 0:
            anchors.add(k)
            k = text.find(needle, k + 1)
    out: list[re.Match[str]] = []
    for a in sorted(anchors):
        j = a
        while j > 0 and text[j - 1].isspace():
            j -= 1
        k = j
        while k > 0 and text[k - 1] in _LOCAL_CHARS:
            k -= 1
        while k < j and not (text[k].isalnum() and text[k].isascii()):
            k += 1
        if k == j:
            continue
        m = _EMAIL.match(text, k)
        if m is not None:
            out.append(m)
    return out


def extract_emails(view: NormalizedText) -> list[Email]:
    """E-mail addresses, written plainly or as ``name [at] domain [dot] com``."""
    text = view.text
    if "@" not in text and _EMAIL_HINT.search(text) is None:
        return []
    out: list[Email] = []
    last_end = 0
    for m in _email_matches(text):
        if m.start() < last_end:
            continue
        last_end = m.end()
        at_dot = m.group()[len(m.group("local")) :]
        plain = (
            at_dot.startswith("@") and not any(c.isspace() for c in at_dot) and "dot" not in at_dot
        )
        labels = [*_DOT_SPLIT.split(m.group("domain")), m.group("tld")]
        if not plain:
            spaced_words = re.search(r"\sat\s", at_dot) is not None
            if m.group("tld") not in _KNOWN_TLD:
                continue
            if spaced_words and labels[0] not in _MAIL_PROVIDERS:
                continue
        value = f"{m.group('local')}@{'.'.join(labels)}"
        start, end = view.span(*m.span())
        if end > start:
            out.append(Email(value, start, end, obfuscated=not plain))
    return out


def _domain(url: str) -> str:
    host = re.sub(r"^(?:https?://)?", "", url.lower())
    host = re.split(r"[/?#:]", host, maxsplit=1)[0]
    return host[4:] if host.startswith("www.") else host


def extract_urls(view: NormalizedText, exclude: Sequence[tuple[int, int]] = ()) -> list[Url]:
    """Web addresses with their domain; ``exclude`` holds original spans already taken (e-mails)."""
    text = view.text
    if "http" not in text and "www." not in text and _URL_HINT.search(text) is None:
        return []
    out: list[Url] = []
    for m in _URL.finditer(text):
        s, e = m.span()
        while e > s and text[e - 1] in _URL_TRAIL:
            if text[e - 1] == ")" and text.count("(", s, e) >= text.count(")", s, e):
                break
            e -= 1
        if e <= s:
            continue
        start, end = view.span(s, e)
        if any(start < xe and xs < end for xs, xe in exclude):
            continue
        value = view.original[start:end]
        if not value.isascii():
            value = text[s:e]
        dom = _domain(text[s:e])
        if "." not in dom:
            continue
        out.append(Url(value, dom, start, end, messaging=dom in _MESSAGING_DOMAINS))
    return out


def _handle_from_url(url: Url, region: str) -> Handle | None:
    """The account a profile or chat link points to, or None for other links."""
    rest = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.value, flags=re.IGNORECASE)
    parts = rest.split("/", 1)
    host = parts[0].lower()
    path = parts[1] if len(parts) > 1 else ""
    seg = re.split(r"[/?#]", path, maxsplit=1)[0]
    if host in ("t.me", "telegram.me", "telegram.dog"):
        if seg.startswith("+") or seg.lower() == "joinchat":
            return Handle("telegram", path.split("?")[0].rstrip("/"), url.start, url.end)
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", seg):
            return Handle("telegram", seg.lower(), url.start, url.end)
        return None
    if host in ("wa.me", "api.whatsapp.com", "whatsapp.com"):
        digits = seg if host == "wa.me" else ""
        q = re.search(r"phone=\+?(\d+)", path)
        if q:
            digits = q.group(1)
        digits = digits.lstrip("+")
        if digits.isdigit():
            res = validate_phone(digits, True, region) or validate_phone(digits, False, region)
            if res:
                return Handle("whatsapp", res[0], url.start, url.end)
        return None
    if host == "chat.whatsapp.com" and seg:
        return Handle("whatsapp", seg, url.start, url.end)
    if host in ("instagram.com", "instagr.am", "m.instagram.com"):
        if seg and seg.lower() not in ("p", "reel", "reels", "stories", "explore", "tv"):
            return Handle("instagram", seg.lower(), url.start, url.end)
        return None
    if host in ("snapchat.com", "story.snapchat.com"):
        m = re.match(r"add/([A-Za-z0-9_.\-]+)", path)
        return Handle("snapchat", m.group(1).lower(), url.start, url.end) if m else None
    if host in ("facebook.com", "m.facebook.com", "fb.com", "fb.me", "web.facebook.com", "m.me"):
        q = re.search(r"profile\.php\?id=(\d+)", path)
        if q:
            return Handle("facebook", q.group(1), url.start, url.end)
        if seg and seg.lower() not in ("groups", "pages", "share", "watch", "events", "photo.php"):
            return Handle("facebook", seg.lower(), url.start, url.end)
        return None
    if host in ("twitter.com", "x.com") and seg:
        return Handle("twitter", seg.lower(), url.start, url.end)
    return None


def is_bare_domain(url: Url) -> bool:
    """``rosy.page`` with no scheme, www or path: after "fb:" it is a user name, not a link."""
    v = url.value.lower()
    return "/" not in v and not v.startswith("www.")


def _may_name_handle(text: str) -> bool:
    """Whether _NAMED_HANDLE can match (a necessary condition): some ":", "=" or "-" follows a
    platform name or a label, spaces aside.

    Most ads have a dash or a colon and no handle; the few separators are looked at with string
    calls, where a scan with _NAMED_HANDLE would stop at every i, t, s and f of the text.
    """
    for sep in ":=-":
        k = text.find(sep)
        while k >= 0:
            j = k
            while j > 0 and text[j - 1].isspace():
                j -= 1
            if text.endswith(_HANDLE_LABEL_ENDS, 0, j):
                return True
            k = text.find(sep, k + 1)
    return False


def extract_handles(
    view: NormalizedText,
    urls: list[Url],
    emails: list[Email],
    region: str = "IN",
) -> list[Handle]:
    """Accounts from profile/chat links, ``@name`` with its platform, ``insta: name``.

    A bare ``@name`` with no platform named in the 40 characters before it is taken as Telegram
    (the usual case in these ads) when it is a valid Telegram user name (5-32 characters).
    """
    text = view.text
    out: list[Handle] = []
    for u in urls:
        h = _handle_from_url(u, region)
        if h is not None:
            out.append(h)
    named = _may_name_handle(text)
    if not named and "@" not in text:
        return sorted(out, key=lambda h: h.start) if out else out  # most ads
    taken = [(u.start, u.end) for u in urls if not is_bare_domain(u)]
    taken += [(e.start, e.end) for e in emails]

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    for m in _NAMED_HANDLE.finditer(text) if named else ():
        if m.start() > 0 and text[m.start() - 1].isalnum():
            continue  # "big: ..." is not "ig:"
        value = m.group("h").rstrip(".")
        if value in _NOT_HANDLES:
            continue
        s, e = view.span(m.start("h"), m.end("h"))
        if free(s, e):
            platform = _PLATFORM_ALIASES[m.group("p")]
            out.append(Handle(platform, value, s, e))
            taken.append((s, e))
    if "@" in text:
        for m in _AT_HANDLE.finditer(text):
            value = m.group("h").rstrip(".")
            s, e = view.span(m.start(), m.start("h") + len(value))
            if not free(s, e):
                continue
            window = text[max(0, m.start() - 40) : m.start()]
            platform = ""
            for pm in _PLATFORM_WORDS.finditer(window):
                platform = pm.lastgroup or ""
            if not platform:
                if not re.fullmatch(r"[a-z][a-z0-9_]{4,31}", value):
                    continue
                platform = "telegram"
            out.append(Handle(platform, value, s, e))
            taken.append((s, e))
    return sorted(out, key=lambda h: h.start)
