"""CSV exports: fixed columns, integer kg, ISO UTC timestamps, UTF-8 with optional BOM."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from envalue.exports import (
    TABLES,
    ExportError,
    credit_batches_frame,
    credit_shares_frame,
    csv_bytes,
    holdings_frame,
    retirements_frame,
    transfers_frame,
    transfers_from_history,
    write_csv,
)

pytestmark = pytest.mark.unit

CITY = "MunicipalityMSP/x509::CN=city1"
SHOP = "CustomerMSP/x509::CN=customer1"

HOLDINGS = [
    {"lot_id": "LOT-1", "owner": CITY, "tradable": 700, "escrowed": 50, "retired": 250,
     "bundled": 0, "bridged_out": 0, "cancelled": 0},
    {"lot_id": "LOT-1", "owner": SHOP, "tradable": 0, "escrowed": 0, "retired": 0,
     "bundled": 4000, "bridged_out": 0, "cancelled": 1},
]

HISTORY = [
    {"lot_id": "LOT-1", "owner": CITY, "action": "mint", "changes": {"tradable": 1000},
     "who": "PlatformMSP/op", "when": "2026-04-01T00:00:00Z", "tx_id": "t0", "index": 0},
    {"lot_id": "LOT-1", "owner": CITY, "action": "transfer-out", "changes": {"tradable": -300},
     "counterparty": SHOP, "who": CITY, "when": "2026-04-02T09:00:00+09:00", "tx_id": "t1",
     "index": 0},
    {"lot_id": "LOT-1", "owner": SHOP, "action": "transfer-in", "changes": {"tradable": 300},
     "counterparty": CITY, "who": CITY, "when": "2026-04-02T09:00:00+09:00", "tx_id": "t1",
     "index": 1},
    {"lot_id": "LOT-1", "owner": CITY, "action": "escrow-settle-out",
     "changes": {"escrowed": -50}, "counterparty": SHOP, "who": SHOP,
     "when": "2026-04-03T00:00:00.123456789Z", "tx_id": "t2", "index": 0},
]

RETIREMENTS = [
    {"serial": "ENV-LOT-1-1-250", "lot_id": "LOT-1", "owner": CITY, "quantity_kg": 250,
     "serial_first": 1, "serial_last": 250, "beneficiary": "恵那市",
     "purpose": "japan_reporting_act", "reporting_year": 2025, "note": "公共施設, \"PV\"",
     "retired_by": CITY, "retired_at": "2026-04-01T09:30:00+09:00", "tx_id": "t3"},
    {"serial": "JCL-B1-1-3", "batch_id": "B1", "owner": SHOP, "quantity_t": 3,
     "serial_first": 1, "serial_last": 3, "user_name": "恵那製作所", "use": "voluntary",
     "purpose_detail": "製品A", "reporting_year": 2026, "retired_by": SHOP,
     "retired_at": "2026-06-01T00:00:00Z", "tx_id": "t4", "block_number": 77},
]

BATCHES = [
    {"batch_id": "B1", "program_id": "P1", "report_id": "R1", "period_start": "2025-04-01",
     "period_end": "2026-03-31", "issued_t": 40, "serial": "JCL-B1", "issued_to": "PlatformMSP/op",
     "issued_at": "2026-05-01T10:00:00+09:00", "tx_id": "t5", "credited_kg": 40_000,
     "next_serial": 4, "retired_t": 3, "settled": True},
]


def _read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def test_every_table_has_a_fixed_header() -> None:
    assert [c.name for c in TABLES["holdings"]] == [
        "lot_id", "owner", "owner_msp", "tradable_kg", "escrowed_kg", "retired_kg", "bundled_kg",
        "bridged_out_kg", "cancelled_kg", "total_kg"]
    for name, build in [("holdings", holdings_frame), ("transfers", transfers_frame),
                        ("retirements", retirements_frame),
                        ("credit_batches", credit_batches_frame),
                        ("credit_shares", credit_shares_frame)]:
        empty = build([])
        assert list(empty.columns) == [c.name for c in TABLES[name]]
        assert csv_bytes(empty).decode().strip() == ",".join(c.name for c in TABLES[name])


def test_holdings_are_integer_kg_with_a_total() -> None:
    frame = holdings_frame(HOLDINGS)
    assert str(frame["tradable_kg"].dtype) == "Int64"
    assert frame["total_kg"].tolist() == [1000, 4001]
    assert frame["owner_msp"].tolist() == ["MunicipalityMSP", "CustomerMSP"]
    text = csv_bytes(frame).decode()
    assert "LOT-1,MunicipalityMSP/x509::CN=city1,MunicipalityMSP,700,50,250,0,0,0,1000\n" in text
    assert ".0" not in text


def test_transfers_from_history_are_the_outgoing_sides_in_utc() -> None:
    frame = transfers_frame(transfers_from_history(HISTORY))
    assert frame[["timestamp", "kind", "sender", "recipient", "quantity_kg"]].values.tolist() == [
        ["2026-04-02T00:00:00Z", "transfer", CITY, SHOP, 300],
        ["2026-04-03T00:00:00.123456789Z", "escrow-settle", CITY, SHOP, 50],
    ]
    assert frame["block_number"].isna().all()


def test_retirements_mix_tokens_and_credits() -> None:
    frame = retirements_frame(RETIREMENTS)
    rows = frame.to_dict("records")
    assert rows[0]["kind"] == "token" and rows[0]["quantity_kg"] == 250
    assert rows[0]["retired_at"] == "2026-04-01T00:30:00Z"
    assert pd.isna(rows[0]["credit_user_name"]) and pd.isna(rows[0]["block_number"])
    assert rows[1]["kind"] == "credit" and rows[1]["quantity_kg"] == 3000
    assert (rows[1]["source_id"], rows[1]["beneficiary"], rows[1]["purpose"]) == (
        "B1", "恵那製作所", "voluntary")
    assert (rows[1]["credit_user_name"], rows[1]["credit_use"],
            rows[1]["credit_purpose_detail"], rows[1]["block_number"]) == (
        "恵那製作所", "voluntary", "製品A", 77)
    back = _read(csv_bytes(frame))
    assert back.loc[0, "note"] == '公共施設, "PV"'  # quoting survives
    assert back.loc[1, "quantity_kg"] == "3000"


def test_credit_batches_and_shares() -> None:
    frame = credit_batches_frame(BATCHES)
    row = frame.iloc[0]
    assert (row["issued_t"], row["issued_kg"], row["credited_kg"], row["retired_t"]) == (
        40, 40_000, 40_000, 3)
    assert row["issued_at"] == "2026-05-01T01:00:00Z" and bool(row["settled"]) is True
    shares = credit_shares_frame([{"batch_id": "B1", "owner": CITY, "kg": 39_500},
                                  {"batch_id": "B1", "owner": SHOP, "kg": 500,
                                   "carried_in_kg": 120}])
    assert shares["kg"].sum() == 40_000
    assert shares["carried_in_kg"].tolist() == [0, 120]


def test_excel_option_writes_a_bom_and_crlf(tmp_path: Path) -> None:
    frame = retirements_frame(RETIREMENTS[:1])
    data = csv_bytes(frame, excel=True)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert "恵那市" in data.decode("utf-8-sig")
    path = write_csv(frame, tmp_path / "r.csv", excel=True)
    assert pd.read_csv(path, encoding="utf-8-sig").loc[0, "beneficiary"] == "恵那市"
    plain = csv_bytes(frame)
    assert not plain.startswith(b"\xef\xbb\xbf") and b"\r\n" not in plain


@pytest.mark.parametrize(("records", "build", "message"), [
    ([{**HOLDINGS[0], "tradable": 700.0}], holdings_frame,
     "holdings[0].tradable_kg: 700.0 is not a whole number"),
    ([{**HOLDINGS[0], "retired": True}], holdings_frame,
     "holdings[0].retired_kg: True is not a whole number"),
    ([HOLDINGS[0], {k: v for k, v in HOLDINGS[1].items() if k != "lot_id"}], holdings_frame,
     "holdings[1].lot_id: missing"),
    ([{**RETIREMENTS[0], "retired_at": "2026-04-01T09:30:00"}], retirements_frame,
     "retirements[0].retired_at: '2026-04-01T09:30:00' is not an ISO 8601 timestamp"),
    ([{**RETIREMENTS[1], "quantity_t": "3"}], retirements_frame,
     "retirements[0].quantity_kg: '3' is not a whole number"),
    ([{**BATCHES[0], "period_end": "2026-02-30"}], credit_batches_frame,
     "credit_batches[0].period_end: '2026-02-30' is not a date"),
    (["x"], transfers_frame, "transfers[0]: expected an object"),
])
def test_malformed_records_name_row_and_column(records, build, message: str) -> None:
    with pytest.raises(ExportError, match=re.escape(message)):
        build(records)
