"""Quantities typed by people (CLI options, query strings) into the ledger's integers.

Tokens count whole kg-CO2e and credits whole t-CO2; people write ``1500``, ``1500kg`` or
``1.5t``. Text is read exactly (`quantity.to_decimal`: no binary floats), converted, and
then checked with the chaincode's own rule (`rules.require_positive_int`), so a wrong
quantity fails here with the message the chaincode would give, naming field and rule.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.quantity import DECIMAL_CONTEXT, KG_PER_T, to_decimal
from envalue.chaincode.domain.tokens.rules import require_positive_int

__all__ = ["parse_kg", "parse_tonnes", "parse_yen"]


def _split(text: Any, field: str, units: tuple[str, ...]) -> tuple[Decimal, str]:
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        raise ValidationError(field, text, "number", f"{text!r} is not a quantity")
    raw = str(text).strip()
    unit = next((u for u in units if raw.lower().endswith(u)), "")
    number = raw[:len(raw) - len(unit)].strip() if unit else raw
    return to_decimal(number, field), unit


def _whole(value: Decimal, text: Any, field: str, rule: str, detail: str) -> int:
    if value != value.to_integral_value():
        raise ValidationError(field, text, rule, detail)
    return int(value)


def parse_kg(text: Any, field: str = "quantity_kg") -> int:
    """Whole positive kg-CO2e from ``1500``, ``1500kg`` or ``1.5t``."""
    value, unit = _split(text, field, ("kg", "t"))
    if unit == "t":
        kg = _whole(DECIMAL_CONTEXT.multiply(value, KG_PER_T), text, field, "whole-kg",
                    f"{text!r} is not a whole number of kg-CO2e (1 t = {KG_PER_T} kg)")
    else:
        kg = _whole(value, text, field, "integer",
                    f"{text!r} is not a whole number of kg-CO2e; give whole kg, or tonnes "
                    "with a 't' suffix (1.5t)")
    return require_positive_int(kg, field)


def parse_tonnes(text: Any, field: str = "quantity_t") -> int:
    """Whole positive t-CO2 (credits) from ``3``, ``3t`` or ``3000kg``."""
    value, unit = _split(text, field, ("kg", "t"))
    if unit == "kg":
        value = DECIMAL_CONTEXT.divide(value, KG_PER_T)
    tonnes = _whole(value, text, field, "integer",
                    f"{text!r} is not a whole number of t-CO2 (credits are whole tonnes)")
    return require_positive_int(tonnes, field, unit="t-CO2")


def parse_yen(text: Any, field: str = "proceeds_yen") -> int:
    """Whole, non-negative yen (the rule `allocation.split_pro_rata` applies)."""
    value, _ = _split(text, field, ("yen",))
    yen = _whole(value, text, field, "non-negative-integer",
                 f"{text!r} is not a whole, non-negative number of yen")
    if yen < 0:
        raise ValidationError(field, text, "non-negative-integer",
                              f"{text!r} is not a whole, non-negative number of yen")
    return yen
