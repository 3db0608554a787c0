"""Stateless checks shared by the token and credit messages.

Each check raises a `ValidationError` that names the field, so a message such as
``transfers[2].quantity_kg: '1.5' is not a whole number of kg-CO2e`` tells the caller
exactly what to fix. Quantities are integers only: JSON numbers parsed by
`envalue.chaincode.domain.quantity.loads` arrive as `int` or `Decimal`, and neither
strings, Decimals, binary floats nor booleans are accepted as a count of units.
Identifier and free-text checks are those of `envalue.chaincode.domain.validators`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.validators import (
    ID_PATTERN,
    MAX_ID_LENGTH,
    MAX_TEXT_LENGTH,
    require_id,
    require_text,
)

__all__ = [
    "ID_PATTERN",
    "MAX_ID_LENGTH",
    "MAX_TEXT_LENGTH",
    "require_bool",
    "require_date",
    "require_id",
    "require_owner_key",
    "require_positive_int",
    "require_text",
    "require_timestamp",
]

#: Upper bound on any single quantity: far above any real lot, far below float trouble.
MAX_QUANTITY = 10**15


def require_positive_int(value: Any, field: str, *, unit: str = "kg-CO2e") -> int:
    """A whole, positive count of units (`int`, not `bool`, not a string or decimal)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            field, value, "integer", f"{value!r} is not a whole number of {unit}"
        )
    if value <= 0:
        raise ValidationError(field, value, "positive", f"{value} must be greater than 0")
    if value > MAX_QUANTITY:
        raise ValidationError(field, value, "magnitude", f"{value} exceeds {MAX_QUANTITY}")
    return value


def require_owner_key(value: Any, field: str) -> str:
    """A holder key ``<MSP ID>/<Go-style client id>`` (the form of `TxContext.owner_key`)."""
    if not isinstance(value, str) or not value:
        raise ValidationError(field, value, "required", "must be a non-empty holder key")
    msp, sep, ident = value.partition("/")
    if not sep or not msp or not ident or "\x00" in value or len(value) > 1024:
        raise ValidationError(
            field, value, "owner-key",
            f"{value!r} is not a holder key '<MSP ID>/<client id>'",
        )
    return value


def require_date(value: Any, field: str) -> date:
    """An ISO calendar date ``YYYY-MM-DD``."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(field, value, "date", f"{value!r} is not a date YYYY-MM-DD")


def require_timestamp(value: Any, field: str) -> datetime:
    """An ISO 8601 timestamp with a UTC offset (naive times are ambiguous on a ledger)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    raise ValidationError(
        field, value, "timestamp", f"{value!r} is not an ISO 8601 timestamp with a UTC offset"
    )


def require_bool(value: Any, field: str) -> bool:
    """A JSON boolean."""
    if not isinstance(value, bool):
        raise ValidationError(field, value, "boolean", f"{value!r} is not true or false")
    return value
