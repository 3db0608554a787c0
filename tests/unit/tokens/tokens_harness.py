"""A small harness for token and credit tests: identities, transactions, snapshots."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.invariants import SupplyAudit, audit_supply
from envalue.chaincode.domain.tokens.mint import mint_lot
from envalue.chaincode.identity import Actor
from tests.memory_store import MemoryLedger

START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def actor(msp: str, name: str, role: str | None) -> Actor:
    attrs = {"role": role} if role else {}
    return Actor(msp, f"x509::CN={name},OU=client::CN=ca.{msp.lower()}", attrs)


OPERATOR = actor("PlatformMSP", "olivia", "operator")
OPERATOR_2 = actor("PlatformMSP", "oscar", "operator")
VERIFIER = actor("PlatformMSP", "victor", "verifier")
VERIFIER_2 = actor("MarketMSP", "vera", "verifier")
ALICE = actor("CustomerMSP", "alice", "customer")
BOB = actor("MunicipalityMSP", "bob", "municipality")
CAROL = actor("CustomerMSP", "carol", "customer")


def key(who: Actor) -> str:
    return f"{who.msp_id}/{who.id}"


class Harness:
    """A ledger plus a clock: each `run` is one committed (or failed) transaction."""

    def __init__(self) -> None:
        self.ledger = MemoryLedger()
        self.tx = 0
        self.now = START

    def ctx(self, who: Actor) -> TxContext:
        self.tx += 1
        self.now += timedelta(seconds=1)
        return TxContext(f"tx{self.tx:05d}", self.now, who)

    def run(self, who: Actor, apply: Callable[..., Awaitable[list[DomainEvent]]],
            *args: Any, **kwargs: Any) -> list[DomainEvent]:
        async def go() -> list[DomainEvent]:
            async with self.ledger.transaction() as store:
                return await apply(store, self.ctx(who), *args, **kwargs)
        return asyncio.run(go())

    def query(self, fn: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        async def go() -> Any:
            async with self.ledger.transaction() as store:
                return await fn(store, *args, **kwargs)
        return asyncio.run(go())

    def mint(self, lot_id: str, owner: Actor, kg: int, *, site: str = "SITE-1",
             vintage: tuple[str, str] = ("2025-04-01", "2025-06-30"),
             methodology: str = "EN-R-002", meters_valid: bool = True) -> None:
        async def apply(store: Store, ctx: TxContext) -> list[DomainEvent]:
            return await mint_lot(
                store, ctx, lot_id=lot_id, owner=key(owner), quantity_kg=kg,
                vintage_start=vintage[0], vintage_end=vintage[1], methodology=methodology,
                methodology_version="3.0", site_id=site, equipment_id="EQ-1",
                calculation_id=f"CALC-{lot_id}", meters_valid=meters_valid)
        self.run(OPERATOR, apply)

    def audit(self, lot_id: str | None = None) -> SupplyAudit:
        return self.query(audit_supply, lot_id)

    def snapshot(self) -> dict[str, bytes]:
        return self.ledger.snapshot()
