"""Chaincode messages on the wire, and the calls and results built around them.

The ledger's contracts take one JSON message per transaction and read it with
`envalue.chaincode.domain.messages.parse`: `quantity.loads` (``1.5`` stays a Decimal,
refused by the integer checks) and the dataclass builder `build`. `encode_message` writes
the chaincode's own message dataclass as that JSON (ints and Decimals as exact JSON
numbers, never floats); `decode_message` is that same builder, for JSON arriving at the
portal's API or from a CLI file (the domain module is shim-free, so importing it never
loads fabric-chaincode-python).

A `LedgerCall` is one transaction, fully validated and encoded before any connection
is opened, so bad input fails fast with the chaincode's own message; `TxResult` is what
a committed transaction gives back.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.messages import build
from envalue.chaincode.domain.quantity import loads

__all__ = [
    "LedgerCall",
    "TxResult",
    "decode_events",
    "decode_json",
    "decode_message",
    "encode_message",
    "query_call",
    "submit_call",
]

T = TypeVar("T")

#: The chaincode's own message builder (`envalue.chaincode.domain.messages.build`).
decode_message = build


def _dump(value: Any, path: str) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValidationError(path, value, "finite", f"{value} is not a finite number")
        return str(value)
    if isinstance(value, float):
        raise ValidationError(path, value, "no-binary-float",
                              f"{value!r} is a binary float; give an int or a Decimal")
    if isinstance(value, str):
        return json.dumps(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{json.dumps(k)}:{_dump(v, f'{path}.{k}'.lstrip('.'))}"
                              for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_dump(v, f"{path}[{i}]") for i, v in enumerate(value)) + "]"
    raise ValidationError(path, repr(value), "json", f"a {type(value).__name__} is not JSON")


def encode_message(message: Any) -> str:
    """The JSON text the contract parses back into `message` (sorted keys, compact)."""
    if not dataclasses.is_dataclass(message) or isinstance(message, type):
        raise TypeError("encode_message takes a chaincode message dataclass instance")
    return _dump(message, "")


def decode_json(raw: bytes) -> Any:
    """A query's JSON answer with exact numbers (``null`` for an empty payload)."""
    return loads(raw) if raw else None


def decode_events(raw: bytes) -> tuple[DomainEvent, ...]:
    """The domain events of a transaction's result ``{"events": [{name, attributes}]}``."""
    data = decode_json(raw)
    if not isinstance(data, dict):
        return ()
    return tuple(DomainEvent(str(e.get("name", "")), dict(e.get("attributes") or {}))
                 for e in data.get("events", ()) if isinstance(e, dict))


@dataclass(frozen=True)
class LedgerCall(Generic[T]):
    """One transaction function call: ``contract:function(arguments)``.

    Submits carry the chaincode `message` they encode; evaluates carry `decode`, turning
    the answer's bytes into a typed result.
    """

    contract: str
    function: str
    arguments: tuple[str, ...]
    submit: bool
    message: Any = None
    decode: Callable[[bytes], T] = decode_json  # type: ignore[assignment]

    @property
    def operation(self) -> str:
        return f"{self.contract}:{self.function}"


def submit_call(contract: str, function: str, message: Any,
                validate: Callable[[Any], None]) -> LedgerCall[Any]:
    """A validated, encoded transaction: `validate` is the message module's own."""
    validate(message)
    return LedgerCall(contract, function, (encode_message(message),), True, message)


def query_call(contract: str, function: str, *arguments: str,
               decode: Callable[[bytes], T] = decode_json) -> LedgerCall[T]:  # type: ignore[assignment]
    """An evaluate-only call whose answer `decode` turns into a typed result."""
    return LedgerCall(contract, function, tuple(arguments), False, None, decode)


@dataclass(frozen=True)
class TxResult:
    """A committed transaction: its id, block and the domain events it emitted."""

    operation: str
    transaction_id: str
    block_number: int | None
    events: tuple[DomainEvent, ...]

    def event(self, name: str) -> DomainEvent | None:
        """The first event called `name`, if the transaction emitted one."""
        return next((e for e in self.events if e.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"operation": self.operation, "transaction_id": self.transaction_id,
                "block_number": self.block_number,
                "events": [{"name": e.name, "attributes": dict(e.attributes)}
                           for e in self.events]}
