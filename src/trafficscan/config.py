"""Stage: config. Load and validate a scan config (format in ``docs/config.md`` and SPEC).

Validation collects every problem in one pass, each with its file, line and key path
(``sources[0].listing.item``), and raises one :class:`~trafficscan.errors.InputError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from trafficscan import __version__
from trafficscan.errors import InputError, Problem
from trafficscan.yamlsrc import KeyPath, Located, load_located

DEFAULT_USER_AGENT = f"trafficscan/{__version__} (+https://github.com/trafficscan/trafficscan)"
SOURCE_KINDS = ("html", "rss", "jsonl")
FIELD_NAMES = ("title", "body", "price", "location", "posted_at", "contact")
_NAME_RE = re.compile(r"^[a-z0-9_-]+$")


@dataclass(frozen=True, slots=True)
class Selector:
    """``"css"`` takes the element's text, ``"css@attr"`` an attribute."""

    css: str
    attr: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Selector:
        css, sep, attr = spec.rpartition("@")
        # an "@" inside brackets belongs to the CSS (e.g. [href*="@"]), not an attribute suffix
        if not sep or "]" in attr or " " in attr.strip() or not attr.strip():
            return cls(spec.strip())
        return cls(css.strip(), attr.strip())

    def __str__(self) -> str:
        return f"{self.css}@{self.attr}" if self.attr else self.css


@dataclass(frozen=True, slots=True)
class Defaults:
    user_agent: str = DEFAULT_USER_AGENT
    contact: str = ""
    concurrency: int = 4
    per_host_rate: float = 1.0
    timeout: float = 20.0
    retries: int = 2
    max_bytes: int = 5_000_000
    respect_robots: bool = True
    backoff_base: float = 0.5
    retry_after_cap: float = 60.0
    max_redirects: int = 5
    base_rate: float | None = None  # share of ads that are leads; None: the model's own


@dataclass(frozen=True, slots=True)
class Listing:
    item: Selector
    link: Selector | None = None
    next_page: Selector | None = None
    max_pages: int = 5


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    kind: str
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...] = ()
    listing: Listing | None = None
    fields: dict[str, Selector] = field(default_factory=dict)
    strip: tuple[str, ...] = ()  # CSS selectors removed from an ad's page before fields are read
    base_rate: float | None = None  # None: defaults.base_rate, else the model's

    @property
    def hosts(self) -> frozenset[str]:
        """Hosts this source may contact: ``allowed_hosts``, or the hosts of its start URLs."""
        if self.allowed_hosts:
            return frozenset(h.lower() for h in self.allowed_hosts)
        return frozenset((urlsplit(u).hostname or "").lower() for u in self.start_urls
                         if urlsplit(u).scheme in ("http", "https"))


