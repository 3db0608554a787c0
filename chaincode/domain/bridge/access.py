"""Who may drive the bridge.

Governance (network id, partner trust anchors) is the Platform operator's. Messages
backed by a partner proof may be relayed by the bridge service (role ``bridge``, run by
the Market org) or by the party that benefits, so a stalled relay never strands units.
"""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ForbiddenError

__all__ = ["BRIDGE_ROLE", "require_relay", "require_relay_or"]

BRIDGE_ROLE = "bridge"


def require_relay_or(ctx: TxContext, party: str, action: str) -> None:
    """Only a ``bridge`` identity or `party` itself may `action`."""
    if ctx.actor.role == BRIDGE_ROLE or ctx.owner_key == party:
        return
    raise ForbiddenError("actor", ctx.owner_key, "bridge-or-party",
                         f"{ctx.owner_key} may not {action}: requires role {BRIDGE_ROLE} "
                         f"or being {party}")


def require_relay(ctx: TxContext, action: str) -> None:
    """Only a ``bridge`` identity may `action` (no single party benefits from it)."""
    if ctx.actor.role == BRIDGE_ROLE:
        return
    raise ForbiddenError("actor", ctx.owner_key, "bridge",
                         f"{ctx.owner_key} may not {action}: requires role {BRIDGE_ROLE}")
