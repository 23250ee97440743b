"""``trafficscan sources check``: does each source fetch, and do its selectors find ads?

Selectors rot silently when a site changes its markup: a scan then "succeeds" with zero ads.
This command makes that visible before a scan, fetching only what a check needs (the first
listing page and, for linked listings, one ad page) through the same polite components as a
scan: robots.txt, rate limits, allowed hosts.

Exit status: 2 if the config is invalid or a source's selectors find nothing (the config needs
fixing), else 3 if a source could not be fetched, else 0.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from trafficscan.core.ad import Ad
from trafficscan.core.errors import EXIT_INPUT, EXIT_OK, EXIT_PARTIAL, InputError
from trafficscan.pipeline.crawler import Crawler
from trafficscan.sources.config import FIELD_NAMES, Config, Source, load_config

_SAMPLE_WIDTH = 70


@dataclass(slots=True)
class SourceCheck:
    """What checking one source found."""

    source: Source
    items: int = 0
    pages: int = 0
    sample: Ad | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    robots_forbidden: int = 0

    @property
    def status(self) -> str:
        if self.pages and not self.items:
            return "nothing found"
        if self.pages == 0 or (self.errors and self.sample is None):
            return "fetch failed"
        return "ok"

    @property
    def exit_code(self) -> int:
        return {"ok": EXIT_OK, "nothing found": EXIT_INPUT}.get(self.status, EXIT_PARTIAL)


async def check_source(config: Config, source: Source, *, transport: Any = None) -> SourceCheck:
    """Fetch the first listing page (first start URL only) and at most one ad page."""
    first = replace(source, start_urls=source.start_urls[:1])
    crawler = Crawler(
        config, [first], max_pages=1, progress=False, transport=transport, detail_limit=1
    )
    result = SourceCheck(source)
    gen = crawler.ads()
    try:
        async for ad in gen:
            result.sample = result.sample or ad
            if source.kind == "html":
                break  # one sample is enough; the count comes from the listing itself
    finally:
        await gen.aclose()
    s = crawler.stats
    per = s.per_source.get(source.name)
    result.pages = per.pages if per else 0
    result.items = per.items if per else 0
    result.errors = list(s.errors)
    result.robots_forbidden = s.robots_forbidden
    return result


async def check_all(config: Config, *, transport: Any = None) -> list[SourceCheck]:
    return [await check_source(config, s, transport=transport) for s in config.sources]


def _short(text: str, width: int = _SAMPLE_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render(results: list[SourceCheck], console: Console) -> None:
    """Selectors, URLs and page text are user and web strings: all escaped before rich sees
    them, or ``li[data-aut-id=itemBox]`` would print as ``li``."""
    from rich.markup import escape as e

    table = Table(title="Sources", title_justify="left")
    for col in ("source", "kind", "first URL", "status", "items", "errors"):
        table.add_column(col, overflow="fold")
    colour = {"ok": "green", "nothing found": "yellow", "fetch failed": "red"}
    for r in results:
        table.add_row(
            e(r.source.name),
            r.source.kind,
            e(r.source.start_urls[0]),
            f"[{colour[r.status]}]{r.status}[/]",
            str(r.items),
            str(len(r.errors)),
        )
    console.print(table)
    for r in results:
        if r.sample is not None:
            sample = Table(
                title=f"{e(r.source.name)}: sample ad", title_justify="left", show_header=False
            )
            sample.add_column("field", style="bold")
            sample.add_column("value", overflow="fold")
            sample.add_row("url", e(r.sample.url))
            for name in FIELD_NAMES:
                value = getattr(r.sample, name)
                sample.add_row(name, e(_short(value)) if value else "[dim](empty)[/]")
            console.print(sample)
        for err in r.errors:
            console.print(
                f"[red]•[/] {e(r.source.name)}: {e(err['url'])}: {e(err['error'])}", highlight=False
            )
        if r.status == "nothing found":
            hint = (
                f"listing.item {str(r.source.listing.item)!r} matched nothing"
                if r.source.listing
                else "no entries or records"
            )
            console.print(f"[yellow]•[/] {e(r.source.name)}: {e(hint)}", highlight=False)
        if r.robots_forbidden:
            console.print(
                f"[yellow]•[/] {e(r.source.name)}: {r.robots_forbidden} URL(s) "
                "disallowed by robots.txt",
                highlight=False,
            )


def _demo() -> AbstractContextManager[Any] | None:
    try:
        from trafficscan.sources.demo.server import serve_demo
    except ImportError:
        return None
    return serve_demo()


def check_command(
    config_path: Path | None, *, console: Console | None = None, transport: Any = None
) -> int:
    """Entry point of ``trafficscan sources check [-c CONFIG]``; returns the exit status."""
    console = console or Console()
    err = Console(stderr=True)
    if config_path is None:
        demo = _demo()
        if demo is None:
            err.print("[bold red]error:[/] no bundled demo in this build; pass -c CONFIG")
            return EXIT_INPUT
        ctx: AbstractContextManager[Any] = demo
    else:
        ctx = nullcontext(config_path)
    try:
        with ctx as loaded:
            config = loaded if isinstance(loaded, Config) else load_config(Path(loaded))
            results = asyncio.run(check_all(config, transport=transport))
    except InputError as exc:
        n = len(exc.problems)
        err.print(f"[bold red]error:[/] {n} problem{'s' * (n != 1)} in the config")
        for p in exc.problems:
            err.out(f"  • {p}", highlight=False)
        return EXIT_INPUT
    render(results, console)
    codes = {r.exit_code for r in results}
    return EXIT_INPUT if EXIT_INPUT in codes else EXIT_PARTIAL if EXIT_PARTIAL in codes else EXIT_OK
