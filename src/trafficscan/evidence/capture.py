"""What a scan keeps: the pages behind flagged ads (``--evidence flagged``), every page
(``all``) or nothing (``none``).

A page's bytes ride along on its ads (``Ad.capture``) only until they are scored: then the
keeper writes the page if one of its ads is flagged (or always, with ``all``) and drops the
reference, so at most the pages of the ads in flight are held, never a whole crawl.
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

    def after_scoring(self, items: Sequence[ScoredAd]) -> None:
        """Store the pages of flagged ads (all, with ``all``) and give each its ``evidence``."""
        links: list[tuple[str, str, str, bool]] = []
        for item in items:
            capture = item.ad.capture
            item.ad.capture = None  # the page may go once its last ad is scored
            if capture is None or not (item.flagged or self.mode == "all"):
                continue
            item.evidence = self.store.store(capture)
            links.append((item.ad.id, item.ad.url, item.evidence["record_id"], item.flagged))
        link_ads(self.db, links)

    def close(self) -> None:
        self.store.close()
