"""What a scan or a score run prints in the terminal: the summary line, the table of the top
flagged ads with the words that flagged them, and the failures (also under ``--quiet``).

Rich renders it; titles, URLs and paths are escaped, so markup in an ad is printed literally.
"""

from __future__ import annotations

import sys
from typing import Any

from trafficscan.core.ad import ScoredAd


def is_tty() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


def stderr_console() -> Any:
    """No hard wrapping: cron mails these lines, and a URL cut at column 80 cannot be opened."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def describe_errors(errors: list[dict[str, Any]]) -> str:
    """``2 connection errors · 1 HTTP error · 1 empty source``: what kind of failures, in words."""
    from trafficscan.fetch.stats import count_kinds

    words = {
        "connection": ("connection error", "connection errors"),
        "http": ("HTTP error", "HTTP errors"),
        "robots": ("blocked by robots.txt", "blocked by robots.txt"),
        "empty": ("source with too few ads", "sources with too few ads"),
        "other": ("other error", "other errors"),
    }
    return " · ".join(f"{n} {words[k][n != 1]}" for k, n in count_kinds(errors).items())


def print_failures(scan: dict[str, Any], path: str) -> None:
    """The failures of a scan, on stderr: what ``--quiet`` still prints."""
    from rich.markup import escape

    console = stderr_console()
    errors = scan.get("errors", [])
    console.print(
        f"trafficscan: scan {escape(str(scan.get('status', '')))} with "
        f"{describe_errors(errors)}; wrote {scan.get('ads_written', 0)} ads to {escape(path)}"
    )
    for e in errors[:10]:
        console.print(f"  • {escape(_error_line(e))}")
    if len(errors) > 10:
        console.print(f"  … and {len(errors) - 10} more (scan.errors)")


def _error_line(e: dict[str, Any]) -> str:
    where = f"{e.get('source', '')}: {e.get('url', '')}".rstrip(": ")
    return f"{where} — {e.get('error', '')}"


def keep_top(top: list[ScoredAd], item: ScoredAd, n: int = 10) -> None:
    top.append(item)
    if len(top) > n * 4:
        top.sort(key=lambda s: -s.score)
        del top[n:]


def print_summary(
    scan: dict[str, Any],
    top: list[ScoredAd],
    path: str,
    threshold: float,
    *,
    to_stderr: bool = False,
) -> None:
    from rich.console import Console
    from rich.markup import escape

    from trafficscan.core.localtime import with_local

    console = Console(stderr=to_stderr, highlight=False)
    errors = scan.get("errors", [])
    line = (
        f"[bold]{len(scan.get('sources', []))}[/] sources · [bold]{scan.get('pages_fetched', 0)}[/] pages · "
        f"[bold]{scan['ads_seen']}[/] ads seen · [bold]{scan['ads_new']}[/] new · "
        f"[bold red]{scan['ads_flagged']}[/] flagged (score ≥ {threshold:g})"
    )
    if scan.get("robots_forbidden"):  # an unreachable robots.txt is an error, never counted here
        line += f" · {scan['robots_forbidden']} URLs disallowed by robots.txt"
    console.print(line)
    if scan.get("finished_at"):
        console.print(f"Finished {with_local(scan['finished_at'])}")
    if scan.get("suppressed"):
        console.print(f"{scan['suppressed']} suppressed by analyst verdicts (marked not a signal)")
    print_top(console, top)
    if errors:
        console.print(
            f"[yellow]{len(errors)} error{'s' * (len(errors) != 1)}[/] "
            f"({describe_errors(errors)}; listed in the output's scan.errors):"
        )
        for e in errors[:5]:
            console.print(f"  [yellow]•[/] {escape(_error_line(e))}")
        if len(errors) > 5:
            console.print(f"  … and {len(errors) - 5} more")
    if path != "-":
        console.print(
            f"Wrote [bold]{scan['ads_written']}[/] ads to [cyan]{escape(path)}[/] (mode 0600)"
        )


def reasons(item: ScoredAd, per_category: int = 3) -> str:
    """One line per rule category: the distinct words that fired it (what an analyst quotes)."""
    words: dict[str, dict[str, None]] = {}
    for hit in item.hits:
        if hit.category == "awareness":
            continue
        bucket = words.setdefault(hit.category, {})
        for m in hit.matches:
            bucket.setdefault(" ".join(m.text.split()), None)
    lines = []
    for cat, found in words.items():
        shown = list(found)[:per_category]
        more = f" +{len(found) - len(shown)}" if len(found) > len(shown) else ""
        lines.append(f"{cat}: " + ", ".join(f"“{w}”" for w in shown) + more)
    terms = [t["term"] for t in (item.explanation.get("model") or {}).get("terms", [])]
    if terms and len(lines) < 2:  # few or no rules: say which words moved the model
        lines.append("model: " + ", ".join(f"“{t}”" for t in terms[:per_category]))
    return "\n".join(lines)


def print_top(console: Any, top: list[ScoredAd], n: int = 5) -> None:
    from rich.table import Table

    top.sort(key=lambda s: -s.score)
    if not top:
        return
    table = Table(title="Top flagged ads", title_justify="left", show_lines=False)
    table.add_column("score", justify="right")
    table.add_column("rules", justify="right")
    table.add_column("model", justify="right")
    clustered = any(item.cluster is not None for item in top[:n])
    if clustered:  # how many ads its network holds: one ad is a lead, fifty are a network
        table.add_column("cluster", justify="right")
    table.add_column("ad", ratio=2)
    table.add_column("why (rule category: words)", ratio=3, overflow="fold")
    from rich.markup import escape

    for item in top[:n]:
        title = (item.ad.title or item.ad.text)[:60].replace("\n", " ")
        table.add_row(
            f"{item.score:.2f}",
            f"{item.rule_score:.2f}",
            "—" if item.model_score is None else f"{item.model_score:.2f}",
            *([_cluster_cell(item)] if clustered else []),
            escape(title),
            escape(reasons(item) or "model only"),
        )
    console.print(table)


def _cluster_cell(item: ScoredAd) -> str:
    size = (item.cluster or {}).get("size")
    return "—" if size is None else f"{size} ad{'s' * (size != 1)}"


def print_score_summary(
    seen: int, flagged: int, written: int, elapsed: float, threshold: float, path: str
) -> None:
    """``trafficscan score``'s one line: how many, how fast, how many flagged, where written."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, highlight=False)
    console.print(
        f"[bold]{seen:,}[/] ads scored in {elapsed:.1f} s "
        f"({seen / max(elapsed, 1e-9):,.0f} ads/s) · "
        f"[bold red]{flagged:,}[/] flagged (score ≥ {threshold:g})"
        + ("" if path == "-" else f" · wrote {written:,} to [cyan]{escape(path)}[/]")
    )


def print_skipped(bad: list[Any]) -> None:
    """The input lines ``--skip-bad`` skipped: listed even with ``--quiet``, the output lacks them."""
    from rich.markup import escape

    console = stderr_console()
    console.print(
        f"skipped {len(bad)} bad input line{'s' * (len(bad) != 1)} "
        "(--skip-bad; listed in the output's scan.errors):"
    )
    for problem in bad[:10]:
        console.print(f"  • {escape(str(problem))}")
    if len(bad) > 10:
        console.print(f"  … and {len(bad) - 10} more")
