"""Stateless field checks whose rules are the same in every module.

Each check raises a `ValidationError` naming the field. `tokens.rules` (token, credit and
bridge messages) and `registry.fields` (registry and measurement messages) re-export
these and add the checks whose rules differ between them (holder keys, dates,
timestamps).
"""

from __future__ import annotations

import re
from typing import Any

from envalue.chaincode.domain.errors import ValidationError

__all__ = ["ID_PATTERN", "MAX_ID_LENGTH", "MAX_TEXT_LENGTH", "require_id", "require_text"]

#: Identifiers (lot, site, equipment, program... ids) that go into composite keys and
#: serial numbers.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
MAX_ID_LENGTH = 128
#: Free-text fields (notes, reasons, names) are bounded so a record cannot bloat a block.
MAX_TEXT_LENGTH = 1000


def require_id(value: Any, field: str) -> str:
    """An identifier: letters, digits and ``. _ : -``, starting with a letter or digit."""
    if not isinstance(value, str) or not value:
        raise ValidationError(field, value, "required", "must be a non-empty string")
    if len(value) > MAX_ID_LENGTH or not ID_PATTERN.match(value):
        raise ValidationError(
            field, value, "identifier",
            f"{value!r} must be at most {MAX_ID_LENGTH} characters of letters, digits, "
            "'.', '_', ':' or '-', starting with a letter or digit",
        )
    return value


def require_text(value: Any, field: str, *, required: bool = True) -> str:
    """Bounded free text without NUL; optional fields give ``""`` when absent."""
    if value is None or value == "":
        if required:
            raise ValidationError(field, value, "required", "must be a non-empty string")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationError(field, value, "required", "must be a non-empty string")
    if len(value) > MAX_TEXT_LENGTH or "\x00" in value:
        raise ValidationError(
            field, value, "text", f"must be at most {MAX_TEXT_LENGTH} characters without NUL"
        )
    return value
