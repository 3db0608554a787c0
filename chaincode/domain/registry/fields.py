"""Stateless field checks shared by the registry and measurement messages.

Every check raises a `ValidationError` naming the field (``meters[0].serial: must be a
non-empty string``) so the chaincode, the portal and the CLI report refusals alike.
Identifier and free-text checks are those of `envalue.chaincode.domain.validators`.
Values that go into records are normalised here, once: timestamps become the fixed-width
UTC form of `merkle.format_timestamp` (byte order = time order, so they can sit in
composite keys), decimals the plain form of `merkle.decimal_text`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import MISSING, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.merkle import decimal_text, format_timestamp
from envalue.chaincode.domain.messages import build
from envalue.chaincode.domain.quantity import to_decimal
from envalue.chaincode.domain.validators import (
    ID_PATTERN,
    MAX_ID_LENGTH,
    MAX_TEXT_LENGTH,
    require_id,
    require_text,
)
from envalue.chaincode.identity import MSP_IDS

__all__ = [
    "ID_PATTERN",
    "MAX_ID_LENGTH",
    "MAX_TEXT_LENGTH",
    "message_from_dict",
    "parse_timestamp",
    "require_date",
    "require_decimal",
    "require_id",
    "require_int",
    "require_list",
    "require_mapping",
    "require_msp",
    "require_owner_key",
    "require_sha256",
    "require_text",
    "require_timestamp",
]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")

M = TypeVar("M")


def message_from_dict(cls: type[M], data: Any, path: str = "") -> M:
    """Build message dataclass `cls` from a JSON object: unknown keys and missing required
    keys are refused by name; values are checked later by the message's `validate`."""
    if not isinstance(data, Mapping):
        raise ValidationError(path, data, "object", "message must be a JSON object")
    names = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    for key in data:
        if key not in names:
            raise ValidationError(
                _join(path, str(key)), data[key], "unknown-field",
                f"is not a field of {cls.__name__} (expected one of: {', '.join(sorted(names))})",
            )
    for name, spec in names.items():
        required = spec.default is MISSING and spec.default_factory is MISSING
        if required and name not in data:
            raise ValidationError(_join(path, name), None, "required", "is required")
    return build(cls, data, f"{path}." if path else "")  # typed values (text is text)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def require_msp(value: Any, field: str) -> str:
    """An MSP ID of the consortium."""
    if value not in MSP_IDS:
        raise ValidationError(
            field, value, "msp", f"{value!r} is not a consortium MSP ({', '.join(sorted(MSP_IDS))})"
        )
    return str(value)


def require_owner_key(value: Any, field: str, *, msp: str | None = None) -> str:
    """A holder key ``<MSP ID>/<Go-style client id>``, optionally of organisation `msp`."""
    if not isinstance(value, str) or not value:
        raise ValidationError(field, value, "required", "must be a non-empty holder key")
    owner_msp, sep, ident = value.partition("/")
    if not sep or not ident or owner_msp not in MSP_IDS or "\x00" in value or len(value) > 1024:
        raise ValidationError(
            field, value, "owner-key", f"{value!r} is not a holder key '<MSP ID>/<client id>'"
        )
    if msp is not None and owner_msp != msp:
        raise ValidationError(
            field, value, "owner-key-msp", f"holder key belongs to {owner_msp}, not to {msp}"
        )
    return value


def parse_timestamp(value: str) -> datetime:
    """Parse a timestamp already checked by `require_timestamp` (UTC, tz-aware)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def require_timestamp(value: Any, field: str) -> str:
    """An ISO 8601 timestamp with a UTC offset, returned in the fixed-width UTC form."""
    if isinstance(value, str) and 10 < len(value) <= 40:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return format_timestamp(parsed)
    raise ValidationError(
        field, value, "timestamp", f"{value!r} is not an ISO 8601 timestamp with a UTC offset"
    )


def require_date(value: Any, field: str) -> str:
    """An ISO calendar date ``YYYY-MM-DD`` (returned as such)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ValidationError(field, value, "date", f"{value!r} is not a date YYYY-MM-DD")


def require_decimal(
    value: Any, field: str, *, minimum: Decimal | None = Decimal(0), exclusive: bool = False
) -> str:
    """An exact decimal (string or int; never a binary float), as its plain text.

    `minimum` bounds it from below (inclusive unless `exclusive`).
    """
    number = to_decimal(value, field)
    if minimum is not None and (number < minimum or (exclusive and number == minimum)):
        relation = ">" if exclusive else ">="
        raise ValidationError(
            field, value, "range", f"{decimal_text(number)} must be {relation} {minimum}"
        )
    return decimal_text(number)


def require_int(value: Any, field: str, *, minimum: int = 0) -> int:
    """A whole JSON number (not bool) not below `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, value, "integer", f"{value!r} is not a whole number")
    if value < minimum:
        raise ValidationError(field, value, "range", f"{value} must be >= {minimum}")
    return value


def require_sha256(value: Any, field: str) -> str:
    """A lower-case hex SHA-256 digest."""
    if not isinstance(value, str) or not _SHA256.match(value):
        raise ValidationError(
            field, value, "sha256", f"{value!r} is not a lower-case hex SHA-256 digest"
        )
    return value


def require_mapping(value: Any, field: str) -> Mapping[str, Any]:
    """A JSON object."""
    if not isinstance(value, Mapping):
        raise ValidationError(field, value, "object", "must be a JSON object")
    return value


def require_list(value: Any, field: str, *, min_items: int = 0, max_items: int = 1000) -> list[Any]:
    """A JSON array with a bounded number of items."""
    if not isinstance(value, list | tuple):
        raise ValidationError(field, value, "list", "must be a JSON array")
    if not min_items <= len(value) <= max_items:
        raise ValidationError(
            field, len(value), "items", f"must have {min_items} to {max_items} items"
        )
    return list(value)
