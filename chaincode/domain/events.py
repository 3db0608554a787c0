"""Domain events and how they become the one chaincode event a transaction may carry.

Fabric keeps a single chaincode event per transaction (the last `set_event` wins), so a
domain operation returns a list of events and the contract emits them together under
the operation's name, payload `{"events": [{"name": ..., "attributes": {...}}, ...]}`.
Payloads hold identifiers and quantities, never raw operation data or free text the
caller may consider private.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DomainEvent", "encode_events"]


@dataclass(frozen=True)
class DomainEvent:
    name: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


def encode_events(operation: str, events: Sequence[DomainEvent]) -> tuple[str, bytes]:
    """The chaincode event name and JSON payload for a transaction's domain events."""
    body = {"events": [{"name": e.name, "attributes": dict(e.attributes)} for e in events]}
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return operation, payload.encode("utf-8")
