"""Exact decimal handling: parsing text to Decimal and arithmetic that never rounds.

Why: totals become tokens; a float round-trip or a silent rounding at Decimal's default
28 digits would change them. Values are limited to a range where sums of many readings
stay exact in `EXACT` (which traps on any rounding instead of rounding).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Context, Decimal, Inexact, InvalidOperation, Rounded

from envalue.chaincode.domain.merkle import decimal_text

__all__ = [
    "EXACT",
    "DECIMAL_PATTERN",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "decimal_text",
    "exact_sum",
    "parse_decimal",
]

# Plain or scientific decimal; no NaN/Infinity, no thousands separators.
DECIMAL_PATTERN = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_DECIMAL_RE = re.compile(DECIMAL_PATTERN)
MAX_DIGITS = 30  # significant digits accepted in one value
MAX_EXPONENT = 18  # |adjusted exponent| accepted in one value

# 80 digits: far above any sum of in-range values; Inexact/Rounded trap instead of rounding.
EXACT = Context(prec=80, traps=[Inexact, Rounded, InvalidOperation])


def parse_decimal(text: str) -> tuple[Decimal | None, str]:
    """Parse `text` to an exact Decimal; return (value, "") or (None, reason)."""
    stripped = text.strip()
    if not _DECIMAL_RE.fullmatch(stripped):
        return None, "not a decimal number"
    value = Decimal(stripped)
    if value.is_zero():
        return Decimal(0), ""
    digits = len(value.normalize(EXACT).as_tuple().digits)
    if digits > MAX_DIGITS or abs(value.adjusted()) > MAX_EXPONENT:
        return None, (
            f"outside the accepted range (≤{MAX_DIGITS} digits, |exponent|≤{MAX_EXPONENT})"
        )
    return value, ""


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """Sum without rounding (raises decimal.Inexact rather than lose a digit)."""
    total = Decimal(0)
    for v in values:
        total = EXACT.add(total, v)
    return total
