"""Fuzzing the parsers: no crash, no silent drop."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_helpers import HEADER, assert_accounting, run

from envalue.ingest import IngestError

pytestmark = pytest.mark.unit
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def _try(data: bytes, **kwargs: object) -> None:
    try:
        result = run(data, **kwargs)
    except IngestError:
        return  # a file-level error with a message is a controlled outcome
    assert_accounting(result)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_never_crash(data: bytes) -> None:
    for fmt in ("long", "json", "wide", None):
        _try(data, format=fmt)
    _try(HEADER.encode() + data, format="long")


@FUZZ
@given(st.text(max_size=400))
def test_random_text_after_a_valid_header(text: str) -> None:
    _try((HEADER + text).encode(), format="long")
    _try(("timestamp,electricity[kWh],fuel[L]\n" + text).encode(), format="wide",
         naive_tz="Asia/Tokyo")


field = st.one_of(
    st.sampled_from(["2024-04-01T00:30:00+09:00", "2024-04-01T00:30:00", "x", "", "dev-1",
                     "electricity", "heat", "1.5", "-1", "1e999", "kWh", "MJ", "L",
                     "cumulative", "interval", '"', "a|b", "2024-04-01T01:00:00Z"]),
    st.text(max_size=8),
)
rows = st.lists(st.lists(field, min_size=6, max_size=6), max_size=25)


def _csv_line(cells: list[str]) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' for c in cells)


@FUZZ
@given(rows)
def test_structured_rows_are_all_accounted_for(cells: list[list[str]]) -> None:
    # quoted fields: every generated row is exactly one CSV record (unless blank)
    text = HEADER + "".join(_csv_line(c) + "\n" for c in cells)
    result = run(text.encode(), format="long")
    expected = sum(1 for c in cells if any(x.strip() for x in c))  # all-empty: no row
    assert result.input_rows == expected
    assert_accounting(result)


@FUZZ
@given(st.lists(st.dictionaries(
    st.sampled_from(["timestamp", "device_id", "quantity", "value", "unit", "kind"]),
    st.one_of(field, st.integers(), st.floats(allow_nan=True), st.none(), st.booleans(),
              st.lists(st.integers(), max_size=2))), max_size=25))
def test_json_items_are_all_accounted_for(items: list[dict[str, object]]) -> None:
    data = json.dumps(items, allow_nan=True).encode()
    result = run(data, format="json")
    assert result.input_rows == len(items)
    assert_accounting(result)
