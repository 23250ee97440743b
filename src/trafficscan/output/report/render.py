"""Build the case report: a flagged-ads file in, one self-contained HTML file out.

Everything the page needs is inside it (CSS in a ``<style>``, the cluster picture as inline
SVG, no script at all), so it opens offline from a USB stick and prints the same on A4. Ad
text is hostile input: the template is rendered with autoescaping on, and no value from the
file is ever put in a ``src``, ``href`` or ``style``; ad URLs are shown as text, not links,
so nobody opens a listing from a police machine by a stray click.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from trafficscan import __version__
from trafficscan.output.report.clusters import Cluster, city_of, describe_contact, find_clusters
from trafficscan.output.report.load import FlaggedFile, load_flagged
from trafficscan.output.report.marks import (
    MASKS,
    Scrubber,
    Segment,
    Span,
    contact_spans,
    masked,
    rule_spans,
    segments,
)

IST = timezone(timedelta(hours=5, minutes=30), "IST")

#: Masks contacts in a short string when the report is redacted; ``str`` otherwise.
Scrub = Callable[[Any], str]


@dataclass(slots=True)
class RuleRow:
    title: str
    id: str
    category: str
    weight: Any
    words: list[str]
    context: list[str]


@dataclass(slots=True)
class Indicator:
    kind: str  # rule | entity | word
    name: str
    detail: str


@dataclass(slots=True)
class AdView:
    """One flagged ad, every string already masked when the report is redacted."""

    number: int
    item: dict[str, Any]
    title: str
    url: str
    price: str
    location: str
    segments: list[Segment]
    rules: list[RuleRow]
    indicators: list[Indicator]
    entities: list[tuple[str, list[str]]]
    terms: list[tuple[str, Any]]
    parts: list[tuple[str, Any]]
    cluster: str = ""
    evidence: list[tuple[str, str]] = field(default_factory=list)
    seen_with: list[dict[str, str]] = field(default_factory=list)


def _times(stamp: str | None) -> tuple[str, str]:
    """``stamp`` (ISO 8601) as UTC and as Indian time, the time the analyst's superiors read."""
    if not stamp:
        return "", ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp, ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (
        f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        f"{moment.astimezone(IST):%Y-%m-%d %H:%M} IST",
    )


def when(stamp: Any) -> str:
    """A posting time as people read it: ``2026-11-28 21:40 +05:30``; a bare date as is."""
    if not isinstance(stamp, str) or "T" not in stamp:
        return "" if stamp is None else str(stamp)
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    zone = moment.strftime("%z")
    zone = "UTC" if zone == "+0000" else (f"{zone[:3]}:{zone[3:]}" if zone else "")
    return f"{moment:%Y-%m-%d %H:%M} {zone}".strip()


def _entity_words(text: str, spans: Any, masks: list[Span]) -> list[str]:
    words = []
    for span in spans or []:
        if (
            isinstance(span, list | tuple)
            and len(span) == 2
            and all(isinstance(v, int) for v in span)
            and 0 <= span[0] < span[1] <= len(text)
        ):
            words.append(masked(text, masks, span[0], span[1]))
    return words


def _indicators(
    item: dict[str, Any], text: str, masks: list[Span], scrub: Scrub
) -> list[Indicator]:
    out = []
    for ind in (item.get("explanation") or {}).get("indicators") or []:
        if not isinstance(ind, dict):
            continue
        kind = str(ind.get("kind") or "")
        if kind == "rule":
            words = ", ".join(f"“{scrub(w)}”" for w in ind.get("words") or [])
            out.append(
                Indicator(
                    "rule",
                    scrub(ind.get("title") or ind.get("id") or ""),
                    f"{ind.get('category', '')}: {words}".strip(": "),
                )
            )
        elif kind == "entity":
            words = ", ".join(f"“{w}”" for w in _entity_words(text, ind.get("spans"), masks))
            out.append(Indicator("entity", str(ind.get("name") or "").replace("_", " "), words))
        elif kind == "word":
            out.append(
                Indicator(
                    "word", scrub(ind.get("term") or ""), f"model weight {ind.get('weight', '')}"
                )
            )
        else:
            out.append(Indicator(kind, scrub(ind.get("id") or ind.get("name") or ""), ""))
    return out


