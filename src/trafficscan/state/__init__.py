"""History across scans: which ads are new, which share a contact, which scans ran.

The pipeline opens one :class:`StateDB` per ``trafficscan scan`` (it locks the file, so cron
runs never overlap), calls :meth:`~StateDB.begin_scan`, :meth:`~StateDB.record` per batch of
scored ads (it returns each ad's :class:`Sighting`, which the pipeline composes into the ad it
writes) and :meth:`~StateDB.finish_scan`, then closes it. See ``docs/state.md``.
"""

from trafficscan.state.db import (
    SEEN_WITH_LIMIT,
    Sighting,
    StateDB,
    StateStats,
    default_state_path,
    state_path,
)
from trafficscan.state.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "SEEN_WITH_LIMIT",
    "Sighting",
    "StateDB",
    "StateStats",
    "default_state_path",
    "state_path",
]
