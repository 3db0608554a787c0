"""MsgRegisterSite: an organisation registers a site (see `access` for who may)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.store import Store

from .access import require_acts_for
from .fields import message_from_dict, require_id, require_msp, require_text
from .state import Site, load_or_none, save

__all__ = ["MsgRegisterSite", "apply", "validate"]


@dataclass(frozen=True)
class MsgRegisterSite:
    site_id: str
    name: str
    owner_msp: str
    address: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> MsgRegisterSite:
        return message_from_dict(cls, data)


def validate(msg: MsgRegisterSite) -> None:
    """Stateless checks."""
    require_id(msg.site_id, "site_id")
    require_text(msg.name, "name")
    require_msp(msg.owner_msp, "owner_msp")
    require_text(msg.address, "address", required=False)


async def apply(store: Store, ctx: TxContext, msg: MsgRegisterSite) -> list[DomainEvent]:
    """Create the site; a second registration of the same id is a conflict."""
    validate(msg)
    require_acts_for(ctx, msg.owner_msp, f"register site {msg.site_id!r}")
    if await load_or_none(store, Site, msg.site_id) is not None:
        raise ConflictError("site_id", msg.site_id, "unique", "site is already registered")
    await save(store, Site(
        site_id=msg.site_id, name=msg.name, owner_msp=msg.owner_msp, address=msg.address,
        registered_by=ctx.owner_key, registered_at=format_timestamp(ctx.timestamp),
        tx_id=ctx.tx_id,
    ))
    return [DomainEvent("EventRegisterSite", {"site_id": msg.site_id, "owner_msp": msg.owner_msp})]
