"""Exact quantities: parsing, exact arithmetic and conservative rounding to whole kg-CO2.

Why exact: credits are minted to the kg, and every implementation (chaincode, dry run,
reports) must compute the same integer. Binary floats never appear: JSON is parsed with
``parse_float=Decimal`` and Python ``float`` inputs are rejected.

Why :class:`fractions.Fraction` internally: inputs are finite decimals, but the rules
divide (``Q / eff_bl``, the battery's PV share, the carbon-to-CO2 ratio 44/12), and a
quotient such as ``0.0193 × 44/12`` has no finite decimal form. Rounding such a value at
any Decimal precision can move a result that is exactly a whole kg across the integer
boundary (``3000 × 0.0193 × 44/12 t`` is exactly 212 300 kg; a 50-digit Decimal gives
212 300.000…01 and a ceiling of 212 301). Rational arithmetic has no such edge, so the
methodologies compute in :class:`Fraction` and round once, with the rounding named by the
rule (:data:`ROUND_BASELINE`, :data:`ROUND_PROJECT`, :data:`ROUND_EMISSIONS`).

Decimal is the exchange format: inputs are Decimal (or decimal strings), and trace values
are rendered with :func:`decimal_str` (exact when the value has a finite decimal form,
otherwise rounded half-even to :data:`TRACE_SIGNIFICANT_DIGITS` significant digits).
"""

from __future__ import annotations

import enum
import json
import math
import re
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction
from typing import Any

from .errors import ValidationError

__all__ = [
    "DECIMAL_CONTEXT",
    "KG_PER_T",
    "ROUND_BASELINE",
    "ROUND_EMISSIONS",
    "ROUND_PROJECT",
    "TRACE_SIGNIFICANT_DIGITS",
    "Rounding",
    "ceil_kg",
    "decimal_str",
    "floor_kg",
    "loads",
    "to_decimal",
    "to_exact",
    "to_kg",
]

#: kg-CO2 per t-CO2.
KG_PER_T = 1000

#: Significant digits of trace values that have no finite decimal form.
TRACE_SIGNIFICANT_DIGITS = 34

#: Bounds on one input number (see :func:`to_exact`): significant digits, decimal exponent
#: range, and terms of an exact expression such as ``"0.0193*44/12"``.
MAX_SIGNIFICANT_DIGITS = 40
MAX_EXPONENT = 30
MAX_EXPRESSION_TERMS = 8

