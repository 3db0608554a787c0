"""MsgRejectCalculation: a verifier rejects a reduction record; the comment is required.

A rejected calculation is never minted; the owner corrects it by superseding it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.registry.fields import message_from_dict, require_id, require_text
from envalue.chaincode.domain.store import Store

from .review import REJECTED, record_review

__all__ = ["MsgRejectCalculation", "apply", "validate"]


@dataclass(frozen=True)
class MsgRejectCalculation:
    calculation_id: str
    comment: str

    @classmethod
    def from_dict(cls, data: Any) -> MsgRejectCalculation:
        return message_from_dict(cls, data)


def validate(msg: MsgRejectCalculation) -> None:
    require_id(msg.calculation_id, "calculation_id")
    require_text(msg.comment, "comment")


async def apply(store: Store, ctx: TxContext, msg: MsgRejectCalculation) -> list[DomainEvent]:
    validate(msg)
    return await record_review(store, ctx, msg.calculation_id, REJECTED, msg.comment)
