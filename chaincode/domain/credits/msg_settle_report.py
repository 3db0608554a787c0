"""MsgSettleReport: write contributors' shares and carry-forwards of an approved report,
one page at a time (bounded writes however many lots the report bundles).

FIFO crediting (see `state`): the pool's first ``1000 × issued_t`` kg are credited. The
kg carried in from the previous report sit at the front of the pool, so they are always
used first; each member's credited part is ``credited_kg(start, kg, cut)`` and the rest is
carried forward to the program's next report in the contributor's name. When every
carried-in record and member is settled the report becomes ``issued`` and the program may
open its next report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.access import require_platform_operator
from envalue.chaincode.domain.tokens.rules import require_id, require_positive_int
from envalue.chaincode.domain.tokens.state import load_or_none

from .allocation import KG_PER_T, credited_kg
from .common import CreditLedger, require_report_state
from .state import CARRY, MEMBER, PENDING, Carry, Member, Share

__all__ = ["MAX_SETTLE_PAGE", "MsgSettleReport", "apply", "validate"]

MAX_SETTLE_PAGE = 500


@dataclass(frozen=True)
class MsgSettleReport:
    report_id: str
    limit: int = MAX_SETTLE_PAGE


def validate(msg: MsgSettleReport) -> None:
    require_id(msg.report_id, "report_id")
    require_positive_int(msg.limit, "limit", unit="records")
    if msg.limit > MAX_SETTLE_PAGE:
        from envalue.chaincode.domain.errors import ValidationError

        raise ValidationError("limit", msg.limit, "page-size",
                              f"at most {MAX_SETTLE_PAGE} records per page")


async def apply(store: Store, ctx: TxContext, msg: MsgSettleReport) -> list[DomainEvent]:
    require_platform_operator(ctx, "settle a monitoring report")
    validate(msg)
    ledger = CreditLedger(store, ctx)
    report = await ledger.report(msg.report_id)
    require_report_state(report, "approved", action="settlement")
    cut = report.issued_t * KG_PER_T
    credited: dict[str, int] = defaultdict(int)
    carried_in: dict[str, int] = defaultdict(int)
    carried: dict[str, int] = defaultdict(int)
    budget = msg.limit
    if report.carried_from and report.carry_consumed_kg < report.carried_in_kg:
        async for key, raw in store.scan(CARRY, report.program_id, report.carried_from):
            if budget == 0:
                break
            carry = Carry.from_bytes(raw)
            carried_in[carry.owner] += carry.kg
            report.carry_consumed_kg += carry.kg
            await ledger.store.delete(key)
            budget -= 1
    if budget:
        async for key, _ in store.scan(PENDING, report.report_id):
            if budget == 0:
                break
            member = Member.from_bytes(await ledger.store.get(
                composite_key(MEMBER, report.report_id, key.split("\x00")[-2])) or b"")
            part = credited_kg(member.start, member.kg, cut)
            credited[member.owner] += part
            if member.kg - part:
                carried[member.owner] += member.kg - part
            report.settled_count += 1
            await ledger.store.delete(key)
            budget -= 1
    for owner in sorted(set(credited) | set(carried_in)):
        share = await load_or_none(ledger.store, Share,
                                   Share(batch_id=report.report_id, owner=owner).key())
        share = share or Share(batch_id=report.report_id, owner=owner)
        share.kg += credited[owner] + carried_in[owner]
        share.carried_in_kg += carried_in[owner]
        if share.kg:
            await ledger.save(share)
    for owner, kg in sorted(carried.items()):
        key = Carry(program_id=report.program_id, report_id=report.report_id, owner=owner,
                    kg=0).key()
        carry = await load_or_none(ledger.store, Carry, key) or Carry(
            program_id=report.program_id, report_id=report.report_id, owner=owner, kg=0)
        carry.kg += kg
        await ledger.save(carry)
    done = (report.settled_count == report.member_count
            and report.carry_consumed_kg == report.carried_in_kg)
    events = [DomainEvent("EventSettleReport", {"report_id": report.report_id,
                                                "settled": report.settled_count,
                                                "members": report.member_count,
                                                "complete": done})]
    if done:
        report.state = "issued"
        ledger.note(report, "settled")
        program = await ledger.program(report.program_id)
        program.open_report = ""
        await ledger.save(program)
        batch = await ledger.batch(report.report_id)
        batch.settled = True
        await ledger.save(batch)
    await ledger.save(report)
    return events
