"""The ad as written: a scored ad with what the later stages returned for it, composed here.

The stages below the pipeline (state history, clusters, evidence) read the scored ads and
return one value per ad; none of them changes an ad it was given (tests/design checks). Only
the pipeline puts the values together, so what an output item holds is decided in one place,
and a stage that fails half-way leaves no ad half-filled.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from trafficscan.core.ad import ScoredAd

if TYPE_CHECKING:
    from trafficscan.state.db import Sighting

#: ``explanation.suppressed`` of a flag an analyst's verdict cleared (README: review).
SUPPRESSED = "an analyst marked this text not a signal"


def compose(
    item: ScoredAd,
    sighting: Sighting | None = None,
    cluster: dict[str, Any] | None = None,
    evidence: dict[str, str] | None = None,
) -> ScoredAd:
    """A new :class:`ScoredAd`: ``item`` with its history, cluster and evidence reference.

    A ``None`` leaves that part as the item has it. The page as received (``Ad.capture``) is
    left out: it was kept, or not, by the evidence stage, and must not outlive the batch on
    an ad the terminal summary holds on to.
    """
    changes: dict[str, Any] = {}
    if sighting is not None:
        changes.update(
            first_seen=sighting.first_seen,
            last_seen=sighting.last_seen,
            is_new=sighting.is_new,
            seen_with=sighting.seen_with,
        )
    if cluster is not None:
        changes["cluster"] = cluster
    if evidence is not None:
        changes["evidence"] = evidence
    if item.ad.capture is not None:
        changes["ad"] = replace(item.ad, capture=None)
    return replace(item, **changes) if changes else item


def suppressed(item: ScoredAd) -> ScoredAd:
    """``item`` no longer flagged, its explanation saying why: an analyst cleared this text."""
    return replace(item, flagged=False, explanation={**item.explanation, "suppressed": SUPPRESSED})
