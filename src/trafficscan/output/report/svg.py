"""The clusters as a picture: one lane per cluster, its ads as dots on a shared time axis.

Drawn here as plain SVG text, not by a JavaScript charting library: the report must open from
a USB stick on a machine with no network, and print the same. Each dot links to its ad in
the report (``#ad-3``); under it, the ad's number, city and date. Every string is escaped:
titles and places come from hostile ads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

from trafficscan.output.report.clusters import Cluster

WIDTH = 960
PLOT_X0, PLOT_X1 = 290, 830  # dated ads
UNDATED_X = 905  # ads without a date, in a column of their own
AXIS_H = 34
LANE_TOP = 18  # baseline of the dots, below the lane's top
LANE_H = 66
MIN_GAP = 118  # dots closer than this are spread apart, so their labels do not overlap

PALETTE = ("#1f5f99", "#a4412a", "#2e7d4f", "#7a4a9a", "#8a6d1a", "#2a7a86")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def _spread(xs: list[float]) -> list[float]:
    """Dots at least ``MIN_GAP`` apart, left to right (their labels carry the exact date), the
    row pulled back left if it would run off the picture."""
    out: list[float] = []
    for x in xs:
        out.append(x if not out else max(x, out[-1] + MIN_GAP))
    overflow = (out[-1] - (WIDTH - 55)) if out else 0
    if overflow > 0:
        out = [x - overflow for x in out]
    return out


def _lines(text: str, width: int, most: int) -> list[str]:
    """``text`` cut at spaces into at most ``most`` lines of ``width`` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = [*lines[: most - 1], _short(" ".join(lines[most - 1 :]), width)]
    return [_short(line, width) for line in lines]


def cluster_picture(clusters: Sequence[Cluster], contact_labels: Sequence[str]) -> Markup:
    """An SVG of ``clusters``; ``contact_labels[i]`` names what cluster ``i`` shares."""
    if not clusters:
        return Markup("")
    days = [m.day for c in clusters for m in c.members if m.day is not None]
    first, last = (min(days), max(days)) if days else (None, None)
    span = max(1, (last - first).days) if first and last else 1

    def x_of(day: date | None) -> float:
        if day is None or first is None:
            return UNDATED_X
        if first == last:
            return (PLOT_X0 + PLOT_X1) / 2
        return PLOT_X0 + (day - first).days / span * (PLOT_X1 - PLOT_X0)

    parts: list[str] = []
    y = AXIS_H
    for i, cluster in enumerate(clusters):
        colour = PALETTE[i % len(PALETTE)]
        members = sorted(cluster.members, key=lambda m: (x_of(m.day), m.number))
        xs = _spread([x_of(m.day) for m in members])
        lane_h = LANE_H
        base = y + LANE_TOP
        parts.append(
            f'<g class="lane"><rect x="0" y="{y}" width="{WIDTH}" height="{lane_h}" '
            f'fill="{"#f6f7f9" if i % 2 == 0 else "#ffffff"}"/>'
        )
        name = cluster.label or f"Cluster {i + 1}"
        parts.append(
            f'<text x="10" y="{base + 4}" class="lane-name" fill="{colour}">'
            f"{escape(name)} · {cluster.size} ads</text>"
        )
        for n, line in enumerate(_lines(contact_labels[i], 36, 2)):
            parts.append(
                f'<text x="10" y="{base + 22 + n * 14}" class="lane-note">{escape(line)}</text>'
            )
        if len(xs) > 1:
            parts.append(
                f'<line x1="{min(xs):.1f}" y1="{base}" x2="{max(xs):.1f}" y2="{base}" '
                f'stroke="{colour}" stroke-width="2.5"/>'
            )
        for m, x in zip(members, xs, strict=True):
            when = _day_label(m.day) if m.day else "no date"
            tip = f"#{m.number} {m.title}"
            parts.append(
                f'<a href="#ad-{m.number}"><circle cx="{x:.1f}" cy="{base}" r="6" fill="{colour}">'
                f"<title>{escape(tip)}</title></circle>"
                f'<text x="{x:.1f}" y="{base + 24}" class="dot-label" text-anchor="middle">'
                f"#{m.number} · {escape(when)}</text>"
                f'<text x="{x:.1f}" y="{base + 38}" class="dot-city" text-anchor="middle">'
                f"{escape(_short(m.city or '—', 20))}</text></a>"
            )
        parts.append("</g>")
        y += lane_h
    axis = [
        f'<line x1="{PLOT_X0}" y1="{AXIS_H - 8}" x2="{PLOT_X1}" y2="{AXIS_H - 8}" stroke="#59606b"/>'
    ]
    if first is not None and last is not None:
        ticks = [first] if first == last else [first, last]
        for day in ticks:
            x = x_of(day)
            axis.append(
                f'<line x1="{x:.1f}" y1="{AXIS_H - 12}" x2="{x:.1f}" y2="{y}" '
                f'stroke="#d5d9df" stroke-dasharray="3 3"/>'
            )
            axis.append(
                f'<text x="{x:.1f}" y="{AXIS_H - 16}" class="axis" text-anchor="middle">'
                f"{escape(_day_label(day))} {day.year}</text>"
            )
    if any(m.day is None for c in clusters for m in c.members):
        axis.append(
            f'<text x="{UNDATED_X}" y="{AXIS_H - 16}" class="axis" text-anchor="middle">no date</text>'
        )
    axis.append(f'<text x="10" y="{AXIS_H - 16}" class="axis">shared contact</text>')
    total = sum(len(c.members) for c in clusters)
    desc = f"{len(clusters)} cluster{'s' * (len(clusters) != 1)} of linked ads, {total} ads in all"
    return Markup(
        f'<svg class="clusters" viewBox="0 0 {WIDTH} {y + 4}" '
        f'width="{WIDTH}" height="{y + 4}" role="img" aria-label="{escape(desc)}">'
        f"<title>{escape(desc)}</title>" + "".join(axis) + "".join(parts) + "</svg>"
    )


__all__ = ["cluster_picture"]
