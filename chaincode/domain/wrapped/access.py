"""Who may govern the wrapped ledger: its own operators (role ``operator``)."""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ForbiddenError

__all__ = ["OPERATOR_ROLE", "require_owner", "require_partner_operator"]

OPERATOR_ROLE = "operator"


def require_partner_operator(ctx: TxContext, action: str) -> None:
    if ctx.actor.role == OPERATOR_ROLE:
        return
    raise ForbiddenError("actor", ctx.owner_key, "partner-operator",
                         f"{ctx.owner_key} may not {action}: requires role {OPERATOR_ROLE}")


def require_owner(ctx: TxContext, owner: str, label: str) -> None:
    if ctx.owner_key == owner:
        return
    raise ForbiddenError("owner", ctx.owner_key, "owner-only",
                         f"{ctx.owner_key} may not move holding {label}: only its owner "
                         f"{owner} moves it")
