"""What a scan keeps: the pages behind flagged ads (``--evidence flagged``), every page
(``all``) or nothing (``none``).

A page's bytes ride along on its ads (``Ad.capture``) only until they are scored: then the
keeper writes the page if one of its ads is flagged (or always, with ``all``), and the ads the
pipeline writes on carry no page, so at most the pages of the ads in flight are held, never a
whole crawl.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from trafficscan.evidence.index import link_ads
from trafficscan.evidence.store import EvidenceMode, EvidenceStore

if TYPE_CHECKING:
    from trafficscan.core.ad import ScoredAd
    from trafficscan.fetch.fetcher import Capture
    from trafficscan.state.db import StateDB


class EvidenceKeeper:
    """The store of one scan and the rule for what goes into it."""

    def __init__(self, mode: EvidenceMode, state_path: Path, scan_id: int, db: StateDB) -> None:
        self.mode = mode
        self.db = db
        self.store = EvidenceStore(state_path, scan_id, db)

    def on_page(self, capture: Capture) -> None:
        """With ``all``: every page as it arrives, whether or not it yields an ad."""
        self.store.store(capture)

    def after_scoring(self, items: Sequence[ScoredAd]) -> list[dict[str, str] | None]:
        """Store the pages of flagged ads (all, with ``all``); return each item's ``evidence``.

        One reference per item, in item order, ``None`` for an ad whose page is not kept. The
        items are not changed: the pipeline composes the references into the ads it writes,
        and drops the pages from them there (``Ad.capture``), so they go with the batch.
        """
        links: list[tuple[str, str, str, bool]] = []
        out: list[dict[str, str] | None] = []
        for item in items:
            capture = item.ad.capture
            if capture is None or not (item.flagged or self.mode == "all"):
                out.append(None)
                continue
            ref = self.store.store(capture)
            out.append(ref)
            links.append((item.ad.id, item.ad.url, ref["record_id"], item.flagged))
        link_ads(self.db, links)
        return out

    def close(self) -> None:
        self.store.close()
