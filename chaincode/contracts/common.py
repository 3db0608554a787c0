"""What every contract does around a domain call: JSON message in, one event out, and
refusals sent so that clients get the field, value and rule back.

`EnvalueContract` is the base of every contract: it sets the transaction context
(`EnvalueContext`) and wraps each public coroutine so that a refusal leaves as a
`ChaincodeRefusal`, whose ``str()`` is the compact, sorted-key JSON of
`DomainError.to_dict()` (type, field, value, rule, message). The contract API sends
``str(exception)`` as the message of its ``Response(status=500)``; the Gateway hands it to
clients as ``chaincode response 500, <json>``, which `envalue.ledger.errors` decodes.
Identity failures (`AccessDeniedError`, `IdentityError`) leave in the same shape as a
`ForbiddenError` on field ``actor``. Other exceptions (the peer failing a state call,
bugs) pass through unchanged.

`parse`/`build` (re-exported from the shim-free `envalue.chaincode.domain.messages`) build
a message dataclass from JSON; `tx_context` takes the caller, tx id and timestamp from the
proposal; `emit` sets the transaction's one chaincode event (all domain events together,
named after the function) and returns its payload; `execute` is the three in a row;
`dumps` renders query results.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fabric_chaincode_python.fabric_contract_api import Contract

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import DomainError, ForbiddenError
from envalue.chaincode.domain.events import DomainEvent, encode_events
from envalue.chaincode.domain.messages import build, parse
from envalue.chaincode.domain.store import Store
from envalue.chaincode.identity import AccessDeniedError, IdentityError
from envalue.chaincode.runtime.context import EnvalueContext

__all__ = [
    "ChaincodeRefusal",
    "EnvalueContract",
    "as_domain_error",
    "build",
    "dumps",
    "emit",
    "execute",
    "parse",
    "refusal_message",
    "refusing",
    "tx_context",
]

M = TypeVar("M")
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


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


def refusal_message(error: DomainError) -> str:
    """The response message of a refusal: `error.to_dict()` as compact, sorted-key JSON."""
    return dumps(error.to_dict())


def as_domain_error(exc: BaseException) -> DomainError | None:
    """The refusal `exc` stands for, or None when it is not a refusal (a fault, a bug)."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, AccessDeniedError):
        return ForbiddenError("actor", exc.actor_key, "access-denied", str(exc))
    if isinstance(exc, IdentityError):
        return ForbiddenError("actor", None, "identity", str(exc))
    return None


class ChaincodeRefusal(Exception):
    """A refused transaction on its way out: ``str()`` is `refusal_message(error)`.

    `error` is the refusal as a `DomainError`; ``__cause__`` is the exception raised.
    """

    def __init__(self, error: DomainError) -> None:
        super().__init__(refusal_message(error))
        self.error = error


def refusing(method: F) -> F:
    """`method` with its refusals re-raised as `ChaincodeRefusal`; signature and hints kept."""

    @functools.wraps(method)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except ChaincodeRefusal:
            raise
        except Exception as exc:
            error = as_domain_error(exc)
            if error is None:
                raise
            raise ChaincodeRefusal(error) from exc

    wrapper.__envalue_refusing__ = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


class EnvalueContract(Contract):
    """Base of envalue's contracts: `EnvalueContext`, and refusals sent as JSON.

    Every public coroutine a subclass defines is wrapped with `refusing` when the class
    is created; `functools.wraps` keeps the name, signature and type hints the contract
    API reads to register the function and describe it in the metadata.
    """

    TransactionContextHandler = EnvalueContext

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, attr in list(vars(cls).items()):
            if (not name.startswith("_") and inspect.iscoroutinefunction(attr)
                    and not getattr(attr, "__envalue_refusing__", False)):
                setattr(cls, name, refusing(attr))
