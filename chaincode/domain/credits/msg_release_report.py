"""MsgReleaseReport: after a rejection, return one page of bundled holdings to tradable.

When every member is released the report is ``closed`` and the program may open a new
report (its carry-forward is untouched: nothing was issued).
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.access import require_platform_operator
from envalue.chaincode.domain.tokens.bundling import unbundle_holding

from .common import CreditLedger, require_report_state
from .msg_settle_report import MsgSettleReport
from .msg_settle_report import validate as validate_page
from .state import MEMBER, MEMBER_LOT, PENDING, Member

__all__ = ["MsgReleaseReport", "apply"]


@dataclass(frozen=True)
class MsgReleaseReport(MsgSettleReport):
    """Same fields as a settlement page: report id and page size."""


async def apply(store: Store, ctx: TxContext, msg: MsgReleaseReport) -> list[DomainEvent]:
    require_platform_operator(ctx, "release a rejected monitoring report")
    validate_page(msg)
    ledger = CreditLedger(store, ctx)
    report = await ledger.report(msg.report_id)
    require_report_state(report, "rejected", action="releasing its lots")
    budget, released = msg.limit, 0
    async for key, _ in store.scan(PENDING, report.report_id):
        if budget == 0:
            break
        seq = key.split("\x00")[-2]
        member = Member.from_bytes(
            await ledger.store.get(composite_key(MEMBER, report.report_id, seq)) or b"")
        await unbundle_holding(ledger, member.lot_id, member.owner, member.kg,
                               report.report_id)
        await ledger.store.delete(key)
        await ledger.store.delete(composite_key(MEMBER_LOT, report.report_id, member.lot_id,
                                                member.owner))
        report.settled_count += 1
        released += member.kg
        budget -= 1
    done = report.settled_count == report.member_count
    if done:
        report.state = "closed"
        ledger.note(report, "closed")
        program = await ledger.program(report.program_id)
        program.open_report = ""
        await ledger.save(program)
    await ledger.save(report)
    return [DomainEvent("EventReleaseReport", {"report_id": report.report_id,
                                               "released_kg": released, "complete": done})]
