"""`probe`: a small contract the network tests and benchmarks drive.

- `put(key, value)` / `get(key)`: plain writes and reads; `put` emits `ValuePut`
  with the key only (never the value);
- `increment(counter)`: read-modify-write of a composite key, emits
  `CounterIncremented`; concurrent increments of one counter conflict (MVCC);
- `whoami()`: the caller as the chaincode sees it (MSP, Go-style id, role);
- `put_restricted(key, value)`: as `put`, for role `operator` of PlatformMSP or
  MarketMSP only.

The contract only parses arguments and takes the actor; the work is done by the
module-level functions below over a `Store`, which unit tests call directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from envalue.chaincode.contracts.common import EnvalueContract
from envalue.chaincode.domain.errors import NotFoundError, ValidationError
from envalue.chaincode.domain.store import COMPOSITE_KEY_NAMESPACE, Store, composite_key
from envalue.chaincode.identity import Actor, require_msp, require_role
from envalue.chaincode.runtime.context import EnvalueContext

__all__ = [
    "COUNTER_TYPE",
    "ProbeContract",
    "ProbeError",
    "ProbeEvent",
    "increment_counter",
    "put_value",
    "read_value",
    "whoami",
]

#: Composite-key object type of counters.
COUNTER_TYPE = "probe.counter"
RESTRICTED_MSPS = ("PlatformMSP", "MarketMSP")
RESTRICTED_ROLES = ("operator",)
MAX_KEY_LENGTH = 256


class ProbeError(ValidationError):
    """Invalid probe input (reading a key that holds nothing is a `NotFoundError`)."""


@dataclass(frozen=True)
class ProbeEvent:
    """A chaincode event: name and JSON payload."""

    name: str
    payload: bytes


def _json(data: object) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def validate_key(key: str) -> str:
    """Plain keys: non-empty, bounded, and outside the composite-key namespace."""
    if not key:
        raise ProbeError("key", key, "required", "must not be empty")
    if len(key) > MAX_KEY_LENGTH:
        raise ProbeError("key", f"<{len(key)} characters>", "max-length",
                         f"longer than {MAX_KEY_LENGTH} characters")
    if key.startswith(COMPOSITE_KEY_NAMESPACE):
        raise ProbeError("key", key, "plain-key", "must not start with U+0000")
    return key


async def put_value(store: Store, key: str, value: str, *, restricted: bool = False) -> ProbeEvent:
    """Write `value` under `key`; the event names the key, never the value."""
    await store.put(validate_key(key), value.encode("utf-8"))
    event = {"key": key, "restricted": True} if restricted else {"key": key}
    return ProbeEvent("ValuePut", _json(event))


async def read_value(store: Store, key: str) -> str:
    """The value under `key`; `NotFoundError` when there is none."""
    raw = await store.get(validate_key(key))
    if raw is None:
        raise NotFoundError("key", key, "exists", f"{key!r} not found")
    return raw.decode("utf-8")


async def increment_counter(store: Store, counter: str, at: datetime) -> tuple[int, ProbeEvent]:
    """Add one to `counter` (missing counters start at 0); returns the new value."""
    if not counter:
        raise ProbeError("counter", counter, "required", "must not be empty")
    key = composite_key(COUNTER_TYPE, counter)
    raw = await store.get(key)
    current = int(json.loads(raw)["value"]) if raw is not None else 0
    value = current + 1
    updated_at = at.isoformat()
    await store.put(key, _json({"value": value, "updated_at": updated_at}))
    event = {"counter": counter, "value": value, "updated_at": updated_at}
    return value, ProbeEvent("CounterIncremented", _json(event))


def whoami(actor: Actor) -> str:
    """The actor as JSON: msp_id, id, role (null when absent)."""
    return json.dumps({"msp_id": actor.msp_id, "id": actor.id, "role": actor.role})


class ProbeContract(EnvalueContract):
    """Contract `probe`; thin wrappers over the functions above."""

    Name = "probe"

    def get_evaluate_transactions(self) -> list[str]:
        """Read-only functions (tagged EVALUATE in the metadata)."""
        return ["get", "whoami"]

    async def put(self, ctx: EnvalueContext, key: str, value: str) -> None:
        event = await put_value(ctx.store, key, value)
        ctx.set_event(event.name, event.payload)

    async def get(self, ctx: EnvalueContext, key: str) -> str:
        return await read_value(ctx.store, key)

    async def increment(self, ctx: EnvalueContext, counter: str) -> int:
        value, event = await increment_counter(ctx.store, counter, ctx.timestamp)
        ctx.set_event(event.name, event.payload)
        return value

    async def whoami(self, ctx: EnvalueContext) -> str:
        return whoami(ctx.actor)

    async def put_restricted(self, ctx: EnvalueContext, key: str, value: str) -> None:
        require_msp(ctx.actor, *RESTRICTED_MSPS, function=ctx.function)
        require_role(ctx.actor, *RESTRICTED_ROLES, function=ctx.function)
        event = await put_value(ctx.store, key, value, restricted=True)
        ctx.set_event(event.name, event.payload)
