"""``score`` on all cores: batches scored and encoded in worker processes, in input order.

Workers return finished output text, not records: the parent then only counts and writes.
A bounded window of batches in flight keeps memory flat.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from trafficscan.core.ad import Ad
from trafficscan.output.items import item_to_dict
from trafficscan.score.scorer import Scorer, ScorerSpec


def batches(ads: Iterator[Ad], size: int) -> Iterator[list[Ad]]:
    batch: list[Ad] = []
    for ad in ads:
        batch.append(ad)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_WORKER: Scorer | None = None


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _init_worker(spec: ScorerSpec) -> None:
    global _WORKER
    _ignore_sigint()
    _WORKER = spec.build()
    freeze_long_lived()


def freeze_long_lived() -> None:
    """Move everything built so far (rules, model tables, imports) out of the garbage
    collector's sight: it lives as long as the process, yet every full collection walked it,
    about 12 % of ``score`` time. Forked workers also share those pages longer this way."""
    import gc

    gc.collect()
    gc.freeze()


@dataclass(frozen=True, slots=True)
class Encoding:
    """How scored ads become output text: done where they are scored (worker or parent)."""

    fmt: str
    redact_key: bytes | None  # one key for the whole output, so every worker masks alike
    write_all: bool
    extra_columns: tuple[str, ...] = ()  # input columns a CSV output passes through


#: One scored ad as the parent needs it: flagged?, its output text (None: not written).
Encoded = tuple[bool, str | None, float]


def encode_batch(scorer: Scorer, batch: list[Ad], enc: Encoding) -> list[Encoded]:
    from trafficscan.output.writers import encode_record

    out: list[Encoded] = []
    for s in scorer.score_batch(batch):
        text = (
            encode_record(
                item_to_dict(s),
                enc.fmt,
                redact_key=enc.redact_key,
                extra_columns=enc.extra_columns,
                findings=s.findings,  # --redact masks the spans this scorer found
            )
            if s.flagged or enc.write_all
            else None
        )
        out.append((s.flagged, text, s.score))
    return out


def _score_in_worker(batch: list[Ad], enc: Encoding) -> list[Encoded]:
    assert _WORKER is not None
    return encode_batch(_WORKER, batch, enc)


def scored_batches(
    ads: Iterator[Ad], size: int, jobs: int, spec: ScorerSpec, scorer: Scorer, enc: Encoding
) -> Iterator[list[Encoded]]:
    """Score and encode batches in input order; with ``jobs > 1``, in worker processes.

    Workers return finished output text, not records: the parent then only counts and writes,
    instead of building, redacting and serialising every record alone, and a string crosses
    the process boundary cheaper than a nested dict.
    """
    pending = batches(ads, size)
    first = next(pending, None)
    if first is None:
        return
    second = next(pending, None)
    if jobs <= 1 or second is None:  # small input: a pool costs more than it saves
        yield encode_batch(scorer, first, enc)
        if second is not None:
            yield encode_batch(scorer, second, enc)
            for b in pending:
                yield encode_batch(scorer, b, enc)
        return
    import itertools
    import multiprocessing as mp
    from collections import deque

    global _WORKER
    if sys.platform == "linux":
        # forked workers inherit the scorer already built (rules compiled, model loaded)
        _WORKER = scorer
        ctx = mp.get_context("fork")
        pool_args: dict[str, Any] = {"initializer": _ignore_sigint}
    else:
        ctx = mp.get_context("spawn")
        pool_args = {"initializer": _init_worker, "initargs": (spec,)}
    with ctx.Pool(jobs, **pool_args) as pool:
        # Pool.imap would drain the whole input into its task queue; a bounded window of
        # batches in flight keeps memory flat and the output in input order.
        window: deque[Any] = deque()
        for batch in itertools.chain([first, second], pending):
            window.append(pool.apply_async(_score_in_worker, (batch, enc)))
            if len(window) >= 2 * jobs:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()
