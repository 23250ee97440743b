"""When to try a request again, and how long to wait first.

Exponential backoff with jitter spreads retries of many requests apart, so a struggling site
is not hit by a synchronised wave. A server's ``Retry-After`` wins when it asks for longer, but
only up to ``retry_after_cap``: beyond that, waiting would stall the whole scan, so the request
is given up and reported instead of being retried early against the server's wish.
"""

from __future__ import annotations

import email.utils
import random
import time

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class RetryPolicy:
    """``retries`` extra attempts after the first, backoff ``base * 2**n`` with ±50 % jitter."""

    def __init__(
        self,
        retries: int,
        backoff_base: float,
        retry_after_cap: float,
        rng: random.Random | None = None,
    ) -> None:
        self.retries = retries
        self.backoff_base = backoff_base
        self.retry_after_cap = retry_after_cap
        self._rng = rng or random.Random()

    def should_retry_status(self, status: int) -> bool:
        return status in RETRY_STATUSES

    def backoff(self, attempt: int) -> float:
        """Wait before attempt number ``attempt + 1`` (``attempt`` counts from 0)."""
        return self.backoff_base * (2**attempt) * self._rng.uniform(0.5, 1.5)

    def wait_for(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retrying, or ``None`` when Retry-After exceeds the cap."""
        wait = self.backoff(attempt)
        if retry_after is not None:
            if retry_after > self.retry_after_cap:
                return None
            wait = max(wait, retry_after)
        return wait
