"""What every contract does around a domain call: JSON message in, one event out.

`parse` builds a message dataclass from JSON (`quantity.loads`: ``1.5`` stays a Decimal
and is refused by the integer checks); `tx_context` takes the caller, tx id and timestamp
from the proposal; `emit` sets the transaction's one chaincode event (all domain events
together, named after the function) and returns its payload; `execute` is the three in a
row; `dumps` renders query results.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.events import DomainEvent, encode_events
from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.domain.store import Store
from envalue.chaincode.runtime.context import EnvalueContext

__all__ = ["build", "dumps", "emit", "execute", "parse", "tx_context"]

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


async def execute(ctx: EnvalueContext,
                  apply: Callable[[Store, TxContext, M], Awaitable[list[DomainEvent]]],
                  message: M) -> str:
    """Apply `message` with the proposal's context and emit the resulting events."""
    return emit(ctx, await apply(ctx.store, tx_context(ctx), message))
