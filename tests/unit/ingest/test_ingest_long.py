"""Canonical long CSV: hand-worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ingest_helpers import assert_accounting, long_csv, run, totals

from envalue.ingest import IngestError, Rule

pytestmark = pytest.mark.unit


def test_interval_rows_total_per_day_in_tokyo() -> None:
    data = long_csv(
        "2024-04-01T00:30:00+09:00,dev-1,electricity,1500,Wh,interval",
        "2024-04-01T01:00:00+09:00,dev-1,electricity,2.5,kWh,interval",
        "2024-04-02T00:00:00+09:00,dev-1,electricity,1,kWh,",  # ends the day of 04-01
        "2024-04-02T00:30:00+09:00,dev-1,electricity,0.25,kWh,",
    )
    result = run(data)
    assert totals(result) == {("electricity", "2024-04-01"): "5",
                              ("electricity", "2024-04-02"): "0.25"}
    first = result.dry_run()["totals"][0]
    assert first["period_start"] == "2024-04-01T00:00:00+09:00"
    assert first["period_end"] == "2024-04-02T00:00:00+09:00"
    assert result.quality.accepted == 4
    reading = result.readings[0]
    assert reading.value == Decimal("1.5") and reading.unit == "kWh"
    assert reading.timestamp.utcoffset().total_seconds() == 0
    assert reading.row == 2  # line number, header = 1
    assert_accounting(result)


def test_naive_timestamp_is_rejected_with_reason() -> None:
    result = run(long_csv("2024-04-01T00:30:00,dev-1,electricity,1,kWh,interval"))
    [rej] = result.rejected
    assert (rej.row, rej.field, rej.value, rej.rule) == (
        2, "timestamp", "2024-04-01T00:30:00", Rule.NAIVE_TIMESTAMP)
    assert rej.raw == "2024-04-01T00:30:00,dev-1,electricity,1,kWh,interval"


@pytest.mark.parametrize(("row", "field", "rule"), [
    ("2024-04-01T00:30:00+09:00,dev-1,electricity,abc,kWh", "value", Rule.INVALID_DECIMAL),
    ("2024-04-01T00:30:00+09:00,dev-1,electricity,NaN,kWh", "value", Rule.INVALID_DECIMAL),
    ("2024-04-01T00:30:00+09:00,dev-1,electricity,1e400,kWh", "value",
     Rule.VALUE_OUT_OF_RANGE),
    ("2024-04-01T00:30:00+09:00,dev-1,electricity,-1,kWh", "value", Rule.NEGATIVE_VALUE),
    ("2024-04-01T00:30:00+09:00,dev-1,electricity,1,BTU", "unit", Rule.UNKNOWN_UNIT),
    ("2024-04-01T00:30:00+09:00,dev-1,fuel,1,kWh", "unit", Rule.UNIT_MISMATCH),
    ("2024-04-01T00:30:00+09:00,dev-1,electricity,1,GJ", "unit", Rule.INEXACT_CONVERSION),
    ("2024-04-01T00:30:00+09:00,dev-1,fuel_gas,1,m3", "unit", Rule.UNIT_MISMATCH),
    ("2024-04-01T00:30:00+09:00,dev-1,humidity,1,kWh", "quantity", Rule.UNKNOWN_QUANTITY),
    ("2024-04-01T00:30:00+09:00,dev-2,electricity,1,kWh", "device_id",
     Rule.DEVICE_MISMATCH),
    ("2024-04-01T00:30:00+09:00,dev-1,electricity,1,kWh,gauge", "kind", Rule.UNKNOWN_KIND),
    ("2024-02-30T00:30:00+09:00,dev-1,electricity,1,kWh", "timestamp",
     Rule.INVALID_TIMESTAMP),
    ("2024-04-01T00:30:00+09:00,dev-1,electricity,,kWh", "value", Rule.MISSING_FIELD),
    ("2024-04-01T00:30:00+09:00,dev-1", "*", Rule.MALFORMED_ROW),
])
def test_each_rejection_names_row_field_value_and_rule(row: str, field: str,
                                                       rule: Rule) -> None:
    header = "timestamp,device_id,quantity,value,unit,kind\n"
    line = row if row.count(",") == 5 or rule == Rule.MALFORMED_ROW else row + ","
    result = run(long_csv(line, header=header))
    assert result.quality.accepted == 0
    [rej] = result.rejected
    assert (rej.row, rej.field, rej.rule) == (2, field, rule)
    assert rej.describe("f.csv").startswith("f.csv: row 2: field")
    assert_accounting(result)


def test_kind_column_is_optional_and_device_column_too_when_named() -> None:
    data = b"timestamp,quantity,value,unit\n2024-04-01T00:30:00Z,heat,3600,MJ\n"
    result = run(data)
    assert result.readings[0].value == Decimal("3.6")
    assert result.readings[0].unit == "GJ"
    assert result.readings[0].kind == "interval"


def test_missing_column_is_a_file_error() -> None:
    with pytest.raises(IngestError) as info:
        run(b"timestamp,device_id,value\n2024-04-01T00:30:00Z,dev-1,1\n")
    assert "quantity" in str(info.value) and info.value.rule == "missing_column"


def test_blank_lines_are_not_rows_and_bom_is_ignored() -> None:
    data = "\ufefftimestamp,device_id,quantity,value,unit\n\n2024-04-01T00:30:00Z,dev-1," \
           "electricity,1,kWh\n\n".encode()
    result = run(data)
    assert result.input_rows == 1 and result.quality.accepted == 1


@pytest.mark.parametrize("device", ["a|b", "a\u200bb", "tab\there"])
def test_identifiers_that_would_break_the_leaf_encoding_are_rejected(device: str) -> None:
    row = f"2024-04-01T00:30:00+09:00,{device},electricity,1,kWh,interval"
    result = run(long_csv(row), device_id=None)
    assert [(r.field, r.rule) for r in result.rejected] == [
        ("device_id", Rule.INVALID_IDENTIFIER)]
