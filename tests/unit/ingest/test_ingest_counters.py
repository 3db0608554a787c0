"""Cumulative counters → deltas: rollover, resets, properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ingest_helpers import assert_accounting, long_csv, run, totals

from envalue.ingest import Rule, counter_deltas

pytestmark = pytest.mark.unit
D = Decimal


def test_rollover_with_capacity_uses_the_methodology_formula() -> None:
    steps = counter_deltas([D(99990), D(99998), D(5)], capacity=D(99999))
    assert [s.delta for s in steps] == [D(8), D(7)]  # (99999 + 1 - 99998) + 5
    assert steps[1].wrapped


def test_fall_without_capacity_is_a_reset_and_counting_resumes() -> None:
    steps = counter_deltas([D(100), D(110), D(3), D(10)])
    assert [s.delta for s in steps] == [D(10), None, D(7)]
    assert steps[1].reset == Rule.RESET_FALL


def test_implausible_wrap_is_a_reset() -> None:
    # a fall from 500 to 400 on a 99999 counter would be a wrap of 99900: a replaced meter
    steps = counter_deltas([D(500), D(400)], capacity=D(99999))
    assert steps[0].delta is None and steps[0].reset == Rule.RESET_IMPLAUSIBLE_WRAP
    # with a max delta for the interval, the bound is that
    steps = counter_deltas([D(99990), D(20)], capacity=D(99999), max_deltas=[None, D(25)])
    assert steps[0].delta is None
    steps = counter_deltas([D(99990), D(20)], capacity=D(99999), max_deltas=[None, D(40)])
    assert steps[0].delta == D(30)


def test_counter_file_with_rollover_and_reset() -> None:
    data = long_csv(
        "2024-04-01T00:30:00+09:00,dev-1,electricity,9990,kWh,cumulative",
        "2024-04-01T01:00:00+09:00,dev-1,electricity,9998,kWh,cumulative",
        "2024-04-01T01:30:00+09:00,dev-1,electricity,4,kWh,cumulative",   # wrap: +6
        "2024-04-01T02:00:00+09:00,dev-1,electricity,9,kWh,cumulative",   # +5
    )
    result = run(data, counter_capacity=D(9999))
    assert totals(result) == {("electricity", "2024-04-01"): "19"}
    assert result.quality.reset == 0
    no_capacity = run(data)
    assert totals(no_capacity) == {("electricity", "2024-04-01"): "13"}
    assert no_capacity.quality.reset == 1
    [reset] = no_capacity.resets
    assert (reset.row, reset.previous, reset.value) == (4, D(9998), D(4))
    assert_accounting(no_capacity)


def test_counter_reading_above_capacity_is_rejected() -> None:
    data = long_csv("2024-04-01T00:30:00+09:00,dev-1,electricity,100000,kWh,cumulative")
    result = run(data, counter_capacity={"electricity": D(99999)})
    assert [r.rule for r in result.rejected] == [Rule.IMPLAUSIBLE_VALUE]


increments = st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=50)


@given(start=st.integers(min_value=0, max_value=10**6), steps=increments)
def test_sum_of_deltas_is_last_minus_first_without_wrap(start: int, steps: list[int]) -> None:
    values = [D(start)]
    for s in steps:
        values.append(values[-1] + s)
    deltas = counter_deltas(values)
    assert all(s.reset is None for s in deltas)
    assert sum(s.delta for s in deltas) == values[-1] - values[0]


@given(capacity=st.integers(min_value=999, max_value=10**6),
       start=st.integers(min_value=0, max_value=10**6), steps=increments)
def test_sum_of_deltas_with_wraps_equals_unwrapped_sum(capacity: int, start: int,
                                                       steps: list[int]) -> None:
    # each step is below half the counter range, so every fall is a genuine wrap
    start %= capacity + 1
    unwrapped = [start]
    for s in steps:
        unwrapped.append(unwrapped[-1] + s)
    shown = [D(v % (capacity + 1)) for v in unwrapped]
    deltas = counter_deltas(shown, capacity=D(capacity))
    assert all(s.reset is None for s in deltas)
    assert sum(s.delta for s in deltas) == unwrapped[-1] - unwrapped[0]
