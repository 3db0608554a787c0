"""MsgSubmitReport: the operator closes collection and hands the report to verification."""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.access import require_platform_operator
from envalue.chaincode.domain.tokens.rules import require_id

from .allocation import KG_PER_T
from .common import CreditLedger, require_report_state

__all__ = ["MsgSubmitReport", "apply", "validate"]


@dataclass(frozen=True)
class MsgSubmitReport:
    report_id: str


def validate(msg: MsgSubmitReport) -> None:
    require_id(msg.report_id, "report_id")


async def apply(store: Store, ctx: TxContext, msg: MsgSubmitReport) -> list[DomainEvent]:
    require_platform_operator(ctx, "submit a monitoring report")
    validate(msg)
    ledger = CreditLedger(store, ctx)
    report = await ledger.report(msg.report_id)
    require_report_state(report, "collecting", action="submission")
    if report.member_count == 0 or report.pool_kg < KG_PER_T:
        raise ConflictError("report_id", msg.report_id, "at-least-one-tonne",
                            f"report {msg.report_id!r} pools {report.pool_kg} kg-CO2e from "
                            f"{report.member_count} holdings; at least one holding and "
                            f"{KG_PER_T} kg are needed to issue a credit")
    report.state = "submitted"
    report.submitted_at = ledger.when
    ledger.note(report, "submitted")
    await ledger.save(report)
    return [DomainEvent("EventSubmitReport", {"report_id": msg.report_id,
                                              "pool_kg": report.pool_kg,
                                              "members": report.member_count})]