@dataclass(frozen=True, slots=True)
class Config:
    path: str
    defaults: Defaults
    sources: tuple[Source, ...]

    def select(self, names: list[str] | None) -> tuple[Source, ...]:
        if not names:
            return self.sources
        known = {s.name for s in self.sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise InputError(Problem(file=self.path, key="sources",
                                     message=f"no source named {', '.join(map(repr, unknown))}",
                                     hint=f"known sources: {', '.join(sorted(known))}"))
        return tuple(s for s in self.sources if s.name in names)

    def base_rates(self) -> dict[str, float]:
        """The base rate of each source that has one (its own, else ``defaults.base_rate``)."""
        out: dict[str, float] = {}
        for src in self.sources:
            rate = src.base_rate if src.base_rate is not None else self.defaults.base_rate
            if rate is not None:
                out[src.name] = rate
        return out


# (name, type, min, max) for every defaults key
_DEFAULT_KEYS: dict[str, tuple[type, float | None, float | None]] = {
    "user_agent": (str, None, None),
    "contact": (str, None, None),
    "concurrency": (int, 1, 256),
    "per_host_rate": (float, 0.01, 1000),
    "timeout": (float, 0.1, 600),
    "retries": (int, 0, 10),
    "max_bytes": (int, 1024, 1_000_000_000),
    "respect_robots": (bool, None, None),
    "backoff_base": (float, 0.0, 60),
    "retry_after_cap": (float, 0.0, 3600),
    "max_redirects": (int, 0, 20),
    "base_rate": (float, 1e-6, 0.5),
}
_SOURCE_KEYS = {"name", "kind", "start_urls", "allowed_hosts", "listing", "fields", "strip",
                "base_rate"}
_LISTING_KEYS = {"item", "link", "next_page", "max_pages"}


class _Checker:
    """Collects problems while walking the located YAML."""

    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, message: str, hint: str | None = None) -> None:
        self.problems.append(self.doc.problem(path, message, hint))

    def mapping(self, value: Any, path: KeyPath, allowed: set[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(path, f"expected a mapping, got {_kind(value)}")
            return {}
        for key in value:
            if key not in allowed:
                close = _closest(key, allowed)
                self.add((*path, key), "unknown key",
                         f"did you mean {close!r}?" if close else f"allowed: {', '.join(sorted(allowed))}")
        return value

    def number(self, value: Any, path: KeyPath, kind: type, lo: float | None,
               hi: float | None) -> Any:
        if kind is bool:
            if not isinstance(value, bool):
                self.add(path, f"expected true or false, got {value!r}")
                return None
            return value
        if kind is str:
            if not isinstance(value, str):
                self.add(path, f"expected a string, got {_kind(value)}")
                return None
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                kind is int and not isinstance(value, int)):
            self.add(path, f"expected {'a whole number' if kind is int else 'a number'}, got {value!r}")
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.add(path, f"{value!r} is out of range", f"allowed: {lo:g} to {hi:g}")
            return None
        return kind(value)

    def selector(self, value: Any, path: KeyPath) -> Selector | None:
        if not isinstance(value, str) or not value.strip():
            self.add(path, f"expected a CSS selector string, got {_kind(value)}")
            return None
        sel = Selector.parse(value)
        import soupsieve  # bs4's selector engine: compiling here catches bad selectors up front

        try:
            soupsieve.compile(sel.css)
        except Exception as exc:  # soupsieve raises SelectorSyntaxError and friends
            msg = str(exc).splitlines()[0]
            self.add(path, f"invalid CSS selector {value!r}: {msg}")
            return None
        return sel

    def url(self, value: Any, path: KeyPath, kind: str) -> str | None:
        if not isinstance(value, str):
            self.add(path, f"expected a URL string, got {_kind(value)}")
            return None
        parts = urlsplit(value)
        ok_schemes = ("http", "https", "file") if kind == "jsonl" else ("http", "https")
        if parts.scheme not in ok_schemes or (parts.scheme != "file" and not parts.hostname):
            self.add(path, f"invalid URL {value!r}",
                     f"use an absolute {' or '.join(ok_schemes)} URL")
            return None
        return value


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            type(None): "nothing"}.get(type(value), type(value).__name__)