#: Context for any Decimal arithmetic the domain does (rendering, factor tables): wide
#: enough that products of monitored totals and factors are exact, and loud on nonsense.
DECIMAL_CONTEXT = Context(
    prec=80,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


class Rounding(enum.Enum):
    """How a t-CO2 figure becomes whole kg-CO2."""

    FLOOR = "floor"  # towards −∞: never overstates a baseline
    CEIL = "ceil"  # towards +∞: never understates project or inventory emissions


#: Baseline emissions are floored (methodologies.md, Conventions).
ROUND_BASELINE = Rounding.FLOOR
#: Project emissions are ceiled.
ROUND_PROJECT = Rounding.CEIL
#: Inventory emissions are ceiled, per line, before summing.
ROUND_EMISSIONS = Rounding.CEIL

Number = int | Decimal | Fraction

_DECIMAL_LITERAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_DECIMAL_RE = re.compile(rf"^\s*{_DECIMAL_LITERAL}\s*$")
# An exact product/quotient of decimal literals, e.g. "0.0193*44/12" (t-C/GJ -> t-CO2/GJ).
_EXPRESSION_RE = re.compile(rf"^\s*{_DECIMAL_LITERAL}(?:\s*[*/]\s*{_DECIMAL_LITERAL})+\s*$")
_TOKEN_RE = re.compile(rf"([*/])|({_DECIMAL_LITERAL})")


def _exact_decimal(value: Decimal, field: str, raw: Any) -> Fraction:
    if not value.is_finite():
        raise ValidationError(field, raw, "finite", f"{raw!s} is not a finite number")
    if value.is_zero():
        return Fraction(0)
    if (
        len(value.as_tuple().digits) > MAX_SIGNIFICANT_DIGITS
        or not -MAX_EXPONENT <= value.adjusted() < MAX_EXPONENT
    ):
        # Without this bound "1e999999999" would build a billion-digit integer: a cheap way
        # to stall a peer. No monitored total or factor comes near these limits.
        raise ValidationError(
            field,
            raw,
            "magnitude",
            f"{raw!s} is outside the supported range (at most {MAX_SIGNIFICANT_DIGITS} "
            f"significant digits, 1e-{MAX_EXPONENT} <= |x| < 1e{MAX_EXPONENT})",
        )
    return Fraction(value)


def _parse_expression(text: str, field: str) -> Fraction:
    """Evaluate ``a*b/c…`` left to right in exact rational arithmetic (no ``eval``)."""
    result: Fraction | None = None
    operator = "*"
    if text.count("*") + text.count("/") >= MAX_EXPRESSION_TERMS:
        raise ValidationError(
            field, text, "magnitude", f"{text!r} has more than {MAX_EXPRESSION_TERMS} terms"
        )
    for op, literal in _TOKEN_RE.findall(text.replace(" ", "")):
        if op:
            operator = op
            continue
        term = _exact_decimal(Decimal(literal), field, text)
        if result is None:
            result = term
        elif operator == "*":
            result *= term
        elif term == 0:
            raise ValidationError(field, text, "division-by-zero", f"{text!r} divides by zero")
        else:
            result /= term
    assert result is not None  # guaranteed by _EXPRESSION_RE
    return result


def to_exact(value: Any, field: str) -> Fraction:
    """Turn an input value into an exact rational, or raise a ValidationError naming ``field``.

    Accepted: ``int`` (not ``bool``), finite ``Decimal``, ``Fraction``, a decimal string
    (``"38.9"``) or an exact product/quotient of decimal literals (``"0.0193*44/12"``).
    Rejected: ``float`` (binary floats are never exact), ``bool``, NaN/Infinity, numbers
    beyond :data:`MAX_SIGNIFICANT_DIGITS` digits or outside ``1e±``:data:`MAX_EXPONENT`
    (rule ``magnitude``), anything else.
    """
    if isinstance(value, bool):
        raise ValidationError(field, value, "number", f"{value!r} is not a number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return _exact_decimal(Decimal(value), field, value)
    if isinstance(value, Decimal):
        return _exact_decimal(value, field, value)
    if isinstance(value, float):
        raise ValidationError(
            field,
            value,
            "no-binary-float",
            f"{value!r} is a binary float; give a decimal string or parse JSON with "
            "parse_float=Decimal",
        )
    if isinstance(value, str):
        if _DECIMAL_RE.match(value):
            return _exact_decimal(Decimal(value.strip()), field, value)
        if _EXPRESSION_RE.match(value):
            return _parse_expression(value, field)
        raise ValidationError(field, value, "number", f"{value!r} is not a decimal number")
    raise ValidationError(field, value, "number", f"{value!r} is not a decimal number")


def to_decimal(value: Any, field: str) -> Decimal:
    """Like :func:`to_exact` but return a Decimal; the value must have a finite decimal form."""
    exact = to_exact(value, field)
    rendered = _finite_decimal(exact)
    if rendered is None:
        raise ValidationError(
            field, value, "finite-decimal", f"{value!s} has no finite decimal representation"
        )
    return rendered


def _finite_decimal(value: Fraction) -> Decimal | None:
    """The exact Decimal equal to ``value``, or None when its expansion does not terminate."""
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return None
    places = max(twos, fives)
    scaled = value.numerator * 10**places // value.denominator  # exact by construction
    sign = 1 if scaled < 0 else 0
    digits = tuple(int(c) for c in str(abs(scaled)))
    return Decimal((sign, digits, -places))  # tuple construction never rounds


def decimal_str(value: Number) -> str:
    """Plain decimal string (no exponent, no trailing zeros) of an exact value.

    Exact when the value has a finite decimal form; otherwise rounded half-even to
    :data:`TRACE_SIGNIFICANT_DIGITS` significant digits. Used for traces only: results
    in kg are computed from the exact value, never from this string.
    """
    exact = value if isinstance(value, Fraction) else Fraction(value)
    rendered = _finite_decimal(exact)
    if rendered is None:
        with localcontext(DECIMAL_CONTEXT) as ctx:
            ctx.prec = TRACE_SIGNIFICANT_DIGITS
            rendered = Decimal(exact.numerator) / Decimal(exact.denominator)
    if rendered == 0:
        return "0"
    text = format(rendered, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def floor_kg(t_co2: Number) -> int:
    """Whole kg-CO2 not above ``t_co2 × 1000`` (baseline rounding)."""
    return math.floor(Fraction(t_co2) * KG_PER_T)


def ceil_kg(t_co2: Number) -> int:
    """Whole kg-CO2 not below ``t_co2 × 1000`` (project and inventory rounding)."""
    return math.ceil(Fraction(t_co2) * KG_PER_T)


def to_kg(t_co2: Number, rounding: Rounding) -> int:
    """Convert t-CO2 to whole kg-CO2 with the named rounding."""
    return floor_kg(t_co2) if rounding is Rounding.FLOOR else ceil_kg(t_co2)


def _reject_constant(name: str) -> Any:
    raise ValidationError("", name, "finite", f"{name} is not allowed in inputs")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValidationError(key, value, "duplicate-key", "key appears more than once")
        result[key] = value
    return result


def loads(text: str | bytes) -> Any:
    """Parse JSON inputs so that no binary float ever appears.

    Decimals become :class:`Decimal`, integers ``int``; ``NaN``/``Infinity`` and duplicate
    object keys are rejected with a :class:`ValidationError` (a duplicate key would make
    the figure depend on which parser read the file). Malformed JSON is also a
    ValidationError (rule ``json``).
    """
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_no_duplicates,
        )
    except json.JSONDecodeError as exc:
        raise ValidationError(
            "", None, "json", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