def _entities(item: dict[str, Any], scrub: Scrub, redact: bool) -> list[tuple[str, list[str]]]:
    ents = item.get("entities") or {}
    rows: list[tuple[str, list[str]]] = []

    def add(label: str, values: list[str]) -> None:
        if values:
            rows.append((label, values))

    add("phones", [MASKS["phone"] if redact else str(p) for p in ents.get("phones") or []])
    add("e-mails", [MASKS["email"] if redact else str(e) for e in ents.get("emails") or []])
    add(
        "handles",
        [
            f"{h.get('platform', '')} {MASKS['handle'] if redact else h.get('value', '')}".strip()
            if isinstance(h, dict)
            else (MASKS["handle"] if redact else str(h))
            for h in ents.get("handles") or []
        ],
    )
    add("links", [scrub(u) for u in ents.get("urls") or []])
    add("ages", [str(a) for a in ents.get("ages") or []])
    add(
        "prices",
        [
            f"{p.get('amount', ''):g} {p.get('currency', '')}"
            if isinstance(p, dict) and isinstance(p.get("amount"), int | float)
            else scrub(p)
            for p in ents.get("prices") or []
        ],
    )
    add("places", [scrub(p) for p in ents.get("locations") or []])
    return rows


def _evidence(value: Any, scrub: Scrub, prefix: str = "") -> list[tuple[str, str]]:
    """``evidence`` of any shape (hashes of the fetched page, of the text...) as rows."""
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, sub in value.items():
            rows += _evidence(sub, scrub, f"{prefix}{key}" if not prefix else f"{prefix}.{key}")
        return rows
    if isinstance(value, list):
        rows = []
        for n, sub in enumerate(value):
            rows += _evidence(sub, scrub, f"{prefix}[{n}]")
        return rows
    return [(prefix or "evidence", scrub(value))]


def ad_view(number: int, item: dict[str, Any], *, redact: bool) -> AdView:
    text = item["text"]
    masks = contact_spans(text) if redact else []
    scrub: Scrub = Scrubber(text, masks, item.get("entities") or {}) if redact else _plain
    title = str(item.get("title") or "")
    if redact:
        title = masked(title, contact_spans(title))
        title = scrub(title)
    rules = [h for h in item.get("rules") or [] if isinstance(h, dict)]
    hits, ctx = rule_spans(text, rules, "matches"), rule_spans(text, rules, "context")
    model = (item.get("explanation") or {}).get("model") or {}
    terms = [
        (scrub(t.get("term", "")), t.get("weight", ""))
        for t in model.get("terms") or []
        if isinstance(t, dict)
    ]
    parts = list((model.get("parts") or {}).items()) if isinstance(model.get("parts"), dict) else []
    seen = item.get("seen_with") if isinstance(item.get("seen_with"), dict) else {}
    return AdView(
        number=number,
        item=item,
        title=title or "(no title)",
        url=scrub(item.get("url") or ""),
        price=scrub(item.get("price") or ""),
        location=scrub(item.get("location") or ""),
        segments=segments(text, hits, ctx, masks),
        rules=[
            RuleRow(
                scrub(h.get("title") or ""),
                str(h.get("id", "")),
                str(h.get("category", "")),
                h.get("weight", ""),
                [_span_words(text, m, masks, scrub) for m in h.get("matches") or []],
                [_span_words(text, m, masks, scrub) for m in h.get("context") or []],
            )
            for h in rules
        ],
        indicators=_indicators(item, text, masks, scrub),
        entities=_entities(item, scrub, redact),
        terms=terms,
        parts=parts,
        evidence=_evidence(item["evidence"], scrub)
        if item.get("evidence") not in (None, {}, [])
        else [],
        seen_with=[
            {
                "id": str(a.get("id", "")),
                "source": str(a.get("source", "")),
                "first_seen": str(a.get("first_seen", "")),
                "url": scrub(a.get("url", "")),
            }
            for a in (seen or {}).get("ads") or []
            if isinstance(a, dict) and a.get("id") != item.get("id")
        ],
    )


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def _span_words(text: str, match: Any, masks: list[Span], scrub: Scrub) -> str:
    if not isinstance(match, dict):
        return ""
    start, end = match.get("start"), match.get("end")
    if (
        masks
        and isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start < end <= len(text)
        and text[start:end] == match.get("text")
    ):
        return masked(text, masks, start, end)
    return scrub(match.get("text", ""))


def _cluster_notes(ads: list[AdView], clusters: list[Cluster], redact: bool) -> list[str]:
    """Per cluster, what its ads share (for the picture), and each ad's own cluster line."""
    labels = []
    for n, cluster in enumerate(clusters):
        shared = ", ".join(describe_contact(k, redact) for k in cluster.shared)
        labels.append(
            f"shares {shared}"
            if shared
            else ("linked by earlier scans" if not cluster.label else "")
        )
        name = cluster.label or f"Cluster {n + 1}"
        for m in cluster.members:
            others = ", ".join(f"#{o.number}" for o in cluster.members if o.number != m.number)
            line = f"{name} · {cluster.size} ads" + (
                f" · with {others} in this report" if others else ""
            )
            if shared:
                line += f" · {labels[-1]}"
            ads[m.number - 1].cluster = line
    return labels


