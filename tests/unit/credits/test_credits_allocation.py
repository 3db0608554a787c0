"""Hand-worked allocation figures: FIFO crediting and the yen split rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envalue.chaincode.domain.credits.allocation import credited_kg, issue_tonnes, split_pro_rata
from envalue.chaincode.domain.errors import ValidationError

pytestmark = pytest.mark.unit


def test_issue_tonnes_floors_and_carries() -> None:
    assert issue_tonnes(2150) == (2, 150)
    assert issue_tonnes(999) == (0, 999)
    assert issue_tonnes(3000) == (3, 0)


def test_credited_kg_is_the_part_of_a_segment_before_the_cut() -> None:
    assert credited_kg(0, 700, 2000) == 700
    assert credited_kg(1500, 650, 2000) == 500
    assert credited_kg(2100, 50, 2000) == 0


def test_split_floor_then_largest_remainder() -> None:
    # 10 yen over 7:5:3 -> exact 4.67, 3.33, 2.00 -> floors 4, 3, 2; 1 yen left to 'a' (10/15)
    assert split_pro_rata(10, {"a": 7, "b": 5, "c": 3}) == {"a": 5, "b": 3, "c": 2}


def test_split_ties_go_to_the_smallest_key() -> None:
    # 100 yen over three equal shares -> 33 each, 1 yen left, tie broken by key
    assert split_pro_rata(100, {"carol": 1, "alice": 1, "bob": 1}) == {
        "alice": 34, "bob": 33, "carol": 33}


def test_split_of_a_sale_hand_worked() -> None:
    # 7,777 yen over 700/800/500 kg: 2721.95, 3110.80, 1944.25 -> 2721+3110+1944 = 7775,
    # 2 yen left: largest remainders .95 (A) and .80 (B)
    assert split_pro_rata(7777, {"A": 700, "B": 800, "C": 500}) == {
        "A": 2722, "B": 3111, "C": 1944}


@pytest.mark.parametrize("bad", [-1, 1.5, "100", True])
def test_split_rejects_non_integer_yen(bad) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError, match="proceeds_yen"):
        split_pro_rata(bad, {"a": 1})


@given(st.integers(0, 10**9), st.dictionaries(st.text(min_size=1, max_size=3),
                                              st.integers(1, 10**6), min_size=1, max_size=30))
def test_split_sums_exactly_and_stays_within_one_yen(total: int, weights: dict[str, int]) -> None:
    parts = split_pro_rata(total, weights)
    assert sum(parts.values()) == total
    weight_sum = sum(weights.values())
    for owner, part in parts.items():
        exact_numerator = total * weights[owner]
        assert part * weight_sum <= exact_numerator + weight_sum
        assert part * weight_sum > exact_numerator - weight_sum
