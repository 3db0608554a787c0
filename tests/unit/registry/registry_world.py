"""A small ledger world for registry and measurement tests: identities, transactions,
refusal checks, and the standard setup (genesis, FY2024 grid factor, sites).

A plain module (``conftest`` is not unique on sys.path); measurement tests import it too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import MappingProxyType, ModuleType
from typing import Any

import pytest

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import DomainError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.registry import (
    msg_approve_factor,
    msg_bootstrap,
    msg_propose_factor,
    msg_register_site,
)
from envalue.chaincode.domain.store import Store
from envalue.chaincode.identity import Actor
from tests.memory_store import MemoryLedger

__all__ = [
    "CUSTOMER",
    "CUSTOMER_OTHER",
    "CUSTOMER_VERIFIER",
    "MUNICIPALITY",
    "OPERATOR",
    "OPERATOR_2",
    "VERIFIER",
    "VERIFIER_2",
    "World",
    "actor",
]


def actor(msp_id: str, cn: str, role: str | None) -> Actor:
    """An identity shaped like a Fabric CA enrollment (Go-style id)."""
    attrs = MappingProxyType({"role": role} if role else {})
    return Actor(msp_id=msp_id, id=f"x509::CN={cn},OU=client::CN=ca.{msp_id.lower()}",
                 attrs=attrs)


OPERATOR = actor("PlatformMSP", "operator1", "operator")
OPERATOR_2 = actor("PlatformMSP", "operator2", "operator")
VERIFIER = actor("PlatformMSP", "verifier1", "verifier")
VERIFIER_2 = actor("MarketMSP", "verifier2", "verifier")
CUSTOMER = actor("CustomerMSP", "boiler-owner", "customer")
CUSTOMER_OTHER = actor("CustomerMSP", "auditor1", "auditor")
CUSTOMER_VERIFIER = actor("CustomerMSP", "in-house-verifier", "verifier")
MUNICIPALITY = actor("MunicipalityMSP", "ena-city", "municipality")

GRID_FY2024 = {
    "series": "jp-grid", "factor_id": "jp-grid-fy2024", "version": "2", "kind": "grid",
    "unit": "kWh", "values": {"ef_grid": "0.000464"},
    "source": "Ministry of the Environment, FY2024 adjusted factor of the supplier",
    "valid_from": "2024-04-01", "valid_until": "2025-03-31",
}


class World:
    """A committed ledger and a transaction counter; each `submit` is one transaction."""

    def __init__(self) -> None:
        self.ledger = MemoryLedger()
        self.count = 0
        self.now = datetime(2024, 7, 1, 3, 0, tzinfo=UTC)

    def context(self, who: Actor) -> TxContext:
        self.count += 1
        return TxContext(f"tx-{self.count:04d}", self.now, who)

    def submit(self, who: Actor, module: ModuleType, msg: Any) -> list[DomainEvent]:
        """Apply `msg` with `module.apply` in a new transaction (committed on success)."""
        ctx = self.context(who)

        async def run() -> list[DomainEvent]:
            async with self.ledger.transaction() as store:
                return await module.apply(store, ctx, msg)

        return asyncio.run(run())

    def last_tx(self) -> str:
        return f"tx-{self.count:04d}"

    def refuse(
        self, who: Actor, module: ModuleType, msg: Any, error: type[DomainError]
    ) -> DomainError:
        """`msg` is refused with `error`, and the committed state is unchanged."""
        before = self.ledger.snapshot()
        with pytest.raises(error) as info:
            self.submit(who, module, msg)
        assert self.ledger.snapshot() == before
        return info.value

    def query(self, fn: Callable[[Store], Awaitable[Any]]) -> Any:
        async def run() -> Any:
            async with self.ledger.transaction() as store:
                return await fn(store)

        return asyncio.run(run())

    # -- standard setup ------------------------------------------------------------------

    def bootstrap(self) -> None:
        self.submit(OPERATOR, msg_bootstrap, msg_bootstrap.MsgBootstrap())

    def register_grid_fy2024(self) -> None:
        msg = msg_propose_factor.MsgProposeFactor.from_dict(GRID_FY2024)
        self.submit(OPERATOR, msg_propose_factor, msg)
        ids = msg_approve_factor.MsgApproveFactor("jp-grid", "jp-grid-fy2024", "2")
        self.submit(OPERATOR, msg_approve_factor, ids)
        self.submit(VERIFIER, msg_approve_factor, ids)

    def site(self, site_id: str, owner: Actor) -> None:
        self.submit(owner, msg_register_site, msg_register_site.MsgRegisterSite(
            site_id=site_id, name=site_id.replace("-", " ").title(), owner_msp=owner.msp_id))
