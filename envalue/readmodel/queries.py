"""The reads pages make: an owner's holdings and history, programs, reports, batches,
calculations, retirements as certificate records, and the read model's lag. Rows come
back as the mapped objects (each with the ``tx_id`` and ``block_number`` of its last
change); nothing here contacts a peer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from envalue.chaincode.domain.credits.allocation import KG_PER_T, credited_kg

from .projection import listed
from .schema import (
    Calculation,
    CreditBatch,
    CreditHolding,
    CreditProgram,
    CreditRetirement,
    CreditShare,
    Holding,
    MeasurementBatch,
    MonitoringReport,
    ReportMember,
    Retirement,
    TokenLot,
    Transfer,
)
from .status import LagStatus, lag_status

__all__ = ["MIXED_METHODOLOGIES", "READ_MODEL_INCOMPLETE", "BatchView", "CertificateRecord",
           "CertificateRecordError", "LagStatus", "calculation_batches", "calculations",
           "credit_batches", "credited_lots", "missing_batches",
           "credit_holdings_of", "holdings_of", "lag_status", "programs", "reports",
           "retirement_by_certificate_id", "retirement_by_serial", "retirements_of",
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


# -- retirements as certificate records --------------------------------------------------

READ_MODEL_INCOMPLETE = "read-model-incomplete"
MIXED_METHODOLOGIES = "mixed-methodologies"


class CertificateRecordError(LookupError):
    """A retirement is in the read model but cannot become a certificate record; `rule`
    says why: ``read-model-incomplete`` (a row it needs was not projected) or
    ``mixed-methodologies`` (a credit batch whose lots follow several methodologies,
    while a certificate names one)."""

    def __init__(self, message: str, rule: str = READ_MODEL_INCOMPLETE) -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True)
class CertificateRecord:
    """One retirement as `envalue.certificates.certificate_from_record` takes it
    (``record``: retirement, lot | batch + methodology + sites, ledger), every value copied
    from read-model rows, with whose it is and the certificate id it got when projected."""

    kind: str  # token | credit
    source_field: str  # lot_id | batch_id
    source_id: str
    serial: str
    owner: str
    certificate_id: str
    tx_id: str
    block_number: int
    channel: str
    record: Mapping[str, Any]


def retirement_by_serial(session: Session, serial: str, *, lot_id: str | None = None,
                         batch_id: str | None = None) -> CertificateRecord | None:
    """The retirement `serial` of token lot `lot_id`, or of credit batch `batch_id` (give
    one of them, or neither to accept either kind); None when the read model has no such
    retirement (it may not have projected it yet). `CertificateRecordError` when it has
    the retirement but not what its certificate needs."""
    if batch_id is None:
        row = session.get(Retirement, serial)
        if row is not None and lot_id in (None, row.lot_id):
            return _token_record(session, row)
    if lot_id is None:
        credit = session.get(CreditRetirement, serial)
        if credit is not None and batch_id in (None, credit.batch_id):
            return _credit_record(session, credit)
    return None


def retirement_by_certificate_id(session: Session,
                                 certificate_id: str) -> CertificateRecord | None:
    """The token or credit retirement whose certificate id is `certificate_id` (the id in
    a certificate's QR code), or None; errors as `retirement_by_serial`."""
    row = session.scalars(select(Retirement).where(
        Retirement.certificate_id == certificate_id).limit(1)).first()
    if row is not None:
        return _token_record(session, row)
    credit = session.scalars(select(CreditRetirement).where(
        CreditRetirement.certificate_id == certificate_id).limit(1)).first()
    return None if credit is None else _credit_record(session, credit)


def _incomplete(what: str) -> CertificateRecordError:
    return CertificateRecordError(
        f"{what}; `envalue readmodel status` lists the events it could not project")


def _ledger(row: Retirement | CreditRetirement) -> dict[str, Any]:
    """The ledger facts of the retirement's own transaction (it is written once)."""
    if not (row.channel and row.certificate_id and row.retired_at):
        raise CertificateRecordError(
            f"retirement {row.serial} was projected without its channel, time or certificate "
            "id (by an older read model); project the channel into a new read model")
    return {"tx_id": row.tx_id, "block_number": row.block_number, "channel": row.channel,
            "timestamp": row.retired_at}


def _record(kind: str, field: str, source: str, row: Retirement | CreditRetirement,
            record: dict[str, Any]) -> CertificateRecord:
    return CertificateRecord(kind=kind, source_field=field, source_id=source,
                             serial=row.serial, owner=row.owner,
                             certificate_id=row.certificate_id, tx_id=row.tx_id,
                             block_number=row.block_number, channel=row.channel, record=record)


def _minted(lot: TokenLot | None) -> bool:
    """Whether the lot's mint was projected (a supply record alone leaves these empty)."""
    return lot is not None and bool(lot.vintage_start and lot.methodology)


def _token_record(session: Session, row: Retirement) -> CertificateRecord:
    lot = session.get(TokenLot, row.lot_id)
    if not _minted(lot):
        raise _incomplete(f"lot {row.lot_id} of retirement {row.serial} is not in the read "
                          "model (its mint was not projected)")
    assert lot is not None
    retirement = {
        "serial": row.serial, "lot_id": row.lot_id, "owner": row.owner,
        "quantity_kg": row.quantity_kg, "serial_first": row.serial_first,
        "serial_last": row.serial_last, "beneficiary": row.beneficiary, "purpose": row.purpose,
        "reporting_year": row.reporting_year, "note": row.note, "retired_at": row.retired_at,
        "tx_id": row.tx_id}
    lot_facts = {
        "lot_id": lot.lot_id, "issued_kg": lot.issued_kg, "vintage_start": lot.vintage_start,
        "vintage_end": lot.vintage_end, "methodology": lot.methodology,
        "methodology_version": lot.methodology_version, "site_id": lot.site_id,
        "equipment_id": lot.equipment_id, "calculation_id": lot.calculation_id,
        "first_owner": lot.first_owner}
    return _record("token", "lot_id", row.lot_id, row,
                   {"retirement": retirement, "lot": lot_facts, "ledger": _ledger(row)})


def _credit_record(session: Session, row: CreditRetirement) -> CertificateRecord:
    batch = session.get(CreditBatch, row.batch_id)
    if batch is None:
        raise _incomplete(f"credit batch {row.batch_id} of retirement {row.serial} is not in "
                          "the read model")
    lots = _credited_lots(session, batch)
    methods = sorted({(lot.methodology, lot.methodology_version) for lot in lots})
    if len(methods) != 1:
        raise CertificateRecordError(
            f"credit batch {batch.batch_id} bundles lots of several methodologies "
            f"({', '.join(f'{n} {v}' for n, v in methods)}); a certificate names one",
            MIXED_METHODOLOGIES)
    sites = sorted({(lot.site_id, lot.equipment_id) for lot in lots})
    retirement = {
        "serial": row.serial, "batch_id": row.batch_id, "owner": row.owner,
        "quantity_t": row.quantity_t, "serial_first": row.serial_first,
        "serial_last": row.serial_last, "user_name": row.user_name, "use": row.use,
        "purpose_detail": row.purpose_detail, "reporting_year": row.reporting_year,
        "retired_at": row.retired_at, "tx_id": row.tx_id}
    batch_facts = {
        "batch_id": batch.batch_id, "program_id": batch.program_id,
        "report_id": batch.report_id, "period_start": batch.period_start,
        "period_end": batch.period_end, "issued_t": batch.issued_t, "serial": batch.serial,
        "issued_to": batch.issued_to, "credited_kg": batch.credited_kg}
    return _record("credit", "batch_id", row.batch_id, row, {
        "retirement": retirement, "batch": batch_facts,
        "methodology": {"name": methods[0][0], "version": methods[0][1]},
        "sites": [{"site_id": s, "equipment_id": e} for s, e in sites],
        "ledger": _ledger(row)})


def _credited_lots(session: Session, batch: CreditBatch) -> list[TokenLot]:
    """The lots whose kg the batch credited (FIFO, `allocation.credited_kg`): the head of
    its report's members up to ``1000 × issued_t`` kg, and, when the report carried kg in,
    the tails of the previous report's members that were carried forward."""
    report = session.get(MonitoringReport, batch.report_id)
    if report is None:
        raise _incomplete(f"monitoring report {batch.report_id} of credit batch "
                          f"{batch.batch_id} is not in the read model")
    lot_ids = _member_lots(session, report, tails=False)
    if report.carried_in_kg:
        previous = session.get(MonitoringReport, report.carried_from or "")
        if previous is None:
            raise _incomplete(f"report {report.report_id} carried {report.carried_in_kg} kg in "
                              f"from report {report.carried_from or '?'}, which is not in "
                              "the read model")
        lot_ids |= _member_lots(session, previous, tails=True)
    lots = session.scalars(select(TokenLot).where(TokenLot.lot_id.in_(sorted(lot_ids)))).all()
    missing = sorted(lot_ids - {lot.lot_id for lot in lots if _minted(lot)})
    if missing or not lots:
        raise _incomplete(f"lots {', '.join(missing) or '(none)'} credited by batch "
                          f"{batch.batch_id} are not in the read model")
    return sorted(lots, key=lambda lot: lot.lot_id)


def _member_lots(session: Session, report: MonitoringReport, *, tails: bool) -> set[str]:
    """Lots of `report` credited by its batch (or, `tails`, carried past its cut)."""
    members = session.scalars(select(ReportMember).where(
        ReportMember.report_id == report.report_id)).all()
    if len(members) != report.member_count:
        raise _incomplete(f"report {report.report_id} bundles {report.member_count} holdings "
                          f"but the read model has {len(members)}")
    cut = report.issued_t * KG_PER_T
    out = set()
    for member in members:
        credited = credited_kg(member.start, member.kg, cut)
        if (member.kg - credited if tails else credited) > 0:
            out.add(member.lot_id)
    return out


def calculation_batches(session: Session, calculation: Calculation
                        ) -> Sequence[MeasurementBatch]:
    """The anchored batches a calculation read (its record's ``batch_ids``), in that order.
    A listed batch the read model lacks is left out; `missing_batches` names it."""
    ids = listed(calculation.batch_ids)
    rows = {b.batch_id: b for b in session.scalars(
        select(MeasurementBatch).where(MeasurementBatch.batch_id.in_(ids)))}
    return [rows[i] for i in ids if i in rows]


def missing_batches(session: Session, calculation: Calculation) -> list[str]:
    """The batch ids a calculation read that the read model has no row for."""
    found = {b.batch_id for b in calculation_batches(session, calculation)}
    return [i for i in listed(calculation.batch_ids) if i not in found]





def credited_lots(session: Session, batch: CreditBatch) -> list[TokenLot]:
    """The lots a credit batch credited (FIFO over its report's members, carried-in kg
    included); CertificateRecordError when the read model lacks a row it needs."""
    return _credited_lots(session, batch)
