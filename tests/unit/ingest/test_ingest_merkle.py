"""Merkle tree over canonical reading bytes (chaincode/domain/merkle.py)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envalue.chaincode.domain.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofStep,
    decimal_text,
    encode_reading,
    format_timestamp,
    leaf_hash,
    merkle_root,
    node_hash,
    verify,
)

pytestmark = pytest.mark.unit
JST = timezone(timedelta(hours=9))


def _rfc6962(leaves: list[bytes]) -> bytes:
    """Reference Merkle Tree Hash of RFC 6962 §2.1 (recursive split)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _rfc6962(leaves[:k]) + _rfc6962(leaves[k:])).digest()


def test_canonical_reading_bytes() -> None:
    leaf = encode_reading(datetime(2024, 4, 1, 0, 30, tzinfo=JST), "boiler-1", "electricity",
                          Decimal("1500E-3"), "kWh", "interval")
    assert leaf == b"2024-03-31T15:30:00.000000Z|boiler-1|electricity|1.5|kWh|interval"


@pytest.mark.parametrize(("value", "text"), [
    ("1.500", "1.5"), ("1.2E+3", "1200"), ("-0.00", "0"), ("0.0001", "0.0001"),
    ("1E-7", "0.0000001"), ("+42", "42"), ("-3.10", "-3.1"), ("100", "100"),
])
def test_decimal_text(value: str, text: str) -> None:
    assert decimal_text(Decimal(value)) == text


def test_encoding_refuses_ambiguous_fields() -> None:
    ts = datetime(2024, 4, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        encode_reading(ts, "a|b", "electricity", Decimal(1), "kWh")
    with pytest.raises(ValueError):
        encode_reading(datetime(2024, 4, 1), "a", "electricity", Decimal(1), "kWh")
    with pytest.raises(ValueError):
        encode_reading(ts, "a", "electricity", Decimal("NaN"), "kWh")
    assert format_timestamp(datetime(5, 1, 1, tzinfo=UTC)).startswith("0005-")


def test_small_trees_by_hand() -> None:
    a, b, c = b"a", b"b", b"c"
    assert merkle_root([]) == EMPTY_ROOT
    assert merkle_root([a]) == leaf_hash(a) == hashlib.sha256(b"\x00a").digest()
    ab = node_hash(leaf_hash(a), leaf_hash(b))
    assert merkle_root([a, b]) == ab
    assert merkle_root([a, b, c]) == node_hash(ab, leaf_hash(c))  # c promoted
    # no duplication of the odd node: [a, b, c] and [a, b, c, c] differ
    assert merkle_root([a, b, c]) != merkle_root([a, b, c, c])
    # a leaf cannot pose as an inner node (second preimage)
    assert merkle_root([leaf_hash(a) + leaf_hash(b)]) != merkle_root([a, b])


leaf_lists = st.lists(st.binary(max_size=40), min_size=1, max_size=40)


@given(leaf_lists)
def test_equals_rfc6962_and_every_leaf_verifies(leaves: list[bytes]) -> None:
    tree = MerkleTree(leaves)
    assert tree.root == _rfc6962(leaves)
    for i, leaf in enumerate(leaves):
        proof = tree.proof(i)
        assert verify(leaf, proof, tree.root)
        restored = [ProofStep.from_json(s.to_json()) for s in proof]
        assert verify(leaf, restored, tree.root)


@given(leaf_lists, st.data())
def test_tampering_fails(leaves: list[bytes], data: st.DataObject) -> None:
    tree = MerkleTree(leaves)
    i = data.draw(st.integers(0, len(leaves) - 1))
    proof = tree.proof(i)
    other = data.draw(st.binary(max_size=40).filter(lambda b: b != leaves[i]))
    assert not verify(other, proof, tree.root)
    if proof:
        j = data.draw(st.integers(0, len(proof) - 1))
        step = proof[j]
        bit = data.draw(st.integers(0, 255))
        flipped = bytes([step.sibling[0] ^ (bit or 1)]) + step.sibling[1:]
        bad = [*proof[:j], ProofStep(flipped, step.left), *proof[j + 1:]]
        assert not verify(leaves[i], bad, tree.root)
        swapped = [*proof[:j], ProofStep(step.sibling, not step.left), *proof[j + 1:]]
        if len(set(leaves)) == len(leaves):  # equal subtrees could swap harmlessly
            assert not verify(leaves[i], swapped, tree.root)
        assert not verify(leaves[i], proof[:-1], tree.root)
    assert not verify(leaves[i], proof, hashlib.sha256(tree.root).digest())


def test_proof_index_out_of_range() -> None:
    with pytest.raises(IndexError):
        MerkleTree([b"a"]).proof(1)
