"""Token ledger → read model: lots with supply, holdings per state, transfers, retirements,
escrows and cancellations (record types from `envalue.chaincode.domain.tokens.state`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from envalue.certificates.records import certificate_id_for
from envalue.chaincode.domain.tokens import state as ts

from .projection import (
    EventContext,
    EventRule,
    Mirror,
    Ref,
    attr_int,
    attr_str,
    is_newer,
    upsert,
)
from .records import msp_of
from .schema import Cancellation, Escrow, Holding, Retirement, TokenLot, Transfer

__all__ = ["MIRRORS", "RULES"]


def _lot(session: Session, lot: ts.Lot, ref: Ref) -> None:
    upsert(session, TokenLot, ref, lot_id=lot.lot_id, issued_kg=lot.issued_kg,
           vintage_start=lot.vintage_start, vintage_end=lot.vintage_end,
           methodology=lot.methodology, methodology_version=lot.methodology_version,
           site_id=lot.site_id, equipment_id=lot.equipment_id,
           calculation_id=lot.calculation_id, first_owner=lot.first_owner)


def _supply(session: Session, supply: ts.LotSupply, ref: Ref) -> None:
    upsert(session, TokenLot, ref, lot_id=supply.lot_id, issued_kg=supply.issued,
           **{f"{state}_kg": getattr(supply, state) for state in ts.TOKEN_STATES})


def _holding(session: Session, holding: ts.Holding, ref: Ref) -> None:
    for state in ts.TOKEN_STATES:
        kg = getattr(holding, state)
        if kg:
            upsert(session, Holding, ref, lot_id=holding.lot_id, owner=holding.owner,
                   state=state, owner_msp=msp_of(holding.owner), kg=kg)
        else:
            row = session.get(Holding, (holding.lot_id, holding.owner, state))
            if row is not None and not is_newer(row, ref):
                session.delete(row)


def _retirement(session: Session, r: ts.Retirement, ref: Ref) -> None:
    """A retirement record is written once, by its own transaction (`ref`): its
    certificate id is fixed here from that transaction and the channel."""
    upsert(session, Retirement, ref, serial=r.serial, lot_id=r.lot_id, owner=r.owner,
           owner_msp=msp_of(r.owner), quantity_kg=r.quantity_kg, serial_first=r.serial_first,
           serial_last=r.serial_last, beneficiary=r.beneficiary, purpose=r.purpose,
           reporting_year=r.reporting_year, retired_at=r.retired_at,
           retired_by=r.retired_by, note=r.note,
           channel=ref.channel,
           certificate_id=certificate_id_for(ref.channel, ref.tx_id, [r.serial]))


def _escrow(session: Session, e: ts.Escrow, ref: Ref) -> None:
    upsert(session, Escrow, ref, escrow_id=e.escrow_id, lot_id=e.lot_id, owner=e.owner,
           counterparty=e.counterparty, quantity_kg=e.quantity_kg, expires_at=e.expires_at,
           status=e.status, closed_at=e.closed_at)


def _cancel(session: Session, c: ts.CancelRequest, ref: Ref) -> None:
    upsert(session, Cancellation, ref, request_id=c.request_id, lot_id=c.lot_id,
           owner=c.owner, quantity_kg=c.quantity_kg, reason=c.reason,
           requested_by=c.requested_by, status=c.status, approved_by=c.approved_by)


def _transfer_row(session: Session, ctx: EventContext) -> None:
    session.merge(Transfer(
        block_number=ctx.ref.block_number, tx_id=ctx.ref.tx_id, event_index=ctx.event.index,
        lot_id=attr_str(ctx, "lot_id"), sender=attr_str(ctx, "sender"),
        recipient=attr_str(ctx, "recipient"), quantity_kg=attr_int(ctx, "quantity_kg"),
        retired_on_receipt=bool(ctx.attrs.get("retired", False)),
        transferred_at=ctx.ref.at))


MIRRORS: tuple[Mirror, ...] = (
    Mirror(ts.LOT, ts.Lot, _lot),
    Mirror(ts.SUPPLY, ts.LotSupply, _supply),
    Mirror(ts.HOLDING, ts.Holding, _holding),
    Mirror(ts.RETIREMENT, ts.Retirement, _retirement),
    Mirror(ts.ESCROW, ts.Escrow, _escrow),
    Mirror(ts.CANCEL, ts.CancelRequest, _cancel),
)

_QTY = ("quantity_kg",)

RULES: dict[str, EventRule] = {
    "EventMint": EventRule((ts.LOT, ts.SUPPLY, ts.HOLDING), _QTY, ("lot_id", "owner")),
    "EventTransfer": EventRule((ts.HOLDING,), _QTY, ("lot_id", "sender", "recipient"),
                               rows=_transfer_row),
    "EventRetire": EventRule((ts.RETIREMENT, ts.HOLDING, ts.SUPPLY), _QTY,
                             ("lot_id", "owner", "serial")),
    "EventEscrow": EventRule((ts.ESCROW, ts.HOLDING), _QTY, ("escrow_id",)),
    "EventRelease": EventRule((ts.ESCROW, ts.HOLDING), _QTY, ("escrow_id",)),
    "EventSettle": EventRule((ts.ESCROW, ts.HOLDING), _QTY, ("escrow_id",)),
    "EventCancelRequested": EventRule((ts.CANCEL,), _QTY, ("request_id",)),
    "EventCancel": EventRule((ts.CANCEL, ts.HOLDING, ts.SUPPLY), _QTY, ("request_id",)),
}
