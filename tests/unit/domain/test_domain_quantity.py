"""quantity: exact parsing, conservative rounding, rendering; never a binary float."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.quantity import (
    ROUND_BASELINE,
    ROUND_EMISSIONS,
    ROUND_PROJECT,
    Rounding,
    ceil_kg,
    decimal_str,
    floor_kg,
    loads,
    to_decimal,
    to_exact,
    to_kg,
)

pytestmark = pytest.mark.unit

decimals = st.decimals(
    allow_nan=False, allow_infinity=False, places=9, min_value=-(10**9), max_value=10**9
)


def test_loads_gives_decimal_never_float():
    data = loads('{"a": 0.1, "b": 3, "c": [1.5e-3]}')
    assert data == {"a": Decimal("0.1"), "b": 3, "c": [Decimal("0.0015")]}
    assert type(data["a"]) is Decimal and type(data["b"]) is int


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}'])
def test_loads_rejects_non_finite(text):
    with pytest.raises(ValidationError) as err:
        loads(text)
    assert err.value.rule == "finite"


def test_loads_rejects_duplicate_keys_naming_the_key():
    with pytest.raises(ValidationError) as err:
        loads('{"ef_grid": 0.0004, "ef_grid": 0.0005}')
    assert err.value.field == "ef_grid" and err.value.rule == "duplicate-key"
    assert str(err.value).startswith("ef_grid: ")


def test_loads_malformed_json_is_a_validation_error():
    with pytest.raises(ValidationError) as err:
        loads('{"a": 1,}')
    assert err.value.rule == "json" and err.value.exit_code == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, Fraction(3)),
        (Decimal("38.9"), Fraction(389, 10)),
        ("38.9", Fraction(389, 10)),
        (" 1e-3 ", Fraction(1, 1000)),
        ("0.0193*44/12", Fraction(193, 10000) * 44 / 12),
        ("1/3", Fraction(1, 3)),
        (Fraction(2, 7), Fraction(2, 7)),
    ],
)
def test_to_exact_accepts(value, expected):
    assert to_exact(value, "x") == expected


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (0.1, "no-binary-float"),
        (True, "number"),
        ("abc", "number"),
        ("1/0", "division-by-zero"),
        ("NaN", "number"),
        (Decimal("NaN"), "finite"),
        ([1], "number"),
        (None, "number"),
    ],
)
def test_to_exact_rejects_naming_the_field(value, rule):
    with pytest.raises(ValidationError) as err:
        to_exact(value, "fuels[1].hv")
    assert err.value.field == "fuels[1].hv"
    assert err.value.rule == rule
    assert str(err.value).startswith("fuels[1].hv: ")


def test_to_decimal_requires_a_finite_expansion():
    assert to_decimal("0.0140*44/12*3", "x") == Decimal("0.154")
    with pytest.raises(ValidationError) as err:
        to_decimal("1/3", "x")
    assert err.value.rule == "finite-decimal"


def test_rounding_names():
    assert ROUND_BASELINE is Rounding.FLOOR
    assert ROUND_PROJECT is Rounding.CEIL
    assert ROUND_EMISSIONS is Rounding.CEIL


def test_kg_conversion_exact_at_integer_boundary():
    # 3000 × 0.0193 × 44/12 t = 212.3 t = exactly 212 300 kg: neither rounding may move it,
    # which a finite-precision Decimal for 44/12 would (it would ceil to 212 301).
    t = to_exact("3000*0.0193*44/12", "x")
    assert floor_kg(t) == ceil_kg(t) == 212300
    assert floor_kg(Decimal("1.2345")) == 1234 and ceil_kg(Decimal("1.2345")) == 1235
    assert floor_kg(Decimal("-0.0005")) == -1 and ceil_kg(Decimal("-0.0005")) == 0
    assert to_kg(Decimal("0.0001"), Rounding.FLOOR) == 0
    assert to_kg(Decimal("0.0001"), Rounding.CEIL) == 1


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(36955, 10), "3695.5"),
        (Fraction(3890), "3890"),
        (Decimal("0.80"), "0.8"),
        (Decimal("1E+3"), "1000"),
        (Fraction(0), "0"),
        (Fraction(-1, 8), "-0.125"),
        (Fraction(1, 3), "0.3333333333333333333333333333333333"),
        (Fraction(193, 10000) * 44 / 12, "0.07076666666666666666666666666666667"),
    ],
)
def test_decimal_str(value, text):
    assert decimal_str(value) == text


@given(decimals)
def test_floor_and_ceil_bound_the_exact_value(t):
    exact = Fraction(t) * 1000
    lo, hi = floor_kg(t), ceil_kg(t)
    assert type(lo) is int and type(hi) is int
    assert lo <= exact <= hi
    assert hi - lo == (0 if exact.denominator == 1 else 1)


@given(st.fractions(min_value=-(10**6), max_value=10**6))
def test_floor_and_ceil_bound_rationals(t):
    assert floor_kg(t) <= t * 1000 <= ceil_kg(t)
    assert t * 1000 - floor_kg(t) < 1 and ceil_kg(t) - t * 1000 < 1


@given(decimals)
def test_decimal_str_round_trips_finite_decimals(d):
    assert Decimal(decimal_str(d)) == d
    assert "E" not in decimal_str(d) and "e" not in decimal_str(d)


@pytest.mark.parametrize(
    "value",
    ["1e999999999", "1e-31", 10**30, "1" * 41, "1*2*3*4*5*6*7*8*9", Decimal("1E+40")],
)
def test_absurd_magnitudes_are_rejected_cheaply(value):
    with pytest.raises(ValidationError) as err:
        to_exact(value, "ef_grid")
    assert err.value.rule == "magnitude" and err.value.field == "ef_grid"


def test_zero_with_any_exponent_is_zero():
    assert to_exact("0E-100", "x") == 0 == to_exact(Decimal("-0.000"), "x")
