"""Canonical JSON: the exact bytes a certificate signature covers.

Why a canonical form: a signed JSON document is re-serialised by every tool that touches
it (pretty-printers, databases, browsers), so the signature covers a form that any
verifier can rebuild from the parsed document: keys sorted, no whitespace, UTF-8 (non-ASCII
characters as themselves, not ``\\u`` escapes), and only strings, integers, booleans,
null, lists and objects. Binary floats are refused: a quantity must be an integer count
or an exact decimal string, never a value that two JSON libraries may print differently.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["CanonicalJSONError", "canonical_json", "check_canonical_value"]


class CanonicalJSONError(ValueError):
    """A value cannot be represented in canonical JSON (a float, a non-string key, ...)."""


def check_canonical_value(value: Any, path: str = "$") -> None:
    """Raise `CanonicalJSONError` naming the path of the first value canonical JSON refuses."""
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, int):
        return
    if isinstance(value, float):
        raise CanonicalJSONError(f"{path}: {value!r} is a float; use an integer or a string")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJSONError(f"{path}: key {key!r} is not a string")
            check_canonical_value(item, f"{path}.{key}")
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            check_canonical_value(item, f"{path}[{index}]")
        return
    raise CanonicalJSONError(f"{path}: {type(value).__name__} is not a JSON value")


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 bytes of `value` (sorted keys, no whitespace, no floats)."""
    check_canonical_value(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
