"""Duplicates vs conflicts, gaps, out-of-order rows, implausible values, periods."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from ingest_helpers import assert_accounting, long_csv, run, totals

from envalue.ingest import Rule

pytestmark = pytest.mark.unit


def test_duplicate_is_reported_not_counted_conflict_rejects_both() -> None:
    data = long_csv(
        "2024-04-01T00:30:00+09:00,dev-1,electricity,1,kWh,interval",
        "2024-04-01T00:30:00+09:00,dev-1,electricity,1000,Wh,interval",  # same value: dup
        "2024-04-01T01:00:00+09:00,dev-1,electricity,2,kWh,interval",
        "2024-04-01T01:00:00+09:00,dev-1,electricity,3,kWh,interval",  # conflict
    )
    result = run(data)
    q = result.quality
    assert (q.accepted, q.duplicate, q.conflict, q.rejected) == (1, 1, 2, 2)
    assert totals(result) == {("electricity", "2024-04-01"): "1"}
    [dup] = result.duplicates
    assert (dup.row, dup.kept_row) == (3, 2)
    assert [(r.row, r.rule) for r in result.rejected] == [(4, Rule.CONFLICT),
                                                          (5, Rule.CONFLICT)]
    assert_accounting(result)


def test_same_timestamp_other_quantity_is_not_a_duplicate() -> None:
    data = long_csv(
        "2024-04-01T00:30:00+09:00,dev-1,electricity,1,kWh,interval",
        "2024-04-01T00:30:00+09:00,dev-1,pv_generation,1,kWh,interval",
    )
    assert run(data).quality.accepted == 2


def test_gaps_with_configured_and_inferred_interval() -> None:
    rows = [f"2024-04-01T{h:02d}:{m:02d}:00+09:00,dev-1,electricity,1,kWh,interval"
            for h, m in [(0, 30), (1, 0), (1, 30), (3, 0), (3, 30)]]  # 02:00, 02:30 missing
    inferred = run(long_csv(*rows))
    assert inferred.quality.gap == 2
    [gap] = inferred.gaps
    assert gap.missing == 2 and gap.after.isoformat() == "2024-03-31T16:30:00+00:00"
    configured = run(long_csv(*rows), interval=timedelta(minutes=15))
    assert configured.quality.gap == 1 + 1 + 5 + 1  # every 30 min step misses one
    assert totals(inferred) == {("electricity", "2024-04-01"): "5"}  # gaps do not change sums


def test_out_of_order_rows_are_sorted_and_reported() -> None:
    data = long_csv(
        "2024-04-01T01:00:00+09:00,dev-1,electricity,110,kWh,cumulative",
        "2024-04-01T00:30:00+09:00,dev-1,electricity,100,kWh,cumulative",
        "2024-04-01T01:30:00+09:00,dev-1,electricity,125,kWh,cumulative",
    )
    result = run(data)
    assert result.quality.out_of_order == 1
    assert result.quality.reset == 0  # sorted first, so no false fall
    assert totals(result) == {("electricity", "2024-04-01"): "25"}
    assert [r.row for r in result.readings] == [3, 2, 4]


def test_implausible_interval_value_is_rejected_by_max_rate() -> None:
    data = long_csv(
        "2024-04-01T00:30:00+09:00,dev-1,electricity,40,kWh,interval",
        "2024-04-01T01:00:00+09:00,dev-1,electricity,60,kWh,interval",
    )
    result = run(data, max_rate={"electricity": Decimal(100)})  # 100 kWh/h = 50 per 30 min
    assert [(r.row, r.rule) for r in result.rejected] == [(3, Rule.IMPLAUSIBLE_VALUE)]
    assert totals(result) == {("electricity", "2024-04-01"): "40"}


def test_implausible_counter_jump_is_a_reset() -> None:
    data = long_csv(
        "2024-04-01T00:30:00+09:00,dev-1,electricity,100,kWh,cumulative",
        "2024-04-01T01:00:00+09:00,dev-1,electricity,120,kWh,cumulative",
        "2024-04-01T01:30:00+09:00,dev-1,electricity,5000,kWh,cumulative",
        "2024-04-01T02:00:00+09:00,dev-1,electricity,5010,kWh,cumulative",
    )
    result = run(data, max_rate={"electricity": Decimal(100)})
    assert totals(result) == {("electricity", "2024-04-01"): "30"}
    assert [r.rule for r in result.resets] == [Rule.RESET_IMPLAUSIBLE_JUMP]


def test_period_is_end_inclusive_and_follows_the_time_zone() -> None:
    data = long_csv(
        "2024-04-01T00:00:00+09:00,dev-1,electricity,1,kWh,",   # ends 03-31 in Tokyo
        "2024-03-31T15:30:00Z,dev-1,electricity,2,kWh,",        # 00:30 on 04-01 Tokyo
    )
    assert totals(run(data)) == {("electricity", "2024-03-31"): "1",
                                 ("electricity", "2024-04-01"): "2"}
    assert totals(run(data, tz="UTC")) == {("electricity", "2024-03-31"): "3"}
    monthly = run(data, period="month").dry_run()["totals"]
    assert [(t["period_start"], t["value"]) for t in monthly] == [
        ("2024-03-01T00:00:00+09:00", "1"), ("2024-04-01T00:00:00+09:00", "2")]
    hourly = run(data, period="hour").dry_run()["totals"]
    assert hourly[1]["period_end"] == "2024-04-01T01:00:00+09:00"


def test_a_quantity_has_one_kind() -> None:
    data = long_csv(
        "2024-04-01T00:30:00+09:00,dev-1,electricity,100,kWh,cumulative",
        "2024-04-01T01:00:00+09:00,dev-1,electricity,5,kWh,interval",
        "2024-04-01T01:30:00+09:00,dev-1,electricity,110,kWh,cumulative",
    )
    result = run(data)
    assert [(r.row, r.field, r.rule) for r in result.rejected] == [
        (3, "kind", Rule.MIXED_KIND)]
    assert totals(result) == {("electricity", "2024-04-01"): "10"}
    assert_accounting(result)


def test_batch_quality_is_attributed_to_its_period() -> None:
    data = long_csv(
        "2024-04-01T00:30:00+09:00,dev-1,electricity,1,kWh,interval",
        "2024-04-01T00:30:00+09:00,dev-1,electricity,1,kWh,interval",
        "2024-04-02T00:30:00+09:00,dev-1,electricity,1,kWh,interval",
        "2024-04-02T00:30:00+09:00,dev-1,electricity,2,kWh,interval",
        "2024-04-02T01:00:00+09:00,dev-1,electricity,2,kWh,interval",
    )
    day1, day2 = run(data).batches
    assert day1.quality.contract() == {"accepted": 1, "duplicate": 1, "conflict": 0,
                                       "reset": 0, "gap": 0, "rejected": 0}
    assert day2.quality.contract() == {"accepted": 1, "duplicate": 0, "conflict": 2,
                                       "reset": 0, "gap": 0, "rejected": 2}
