"""Times for people: the analyst's local time beside UTC in terminal output.

Outputs and the state database keep UTC (``...Z``) so files from different states compare;
a person reading a summary thinks in local time. The zone is ``TRAFFICSCAN_TZ`` when set,
else the system's zone, except that a server left on UTC (most cron hosts) shows India
Standard Time, the zone of the cyber cells this tool is for.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone, tzinfo

IST = timezone(timedelta(hours=5, minutes=30), "IST")


def local_zone() -> tzinfo:
    """The zone terminal output shows next to UTC."""
    name = os.environ.get("TRAFFICSCAN_TZ", "").strip()
    if name:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(name)
        except (KeyError, ValueError, OSError):
            return IST  # an unknown zone name: the default, rather than a crash in a summary
    system = datetime.now().astimezone().tzinfo
    if system is None or datetime.now(system).utcoffset() == timedelta(0):
        return IST
    return system


def with_local(utc_text: str) -> str:
    """``2026-01-01T04:30:00Z`` → ``2026-01-01 10:00 IST (04:30 UTC)``."""
    try:
        moment = datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    except ValueError:
        return utc_text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(local_zone())
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''} ({moment.astimezone(UTC):%H:%M} UTC)"


__all__ = ["IST", "local_zone", "with_local"]
