"""The state changes every token message is made of: load, move units, record history.

A `TokenLedger` is one transaction's handle on the token tables. It reads through a
`WorkingSet` (so a batch sees its own earlier steps), keeps the per-transaction index of
history entries, and never writes a negative balance: callers check availability with
`require_available`, which raises a `ConflictError` naming the holding.
"""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.store import Store, composite_key

from .state import (
    HOLDING,
    OWNER_INDEX,
    HistoryEntry,
    Holding,
    Lot,
    LotSupply,
    load,
    save,
)
from .working_set import WorkingSet, working_set

__all__ = ["TokenLedger", "require_available"]


def require_available(holding: Holding, state: str, quantity: int, field: str) -> None:
    """Refuse to take more than the holding has in `state` (never a negative balance)."""
    available = getattr(holding, state)
    if quantity > available:
        raise ConflictError(
            field, quantity, "insufficient-balance",
            f"holding {holding.label} has {available} kg-CO2e {state}, "
            f"{quantity} kg-CO2e requested",
        )


class TokenLedger:
    """One transaction's view of the token tables."""

    def __init__(self, store: Store, ctx: TxContext) -> None:
        self.store: WorkingSet = working_set(store)
        self.ctx = ctx
        self._history_index = 0

    @property
    def when(self) -> str:
        """The transaction timestamp, ISO 8601 (the `when` of every record written)."""
        return self.ctx.timestamp.isoformat()

    async def lot(self, lot_id: str, field: str = "lot_id") -> Lot:
        from .state import LOT

        return await load(self.store, Lot, composite_key(LOT, lot_id), field, lot_id)

    async def supply(self, lot_id: str, field: str = "lot_id") -> LotSupply:
        from .state import SUPPLY

        return await load(self.store, LotSupply, composite_key(SUPPLY, lot_id), field, lot_id)

    async def holding(self, lot_id: str, owner: str) -> Holding:
        """The holding, or a new empty one (saved, with its owner index, on `save_holding`)."""
        raw = await self.store.get(composite_key(HOLDING, lot_id, owner))
        return Holding(lot_id=lot_id, owner=owner) if raw is None else Holding.from_bytes(raw)

    async def existing_holding(self, lot_id: str, owner: str, field: str) -> Holding:
        """The holding, or a NotFoundError (moving from a holding that does not exist)."""
        from envalue.chaincode.domain.errors import NotFoundError

        raw = await self.store.get(composite_key(HOLDING, lot_id, owner))
        if raw is None:
            await self.lot(lot_id)
            raise NotFoundError(
                field, owner, "exists", f"{owner} holds nothing of lot {lot_id!r}"
            )
        return Holding.from_bytes(raw)

    async def save_holding(self, holding: Holding) -> None:
        index_key = composite_key(OWNER_INDEX, holding.owner, holding.lot_id)
        if await self.store.get(index_key) is None:
            await self.store.put(index_key, b"{}")
        await save(self.store, holding)

    async def save(self, record: object) -> None:
        await save(self.store, record)

    async def record(
        self,
        holding: Holding,
        action: str,
        changes: dict[str, int],
        *,
        counterparty: str = "",
        reference: str = "",
    ) -> HistoryEntry:
        """Append a history entry for one holding (who, when, tx id, what moved)."""
        entry = HistoryEntry(
            lot_id=holding.lot_id,
            owner=holding.owner,
            action=action,
            changes={k: v for k, v in changes.items() if v},
            counterparty=counterparty,
            reference=reference,
            who=self.ctx.owner_key,
            when=self.when,
            tx_id=self.ctx.tx_id,
            index=self._history_index,
        )
        self._history_index += 1
        await save(self.store, entry)
        return entry
