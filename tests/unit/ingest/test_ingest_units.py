"""Unit normalisation is exact (Decimal, factors from pint, no float)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envalue.ingest.units import ACCEPTED_UNITS, canonical_symbol, conversion

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("value", "source", "target", "expected"), [
    ("1500", "Wh", "kWh", "1.5"),
    ("3600", "MJ", "GJ", "3.6"),
    ("1", "kWh", "GJ", "0.0036"),
    ("2.5", "MWh", "kWh", "2500"),
    ("0.001", "kL", "L", "1"),
    ("1.2", "m3", "L", "1200"),
    ("0.85", "t", "kg", "850"),
    ("0.1", "Wh", "kWh", "0.0001"),
])
def test_exact_conversions(value: str, source: str, target: str, expected: str) -> None:
    assert conversion(source, target).apply(Decimal(value)) == Decimal(expected)


@pytest.mark.parametrize(("source", "target", "fragment"), [
    ("kWh", "L", "energy"), ("Nm3", "m3", "normal volume"), ("kg", "GJ", "mass"),
    ("GJ", "kWh", "no exact decimal factor"),
])
def test_impossible_conversions_say_why(source: str, target: str, fragment: str) -> None:
    conv = conversion(source, target)
    assert conv.factor is None and fragment in conv.reason


@pytest.mark.parametrize(("spelling", "symbol"), [
    ("KWH", "kWh"), ("kwh", "kWh"), ("m³", "m3"), ("Nm^3", "Nm3"), ("l", "L"),
    ("mwh", "MWh"), ("BTU", None), ("", None),
])
def test_spellings(spelling: str, symbol: str | None) -> None:
    assert canonical_symbol(spelling) == symbol


decimals = st.decimals(min_value=0, max_value=10**12, places=6, allow_nan=False,
                       allow_infinity=False)


@given(value=decimals, source=st.sampled_from(sorted(ACCEPTED_UNITS)),
       target=st.sampled_from(sorted(ACCEPTED_UNITS)))
def test_conversion_equals_exact_rational_arithmetic(value: Decimal, source: str,
                                                     target: str) -> None:
    conv = conversion(source, target)
    if conv.factor is None:
        return
    result = conv.apply(value)
    assert isinstance(result, Decimal)
    assert Fraction(result) == Fraction(value) * Fraction(conv.factor)
    # and back again when the inverse is exact too
    back = conversion(target, source)
    if back.factor is not None:
        assert back.apply(result) == value
