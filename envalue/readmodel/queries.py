"""The reads pages make: an owner's holdings and history, programs, reports, batches,
calculations, and the read model's lag. Rows come back as the mapped objects (each with
the ``tx_id`` and ``block_number`` of its last change); nothing here contacts a peer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .schema import (
    Calculation,
    CreditBatch,
    CreditHolding,
    CreditProgram,
    CreditShare,
    Holding,
    MonitoringReport,
    Retirement,
    Transfer,
)
from .status import LagStatus, lag_status

__all__ = ["BatchView", "LagStatus", "calculations", "credit_batches", "credit_holdings_of",
           "holdings_of", "lag_status", "programs", "reports", "retirements_of",
           "transfers_of"]

DEFAULT_LIMIT = 200


@dataclass(frozen=True)
class BatchView:
    """A credit batch with its contributors' shares (largest first)."""

    batch: CreditBatch
    shares: tuple[CreditShare, ...]


def holdings_of(session: Session, owner: str, *, lot_id: str | None = None,
                state: str | None = None) -> Sequence[Holding]:
    """`owner`'s kg by lot and state (optionally one lot or one state)."""
    query = select(Holding).where(Holding.owner == owner)
    if lot_id:
        query = query.where(Holding.lot_id == lot_id)
    if state:
        query = query.where(Holding.state == state)
    return session.scalars(query.order_by(Holding.lot_id, Holding.state)).all()


def transfers_of(session: Session, owner: str, *, limit: int = DEFAULT_LIMIT
                 ) -> Sequence[Transfer]:
    """Transfers `owner` sent or received, newest first."""
    query = (select(Transfer).where(or_(Transfer.sender == owner, Transfer.recipient == owner))
             .order_by(Transfer.block_number.desc(), Transfer.tx_id, Transfer.event_index)
             .limit(limit))
    return session.scalars(query).all()


def retirements_of(session: Session, owner: str, *, limit: int = DEFAULT_LIMIT
                   ) -> Sequence[Retirement]:
    """Serial ranges `owner` retired (or received retired), newest first."""
    query = (select(Retirement).where(Retirement.owner == owner)
             .order_by(Retirement.block_number.desc(), Retirement.serial).limit(limit))
    return session.scalars(query).all()


def credit_holdings_of(session: Session, owner: str) -> Sequence[CreditHolding]:
    return session.scalars(select(CreditHolding).where(CreditHolding.owner == owner)
                           .order_by(CreditHolding.batch_id)).all()


def programs(session: Session) -> Sequence[CreditProgram]:
    return session.scalars(select(CreditProgram).order_by(CreditProgram.program_id)).all()


def reports(session: Session, *, program_id: str | None = None, state: str | None = None,
            limit: int = DEFAULT_LIMIT) -> Sequence[MonitoringReport]:
    """Monitoring reports, newest change first."""
    query = select(MonitoringReport)
    if program_id:
        query = query.where(MonitoringReport.program_id == program_id)
    if state:
        query = query.where(MonitoringReport.state == state)
    query = query.order_by(MonitoringReport.block_number.desc(), MonitoringReport.report_id)
    return session.scalars(query.limit(limit)).all()


def credit_batches(session: Session, *, program_id: str | None = None,
                   limit: int = DEFAULT_LIMIT) -> list[BatchView]:
    """Issued batches with their contributors and shares."""
    query = select(CreditBatch)
    if program_id:
        query = query.where(CreditBatch.program_id == program_id)
    batches = session.scalars(query.order_by(CreditBatch.block_number.desc(),
                                             CreditBatch.batch_id).limit(limit)).all()
    shares: dict[str, list[CreditShare]] = {}
    if batches:
        ids = [b.batch_id for b in batches]
        for share in session.scalars(select(CreditShare).where(CreditShare.batch_id.in_(ids))
                                     .order_by(CreditShare.kg.desc(), CreditShare.owner)):
            shares.setdefault(share.batch_id, []).append(share)
    return [BatchView(b, tuple(shares.get(b.batch_id, ()))) for b in batches]


def calculations(session: Session, *, owner_msp: str | None = None, state: str | None = None,
                 limit: int = DEFAULT_LIMIT) -> Sequence[Calculation]:
    """Calculations (optionally of one org or in one state), newest change first."""
    query = select(Calculation)
    if owner_msp:
        query = query.where(Calculation.owner_msp == owner_msp)
    if state:
        query = query.where(Calculation.state == state)
    query = query.order_by(Calculation.block_number.desc(), Calculation.calculation_id)
    return session.scalars(query.limit(limit)).all()
