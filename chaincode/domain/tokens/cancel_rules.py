"""Who may request and who may approve an administrative cancellation.

A cancellation takes two transactions by two different identities holding the two
authorities: a Platform operator (role ``operator`` in PlatformMSP) and a verifier (role
``verifier``). Either may request; the approval must come from the other authority.
"""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ForbiddenError

from .access import OPERATOR_ROLE, PLATFORM_MSP, VERIFIER_ROLE

__all__ = ["AUTHORITIES", "authority_of"]

#: The two authorities a cancellation needs.
AUTHORITIES = ("platform-operator", "verifier")


def authority_of(ctx: TxContext, action: str) -> str:
    """The cancellation authority of the caller, or a ForbiddenError."""
    if ctx.actor.msp_id == PLATFORM_MSP and ctx.actor.role == OPERATOR_ROLE:
        return "platform-operator"
    if ctx.actor.role == VERIFIER_ROLE:
        return "verifier"
    raise ForbiddenError(
        "actor", ctx.owner_key, "cancel-authority",
        f"{ctx.owner_key} (of {ctx.actor.msp_id}, role {ctx.actor.role!r}) may not {action}: "
        f"requires role {OPERATOR_ROLE} in {PLATFORM_MSP} or role {VERIFIER_ROLE}",
    )
