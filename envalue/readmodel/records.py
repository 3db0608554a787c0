"""What the projector consumes: one transaction's chaincode event with its write set.

Why the write set travels with the event: the domain events name what happened and carry
identifiers and quantities, but several of them are summaries (``EventBundle`` says how
many holdings were bundled, not which; ``EventSettleReport`` counts settled members;
``EventRetire`` omits the beneficiary). The records the transaction wrote — the same
JSON the chaincode's own record classes read back — say exactly which rows changed and to
what, so the read model copies the ledger's figures instead of recomputing the domain's
rules. The listener reads both from the committed block.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from envalue.chaincode.domain.records import JsonRecord
from envalue.chaincode.domain.store import COMPOSITE_KEY_NAMESPACE
from envalue.client import ChaincodeEvent

__all__ = ["ChaincodeEventRecord", "DomainEventData", "PayloadError", "WriteSet", "msp_of",
           "split_key"]

R = TypeVar("R", bound=JsonRecord)


class PayloadError(ValueError):
    """The chaincode event payload is not ``{"events": [{"name", "attributes"}...]}``."""


@dataclass(frozen=True)
class DomainEventData:
    """One decoded domain event of a transaction (its index is its position)."""

    index: int
    name: str
    attributes: Mapping[str, Any]


@dataclass(frozen=True)
class ChaincodeEventRecord:
    """A committed transaction's chaincode event, where it is, and what it wrote.

    `writes` maps each key the transaction wrote in the chaincode's namespace to its new
    value (``None``: deleted). It is empty when the event came without its block, and
    events that need records then stay unprojected with that reason. `timestamp` is the
    transaction's timestamp from its channel header, ISO 8601 as the chaincode writes it
    (`envalue.chaincode.domain.tokens.ledger.TokenLedger.when`); empty without the block.
    """

    block_number: int
    transaction_id: str
    chaincode_name: str
    event_name: str
    payload: bytes = field(repr=False)
    writes: Mapping[str, bytes | None] = field(default_factory=dict, repr=False)
    timestamp: str = ""

    @classmethod
    def from_event(cls, event: ChaincodeEvent,
                   writes: Mapping[str, bytes | None] | None = None) -> ChaincodeEventRecord:
        return cls(event.block_number, event.transaction_id, event.chaincode_name,
                   event.event_name, event.payload, dict(writes or {}))

    def as_chaincode_event(self) -> ChaincodeEvent:
        """The SDK's event (what checkpointers take)."""
        return ChaincodeEvent(self.block_number, self.transaction_id, self.chaincode_name,
                              self.event_name, self.payload)

    def domain_events(self) -> list[DomainEventData]:
        """The payload's domain events, in order; `PayloadError` names what is wrong."""
        if not self.payload:
            raise PayloadError("the transaction set no chaincode event")
        try:
            body = json.loads(self.payload)
        except ValueError as exc:
            raise PayloadError(f"payload is not JSON ({exc})") from None
        events = body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list):
            raise PayloadError('payload has no "events" list')
        out: list[DomainEventData] = []
        for i, item in enumerate(events):
            if not (isinstance(item, dict) and isinstance(item.get("name"), str)
                    and isinstance(item.get("attributes", {}), dict)):
                raise PayloadError(f"events[{i}] is not an object with a name and attributes")
            out.append(DomainEventData(i, item["name"], item.get("attributes", {})))
        return out


def split_key(key: str) -> tuple[str, ...] | None:
    """``(object type, *attributes)`` of a composite key, or None for a simple key."""
    if not key.startswith(COMPOSITE_KEY_NAMESPACE) or not key.endswith("\x00"):
        return None
    return tuple(key[1:-1].split("\x00"))


def msp_of(owner: str) -> str:
    """The MSP id of a holder key ``<msp id>/<client id>``."""
    return owner.partition("/")[0]


class WriteSet:
    """A transaction's writes grouped by composite-key object type."""

    def __init__(self, writes: Mapping[str, bytes | None]) -> None:
        self._by_type: dict[str, list[tuple[tuple[str, ...], bytes | None]]] = {}
        for key, value in writes.items():
            parts = split_key(key)
            if parts:
                self._by_type.setdefault(parts[0], []).append((parts[1:], value))

    def types(self) -> set[str]:
        return set(self._by_type)

    def has(self, object_type: str) -> bool:
        return any(v is not None for _, v in self._by_type.get(object_type, ()))

    def values(self, object_type: str) -> Iterator[bytes]:
        """The written (not deleted) values of `object_type`, in key order."""
        for _, value in sorted(self._by_type.get(object_type, ()), key=lambda kv: kv[0]):
            if value is not None:
                yield value

    def records(self, object_type: str, cls: type[R]) -> list[R]:
        """The written records of `object_type`, decoded by the chaincode's own class."""
        return [cls.from_bytes(raw) for raw in self.values(object_type)]
