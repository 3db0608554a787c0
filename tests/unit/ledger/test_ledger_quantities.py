"""Quantities typed by people: exact, whole, positive, or an error naming field and rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from envalue.chaincode.domain.errors import ValidationError
from envalue.ledger.quantities import parse_kg, parse_tonnes, parse_yen

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "kg"), [
    ("250", 250), (" 250kg ", 250), ("1.5t", 1500), ("0.001T", 1), ("1e3", 1000),
    (7, 7), (Decimal("2.000"), 2), ("999999999999.999t", 999999999999999),
])
def test_kg(text: object, kg: int) -> None:
    assert parse_kg(text) == kg and type(parse_kg(text)) is int


@pytest.mark.parametrize(("text", "rule"), [
    ("1.5", "integer"), ("-5", "positive"), ("0", "positive"), ("0.0005t", "whole-kg"),
    ("abc", "number"), ("1,5", "number"), (1.5, "number"), (True, "number"), ("", "number"),
    ("1e16", "magnitude"), ("NaN", "number"),
])
def test_kg_errors(text: object, rule: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_kg(text, "items[0].quantity_kg")
    assert (err.value.field, err.value.rule) == ("items[0].quantity_kg", rule)


def test_tonnes_and_yen() -> None:
    assert parse_tonnes("3") == parse_tonnes("3t") == parse_tonnes("3000kg") == 3
    for text, rule in (("2.5", "integer"), ("2500kg", "integer"), ("0", "positive")):
        with pytest.raises(ValidationError) as err:
            parse_tonnes(text)
        assert (err.value.field, err.value.rule) == ("quantity_t", rule)
    assert parse_yen("1000000") == 1_000_000 and parse_yen("0") == 0
    for text in ("10.5", "-1"):
        with pytest.raises(ValidationError) as err:
            parse_yen(text)
        assert (err.value.field, err.value.rule) == ("proceeds_yen", "non-negative-integer")
