"""`tokens`: the token ledger's contract, and the JSON-to-message helpers `credits` shares.

Each function takes one JSON message (parsed with `quantity.loads`, so ``1.5`` stays a
Decimal and is refused by the integer checks), takes the caller, tx id and timestamp from
the proposal, calls the domain and emits one event named after the function.

Minting is not exposed here: lots are minted by the measurement contract through
`envalue.chaincode.domain.tokens.mint.mint_lot` once a reduction is verified.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any, TypeVar

from fabric_chaincode_python.fabric_contract_api import Contract

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.events import DomainEvent, encode_events
from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.domain.tokens import (
    msg_approve_cancel,
    msg_escrow,
    msg_release,
    msg_request_cancel,
    msg_retire,
    msg_transfer,
    queries,
)
from envalue.chaincode.domain.tokens.invariants import audit_supply
from envalue.chaincode.runtime.context import EnvalueContext

__all__ = ["TokensContract", "build", "dumps", "emit", "parse", "tx_context"]

M = TypeVar("M")


def build(cls: type[M], data: Any, path: str = "") -> M:
    """A message dataclass from a JSON object, nested messages and tuples included."""
    if not isinstance(data, dict):
        raise ValidationError(path, data, "object", "must be a JSON object")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for name in data:
        if name not in known:
            raise ValidationError(f"{path}{name}", data[name], "unknown-field",
                                  "is not a field of this message")
    values: dict[str, Any] = {}
    for name, fld in known.items():
        if name not in data:
            if fld.default is dataclasses.MISSING:
                raise ValidationError(f"{path}{name}", None, "required", "is required")
            continue
        values[name] = _convert(hints[name], data[name], f"{path}{name}")
    return cls(**values)


def _convert(hint: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _convert(options[0], value, path)
    if origin is tuple:
        if not isinstance(value, list):
            raise ValidationError(path, value, "array", "must be a JSON array")
        item_type = typing.get_args(hint)[0]
        return tuple(_convert(item_type, v, f"{path}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return build(hint, value, f"{path}.")  # type: ignore[arg-type]
    return value


def parse(cls: type[M], text: str) -> M:
    return build(cls, loads(text))


def tx_context(ctx: EnvalueContext) -> TxContext:
    return TxContext(ctx.get_stub().get_txid(), ctx.timestamp, ctx.actor)


def emit(ctx: EnvalueContext, events: list[DomainEvent]) -> str:
    """Set the transaction's one event (all domain events, named by the function)."""
    name, payload = encode_events(ctx.function, events)
    ctx.set_event(name, payload)
    return payload.decode("utf-8")


def dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


class TokensContract(Contract):
    """Contract `tokens`."""

    Name = "tokens"
    TransactionContextHandler = EnvalueContext

    def get_evaluate_transactions(self) -> list[str]:
        return ["audit", "history", "holding", "retirements"]

    async def transfer(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_transfer.MsgTransfer, msg)
        return emit(ctx, await msg_transfer.apply(ctx.store, tx_context(ctx), message))

    async def retire(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_retire.MsgRetire, msg)
        return emit(ctx, await msg_retire.apply(ctx.store, tx_context(ctx), message))

    async def escrow(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_escrow.MsgEscrow, msg)
        return emit(ctx, await msg_escrow.apply(ctx.store, tx_context(ctx), message))

    async def release(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_release.MsgRelease, msg)
        return emit(ctx, await msg_release.apply(ctx.store, tx_context(ctx), message))

    async def request_cancel(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_request_cancel.MsgRequestCancel, msg)
        return emit(ctx, await msg_request_cancel.apply(ctx.store, tx_context(ctx), message))

    async def approve_cancel(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_approve_cancel.MsgApproveCancel, msg)
        return emit(ctx, await msg_approve_cancel.apply(ctx.store, tx_context(ctx), message))

    async def audit(self, ctx: EnvalueContext, lot_id: str) -> str:
        """Supply audit of one lot, or of every lot when `lot_id` is empty."""
        return dumps((await audit_supply(ctx.store, lot_id or None)).to_dict())

    async def history(self, ctx: EnvalueContext, lot_id: str, owner: str) -> str:
        entries = await queries.history(ctx.store, lot_id, owner or None)
        return dumps([e.to_dict() for e in entries])

    async def holding(self, ctx: EnvalueContext, lot_id: str, owner: str) -> str:
        return dumps((await queries.get_holding(ctx.store, lot_id, owner)).to_dict())

    async def retirements(self, ctx: EnvalueContext, lot_id: str) -> str:
        return dumps([r.to_dict() for r in await queries.retirements(ctx.store, lot_id)])
