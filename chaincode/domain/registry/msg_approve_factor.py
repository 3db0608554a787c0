"""MsgApproveFactor: one of the two approvals (PlatformMSP operator, verifier)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store

from .fields import message_from_dict, require_id
from .governance import approve, require_version
from .state import FactorVersion, load, save

__all__ = ["MsgApproveFactor", "apply", "validate"]


@dataclass(frozen=True)
class MsgApproveFactor:
    series: str
    factor_id: str
    version: str

    @classmethod
    def from_dict(cls, data: Any) -> MsgApproveFactor:
        return message_from_dict(cls, data)


def validate(msg: MsgApproveFactor) -> None:
    require_id(msg.series, "series")
    require_id(msg.factor_id, "factor_id")
    require_version(msg.version, "version")


async def apply(store: Store, ctx: TxContext, msg: MsgApproveFactor) -> list[DomainEvent]:
    """Add the caller's approval; the second one (other role, other identity) activates."""
    validate(msg)
    record = await load(store, FactorVersion, msg.series, msg.factor_id, msg.version,
                        field_name="version", what="factor version")
    label = f"{msg.series}/{msg.factor_id}@{msg.version}"
    updated, activated = approve(record, ctx, f"factor {label}")
    await save(store, updated)
    ids = {"series": msg.series, "factor_id": msg.factor_id, "version": msg.version}
    events = [DomainEvent("EventApproveFactor", {**ids, "role": updated.approvals[-1]["role"]})]
    if activated:
        events.append(DomainEvent("EventActivateFactor", ids))
    return events
