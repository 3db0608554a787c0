"""MsgConfigure: set this ledger's own network id, once.

Shared by both sides: envalue configures its bridge id, the partner its ledger's id.
Who may configure is each side's decision (the caller's check), as is the wording of the
conflict message. Every view the ledger's peers sign names this id and the other side
refuses views from any other id, so it never changes: a second configuration with
another id is refused, the same id again is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.records import load_or_none, save
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.rules import require_id

from .state import LocalNetworkConfig

__all__ = ["MsgConfigure", "configure", "validate"]


@dataclass(frozen=True)
class MsgConfigure:
    network_id: str


def validate(msg: MsgConfigure) -> None:
    require_id(msg.network_id, "network_id")


async def configure(store: Store, ctx: TxContext, cls: type[LocalNetworkConfig],
                    msg: MsgConfigure, configured_as: str) -> bool:
    """Save `msg.network_id` as a `cls` record; False when that id is already set.

    A different id already set is a ConflictError ``<configured_as> '<id>'``.
    """
    current = await load_or_none(store, cls, cls.local_key())
    if current is not None:
        if current.network_id == msg.network_id:
            return False
        raise ConflictError("network_id", msg.network_id, "immutable",
                            f"{configured_as} {current.network_id!r}")
    await save(store, cls(network_id=msg.network_id, configured_by=ctx.owner_key,
                          configured_at=ctx.timestamp.isoformat(), tx_id=ctx.tx_id))
    return True
