"""MsgEnrollSite: the program operator enrolls a site (of any owner) in a program."""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.access import require_platform_operator
from envalue.chaincode.domain.tokens.rules import require_id, require_owner_key

from .common import CreditLedger
from .state import SITE, Enrollment

__all__ = ["MsgEnrollSite", "apply", "validate"]


@dataclass(frozen=True)
class MsgEnrollSite:
    program_id: str
    site_id: str
    owner: str


def validate(msg: MsgEnrollSite) -> None:
    require_id(msg.program_id, "program_id")
    require_id(msg.site_id, "site_id")
    require_owner_key(msg.owner, "owner")


async def apply(store: Store, ctx: TxContext, msg: MsgEnrollSite) -> list[DomainEvent]:
    require_platform_operator(ctx, "enroll a site")
    validate(msg)
    ledger = CreditLedger(store, ctx)
    await ledger.program(msg.program_id)
    if await ledger.store.get(composite_key(SITE, msg.program_id, msg.site_id)) is not None:
        raise ConflictError("site_id", msg.site_id, "unique",
                            f"site {msg.site_id!r} is already enrolled in {msg.program_id!r}")
    await ledger.save(Enrollment(program_id=msg.program_id, site_id=msg.site_id,
                                 owner=msg.owner, enrolled_at=ledger.when,
                                 enrolled_by=ctx.owner_key, tx_id=ctx.tx_id))
    return [DomainEvent("EventEnrollSite", {"program_id": msg.program_id,
                                            "site_id": msg.site_id, "owner": msg.owner})]
