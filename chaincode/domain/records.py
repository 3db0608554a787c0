"""World-state records: the one JSON codec and load/save every ledger table goes through.

A record is a dataclass of JSON values stored under ``key()``. Its bytes are the JSON
object of its fields with sorted keys and no insignificant whitespace, so every endorsing
peer writes identical bytes; unknown keys in stored JSON are ignored when reading (older
or newer records stay readable).

`ENSURE_ASCII` is part of a table family's byte format and must never change for tables
already on a ledger: the token, credit, bridge, wrapped and proof tables escape non-ASCII
characters (``\\u6075``), the registry and measurement tables write them as UTF-8.

Each family keeps its own key convention and lookup signature (`tokens.state`:
explicit keys and ``KIND`` names; `registry.state`: ``TABLE`` and ``key_parts()``); both
are thin layers over `load_or_none`, `load_required` and `save` here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any, ClassVar, Self, TypeVar

from envalue.chaincode.domain.errors import NotFoundError
from envalue.chaincode.domain.store import Store

__all__ = [
    "JsonRecord",
    "canonical_json",
    "compact_json",
    "load_or_none",
    "load_required",
    "save",
]


def compact_json(data: Any, *, ensure_ascii: bool = True) -> bytes:
    """Deterministic JSON bytes: sorted keys, compact separators."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=ensure_ascii
    ).encode()


def canonical_json(data: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, compact, UTF-8."""
    return compact_json(data, ensure_ascii=False)


class JsonRecord:
    """JSON (de)serialisation of a dataclass record stored under `key()`."""

    #: Escape non-ASCII characters in `to_bytes` (the table family's byte format).
    ENSURE_ASCII: ClassVar[bool] = True

    def key(self) -> str:
        """The world-state key the record is stored under."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    def to_bytes(self) -> bytes:
        return compact_json(self.to_dict(), ensure_ascii=self.ENSURE_ASCII)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def from_bytes(cls, raw: bytes) -> Self:
        return cls.from_dict(json.loads(raw))


R = TypeVar("R", bound=JsonRecord)


async def save(store: Store, record: JsonRecord) -> None:
    """Write `record` under its key."""
    await store.put(record.key(), record.to_bytes())


async def load_or_none(store: Store, cls: type[R], key: str) -> R | None:
    """The committed record of `cls` under `key`, or None."""
    raw = await store.get(key)
    return None if raw is None else cls.from_bytes(raw)


async def load_required(store: Store, cls: type[R], key: str, field: str, value: Any,
                        detail: str, rule: str = "exists") -> R:
    """The committed record under `key`, or NotFoundError(field, value, rule, detail)."""
    record = await load_or_none(store, cls, key)
    if record is None:
        raise NotFoundError(field, value, rule, detail)
    return record
