"""MsgApproveCalculation: a verifier approves a reduction record, making it mintable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.registry.fields import message_from_dict, require_id, require_text
from envalue.chaincode.domain.store import Store

from .review import APPROVED, record_review

__all__ = ["MsgApproveCalculation", "apply", "validate"]


@dataclass(frozen=True)
class MsgApproveCalculation:
    calculation_id: str
    comment: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> MsgApproveCalculation:
        return message_from_dict(cls, data)


def validate(msg: MsgApproveCalculation) -> None:
    require_id(msg.calculation_id, "calculation_id")
    require_text(msg.comment, "comment", required=False)


async def apply(store: Store, ctx: TxContext, msg: MsgApproveCalculation) -> list[DomainEvent]:
    validate(msg)
    return await record_review(store, ctx, msg.calculation_id, APPROVED, msg.comment)
