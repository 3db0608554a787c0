"""JSON input: numbers become Decimal, never float."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from ingest_helpers import assert_accounting, run, totals

from envalue.ingest import IngestError, Rule

pytestmark = pytest.mark.unit


def _doc(items: object) -> bytes:
    return json.dumps(items).encode()


def test_numbers_stay_exact() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in float; exact decimals give 0.3
    data = (b'[{"timestamp": "2024-04-01T00:30:00+09:00", "device_id": "dev-1", '
            b'"quantity": "electricity", "value": 0.1, "unit": "kWh"},'
            b'{"timestamp": "2024-04-01T01:00:00+09:00", "device_id": "dev-1", '
            b'"quantity": "electricity", "value": 0.2, "unit": "kWh"},'
            b'{"timestamp": "2024-04-01T01:30:00+09:00", "device_id": "dev-1", '
            b'"quantity": "electricity", "value": "12345678901234567.123456789", '
            b'"unit": "kWh"}]')
    result = run(data, format="json")
    assert totals(result) == {("electricity", "2024-04-01"):
                              "12345678901234567.423456789"}
    assert all(isinstance(r.value, Decimal) for r in result.readings)
    assert result.readings[0].row == 1


def test_bad_items_are_rejected_not_dropped() -> None:
    data = (b'[1, {"timestamp": "2024-04-01T00:30:00+09:00", "quantity": "electricity",'
            b' "value": NaN, "unit": "kWh"}, {"timestamp": "2024-04-01T00:30:00+09:00",'
            b' "quantity": "electricity", "value": 2, "unit": "kWh", "kind": "interval"}]')
    result = run(data)
    assert result.format == "json"
    rules = [(r.row, r.rule) for r in result.rejected]
    assert rules == [(1, Rule.MALFORMED_ROW), (2, Rule.INVALID_DECIMAL)]
    assert result.quality.accepted == 1
    assert_accounting(result)


def test_readings_wrapper_object_is_accepted() -> None:
    data = _doc({"readings": [{"timestamp": "2024-04-01T00:30:00Z", "device_id": "dev-1",
                               "quantity": "steam", "value": "1.5", "unit": "t"}]})
    result = run(data, format="json")
    assert result.readings[0].value == Decimal("1500")


@pytest.mark.parametrize("data", [b"{", b'{"a": 1}', b"[" * 100_000, b"\xff\xfe\x00"])
def test_invalid_documents_are_file_errors(data: bytes) -> None:
    with pytest.raises(IngestError):
        run(data, format="json")
