"""Who may do what with tokens and credits, as domain errors.

`envalue.chaincode.identity.require_role` raises a `PermissionError` for the contract
layer; the domain raises `ForbiddenError` instead so that callers (chaincode, portal, CLI)
get the field, value and rule of the refusal like any other domain error.
"""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ForbiddenError

__all__ = [
    "OPERATOR_ROLE",
    "PLATFORM_MSP",
    "VERIFIER_ROLE",
    "require_owner",
    "require_platform_operator",
    "require_verifier",
]

PLATFORM_MSP = "PlatformMSP"
OPERATOR_ROLE = "operator"
VERIFIER_ROLE = "verifier"


def _describe(ctx: TxContext) -> str:
    role = f"role '{ctx.actor.role}'" if ctx.actor.role is not None else "no role attribute"
    return f"{ctx.owner_key} (of {ctx.actor.msp_id}, {role})"


def require_platform_operator(ctx: TxContext, action: str) -> None:
    """Only an identity with role `operator` in PlatformMSP may `action`."""
    if ctx.actor.msp_id == PLATFORM_MSP and ctx.actor.role == OPERATOR_ROLE:
        return
    raise ForbiddenError(
        "actor", ctx.owner_key, "platform-operator",
        f"{_describe(ctx)} may not {action}: requires role {OPERATOR_ROLE} in {PLATFORM_MSP}",
    )


def require_verifier(ctx: TxContext, action: str) -> None:
    """Only an identity with role `verifier` (any member organisation) may `action`."""
    if ctx.actor.role == VERIFIER_ROLE:
        return
    raise ForbiddenError(
        "actor", ctx.owner_key, "verifier",
        f"{_describe(ctx)} may not {action}: requires role {VERIFIER_ROLE}",
    )


def require_owner(ctx: TxContext, owner: str, holding: str, field: str = "owner") -> None:
    """Only the owner of a holding moves it."""
    if ctx.owner_key == owner:
        return
    raise ForbiddenError(
        field, ctx.owner_key, "owner-only",
        f"{ctx.owner_key} may not move holding {holding}: only its owner {owner} moves a "
        "holding",
    )