def build_context(
    flagged: FlaggedFile, *, redact: bool, now: datetime | None = None
) -> dict[str, Any]:
    """Everything the template shows, already masked when ``redact``."""
    from trafficscan.output.report.svg import cluster_picture

    items = [i for i in flagged.items if i.get("flagged", True) is not False]
    items.sort(key=lambda i: -float(i["score"]))
    ads = [ad_view(n, item, redact=redact) for n, item in enumerate(items, start=1)]
    shown = [(ad.title, ad.location or city_of_scrubbed(ad)) for ad in ads]
    clusters = find_clusters(items, shown)
    labels = _cluster_notes(ads, clusters, redact)
    for ad in ads:  # an explicit cluster of one (its others outside this file) still shows
        c = ad.item.get("cluster")
        if not ad.cluster and isinstance(c, dict) and c.get("id") not in (None, ""):
            ad.cluster = f"cluster {c['id']} · {c.get('size', '?')} ads"
    header = flagged.header
    scan: dict[str, Any] = header["scan"] if isinstance(header.get("scan"), dict) else {}
    errors: list[Any] = scan["errors"] if isinstance(scan.get("errors"), list) else []
    now = now or datetime.now(UTC)
    linked = sum(len(c.members) for c in clusters)
    return {
        "file": Path(flagged.path).name,
        "version": __version__,
        "redact": redact,
        # a file redacted by scan/score --redact holds no contacts either
        "masked_input": bool(items) and all(i.get("redacted") is True for i in items),
        "header": header,
        "scan": scan,
        "errors": errors,
        "errors_count": scan.get("errors_count", len(errors)),
        "per_source": scan.get("per_source") if isinstance(scan.get("per_source"), dict) else {},
        "sources": [str(s) for s in scan.get("sources") or []],
        "scan_times": (_times(scan.get("started_at")), _times(scan.get("finished_at"))),
        "file_time": _times(header.get("generated_at")),
        "report_time": _times(now.strftime("%Y-%m-%dT%H:%M:%SZ")),
        "ads": ads,
        "hidden": len(flagged.items) - len(items),
        "clusters": clusters,
        "picture": cluster_picture(clusters, labels),
        "unlinked": len(ads) - linked,
        "model": header.get("model") if isinstance(header.get("model"), dict) else {},
        "threshold": header.get("threshold"),
    }


def city_of_scrubbed(ad: AdView) -> str:
    """The places found in the text when the ad gives no location (places hold no contacts)."""
    return city_of({"entities": ad.item.get("entities") or {}})


def render_html(flagged: FlaggedFile, *, redact: bool = False, now: datetime | None = None) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("trafficscan.output.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    return env.get_template("report.html.j2").render(
        **build_context(flagged, redact=redact, now=now)
    )


def default_report_name(flagged_path: str) -> str:
    """``flagged-20261203-101500.json`` → ``flagged-20261203-101500.html``, in this folder."""
    return Path(flagged_path).with_suffix(".html").name


def write_report(html: str, target: str) -> None:
    """Atomically (temp file + rename), mode 0600: the report holds the ads' contacts."""
    from trafficscan.core.atomic import atomic_file

    with atomic_file(os.path.abspath(target), "w", encoding="utf-8") as fh:
        fh.write(html)


def report_command(
    flagged_path: str, output: str | None, *, redact: bool, quiet: bool = False
) -> int:
    """``trafficscan report``: read, render, write; print where the report went."""
    import sys

    from trafficscan.core.errors import EXIT_OK, InputError, Problem

    flagged = load_flagged(flagged_path)
    html = render_html(flagged, redact=redact)
    if output == "-":
        sys.stdout.write(html)
        return EXIT_OK
    target = output or default_report_name(flagged_path)
    if Path(target).is_dir():
        raise InputError(
            Problem(
                file=target,
                message="is a folder, not an output file",
                hint="name a file inside it, e.g. -o out/report.html",
            )
        )
    if not Path(target).parent.exists():
        raise InputError(
            Problem(
                file=target,
                message=f"folder {Path(target).parent} does not exist",
                hint="create it first",
            )
        )
    write_report(html, target)
    if not quiet:
        shown = sum(1 for i in flagged.items if i.get("flagged", True) is not False)
        masked_input = bool(flagged.items) and all(i.get("redacted") is True for i in flagged.items)
        note = ", contacts masked" if redact or masked_input else " (mode 0600: it holds contacts)"
        print(f"Wrote a report of {shown} flagged ads to {target}{note}", file=sys.stderr)
    return EXIT_OK


__all__ = ["build_context", "default_report_name", "render_html", "report_command", "write_report"]
