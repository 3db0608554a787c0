"""The shapes the projector's per-area modules declare, and the row helpers they share.

Each area (`project_tokens`, `project_credits`, `project_registry`, `project_bridge`)
declares:

- ``MIRRORS``: ordered ``(object type, record class, function)`` triples; the function
  copies every record of that type the transaction wrote into its table (the ledger's
  own figures, decoded by the chaincode's own record class);
- ``RULES``: per domain event name, the record types its transaction must have written
  (else the event cannot be projected faithfully) and the attributes it must carry, plus
  an optional function adding the rows that are the event itself (transfers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from envalue.chaincode.domain.records import JsonRecord
from envalue.network.topology import CHANNEL

from .records import DomainEventData
from .schema import Base

__all__ = ["EventContext", "EventRule", "Mirror", "Ref", "attr_int", "attr_str", "is_newer",
           "joined", "listed", "upsert"]

M = TypeVar("M", bound=Base)


@dataclass(frozen=True)
class Ref:
    """The transaction a row change comes from, the channel it was committed on (the
    consortium channel the listener follows unless told otherwise) and its timestamp
    (`ChaincodeEventRecord.timestamp`)."""

    tx_id: str
    block_number: int
    channel: str = CHANNEL
    at: str = ""


@dataclass(frozen=True)
class EventContext:
    """What an event's row function sees."""

    ref: Ref
    event: DomainEventData

    @property
    def attrs(self) -> Mapping[str, Any]:
        return self.event.attributes


@dataclass(frozen=True)
class Mirror:
    """Copy each written record of `object_type` (decoded as `record`) with `apply`."""

    object_type: str
    record: type[JsonRecord]
    apply: Callable[[Session, Any, Ref], None]


@dataclass(frozen=True)
class EventRule:
    """How one domain event is projected (see the module docstring)."""

    requires: tuple[str, ...] = ()
    ints: tuple[str, ...] = ()
    strs: tuple[str, ...] = ()
    rows: Callable[[Session, EventContext], None] | None = None
    note: str = field(default="", compare=False)

    def problems(self, attrs: Mapping[str, Any], written: set[str]) -> list[str]:
        """Why the event cannot be projected (empty: it can)."""
        out = [f"attribute {name!r} is not an integer: {attrs.get(name)!r}"
               for name in self.ints if not _is_int(attrs.get(name))]
        out += [f"attribute {name!r} is not a non-empty string: {attrs.get(name)!r}"
                for name in self.strs if not (isinstance(attrs.get(name), str)
                                              and attrs.get(name))]
        missing = [t for t in self.requires if t not in written]
        if missing:
            out.append(f"the transaction's write set has no {', '.join(missing)} record "
                       "(the event was read without its block's write set)")
        return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def attr_int(ctx: EventContext, name: str) -> int:
    value = ctx.attrs[name]
    if not _is_int(value):  # checked by EventRule.problems before rows run
        raise AssertionError(f"{name} is not an integer")
    return int(value)


def attr_str(ctx: EventContext, name: str) -> str:
    return str(ctx.attrs[name])


def upsert(session: Session, model: type[M], ref: Ref, **values: Any) -> M:
    """Insert or update the row of `model` whose primary key is in `values`; its ledger
    reference moves to `ref` only when a value actually changes. A row last changed in a
    later block than `ref` is kept: an older record never overwrites a newer one."""
    key = tuple(values[column.key] for column in model.__mapper__.primary_key)
    row = session.get(model, key)
    if row is None:
        row = model(**values)
        session.add(row)
    elif is_newer(row, ref) or all(getattr(row, n) == v for n, v in values.items()):
        return row
    else:
        for name, value in values.items():
            setattr(row, name, value)
    row.tx_id, row.block_number = ref.tx_id, ref.block_number  # type: ignore[attr-defined]
    return row


def is_newer(row: Any, ref: Ref) -> bool:
    """Whether `row` was last changed in a block after `ref`'s."""
    return bool(row.block_number > ref.block_number)


def joined(items: Sequence[Any]) -> str:
    """A list column stored as comma-separated text."""
    return ",".join(str(i) for i in items)


def listed(text: str) -> list[str]:
    """The items of a `joined` list column (none for an empty text)."""
    return [item for item in text.split(",") if item]
