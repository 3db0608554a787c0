"""Fast path for canonical long CSV uploads: the reference pipeline's result, vectorised.

Why: the reference path (`parse_long` → `convert` → `validate` → batches) builds Python
objects per row and is limited to tens of thousands of readings per second; the ledger
only needs the commitments. This package computes the same `IngestResult` with numpy
over the upload's bytes:

- `scan`: field offsets of every record (or declines the file: non-ASCII, quotes, …);
- `typed`: timestamps, values and names typed vectorially; every row it cannot type with
  certainty goes through the reference `parse_long` + `convert` (row-level fallback);
- `checks`: the steps of `validate` on exact scaled integers;
- `assemble`: totals, periods, batches, canonical leaves and Merkle roots.

`fast_ingest` returns None whenever the upload is outside what it decides exactly (the
caller then runs the reference path), so results are always the reference's. Accepted
`Reading` objects (and batch leaves) are built lazily on first access; everything else
is computed eagerly. Equivalence is property-tested in
``tests/unit/ingest/test_ingest_fast_equivalence.py``.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

from envalue.ingest.config import IngestConfig
from envalue.ingest.fast.assemble import assemble
from envalue.ingest.fast.checks import check
from envalue.ingest.fast.scan import scan
from envalue.ingest.fast.typed import type_rows
from envalue.ingest.fast.values import LIMIT
from envalue.ingest.pipeline import IngestResult

__all__ = ["fast_ingest"]


def _capacities_fit(config: IngestConfig, scale: int) -> bool:
    caps = config.counter_capacity
    values = [] if caps is None else [caps] if not hasattr(caps, "values") else list(
        caps.values())  # type: ignore[union-attr]
    return all(v.is_finite() and abs(v.scaleb(scale)) < LIMIT for v in values)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC: the fast path allocates ~10^5 acyclic containers per million
    readings, enough to trigger full collections that scan the whole heap (measured: a
    fifth of the run time). Reference counting still frees everything at once."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def fast_ingest(data: bytes, config: IngestConfig, *, source: str, upload_hash: str,
                timings: dict[str, float] | None = None) -> IngestResult | None:
    """The reference `ingest` result for a long CSV, or None to use the reference path.

    `timings`, when given, receives the seconds of each stage: ``parse`` (scan and
    typing), ``validate`` (checks and deltas), ``merkle`` (canonical leaves, leaf and
    node hashing), ``batches`` (periods, totals, batch ids, quality, result).
    """
    with _gc_paused():
        return _fast_ingest(data, config, source=source, upload_hash=upload_hash,
                            timings={} if timings is None else timings)


def _fast_ingest(data: bytes, config: IngestConfig, *, source: str, upload_hash: str,
                 timings: dict[str, float]) -> IngestResult | None:
    began = time.perf_counter()
    scanned = scan(data, config.device_id)
    if scanned is None or not len(scanned.line):
        return None
    typed = type_rows(scanned, config, source)
    if typed is None or not _capacities_fit(config, typed.scale):
        return None
    parsed = time.perf_counter()
    checked = check(typed, config)
    checked_at = time.perf_counter()
    result = assemble(typed, checked, config, source=source, upload_hash=upload_hash,
                      timings=timings)
    done = time.perf_counter()
    timings["parse"] = timings.get("parse", 0.0) + parsed - began
    timings["validate"] = timings.get("validate", 0.0) + checked_at - parsed
    timings["batches"] = (timings.get("batches", 0.0) + done - checked_at
                          - timings.pop("_merkle", 0.0))
    return result
