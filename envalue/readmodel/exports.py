"""The CSV export tables (`envalue.exports`) filled from the read model, for one holder or all.

Why from the read model: there is no ledger scan for "everything an owner has", and the
read model is the channel's committed records copied block by block, each row with the
transaction and block of its change. Nothing here computes a figure: every value is a
read-model column, itself copied from a chaincode record.

What a row means per table:

* holdings: one row per (lot, owner), the read model's kg per state (absent state = 0);
* transfers: each ``EventTransfer`` (kind ``transfer`` or ``transfer-and-retire``, at its
  transaction's timestamp) and each settled escrow (``escrow-settle``, the block, tx and
  time of its settlement);
* retirements: token and credit retirements, each written once by its own transaction;
* credit batches: the batch record, with the tx and block of ``EventIssueCredits``
  (the batch record's own ``tx_id``), not of its later updates;
* credit shares: each contributor's credited kg, with the settlement that wrote it.

"Own rows" of a holder: holdings, shares and retirements it owns, transfers it sent or
received, and batches it was issued, holds credits of or has a share in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from envalue.chaincode.domain.tokens.state import TOKEN_STATES
from envalue.exports import (
    ExportError,
    credit_batches_frame,
    credit_shares_frame,
    holdings_frame,
    retirements_frame,
    transfers_frame,
)

from .schema import (
    AppliedEvent,
    CreditBatch,
    CreditHolding,
    CreditRetirement,
    CreditShare,
    Escrow,
    Holding,
    Retirement,
    Transfer,
)

__all__ = ["EXPORT_TABLES", "ExportError", "export_frame", "export_records"]

Records = list[dict[str, Any]]


def holding_records(session: Session, owner: str | None = None) -> Records:
    """One record per (lot, owner) with an integer kg for every token state."""
    query = select(Holding)
    if owner is not None:
        query = query.where(Holding.owner == owner)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in session.scalars(query.order_by(Holding.lot_id, Holding.owner)):
        record = out.setdefault((row.lot_id, row.owner), {
            "lot_id": row.lot_id, "owner": row.owner, **dict.fromkeys(TOKEN_STATES, 0)})
        record[row.state] = row.kg
    return list(out.values())


def transfer_records(session: Session, owner: str | None = None) -> Records:
    """Transfers and escrow settlements, oldest first."""
    query = select(Transfer)
    if owner is not None:
        query = query.where(or_(Transfer.sender == owner, Transfer.recipient == owner))
    out: list[tuple[tuple[int, str, int], dict[str, Any]]] = []
    for t in session.scalars(query):
        out.append(((t.block_number, t.tx_id, t.event_index), {
            "tx_id": t.tx_id, "block_number": t.block_number,
            "timestamp": _or_missing(t.transferred_at),
            "kind": "transfer-and-retire" if t.retired_on_receipt else "transfer",
            "lot_id": t.lot_id, "sender": t.sender,
            "recipient": t.recipient, "quantity_kg": t.quantity_kg}))
    settled = select(Escrow).where(Escrow.status == "settled")
    if owner is not None:
        settled = settled.where(or_(Escrow.owner == owner, Escrow.counterparty == owner))
    for e in session.scalars(settled):
        out.append(((e.block_number, e.tx_id, -1), {
            "tx_id": e.tx_id, "block_number": e.block_number,
            "timestamp": _or_missing(e.closed_at), "kind": "escrow-settle",
            "lot_id": e.lot_id, "sender": e.owner, "recipient": e.counterparty,
            "quantity_kg": e.quantity_kg}))
    return [record for _, record in sorted(out, key=lambda item: item[0])]


def _or_missing(value: str) -> str | None:
    """An empty text (a transfer read without its block's timestamp) is a missing cell."""
    return value or None


def retirement_records(session: Session, owner: str | None = None) -> Records:
    """Token and credit retirements, oldest first (block, then serial)."""
    tokens = select(Retirement)
    credits = select(CreditRetirement)
    if owner is not None:
        tokens = tokens.where(Retirement.owner == owner)
        credits = credits.where(CreditRetirement.owner == owner)
    out: list[tuple[tuple[int, str], dict[str, Any]]] = []
    for r in session.scalars(tokens):
        out.append(((r.block_number, r.serial), {
            "serial": r.serial, "lot_id": r.lot_id, "owner": r.owner,
            "quantity_kg": r.quantity_kg, "serial_first": r.serial_first,
            "serial_last": r.serial_last, "beneficiary": r.beneficiary, "purpose": r.purpose,
            "reporting_year": r.reporting_year, "note": r.note,
            "retired_at": _or_missing(r.retired_at), "retired_by": _or_missing(r.retired_by),
            "tx_id": r.tx_id,
            "block_number": r.block_number}))
    for c in session.scalars(credits):
        out.append(((c.block_number, c.serial), {
            "serial": c.serial, "batch_id": c.batch_id, "owner": c.owner,
            "quantity_t": c.quantity_t, "serial_first": c.serial_first,
            "serial_last": c.serial_last, "user_name": c.user_name, "use": c.use,
            "purpose_detail": c.purpose_detail, "reporting_year": c.reporting_year,
            "retired_at": _or_missing(c.retired_at), "retired_by": _or_missing(c.retired_by),
            "tx_id": c.tx_id,
            "block_number": c.block_number}))
    return [record for _, record in sorted(out, key=lambda item: item[0])]


def _issues(session: Session) -> dict[str, tuple[str, int]]:
    """batch id -> (tx id, block) of its ``EventIssueCredits`` in the projected event log."""
    out: dict[str, tuple[str, int]] = {}
    for event in session.scalars(select(AppliedEvent).where(
            AppliedEvent.name == "EventIssueCredits")):
        batch_id = json.loads(event.attributes).get("batch_id")
        if isinstance(batch_id, str):
            out[batch_id] = (event.tx_id, event.block_number)
    return out


def credit_batch_records(session: Session, owner: str | None = None) -> Records:
    """Issued batches, oldest issue first; the tx and block are the issuing transaction's."""
    query = select(CreditBatch)
    if owner is not None:
        shares = select(CreditShare.batch_id).where(CreditShare.owner == owner)
        held = select(CreditHolding.batch_id).where(CreditHolding.owner == owner)
        query = query.where(or_(CreditBatch.issued_to == owner,
                                CreditBatch.batch_id.in_(shares),
                                CreditBatch.batch_id.in_(held)))
    issues = _issues(session)
    out = []
    for b in session.scalars(query):
        if b.batch_id not in issues:
            raise ExportError(
                f"credit_batches: the issuing transaction of batch {b.batch_id} is not in the "
                "read model's event log; project the channel into a new read model")
        tx_id, block = issues[b.batch_id]
        out.append({
            "batch_id": b.batch_id, "program_id": b.program_id, "report_id": b.report_id,
            "period_start": b.period_start, "period_end": b.period_end, "serial": b.serial,
            "issued_t": b.issued_t, "credited_kg": b.credited_kg, "retired_t": b.retired_t,
            "issued_to": b.issued_to, "issued_at": _or_missing(b.issued_at), "tx_id": tx_id,
            "block_number": block,
            "settled": b.settled})
    return sorted(out, key=lambda r: (r["block_number"], r["batch_id"]))


def credit_share_records(session: Session, owner: str | None = None) -> Records:
    """Contributors' credited kg per batch, by batch then owner."""
    query = select(CreditShare)
    if owner is not None:
        query = query.where(CreditShare.owner == owner)
    return [{"batch_id": s.batch_id, "owner": s.owner, "kg": s.kg,
             "carried_in_kg": s.carried_in_kg, "tx_id": s.tx_id,
             "block_number": s.block_number}
            for s in session.scalars(query.order_by(CreditShare.batch_id, CreditShare.owner))]


Reader = Callable[[Session, str | None], Records]

#: export name (CLI and URL spelling) -> (records from the read model, frame builder)
EXPORT_TABLES: dict[str, tuple[Reader, Callable[[Records], pd.DataFrame]]] = {
    "holdings": (holding_records, holdings_frame),
    "transfers": (transfer_records, transfers_frame),
    "retirements": (retirement_records, retirements_frame),
    "credit-batches": (credit_batch_records, credit_batches_frame),
    "credit-shares": (credit_share_records, credit_shares_frame),
}


def export_records(session: Session, table: str, owner: str | None = None) -> Records:
    """The records of export `table` (see `EXPORT_TABLES`) of `owner`, or of all when None."""
    if table not in EXPORT_TABLES:
        raise ExportError(f"table {table!r}: one of {', '.join(EXPORT_TABLES)}")
    return EXPORT_TABLES[table][0](session, owner)


def export_frame(session: Session, table: str, owner: str | None = None) -> pd.DataFrame:
    """Export `table` as its typed DataFrame (header only when there are no rows)."""
    records = export_records(session, table, owner)
    return EXPORT_TABLES[table][1](records)
