"""One transaction's handle on the wrapped tables: reads see the transaction's writes,
moves never write a negative balance."""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, NotFoundError
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import load_or_none, save
from envalue.chaincode.domain.tokens.working_set import WorkingSet, working_set

from .state import DENOM, HOLDING, Denom, WrappedHolding

__all__ = ["WrappedLedger", "move"]


def move(record: Denom | WrappedHolding, source: str | None, target: str | None,
         quantity: int) -> None:
    """Move `quantity` between states of a record (None: enters or leaves it)."""
    if source is not None:
        remaining = getattr(record, source) - quantity
        if remaining < 0:
            raise AssertionError(f"{source} would become negative ({remaining})")
        setattr(record, source, remaining)
    if target is not None:
        setattr(record, target, getattr(record, target) + quantity)


class WrappedLedger:
    def __init__(self, store: Store, ctx: TxContext) -> None:
        self.store: WorkingSet = working_set(store)
        self.ctx = ctx

    @property
    def when(self) -> str:
        return self.ctx.timestamp.isoformat()

    async def denom(self, source_network: str, lot_id: str, field: str = "lot_id") -> Denom:
        denom = await load_or_none(self.store, Denom,
                                   composite_key(DENOM, source_network, lot_id))
        if denom is None:
            raise NotFoundError(field, lot_id, "exists",
                                f"no wrapped units of lot {lot_id!r} from {source_network!r}")
        return denom

    async def holding(self, source_network: str, lot_id: str, owner: str) -> WrappedHolding:
        holding = await load_or_none(self.store, WrappedHolding,
                                     composite_key(HOLDING, source_network, lot_id, owner))
        return holding or WrappedHolding(source_network=source_network, lot_id=lot_id,
                                         owner=owner)

    def take(self, holding: WrappedHolding, state: str, quantity: int,
                   field: str, rule: str = "insufficient-balance") -> None:
        """Refuse to take more than the holding has in `state`."""
        available = getattr(holding, state)
        if quantity > available:
            raise ConflictError(field, quantity, rule,
                                f"holding {holding.label} has {available} wrapped kg-CO2e "
                                f"{state}, {quantity} kg-CO2e requested")

    async def save(self, record: object) -> None:
        await save(self.store, record)
