"""Domain errors: what went wrong, where, and by which rule.

Every error carries the path of the offending field (``fuels[1].hv``), the value found
there, and the short name of the rule it broke, so that the chaincode, the web API and the
CLI can all report it the same way. ``str(error)`` starts with the field path
(``eff_bl: 1.2 is outside (0, 1]``), following regen-ledger's message convention.

Each class states how it surfaces: ``http_status`` for the web API (problem+json) and
``exit_code`` for the CLI (click's convention: 2 means the caller's input was wrong).
This module is pure: no Fabric, click or web imports.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

__all__ = [
    "ConflictError",
    "DomainError",
    "ForbiddenError",
    "NotFoundError",
    "UnknownMethodologyError",
    "ValidationError",
    "format_value",
]


def format_value(value: Any) -> str:
    """Render an offending value for a message without losing or inventing digits."""
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        # Imported lazily: quantity imports this module for its own errors.
        from .quantity import decimal_str

        return decimal_str(value)
    if isinstance(value, str):
        return repr(value)
    return repr(value)


def _json_value(value: Any) -> Any:
    """The offending value for JSON: strings as they were, numbers as decimal strings."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return format_value(value)


class DomainError(Exception):
    """Base of all domain errors: a rule of the platform was broken.

    Attributes:
        field: path of the offending input (``fuels[1].hv``), or ``""`` when the error
            concerns the request as a whole.
        value: the offending value as given (``None`` when it is missing).
        rule: short, stable name of the rule (``required``, ``non-negative``, ...).
        detail: the human sentence after the field path.
    """

    http_status: int = 400
    exit_code: int = 1

    def __init__(self, field: str, value: Any, rule: str, detail: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The full message, starting with the field path when there is one."""
        return f"{self.field}: {self.detail}" if self.field else self.detail

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (for problem+json bodies and ``--json`` CLI errors)."""
        return {
            "type": type(self).__name__,
            "field": self.field,
            "value": _json_value(self.value),
            "rule": self.rule,
            "message": self.message,
        }


class ValidationError(DomainError):
    """The input breaks a stateless rule (missing key, negative value, bad range...)."""

    http_status = 400
    exit_code = 2


class NotFoundError(DomainError):
    """Something the request refers to does not exist."""

    http_status = 404
    exit_code = 3


class UnknownMethodologyError(NotFoundError):
    """No methodology is registered under this name and version."""

    exit_code = 2  # on the CLI a wrong --methodology is a usage error


class ConflictError(DomainError):
    """The request contradicts existing state (duplicate id, overlapping period...)."""

    http_status = 409
    exit_code = 4


class ForbiddenError(DomainError):
    """The actor is not allowed to do this."""

    http_status = 403
    exit_code = 5
