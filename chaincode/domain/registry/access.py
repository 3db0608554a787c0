"""Who may register and govern what.

The rule (one place, enforced by every registry and measurement message):

- **Acting for an organisation** (registering its sites, equipment, meters and edge
  devices, calculating its equipment): an identity of that organisation (MSP) with role
  ``customer``, ``municipality`` or ``operator``; or an ``operator`` of ``PlatformMSP``,
  who may act for any organisation (the platform onboards small customers).
  Verifiers, auditors and bridges never register assets.
- **Platform operations** (genesis bootstrap, minting): role ``operator`` in ``PlatformMSP``.
- **Governance approvals**: one ``operator`` of ``PlatformMSP`` and one ``verifier`` (any
  member organisation), two different identities.
- **Reviewing a calculation**: role ``verifier``, from an organisation other than the
  equipment owner's (nobody verifies their own reductions).

Refusals are `ForbiddenError`s naming the identity, what it has and what is needed.
"""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ForbiddenError

__all__ = [
    "OPERATOR_ROLE",
    "OWNER_ROLES",
    "PLATFORM_MSP",
    "VERIFIER_ROLE",
    "describe_actor",
    "is_platform_operator",
    "require_acts_for",
    "require_platform_operator",
    "require_verifier",
]

PLATFORM_MSP = "PlatformMSP"
OPERATOR_ROLE = "operator"
VERIFIER_ROLE = "verifier"
#: Roles with which an identity acts for its own organisation's assets.
OWNER_ROLES: tuple[str, ...] = ("customer", "municipality", "operator")


def describe_actor(ctx: TxContext) -> str:
    """``<holder key> (of <MSP>, role 'x')`` for messages."""
    role = f"role '{ctx.actor.role}'" if ctx.actor.role is not None else "no role attribute"
    return f"{ctx.owner_key} (of {ctx.actor.msp_id}, {role})"


def is_platform_operator(ctx: TxContext) -> bool:
    """True for role ``operator`` in ``PlatformMSP``."""
    return ctx.actor.msp_id == PLATFORM_MSP and ctx.actor.role == OPERATOR_ROLE


def require_platform_operator(ctx: TxContext, action: str) -> None:
    """Only an ``operator`` of ``PlatformMSP`` may `action`."""
    if is_platform_operator(ctx):
        return
    raise ForbiddenError(
        "actor", ctx.owner_key, "platform-operator",
        f"{describe_actor(ctx)} may not {action}: requires role {OPERATOR_ROLE} in "
        f"{PLATFORM_MSP}",
    )


def require_acts_for(ctx: TxContext, owner_msp: str, action: str, field: str = "owner_msp") -> None:
    """The caller acts for `owner_msp` (see the module docstring for the rule)."""
    if is_platform_operator(ctx):
        return
    if ctx.actor.msp_id == owner_msp and ctx.actor.role in OWNER_ROLES:
        return
    if ctx.actor.msp_id != owner_msp:
        need = (
            f"only identities of {owner_msp} (roles {', '.join(OWNER_ROLES)}) or an "
            f"{OPERATOR_ROLE} of {PLATFORM_MSP} may do this for {owner_msp}"
        )
        rule = "owner-organisation"
    else:
        need = f"requires role {' or '.join(OWNER_ROLES)} in {owner_msp}"
        rule = "owner-role"
    raise ForbiddenError(field, owner_msp, rule, f"{describe_actor(ctx)} may not {action}: {need}")


def require_verifier(ctx: TxContext, action: str, *, not_of: str | None = None) -> None:
    """Only a ``verifier`` may `action`; with `not_of`, not one of that organisation."""
    if ctx.actor.role != VERIFIER_ROLE:
        raise ForbiddenError(
            "actor", ctx.owner_key, "verifier",
            f"{describe_actor(ctx)} may not {action}: requires role {VERIFIER_ROLE}",
        )
    if not_of is not None and ctx.actor.msp_id == not_of:
        raise ForbiddenError(
            "actor", ctx.owner_key, "independent-verifier",
            f"{describe_actor(ctx)} may not {action}: the verifier must not belong to the "
            f"equipment owner's organisation {not_of}",
        )
