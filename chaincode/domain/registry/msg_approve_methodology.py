"""MsgApproveMethodology: one of the two approvals (PlatformMSP operator, verifier)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store

from .fields import message_from_dict, require_id
from .governance import approve, require_version
from .state import MethodologyVersion, load, save

__all__ = ["MsgApproveMethodology", "apply", "validate"]


@dataclass(frozen=True)
class MsgApproveMethodology:
    name: str
    version: str

    @classmethod
    def from_dict(cls, data: Any) -> MsgApproveMethodology:
        return message_from_dict(cls, data)


def validate(msg: MsgApproveMethodology) -> None:
    require_id(msg.name, "name")
    require_version(msg.version, "version")


async def apply(store: Store, ctx: TxContext, msg: MsgApproveMethodology) -> list[DomainEvent]:
    """Add the caller's approval; the second one (other role, other identity) activates."""
    validate(msg)
    record = await load(store, MethodologyVersion, msg.name, msg.version, field_name="version",
                        what="methodology version")
    updated, activated = approve(record, ctx, f"methodology {msg.name}@{msg.version}")
    await save(store, updated)
    attrs = {"name": msg.name, "version": msg.version, "role": updated.approvals[-1]["role"]}
    events = [DomainEvent("EventApproveMethodology", attrs)]
    if activated:
        events.append(DomainEvent("EventActivateMethodology",
                                  {"name": msg.name, "version": msg.version}))
    return events
