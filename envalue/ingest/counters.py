"""Cumulative meter counters → interval deltas, exactly as methodologies.md defines.

- a rising counter gives ``delta = v[i] − v[i−1]``;
- a falling counter on a meter with a capacity wrapped:
  ``delta = (capacity + 1 − v[i−1]) + v[i]``;
- a fall without a capacity, or a wrapped delta that is implausible for the interval, is a
  reset: the interval is flagged and not counted, counting resumes from the new value.

Plausibility: with a maximum delta for the interval (max rate × elapsed time) a delta
above it is implausible; without one, a wrapped delta above half the counter's range is
implausible (a counter that advanced more than half its range in one reading interval
cannot be told from a replaced meter). A rising delta above the maximum is also treated
as a reset (`RESET_IMPLAUSIBLE_JUMP`), the same conservative choice: never count it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from envalue.ingest.decimals import EXACT
from envalue.ingest.model import Rule

__all__ = ["CounterStep", "counter_deltas"]


@dataclass(frozen=True, slots=True)
class CounterStep:
    """The interval ending at reading i (i ≥ 1): its delta, or the reset reason."""

    index: int
    delta: Decimal | None
    wrapped: bool = False
    reset: Rule | None = None


def counter_deltas(
    values: Sequence[Decimal],
    *,
    capacity: Decimal | None = None,
    max_deltas: Sequence[Decimal | None] | None = None,
) -> list[CounterStep]:
    """One step per consecutive pair of `values` (already in time order).

    `max_deltas[i]` bounds the delta of the interval ending at reading i (None: no bound).
    """
    steps: list[CounterStep] = []
    for i in range(1, len(values)):
        prev, cur = values[i - 1], values[i]
        bound = max_deltas[i] if max_deltas is not None else None
        if cur >= prev:
            delta = EXACT.subtract(cur, prev)
            if bound is not None and delta > bound:
                steps.append(CounterStep(i, None, reset=Rule.RESET_IMPLAUSIBLE_JUMP))
            else:
                steps.append(CounterStep(i, delta))
            continue
        if capacity is None:
            steps.append(CounterStep(i, None, reset=Rule.RESET_FALL))
            continue
        wrapped = EXACT.add(EXACT.subtract(EXACT.add(capacity, 1), prev), cur)
        limit = bound if bound is not None else EXACT.divide(EXACT.add(capacity, 1), 2)
        if wrapped > limit:
            steps.append(CounterStep(i, None, reset=Rule.RESET_IMPLAUSIBLE_WRAP))
        else:
            steps.append(CounterStep(i, wrapped, wrapped=True))
    return steps
