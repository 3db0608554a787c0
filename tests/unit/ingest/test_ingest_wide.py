"""Wide CSV exports (one column per quantity, unit in the header)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ingest_helpers import assert_accounting, run, totals

from envalue.ingest import IngestError, Rule
from envalue.ingest.parse_wide import split_header

pytestmark = pytest.mark.unit

JAPANESE = (
    "日時,燃料使用量[L],蒸発量[t],蒸気圧力[MPa],給水量（m3）\n"
    "2024/4/1 0:30,12.5,0.8,0.7,1.0\n"
    "2024/4/1 1:00,13,0.85,0.7,\n"
    "2024/4/1 1:30,x,0.9,0.7,1.2\n"
)


@pytest.mark.parametrize(("header", "expected"), [
    ("燃料使用量[L]", ("燃料使用量", "L")),
    ("蒸発量 [t]", ("蒸発量", "t")),
    ("給水量（m3）", ("給水量", "m3")),
    ("fuel_consumption(L)", ("fuel_consumption", "L")),
    ("status", ("status", None)),
])
def test_header_convention(header: str, expected: tuple[str, str | None]) -> None:
    assert split_header(header) == expected


def test_japanese_boiler_export_in_shift_jis_with_assumed_zone() -> None:
    result = run(JAPANESE.encode("cp932"), format="wide", naive_tz="Asia/Tokyo")
    assert totals(result) == {
        ("fuel", "2024-04-01"): "25.5",       # 12.5 + 13 L (the 'x' row rejected)
        ("steam", "2024-04-01"): "2550",      # 0.8 + 0.85 + 0.9 t in kg
        ("water", "2024-04-01"): "2.2",       # 1.0 + 1.2 m3 (one empty cell rejected)
    }
    assert result.input_rows == 9  # 3 lines x 3 quantity columns
    assert sorted((r.row, r.field, r.rule) for r in result.rejected) == [
        (3, "value", Rule.MISSING_FIELD), (4, "value", Rule.INVALID_DECIMAL)]
    assert result.ignored_columns == ["蒸気圧力[MPa] (not a known quantity)"]
    first = min(result.readings, key=lambda r: (r.timestamp, r.quantity))
    assert first.timestamp.isoformat() == "2024-03-31T15:30:00+00:00"
    assert_accounting(result)


def test_naive_wide_timestamps_are_rejected_without_a_zone() -> None:
    result = run(JAPANESE.encode(), format="wide")
    assert result.quality.accepted == 0
    assert {r.rule for r in result.rejected} >= {Rule.NAIVE_TIMESTAMP}
    assert_accounting(result)


def test_english_header_with_offsets_and_cumulative_prefix() -> None:
    data = (b"timestamp,fuel_consumption[L],cumulative_electricity[kWh]\n"
            b"2024-04-01T00:30:00+09:00,1.5,100\n"
            b"2024-04-01T01:00:00+09:00,2.5,104.5\n")
    result = run(data)  # detected as wide
    assert result.format == "wide"
    assert totals(result) == {("fuel", "2024-04-01"): "4",
                              ("electricity", "2024-04-01"): "4.5"}
    kinds = {r.quantity: r.kind for r in result.readings}
    assert kinds == {"fuel": "interval", "electricity": "cumulative"}
    assert [r.value for r in result.readings[:2]] == [Decimal("100"), Decimal("1.5")]


def test_no_known_column_is_a_file_error() -> None:
    with pytest.raises(IngestError, match="no quantity column"):
        run(b"timestamp,pressure[MPa]\n2024-04-01T00:30:00Z,1\n", format="wide")
