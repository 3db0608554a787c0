"""Inclusion proofs of single readings against the anchored batch root."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from verify_world import Lineage, build_lineage, copy_store, tamper_value

from envalue.chaincode.domain.merkle import encode_reading, leaf_hash, merkle_root
from envalue.verify import (
    InclusionProof,
    OffChainBatch,
    ProofError,
    StoredReading,
    proof_from_batch,
    reading_proof,
    root_of_leaf_hashes,
    verify_inclusion,
)

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def lineage(tmp_path_factory: pytest.TempPathFactory) -> Lineage:
    return build_lineage(tmp_path_factory.mktemp("inclusion"), days=1)


def test_random_reading_proof_verifies_against_the_anchored_root(lineage: Lineage) -> None:
    batch = lineage.trace["batches"][0]
    rng = random.Random(3)
    for index in rng.sample(range(batch["reading_count"]), 5):
        proof = reading_proof(lineage.store, batch["batch_id"], index)
        assert proof.leaf_index == index
        assert verify_inclusion(proof, batch["merkle_root"])
        assert verify_inclusion(proof, bytes.fromhex(batch["merkle_root"]))
        # the JSON form round-trips and still verifies
        again = InclusionProof.from_dict(proof.to_dict())
        assert again == proof and verify_inclusion(again, batch["merkle_root"])


def test_modified_leaf_does_not_verify(lineage: Lineage) -> None:
    batch = lineage.trace["batches"][0]
    proof = reading_proof(lineage.store, batch["batch_id"], 17)
    forged = InclusionProof(proof.batch_id, proof.leaf_index,
                            proof.leaf.replace(b"|interval", b"|cumulative"),
                            proof.steps, proof.root, proof.reading)
    assert not verify_inclusion(forged, batch["merkle_root"])
    fields = proof.leaf.split(b"|")
    fields[3] = fields[3] + b"1"
    assert not verify_inclusion(
        InclusionProof(proof.batch_id, 17, b"|".join(fields), proof.steps, proof.root, {}),
        batch["merkle_root"])
    assert not verify_inclusion(proof, "not hex")
    assert not verify_inclusion(proof, lineage.trace["batches"][0]["merkle_root"][:-2] + "00")


def test_proof_from_a_tampered_store_fails(lineage: Lineage, tmp_path: Path) -> None:
    store = copy_store(lineage, tmp_path)
    batch = lineage.trace["batches"][0]
    row = store.raw_readings_of(batch["batch_id"])[0]
    tamper_value(store, int(row["id"]), "123.456")
    proof = reading_proof(store, batch["batch_id"], timestamp=str(row["ts"]),
                          quantity=str(row["quantity"]))
    assert proof.reading["value"] == "123.456"
    assert not verify_inclusion(proof, batch["merkle_root"])


def test_select_by_timestamp_and_quantity(lineage: Lineage) -> None:
    batch = lineage.trace["batches"][0]
    row = lineage.store.raw_readings_of(batch["batch_id"])[9]
    ts = datetime.fromisoformat(str(row["ts"]))
    proof = reading_proof(lineage.store, batch["batch_id"], timestamp=ts,
                          quantity=str(row["quantity"]))
    assert proof.leaf_index == row["leaf_index"]
    assert verify_inclusion(proof, batch["merkle_root"])
    with pytest.raises(ProofError):
        reading_proof(lineage.store, batch["batch_id"], timestamp=ts, quantity="nothing")
    with pytest.raises(ProofError):
        reading_proof(lineage.store, batch["batch_id"], batch["reading_count"])
    with pytest.raises(ProofError):
        reading_proof(lineage.store, "0" * 64, 0)


def _batch(n: int) -> OffChainBatch:
    start = datetime(2024, 5, 1, tzinfo=UTC)
    readings = []
    for i in range(n):
        ts = start + timedelta(minutes=30 * (i + 1))
        leaf = encode_reading(ts, "dev-1", "electricity", Decimal(i) / 8, "kWh")
        readings.append(StoredReading(i + 1, i, "dev-1", ts.isoformat(), "electricity",
                                      str(Decimal(i) / 8), "kWh", "interval", 1, leaf))
    return OffChainBatch("b", {"batch_id": "b"}, readings)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=140))
def test_proofs_verify_for_every_index_of_any_batch_size(n: int) -> None:
    batch = _batch(n)
    root = merkle_root(batch.leaves())
    for index in range(n):
        proof = proof_from_batch(batch, index)
        assert verify_inclusion(proof, root)
        assert not verify_inclusion(proof, leaf_hash(b"other"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=12), max_size=70))
def test_root_of_leaf_hashes_equals_merkle_root(leaves: list[bytes]) -> None:
    assert root_of_leaf_hashes([leaf_hash(x) for x in leaves]) == merkle_root(leaves)
