"""The exported tables: holdings, transfers, retirements, credit batches (and shares).

Input records are the dicts the token and credit domains produce (``Record.to_dict()``):

* holdings: token `Holding` (lot_id, owner, one integer kg per state);
* transfers: token `HistoryEntry` dicts (the ``transfer-out`` and ``escrow-settle-out``
  entries are the transfers; see `transfers_from_history`) or transfer dicts with
  tx_id, timestamp, lot_id, sender, recipient, quantity_kg;
* retirements: token `Retirement` and credit `CreditRetirement` in one table, credit
  tonnes converted to kg (``quantity_kg = quantity_t × 1000``) and the J-Credit
  invalidation fields in their own columns;
* credit batches: credit `Batch`; credit shares: credit `Share` (each contributor's kg).

Optional ``block_number`` columns are filled when the caller adds the block of the
record's transaction (the world state does not hold it).

Columns that are optional because one source lacks them (the world-state records carry no
block number; transfer dicts built without a timestamp) stay empty rather than guessed:
the off-chain read model (`envalue.readmodel.exports`) fills the transfer time (its
transaction's timestamp), ``retired_by`` and the batch's ``issued_at``. Credit shares end
with the ``tx_id`` and ``block_number`` of the settlement that wrote them, when known.
Holdings have no transaction column: a holding is a balance changed by many transactions,
and the read model does not keep which one changed it last once a state drops to 0 kg.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from envalue.chaincode.domain.quantity import KG_PER_T

from .columns import Column, field, first_of, msp_of
from .frames import build_frame

__all__ = [
    "CREDIT_BATCH_COLUMNS",
    "CREDIT_SHARE_COLUMNS",
    "HOLDING_COLUMNS",
    "RETIREMENT_COLUMNS",
    "TABLES",
    "TRANSFER_COLUMNS",
    "credit_batches_frame",
    "credit_shares_frame",
    "holdings_frame",
    "retirements_frame",
    "transfers_frame",
    "transfers_from_history",
]

_STATES = ("tradable", "escrowed", "retired", "bundled", "bridged_out", "cancelled")


def _total(record: Mapping[str, Any]) -> Any:
    values = [record.get(s) for s in _STATES]
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int)]
    return bad[0] if bad else sum(values)


def _tonnes_to_kg(name: str) -> Any:
    def get(record: Mapping[str, Any]) -> Any:
        value = record.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value * KG_PER_T
        return value

    return get


def _retirement_kg(record: Mapping[str, Any]) -> Any:
    if "quantity_kg" in record:
        return record["quantity_kg"]
    return _tonnes_to_kg("quantity_t")(record)


def _kind(record: Mapping[str, Any]) -> str:
    return "credit" if "batch_id" in record else "token"


HOLDING_COLUMNS: tuple[Column, ...] = (
    Column("lot_id", "text", field("lot_id")),
    Column("owner", "text", field("owner")),
    Column("owner_msp", "text", msp_of("owner")),
    *(Column(f"{state}_kg", "int", field(state)) for state in _STATES),
    Column("total_kg", "int", _total),
)

TRANSFER_COLUMNS: tuple[Column, ...] = (
    Column("timestamp", "timestamp", first_of("timestamp", "when"), required=False),
    Column("tx_id", "text", field("tx_id")),
    Column("block_number", "int", field("block_number"), required=False),
    Column("kind", "text", lambda r: r.get("kind", "transfer")),
    Column("lot_id", "text", field("lot_id")),
    Column("sender", "text", field("sender")),
    Column("sender_msp", "text", msp_of("sender")),
    Column("recipient", "text", field("recipient")),
    Column("recipient_msp", "text", msp_of("recipient")),
    Column("quantity_kg", "int", field("quantity_kg")),
)

RETIREMENT_COLUMNS: tuple[Column, ...] = (
    Column("retired_at", "timestamp", field("retired_at")),
    Column("tx_id", "text", field("tx_id")),
    Column("block_number", "int", field("block_number"), required=False),
    Column("kind", "text", _kind),
    Column("serial", "text", field("serial")),
    Column("source_id", "text", first_of("lot_id", "batch_id")),
    Column("serial_first", "int", field("serial_first")),
    Column("serial_last", "int", field("serial_last")),
    Column("quantity_kg", "int", _retirement_kg),
    Column("owner", "text", field("owner")),
    Column("owner_msp", "text", msp_of("owner")),
    Column("beneficiary", "text", first_of("beneficiary", "user_name")),
    Column("purpose", "text", first_of("purpose", "use")),
    Column("reporting_year", "int", field("reporting_year")),
    Column("note", "text", lambda r: r.get("note", "")),
    Column("credit_user_name", "text", field("user_name"), required=False),
    Column("credit_use", "text", field("use"), required=False),
    Column("credit_purpose_detail", "text", field("purpose_detail"), required=False),
    Column("retired_by", "text", field("retired_by"), required=False),
)

CREDIT_BATCH_COLUMNS: tuple[Column, ...] = (
    Column("batch_id", "text", field("batch_id")),
    Column("program_id", "text", field("program_id")),
    Column("report_id", "text", field("report_id")),
    Column("period_start", "date", field("period_start")),
    Column("period_end", "date", field("period_end")),
    Column("serial", "text", field("serial")),
    Column("issued_t", "int", field("issued_t")),
    Column("issued_kg", "int", _tonnes_to_kg("issued_t")),
    Column("credited_kg", "int", field("credited_kg")),
    Column("retired_t", "int", lambda r: r.get("retired_t", 0)),
    Column("issued_to", "text", field("issued_to")),
    Column("issued_at", "timestamp", field("issued_at"), required=False),
    Column("tx_id", "text", field("tx_id")),
    Column("block_number", "int", field("block_number"), required=False),
    Column("settled", "bool", lambda r: r.get("settled", False)),
)

CREDIT_SHARE_COLUMNS: tuple[Column, ...] = (
    Column("batch_id", "text", field("batch_id")),
    Column("owner", "text", field("owner")),
    Column("owner_msp", "text", msp_of("owner")),
    Column("kg", "int", field("kg")),
    Column("carried_in_kg", "int", lambda r: r.get("carried_in_kg", 0)),
    Column("tx_id", "text", field("tx_id"), required=False),
    Column("block_number", "int", field("block_number"), required=False),
)

#: Table name → its columns (the CSV header, in order).
TABLES: dict[str, tuple[Column, ...]] = {
    "holdings": HOLDING_COLUMNS,
    "transfers": TRANSFER_COLUMNS,
    "retirements": RETIREMENT_COLUMNS,
    "credit_batches": CREDIT_BATCH_COLUMNS,
    "credit_shares": CREDIT_SHARE_COLUMNS,
}

#: History actions that move units from one owner to another, and the state they leave.
_TRANSFER_ACTIONS = {"transfer-out": ("transfer", "tradable"),
                     "escrow-settle-out": ("escrow-settle", "escrowed")}


def transfers_from_history(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Transfer records from token history entries: one per outgoing side."""
    transfers = []
    for entry in entries:
        spec = _TRANSFER_ACTIONS.get(str(entry.get("action")))
        if spec is None:
            continue
        kind, state = spec
        moved = (entry.get("changes") or {}).get(state)
        transfers.append({
            "timestamp": entry.get("when"),
            "tx_id": entry.get("tx_id"),
            "block_number": entry.get("block_number"),
            "kind": kind,
            "lot_id": entry.get("lot_id"),
            "sender": entry.get("owner"),
            "recipient": entry.get("counterparty"),
            "quantity_kg": -moved if isinstance(moved, int) and not isinstance(moved, bool)
            else moved,
        })
    return transfers


def holdings_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    return build_frame("holdings", HOLDING_COLUMNS, records)


def transfers_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    return build_frame("transfers", TRANSFER_COLUMNS, records)


def retirements_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    return build_frame("retirements", RETIREMENT_COLUMNS, records)


def credit_batches_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    return build_frame("credit_batches", CREDIT_BATCH_COLUMNS, records)


def credit_shares_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    return build_frame("credit_shares", CREDIT_SHARE_COLUMNS, records)