def _closest(word: str, choices: set[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def parse_config(doc: Located) -> Config:
    """Validate located YAML into a :class:`Config`, reporting every problem at once."""
    c = _Checker(doc)
    root = c.mapping(doc.data, (), {"version", "defaults", "sources"})
    if doc.data is None:
        c.add((), "the config is empty", "see docs/config.md for an example")
    version = root.get("version", 1)
    if version != 1:
        c.add(("version",), f"unsupported config version {version!r}", "this trafficscan reads version 1")

    dflt_raw = c.mapping(root.get("defaults"), ("defaults",), set(_DEFAULT_KEYS))
    dflt_values: dict[str, Any] = {}
    for key, (kind, lo, hi) in _DEFAULT_KEYS.items():
        if key in dflt_raw:
            v = c.number(dflt_raw[key], ("defaults", key), kind, lo, hi)
            if v is not None:
                dflt_values[key] = v
    defaults = Defaults(**dflt_values)

    sources: list[Source] = []
    raw_sources = root.get("sources")
    if raw_sources is None:
        if doc.data is not None:
            c.add(("sources",), "missing: a config needs at least one source")
        raw_sources = []
    elif not isinstance(raw_sources, list) or not raw_sources:
        c.add(("sources",), "expected a non-empty list of sources")
        raw_sources = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_sources):
        name = raw.get("name") if isinstance(raw, dict) else None
        if isinstance(name, str):
            if name in seen:
                c.add(("sources", i, "name"), f"duplicate source name {name!r}",
                      f"already used by sources[{seen[name]}]")
            seen.setdefault(name, i)
        src = _parse_source(c, raw, ("sources", i))
        if src is not None:
            sources.append(src)
    if c.problems:
        raise InputError(sorted(c.problems, key=lambda p: p.line or 0))
    return Config(path=doc.file, defaults=defaults, sources=tuple(sources))


def _parse_source(c: _Checker, raw: Any, path: KeyPath) -> Source | None:
    start = len(c.problems)
    m = c.mapping(raw, path, _SOURCE_KEYS)
    if not m:
        if not c.problems[start:]:
            c.add(path, "a source needs at least name, kind and start_urls")
        return None
    name = m.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        c.add((*path, "name"), f"invalid source name {name!r}" if name is not None else "missing",
              "use lower-case letters, digits, '_' and '-'")
    kind = m.get("kind")
    if kind not in SOURCE_KINDS:
        c.add((*path, "kind"), f"unknown kind {kind!r}" if kind is not None else "missing",
              f"one of: {', '.join(SOURCE_KINDS)}")
    urls_raw = m.get("start_urls")
    urls: list[str] = []
    if isinstance(urls_raw, str):
        urls_raw = [urls_raw]
    if not isinstance(urls_raw, list) or not urls_raw:
        c.add((*path, "start_urls"), "expected a non-empty list of URLs")
    else:
        for j, u in enumerate(urls_raw):
            ok = c.url(u, (*path, "start_urls", j), str(kind))
            if ok:
                urls.append(ok)
    hosts_raw = m.get("allowed_hosts") or []
    hosts: list[str] = []
    if not isinstance(hosts_raw, list):
        c.add((*path, "allowed_hosts"), "expected a list of host names")
    else:
        for j, h in enumerate(hosts_raw):
            if not isinstance(h, str) or not re.match(r"^[A-Za-z0-9.-]+(:\d+)?$", h):
                c.add((*path, "allowed_hosts", j), f"invalid host name {h!r}",
                      "a bare host such as example.org, no scheme or path")
            else:
                hosts.append(h.split(":")[0].lower())

    listing: Listing | None = None
    if kind == "html":
        lraw = c.mapping(m.get("listing"), (*path, "listing"), _LISTING_KEYS)
        if "listing" not in m:
            c.add((*path, "listing"), "missing: an html source needs listing.item")
        elif lraw:
            item = c.selector(lraw.get("item"), (*path, "listing", "item")) if "item" in lraw else None
            if "item" not in lraw:
                c.add((*path, "listing", "item"), "missing: the CSS selector of one ad")
            link = c.selector(lraw["link"], (*path, "listing", "link")) if lraw.get("link") else None
            nxt = (c.selector(lraw["next_page"], (*path, "listing", "next_page"))
                   if lraw.get("next_page") else None)
            max_pages = lraw.get("max_pages", 5)
            mp = c.number(max_pages, (*path, "listing", "max_pages"), int, 1, 100_000)
            for sel, key in ((link, "link"), (nxt, "next_page")):
                if sel is not None and sel.attr is None:
                    c.add((*path, "listing", key), f"{key} must name an attribute",
                          f'e.g. "{sel.css}@href"')
            if item is not None:
                listing = Listing(item=item, link=link, next_page=nxt, max_pages=mp or 5)
    elif "listing" in m and kind in SOURCE_KINDS:
        c.add((*path, "listing"), f"listing is only for html sources, not {kind}")

    fields: dict[str, Selector] = {}
    fraw = c.mapping(m.get("fields"), (*path, "fields"), set(FIELD_NAMES))
    if kind == "html":
        if not fraw:
            c.add((*path, "fields"), "missing: an html source needs at least fields.body or fields.title")
        for key, value in fraw.items():
            if key in FIELD_NAMES:
                sel = c.selector(value, (*path, "fields", key))
                if sel is not None:
                    fields[key] = sel
        if fraw and "body" not in fraw and "title" not in fraw:
            c.add((*path, "fields"), "needs body or title", "an ad with neither is skipped")
    elif fraw:
        c.add((*path, "fields"), f"fields are only for html sources, not {kind}")
    strip_raw = m.get("strip") or []
    strip: list[str] = []
    if not isinstance(strip_raw, list):
        c.add((*path, "strip"), "expected a list of CSS selectors")
    else:
        for j, s in enumerate(strip_raw):
            sel = c.selector(s, (*path, "strip", j))
            if sel is not None:
                strip.append(sel.css)
    base_rate = (c.number(m["base_rate"], (*path, "base_rate"), float, 1e-6, 0.5)
                 if "base_rate" in m else None)
    if len(c.problems) > start:
        return None
    assert isinstance(name, str) and isinstance(kind, str)  # checked above
    return Source(name=name, kind=kind, start_urls=tuple(urls), allowed_hosts=tuple(hosts),
                  listing=listing, fields=fields, strip=tuple(strip), base_rate=base_rate)


def load_config(path: str | Path, text: str | None = None) -> Config:
    """Read and validate a config file. Raises :class:`InputError` listing every problem."""
    return parse_config(load_located(path, text))
