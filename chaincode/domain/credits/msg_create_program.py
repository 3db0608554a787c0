"""MsgCreateProgram: a Platform operator opens a program-type project."""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.access import require_platform_operator
from envalue.chaincode.domain.tokens.rules import require_id, require_text

from .common import CreditLedger
from .state import PROGRAM, Program

__all__ = ["MsgCreateProgram", "apply", "validate"]


@dataclass(frozen=True)
class MsgCreateProgram:
    program_id: str
    name: str
    methodologies: tuple[str, ...]  # "EN-R-002" (any version) or "EN-R-002:3.0"


def validate(msg: MsgCreateProgram) -> None:
    require_id(msg.program_id, "program_id")
    require_text(msg.name, "name")
    if not msg.methodologies:
        raise ValidationError("methodologies", [], "required",
                              "at least one allowed methodology is required")
    for i, name in enumerate(msg.methodologies):
        require_text(name, f"methodologies[{i}]")


async def apply(store: Store, ctx: TxContext, msg: MsgCreateProgram) -> list[DomainEvent]:
    require_platform_operator(ctx, "create a program")
    validate(msg)
    ledger = CreditLedger(store, ctx)
    if await ledger.store.get(composite_key(PROGRAM, msg.program_id)) is not None:
        raise ConflictError("program_id", msg.program_id, "unique",
                            f"program {msg.program_id!r} already exists")
    await ledger.save(Program(program_id=msg.program_id, name=msg.name,
                              operator=ctx.owner_key, methodologies=list(msg.methodologies),
                              created_at=ledger.when, created_tx=ctx.tx_id))
    return [DomainEvent("EventCreateProgram", {"program_id": msg.program_id,
                                               "operator": ctx.owner_key,
                                               "methodologies": list(msg.methodologies)})]
