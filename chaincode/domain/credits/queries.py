"""Read-only queries over the credit tables."""

from __future__ import annotations

from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import load

from .state import (
    BATCH,
    CARRY,
    CREDIT_HOLDING,
    CREDIT_RETIREMENT,
    MEMBER,
    PROGRAM,
    REPORT,
    SHARE,
    Batch,
    Carry,
    CreditHolding,
    CreditRetirement,
    Member,
    Program,
    Report,
    Share,
)

__all__ = ["batch_shares", "carry_forward", "credit_holdings", "credit_retirements",
           "get_batch", "get_credit_holding", "get_program", "get_report", "report_members"]


async def get_program(store: Store, program_id: str) -> Program:
    return await load(store, Program, composite_key(PROGRAM, program_id), "program_id",
                      program_id)


async def get_report(store: Store, report_id: str) -> Report:
    return await load(store, Report, composite_key(REPORT, report_id), "report_id", report_id)


async def get_batch(store: Store, batch_id: str) -> Batch:
    return await load(store, Batch, composite_key(BATCH, batch_id), "batch_id", batch_id)


async def get_credit_holding(store: Store, batch_id: str, owner: str) -> CreditHolding:
    """One owner's holding of a batch (all zeros when the owner never held it; the batch
    must exist), as `tokens.queries.get_holding` answers for a lot."""
    await get_batch(store, batch_id)
    raw = await store.get(composite_key(CREDIT_HOLDING, batch_id, owner))
    if raw is None:
        return CreditHolding(batch_id=batch_id, owner=owner)
    return CreditHolding.from_bytes(raw)


async def report_members(store: Store, report_id: str) -> list[Member]:
    return [Member.from_bytes(raw) async for _, raw in store.scan(MEMBER, report_id)]


async def batch_shares(store: Store, batch_id: str) -> list[Share]:
    return [Share.from_bytes(raw) async for _, raw in store.scan(SHARE, batch_id)]


async def carry_forward(store: Store, program_id: str) -> list[Carry]:
    return [Carry.from_bytes(raw) async for _, raw in store.scan(CARRY, program_id)]


async def credit_holdings(store: Store, batch_id: str) -> list[CreditHolding]:
    return [CreditHolding.from_bytes(raw) async for _, raw in store.scan(CREDIT_HOLDING,
                                                                          batch_id)]


async def credit_retirements(store: Store, batch_id: str) -> list[CreditRetirement]:
    return [CreditRetirement.from_bytes(raw)
            async for _, raw in store.scan(CREDIT_RETIREMENT, batch_id)]
