"""MsgRetire (wrapped): retire wrapped units here, for a beneficiary and purpose.

The retirement is final on this ledger and is reported to the source network
(`EventWrappedRetire`, then `views.retirement_view` as proof), which retires the same
number of the lot's bridged units there, so no unit counts as an offset on both ledgers.
Purposes are the source platform's (`tokens.state.RETIREMENT_PURPOSES`).
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.msg_retire import RetirementInfo, validate_info
from envalue.chaincode.domain.tokens.rules import (
    require_id,
    require_owner_key,
    require_positive_int,
)

from .access import require_owner
from .ledger import WrappedLedger, move
from .state import RETIREMENT, WrappedRetirement

__all__ = ["MsgRetire", "apply", "validate"]


@dataclass(frozen=True)
class MsgRetire:
    retirement_id: str
    owner: str
    source_network: str
    lot_id: str
    quantity_kg: int
    info: RetirementInfo


def validate(msg: MsgRetire) -> None:
    require_id(msg.retirement_id, "retirement_id")
    require_owner_key(msg.owner, "owner")
    require_id(msg.source_network, "source_network")
    require_id(msg.lot_id, "lot_id")
    require_positive_int(msg.quantity_kg, "quantity_kg")
    validate_info(msg.info, "info.")


async def apply(store: Store, ctx: TxContext, msg: MsgRetire) -> list[DomainEvent]:
    validate(msg)
    ledger = WrappedLedger(store, ctx)
    if await ledger.store.get(composite_key(RETIREMENT, msg.retirement_id)) is not None:
        raise ConflictError("retirement_id", msg.retirement_id, "unique",
                            f"retirement {msg.retirement_id!r} already exists")
    denom = await ledger.denom(msg.source_network, msg.lot_id)
    holding = await ledger.holding(msg.source_network, msg.lot_id, msg.owner)
    require_owner(ctx, msg.owner, holding.label)
    ledger.take(holding, "tradable", msg.quantity_kg, "quantity_kg")
    move(holding, "tradable", "retired", msg.quantity_kg)
    move(denom, "tradable", "retired", msg.quantity_kg)
    await ledger.save(holding)
    await ledger.save(denom)
    await ledger.save(WrappedRetirement(
        retirement_id=msg.retirement_id, source_network=msg.source_network,
        lot_id=msg.lot_id, owner=msg.owner, quantity_kg=msg.quantity_kg,
        beneficiary=msg.info.beneficiary, purpose=msg.info.purpose,
        reporting_year=msg.info.reporting_year, note=msg.info.note,
        retired_at=ledger.when, retire_tx=ctx.tx_id,
    ))
    return [DomainEvent("EventWrappedRetire", {
        "retirement_id": msg.retirement_id, "source_network": msg.source_network,
        "lot_id": msg.lot_id, "owner": msg.owner, "quantity_kg": msg.quantity_kg,
        "purpose": msg.info.purpose, "reporting_year": msg.info.reporting_year,
    })]
