"""Stage: config. Load and validate a scan config (format in ``docs/config.md`` and SPEC).

The structure (keys, types, ranges, kinds, URLs, what an html source needs) is checked against
``config.schema.json`` beside this module; by hand only what a schema cannot say (CSS selector
syntax, ``css@attr`` links, unique source names). Every problem comes out in one pass, each with
its file, line and key path (``sources[0].listing.item``), as one
:class:`~trafficscan.core.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from trafficscan import __version__
from trafficscan.core.errors import InputError, Problem
from trafficscan.core.schema import Report, schema_path, validate
from trafficscan.core.yamlsrc import KeyPath, Located, load_located
from trafficscan.sources.hosts import host_key, host_problem

DEFAULT_USER_AGENT = f"trafficscan/{__version__} (+https://github.com/trafficscan/trafficscan)"
SOURCE_KINDS = ("html", "rss", "jsonl")
FIELD_NAMES = ("title", "body", "price", "location", "posted_at", "contact")


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
        """Hosts this source may contact: ``allowed_hosts``, or the hosts of its start URLs;
        in ASCII (IDNA) form, the form requests go out to (``खोज.भारत`` is
        ``xn--21bm4l.xn--h2brj9c``)."""
        names = self.allowed_hosts or tuple(
            urlsplit(u).hostname or ""
            for u in self.start_urls
            if urlsplit(u).scheme.lower() in ("http", "https")
        )
        return frozenset(filter(None, map(host_key, names)))


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
            raise InputError(
                Problem(
                    file=self.path,
                    key="sources",
                    message=f"no source named {', '.join(map(repr, unknown))}",
                    hint=f"known sources: {', '.join(sorted(known))}",
                )
            )
        return tuple(s for s in self.sources if s.name in names)

    def base_rates(self) -> dict[str, float]:
        """The base rate of each source that has one (its own, else ``defaults.base_rate``)."""
        out: dict[str, float] = {}
        for src in self.sources:
            rate = src.base_rate if src.base_rate is not None else self.defaults.base_rate
            if rate is not None:
                out[src.name] = rate
        return out


CONFIG_SCHEMA = schema_path(__file__, "config.schema.json")
_HOST_HINT = "write the host as in a browser's address bar, e.g. example.org or खोज.भारत"


def _selectors(source: dict[str, Any], path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    """Every selector string of a source, with its key path, wherever the schema let it through."""
    listing = source.get("listing")
    if isinstance(listing, dict):
        for key in ("item", "link", "next_page"):
            yield (*path, "listing", key), listing.get(key)
    fields = source.get("fields")
    if isinstance(fields, dict):
        for key, value in fields.items():
            yield (*path, "fields", key), value
    strip = source.get("strip")
    for j, value in enumerate(strip if isinstance(strip, list) else ()):
        yield (*path, "strip", j), value


def _hosts(source: dict[str, Any], path: KeyPath) -> Iterator[tuple[KeyPath, str, str]]:
    """``(key path, value, host name)`` of every allowed host and http(s) start URL."""
    hosts = source.get("allowed_hosts")
    for j, value in enumerate(hosts if isinstance(hosts, list) else ()):
        if isinstance(value, str):
            yield (*path, "allowed_hosts", j), value, value.split(":")[0]
    urls = source.get("start_urls")
    keyed = [((*path, "start_urls"), urls)] if isinstance(urls, str) else []
    if isinstance(urls, list):
        keyed = [((*path, "start_urls", j), url) for j, url in enumerate(urls)]
    for key, url in keyed:
        if isinstance(url, str) and url.lower().startswith(("http:", "https:")):
            try:
                yield key, url, urlsplit(url).hostname or ""
            except ValueError:  # "http://[x": urlsplit refuses it, and so would every fetch
                yield key, url, "["


def check_semantics(report: Report, data: Any) -> None:
    """What the schema cannot say: CSS that compiles, ``css@attr`` links, unique source names,
    host names that have an ASCII (IDNA) form."""
    import soupsieve  # bs4's selector engine: compiling here catches bad selectors up front

    sources = data.get("sources") if isinstance(data, dict) else None
    seen: dict[str, int] = {}
    for i, source in enumerate(sources if isinstance(sources, list) else ()):
        if not isinstance(source, dict):
            continue
        name = source.get("name")
        if isinstance(name, str):
            if name in seen:
                report.add(
                    ("sources", i, "name"),
                    f"duplicate source name {name!r}",
                    f"already used by sources[{seen[name]}]",
                )
            seen.setdefault(name, i)
        flagged = set(report.paths())  # a value the schema refused is not checked twice
        for path, value, host in _hosts(source, ("sources", i)):
            if path not in flagged and host and (why := host_problem(host)):
                if "allowed_hosts" in path:
                    report.add(path, f"invalid host name {value!r}: it {why}", _HOST_HINT)
                else:
                    report.add(path, f"invalid URL {value!r}: its host {why}", _HOST_HINT)
        for path, value in _selectors(source, ("sources", i)):
            if not isinstance(value, str) or not value.strip():
                continue
            sel = Selector.parse(value)
            try:
                soupsieve.compile(sel.css)
            except Exception as exc:  # soupsieve raises SelectorSyntaxError and friends
                report.add(path, f"invalid CSS selector {value!r}: {str(exc).splitlines()[0]}")
                continue
            if path[-1] in ("link", "next_page") and sel.attr is None:
                report.add(path, f"{path[-1]} must name an attribute", f'e.g. "{sel.css}@href"')


def _source(raw: dict[str, Any]) -> Source:
    """A source from a mapping that passed the schema and the semantic checks."""
    urls = raw["start_urls"]
    fields = raw.get("fields") or {}
    return Source(
        name=raw["name"],
        kind=raw["kind"],
        start_urls=tuple([urls] if isinstance(urls, str) else urls),
        allowed_hosts=tuple(host_key(h.split(":")[0]) for h in raw.get("allowed_hosts") or ()),
        listing=_listing(raw["listing"]) if "listing" in raw else None,
        fields={key: Selector.parse(value) for key, value in fields.items()},
        strip=tuple(Selector.parse(s).css for s in raw.get("strip") or ()),
        base_rate=_float(raw.get("base_rate")),
    )


def _listing(raw: dict[str, Any]) -> Listing:
    def optional(key: str) -> Selector | None:
        return Selector.parse(raw[key]) if key in raw else None

    return Listing(
        item=Selector.parse(raw["item"]),
        link=optional("link"),
        next_page=optional("next_page"),
        max_pages=raw.get("max_pages", 5),
    )


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


#: Defaults kept as floats although YAML may give ``per_host_rate: 2``
_FLOATS = {f.name for f in fields(Defaults) if f.type in ("float", "float | None")}


def parse_config(doc: Located) -> Config:
    """Validate located YAML into a :class:`Config`, reporting every problem at once."""
    report = Report(doc)
    validate(doc, CONFIG_SCHEMA, report)
    check_semantics(report, doc.data)
    if report:
        raise InputError(report.problems())
    raw = doc.data.get("defaults") or {}
    values: dict[str, Any] = {k: float(v) if k in _FLOATS else v for k, v in raw.items()}
    defaults = Defaults(**values)
    sources = tuple(_source(src) for src in doc.data["sources"])
    return Config(path=doc.file, defaults=defaults, sources=sources)


def load_config(path: str | Path, text: str | None = None) -> Config:
    """Read and validate a config file. Raises :class:`InputError` listing every problem."""
    return parse_config(load_located(path, text))
