"""A timestamp pandas cannot hold is one rejected row with its reason, not a failed upload."""

from __future__ import annotations

import pytest

from envalue.ingest import IngestConfig, ingest

pytestmark = pytest.mark.unit

CSV = (b"timestamp,device_id,quantity,value,unit\n"
       b"1600-01-01T00:00:00Z,d1,electricity,1,kWh\n"
       b"2024-04-01T00:30:00+09:00,d1,electricity,2,kWh\n"
       b"9999-12-31T23:30:00+09:00,d1,electricity,3,kWh\n")


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "reference"])
def test_out_of_range_years_are_rejected_rows(fast: bool) -> None:
    result = ingest(CSV, IngestConfig(device_id="d1"), fast=fast)
    assert [r.value for r in result.readings] == [2]
    rejected = {(r.row, r.field, r.rule.value) for r in result.rejected}
    assert {row for row, _, _ in rejected} == {2, 4}
    assert all(field == "timestamp" for _, field, _ in rejected)
    assert all("outside the supported years" in r.message for r in result.rejected)
