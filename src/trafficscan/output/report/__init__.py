"""Stage: report. A flagged-ads file as one self-contained HTML case report (SPEC, "Case report").

``trafficscan report FLAGGED.json`` renders, for a superior, a prosecutor or another state's
cell, what the JSON holds for machines: the scan summary, each flagged ad with the words that
fired marked in its text and the reasons, and the ads that share a contact drawn as clusters.
``render`` builds it, ``marks`` cuts the text into marked and masked runs, ``clusters`` groups
ads, ``svg`` draws them; ``templates/`` holds the page (Jinja2, autoescaped).
"""

from __future__ import annotations

__all__ = ["report_command"]


def report_command(
    flagged_path: str, output: str | None, *, redact: bool, quiet: bool = False
) -> int:
    """Import the renderer (and Jinja2) only when a report is made: ``--help`` stays fast."""
    from trafficscan.output.report.render import report_command as run

    return run(flagged_path, output, redact=redact, quiet=quiet)
