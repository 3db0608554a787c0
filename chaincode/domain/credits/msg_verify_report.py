"""MsgVerifyReport: a verifier approves (issuing credits) or rejects a submitted report.

Approval issues ``floor(pool_kg / 1000)`` t-CO2 as one batch to the program operator and
records the sub-tonne remainder as the program's carry-forward. It writes only aggregate
records (report, program, batch, the operator's credit holding), whatever the number of
lots; contributors' shares are written afterwards in pages (`msg_settle_report`).
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.access import require_verifier
from envalue.chaincode.domain.tokens.rules import require_id, require_text

from .allocation import issue_tonnes
from .common import CreditLedger, require_report_state
from .state import Batch, CreditHolding, credit_serial

__all__ = ["DECISIONS", "MsgVerifyReport", "apply", "validate"]

DECISIONS = ("approve", "reject")


@dataclass(frozen=True)
class MsgVerifyReport:
    report_id: str
    decision: str
    comments: str = ""


def validate(msg: MsgVerifyReport) -> None:
    require_id(msg.report_id, "report_id")
    if msg.decision not in DECISIONS:
        raise ValidationError("decision", msg.decision, "enum",
                              f"{msg.decision!r} is not one of {', '.join(DECISIONS)}")
    require_text(msg.comments, "comments", required=msg.decision == "reject")


async def apply(store: Store, ctx: TxContext, msg: MsgVerifyReport) -> list[DomainEvent]:
    require_verifier(ctx, f"{msg.decision} a monitoring report")
    validate(msg)
    ledger = CreditLedger(store, ctx)
    report = await ledger.report(msg.report_id)
    require_report_state(report, "submitted", action="verification")
    report.verified_by, report.verified_at, report.comments = (
        ctx.owner_key, ledger.when, msg.comments)
    ledger.note(report, "approved" if msg.decision == "approve" else "rejected", msg.comments)
    if msg.decision == "reject":
        report.state = "rejected"
        await ledger.save(report)
        return [DomainEvent("EventRejectReport", {"report_id": report.report_id,
                                                  "verifier": ctx.owner_key})]
    program = await ledger.program(report.program_id)
    issued_t, remainder = issue_tonnes(report.pool_kg)
    report.state, report.issued_t, report.remainder_kg = "approved", issued_t, remainder
    serial = credit_serial(program.program_id, report.period_start, report.period_end, 1,
                           issued_t)
    batch = Batch(batch_id=report.report_id, program_id=program.program_id,
                  report_id=report.report_id, period_start=report.period_start,
                  period_end=report.period_end, issued_t=issued_t, serial=serial,
                  issued_to=program.operator, issued_at=ledger.when, tx_id=ctx.tx_id,
                  credited_kg=issued_t * 1000)
    holding = CreditHolding(batch_id=batch.batch_id, owner=program.operator,
                            tradable_t=issued_t)
    program.carry_kg, program.carry_report = remainder, report.report_id
    for record in (report, program, batch, holding):
        await ledger.save(record)
    return [DomainEvent("EventApproveReport", {"report_id": report.report_id,
                                               "verifier": ctx.owner_key}),
            DomainEvent("EventIssueCredits", {"batch_id": batch.batch_id, "serial": serial,
                                              "issued_t": issued_t,
                                              "issued_to": program.operator,
                                              "carried_forward_kg": remainder})]
