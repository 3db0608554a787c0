"""JSON into the chaincode's message dataclasses: one builder for chaincode and clients.

`build` turns a decoded JSON object into a message dataclass (nested messages and tuples
included), refusing unknown fields, missing required fields, wrong shapes and control
characters in text with a `ValidationError` naming field, value and rule; `parse` is
`quantity.loads` (``1.5`` stays a Decimal and is refused by the integer checks) followed
by `build`.

Standard library and domain only: the contracts use it, and so do the portal, the CLI and
the bridge API, which must not import ``envalue.chaincode.contracts`` (that loads the
fabric-chaincode-python shim, which sets the process's logging to DEBUG and starts a
thread). Containers are reported by type, never echoed whole, in an error's value.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.quantity import loads

__all__ = ["CONTROL_CHARACTERS", "build", "parse"]

#: C0 control characters refused in text fields (tab, LF and CR are text): a NUL cannot
#: even be stored by the read model's PostgreSQL, and none of them belongs in a record.
CONTROL_CHARACTERS = frozenset(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") | {
    "\x7f"}

M = TypeVar("M")


def build(cls: type[M], data: Any, path: str = "") -> M:
    """A message dataclass from a JSON object; `path` prefixes field names (``items[0].``)."""
    if not isinstance(data, Mapping):
        raise ValidationError(path.rstrip("."), _shown(data), "object", "must be a JSON object")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for name in data:
        if name not in known:
            raise ValidationError(f"{path}{name}", _shown(data[name]), "unknown-field",
                                  "is not a field of this message")
    values: dict[str, Any] = {}
    for name, fld in known.items():
        if name not in data:
            if fld.default is dataclasses.MISSING and fld.default_factory is dataclasses.MISSING:
                raise ValidationError(f"{path}{name}", None, "required", "is required")
            continue
        values[name] = _convert(hints[name], data[name], f"{path}{name}")
    return cls(**values)


def parse(cls: type[M], text: str | bytes) -> M:
    """A message dataclass from JSON text, numbers read exactly (`quantity.loads`)."""
    return build(cls, loads(text))


def _shown(value: Any) -> Any:
    """Containers are reported by type, not echoed whole."""
    return f"<{type(value).__name__}>" if isinstance(value, list | tuple | dict) else value


def _convert(hint: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _convert(options[0], value, path)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ValidationError(path, _shown(value), "array", "must be a JSON array")
        item_type = typing.get_args(hint)[0]
        return tuple(_convert(item_type, v, f"{path}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return build(hint, value, f"{path}.")  # type: ignore[arg-type]
    if hint is str:  # validators compare and look text up: an object there must not crash them
        if not isinstance(value, str):
            raise ValidationError(path, _shown(value), "string", "must be a string")
        bad = next((c for c in value if c in CONTROL_CHARACTERS), None)
        if bad is not None:
            raise ValidationError(path, value.encode("unicode_escape").decode("ascii")[:80],
                                  "control-character",
                                  f"must not contain control character U+{ord(bad):04X} "
                                  "(tab, line feed and carriage return are allowed)")
        return value
    if origin is list and isinstance(value, list):
        item_type = typing.get_args(hint)[0]
        return [_convert(item_type, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict and isinstance(value, Mapping):
        item_type = typing.get_args(hint)[1]
        return {k: _convert(item_type, v, f"{path}.{k}") for k, v in value.items()}
    return value
