"""MsgAddLots: bundle one page of eligible holdings into a collecting report.

Pages keep the write set bounded: each holding costs 6 writes (holding, lot supply,
history, member, member index, pending) plus the report, so a full page of `MAX_PAGE`
holdings writes 1,501 keys (tests/unit/scenarios checks it); 10,000 lots are 40 pages.
A page is all-or-nothing: one ineligible holding refuses the page with its index and the
broken rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.access import require_platform_operator
from envalue.chaincode.domain.tokens.bundling import bundle_holding
from envalue.chaincode.domain.tokens.rules import require_id, require_owner_key

from .common import CreditLedger, require_report_state
from .eligibility import MeterCheck, check_lot, recorded_meter_flag
from .state import MEMBER_LOT, PENDING, Member, seq_key

__all__ = ["MAX_PAGE", "LotRef", "MsgAddLots", "apply", "validate"]

MAX_PAGE = 250


@dataclass(frozen=True)
class LotRef:
    lot_id: str
    owner: str


@dataclass(frozen=True)
class MsgAddLots:
    report_id: str
    lots: tuple[LotRef, ...]


def validate(msg: MsgAddLots) -> None:
    require_id(msg.report_id, "report_id")
    if not msg.lots or len(msg.lots) > MAX_PAGE:
        raise ValidationError("lots", len(msg.lots), "page-size",
                              f"a page bundles 1 to {MAX_PAGE} holdings, not {len(msg.lots)}")
    seen: set[LotRef] = set()
    for i, ref in enumerate(msg.lots):
        require_id(ref.lot_id, f"lots[{i}].lot_id")
        require_owner_key(ref.owner, f"lots[{i}].owner")
        if ref in seen:
            raise ValidationError(f"lots[{i}]", ref.lot_id, "duplicate",
                                  "holding appears twice in the page")
        seen.add(ref)


async def apply(store: Store, ctx: TxContext, msg: MsgAddLots,
                meters_valid: MeterCheck = recorded_meter_flag) -> list[DomainEvent]:
    require_platform_operator(ctx, "bundle lots into a monitoring report")
    validate(msg)
    ledger = CreditLedger(store, ctx)
    report = await ledger.report(msg.report_id)
    require_report_state(report, "collecting", action="adding lots")
    program = await ledger.program(report.program_id)
    added = 0
    for i, ref in enumerate(msg.lots):
        field = f"lots[{i}]"
        lot = await ledger.lot(ref.lot_id, f"{field}.lot_id")
        index_key = composite_key(MEMBER_LOT, report.report_id, ref.lot_id, ref.owner)
        if await ledger.store.get(index_key) is not None:
            raise ConflictError(field, ref.lot_id, "already-in-report",
                                f"holding {ref.lot_id}@{ref.owner} is already bundled in "
                                f"report {report.report_id!r}")
        await check_lot(ledger.store, program, report, lot, field, meters_valid)
        kg = await bundle_holding(ledger, ref.lot_id, ref.owner, report.report_id, field)
        seq = report.member_count
        await ledger.save(Member(report_id=report.report_id, seq=seq, lot_id=ref.lot_id,
                                 owner=ref.owner, kg=kg, start=report.pool_kg))
        await ledger.store.put(index_key, str(seq).encode())
        await ledger.store.put(composite_key(PENDING, report.report_id, seq_key(seq)),
                               str(seq).encode())
        report.member_count += 1
        report.pool_kg += kg
        added += kg
    await ledger.save(report)
    return [DomainEvent("EventBundle", {"report_id": report.report_id,
                                        "holdings": len(msg.lots), "bundled_kg": added,
                                        "pool_kg": report.pool_kg})]
