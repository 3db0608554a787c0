"""MsgOpenReport: start collecting a monitoring report for one period of a program.

A program has at most one report in progress; the previous one must be settled (issued
and its contributors' shares written) or closed, so that its carry-forward is final.
The report's pool starts with the kg carried forward from the previous report.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.access import require_platform_operator
from envalue.chaincode.domain.tokens.rules import require_date, require_id

from .common import CreditLedger
from .state import REPORT, Report

__all__ = ["MsgOpenReport", "apply", "validate"]


@dataclass(frozen=True)
class MsgOpenReport:
    report_id: str
    program_id: str
    period_start: str
    period_end: str


def validate(msg: MsgOpenReport) -> None:
    require_id(msg.report_id, "report_id")
    require_id(msg.program_id, "program_id")
    start = require_date(msg.period_start, "period_start")
    if require_date(msg.period_end, "period_end") < start:
        raise ValidationError("period_end", msg.period_end, "period-order",
                              f"{msg.period_end!r} is before period_start {msg.period_start!r}")


async def apply(store: Store, ctx: TxContext, msg: MsgOpenReport) -> list[DomainEvent]:
    require_platform_operator(ctx, "open a monitoring report")
    validate(msg)
    ledger = CreditLedger(store, ctx)
    program = await ledger.program(msg.program_id)
    if await ledger.store.get(composite_key(REPORT, msg.report_id)) is not None:
        raise ConflictError("report_id", msg.report_id, "unique",
                            f"report {msg.report_id!r} already exists")
    if program.open_report:
        raise ConflictError("program_id", msg.program_id, "one-open-report",
                            f"program {msg.program_id!r} still has report "
                            f"{program.open_report!r} in progress")
    report = Report(report_id=msg.report_id, program_id=msg.program_id,
                    period_start=msg.period_start, period_end=msg.period_end,
                    carried_in_kg=program.carry_kg, carried_from=program.carry_report,
                    pool_kg=program.carry_kg, prepared_by=ctx.owner_key, opened_at=ledger.when)
    ledger.note(report, "opened")
    program.open_report = msg.report_id
    await ledger.save(report)
    await ledger.save(program)
    return [DomainEvent("EventOpenReport", {"report_id": msg.report_id,
                                            "program_id": msg.program_id,
                                            "carried_in_kg": program.carry_kg})]
