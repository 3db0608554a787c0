"""Credit programs → read model: programs, enrolled sites, monitoring reports and their
members, batches with contributors' shares, credit holdings, transfers and retirements
(record types from `envalue.chaincode.domain.credits.state`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from envalue.certificates.records import certificate_id_for
from envalue.chaincode.domain.credits import state as cs
from envalue.chaincode.domain.tokens import state as ts

from .projection import (
    EventContext,
    EventRule,
    Mirror,
    Ref,
    attr_int,
    attr_str,
    joined,
    upsert,
)
from .records import msp_of
from .schema import (
    CreditBatch,
    CreditHolding,
    CreditProgram,
    CreditRetirement,
    CreditShare,
    CreditTransfer,
    MonitoringReport,
    ProgramSite,
    ReportMember,
)

__all__ = ["MIRRORS", "RULES"]


def _program(session: Session, p: cs.Program, ref: Ref) -> None:
    upsert(session, CreditProgram, ref, program_id=p.program_id, name=p.name,
           operator=p.operator, methodologies=joined(p.methodologies), carry_kg=p.carry_kg,
           open_report=p.open_report)


def _site(session: Session, e: cs.Enrollment, ref: Ref) -> None:
    upsert(session, ProgramSite, ref, program_id=e.program_id, site_id=e.site_id,
           owner=e.owner)


def _report(session: Session, r: cs.Report, ref: Ref) -> None:
    upsert(session, MonitoringReport, ref, report_id=r.report_id, program_id=r.program_id,
           period_start=r.period_start, period_end=r.period_end, state=r.state,
           pool_kg=r.pool_kg, carried_in_kg=r.carried_in_kg, member_count=r.member_count,
           issued_t=r.issued_t, remainder_kg=r.remainder_kg, verified_by=r.verified_by,
           comments=r.comments, carried_from=r.carried_from)


def _member(session: Session, m: cs.Member, ref: Ref) -> None:
    upsert(session, ReportMember, ref, report_id=m.report_id, seq=m.seq, lot_id=m.lot_id,
           owner=m.owner, kg=m.kg, start=m.start)


def _batch(session: Session, b: cs.Batch, ref: Ref) -> None:
    upsert(session, CreditBatch, ref, batch_id=b.batch_id, program_id=b.program_id,
           report_id=b.report_id, period_start=b.period_start, period_end=b.period_end,
           serial=b.serial, issued_t=b.issued_t, retired_t=b.retired_t,
           credited_kg=b.credited_kg, issued_to=b.issued_to, issued_at=b.issued_at,
           settled=b.settled)


def _share(session: Session, s: cs.Share, ref: Ref) -> None:
    upsert(session, CreditShare, ref, batch_id=s.batch_id, owner=s.owner,
           owner_msp=msp_of(s.owner), kg=s.kg, carried_in_kg=s.carried_in_kg)


def _holding(session: Session, h: cs.CreditHolding, ref: Ref) -> None:
    upsert(session, CreditHolding, ref, batch_id=h.batch_id, owner=h.owner,
           owner_msp=msp_of(h.owner), tradable_t=h.tradable_t, retired_t=h.retired_t)


def _retirement(session: Session, r: cs.CreditRetirement, ref: Ref) -> None:
    """Written once by its own transaction, like a token retirement (certificate id too)."""
    upsert(session, CreditRetirement, ref, serial=r.serial, batch_id=r.batch_id,
           owner=r.owner, quantity_t=r.quantity_t, serial_first=r.serial_first,
           serial_last=r.serial_last, user_name=r.user_name, use=r.use,
           purpose_detail=r.purpose_detail, reporting_year=r.reporting_year,
           retired_at=r.retired_at, retired_by=r.retired_by, channel=ref.channel,
           certificate_id=certificate_id_for(ref.channel, ref.tx_id, [r.serial]))


def _transfer_row(session: Session, ctx: EventContext) -> None:
    session.merge(CreditTransfer(
        block_number=ctx.ref.block_number, tx_id=ctx.ref.tx_id, event_index=ctx.event.index,
        batch_id=attr_str(ctx, "batch_id"), sender=attr_str(ctx, "sender"),
        recipient=attr_str(ctx, "recipient"), quantity_t=attr_int(ctx, "quantity_t"),
        transferred_at=ctx.ref.at))


MIRRORS: tuple[Mirror, ...] = (
    Mirror(cs.PROGRAM, cs.Program, _program),
    Mirror(cs.SITE, cs.Enrollment, _site),
    Mirror(cs.REPORT, cs.Report, _report),
    Mirror(cs.MEMBER, cs.Member, _member),
    Mirror(cs.BATCH, cs.Batch, _batch),
    Mirror(cs.SHARE, cs.Share, _share),
    Mirror(cs.CREDIT_HOLDING, cs.CreditHolding, _holding),
    Mirror(cs.CREDIT_RETIREMENT, cs.CreditRetirement, _retirement),
)

_REPORT = ("report_id",)

RULES: dict[str, EventRule] = {
    "EventCreateProgram": EventRule((cs.PROGRAM,), strs=("program_id",)),
    "EventEnrollSite": EventRule((cs.SITE,), strs=("program_id", "site_id")),
    "EventOpenReport": EventRule((cs.REPORT,), strs=_REPORT),
    # a page of holdings moved tradable -> bundled: members, holdings and supply written
    "EventBundle": EventRule((cs.REPORT, cs.MEMBER, ts.HOLDING, ts.SUPPLY),
                             ints=("bundled_kg",), strs=_REPORT),
    "EventSubmitReport": EventRule((cs.REPORT,), strs=_REPORT),
    "EventApproveReport": EventRule((cs.REPORT,), strs=_REPORT),
    "EventRejectReport": EventRule((cs.REPORT,), strs=_REPORT),
    "EventIssueCredits": EventRule((cs.BATCH, cs.CREDIT_HOLDING), ints=("issued_t",),
                                   strs=("batch_id", "serial")),
    # a settlement page writes shares (when it credits anyone) and always the report
    "EventSettleReport": EventRule((cs.REPORT,), strs=_REPORT),
    # a release page returns holdings to tradable (when it released any) and the report
    "EventReleaseReport": EventRule((cs.REPORT,), ints=("released_kg",), strs=_REPORT),
    "EventTransferCredits": EventRule((cs.CREDIT_HOLDING,), ints=("quantity_t",),
                                      strs=("batch_id", "sender", "recipient"),
                                      rows=_transfer_row),
    "EventRetireCredits": EventRule((cs.CREDIT_RETIREMENT, cs.CREDIT_HOLDING),
                                    ints=("quantity_t",), strs=("batch_id", "serial")),
}
