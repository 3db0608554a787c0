"""Anchoring signed batches: signatures, idempotence, overlaps, meter verification."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from measurement_world import (
    CUSTOMER,
    MUNICIPALITY,
    OPERATOR,
    Device,
    anchor_msg,
    base_world,
    jst,
    may,
    register_device,
    setup_pv,
)

from envalue.chaincode.domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from envalue.chaincode.domain.measurement import msg_anchor_batch
from envalue.chaincode.domain.measurement.state import BatchRecord
from envalue.chaincode.domain.registry.state import load

pytestmark = pytest.mark.unit

TOTALS = {"pv_generation": ("10000", "kWh"), "pv_export": ("500", "kWh"),
          "aux_grid": ("150", "kWh")}


def batch(world: object, batch_id: str) -> BatchRecord:
    return world.query(lambda s: load(s, BatchRecord, batch_id, field_name="", what=""))  # type: ignore[attr-defined]


def test_valid_signature_is_anchored_with_every_commitment() -> None:
    world = base_world()
    device = setup_pv(world)
    start, end = may()
    msg = anchor_msg(device, start, end, TOTALS)
    events = world.submit(MUNICIPALITY, msg_anchor_batch, msg)
    assert [e.name for e in events] == ["EventAnchorBatch"]
    record = batch(world, events[0].attributes["batch_id"])
    assert record.meter_verification_valid is True
    assert record.merkle_root == msg.merkle_root
    assert record.upload_hash == msg.upload_hash
    assert record.period_start == "2024-04-30T15:00:00.000000Z"
    assert [t["quantity"] for t in record.totals] == ["aux_grid", "pv_export", "pv_generation"]
    assert record.equipment_id == "pv-1" and record.tx_id == world.last_tx()
    assert record.quality["accepted"] == 3


def test_forged_signature_is_refused() -> None:
    world = base_world()
    device = setup_pv(world)
    forger = ec.generate_private_key(ec.SECP256R1())
    start, end = may()
    error = world.refuse(MUNICIPALITY, msg_anchor_batch,
                         anchor_msg(device, start, end, TOTALS, signer=forger), ForbiddenError)
    assert error.field == "signature" and error.rule == "device-signature"
    assert "does not verify against the key registered for edge device 'gw-pv-1'" in str(error)


def test_altered_totals_break_the_signature() -> None:
    world = base_world()
    device = setup_pv(world)
    start, end = may()
    msg = anchor_msg(device, start, end, TOTALS)
    inflated = [dict(t) for t in msg.totals]
    inflated[0]["value"] = "20000"
    tampered = msg_anchor_batch.MsgAnchorBatch(**{**msg.__dict__, "totals": inflated})
    world.refuse(MUNICIPALITY, msg_anchor_batch, tampered, ForbiddenError)


def test_same_batch_again_is_idempotent() -> None:
    world = base_world()
    device = setup_pv(world)
    start, end = may()
    first = world.submit(MUNICIPALITY, msg_anchor_batch, anchor_msg(device, start, end, TOTALS))
    anchored_tx = world.last_tx()
    before = world.ledger.snapshot()
    # the same readings, re-sent from another upload file (other raw hash): same content id
    again = world.submit(MUNICIPALITY, msg_anchor_batch,
                         anchor_msg(device, start, end, TOTALS, upload=b"re-sent"))
    assert world.ledger.snapshot() == before
    assert again[0].name == "EventBatchAlreadyAnchored"
    assert again[0].attributes["batch_id"] == first[0].attributes["batch_id"]
    assert again[0].attributes["tx_id"] == anchored_tx


def test_overlapping_batch_with_other_content_is_refused() -> None:
    world = base_world()
    device = setup_pv(world)
    start, end = may()
    world.submit(MUNICIPALITY, msg_anchor_batch, anchor_msg(device, start, end, TOTALS))
    other = {**TOTALS, "pv_generation": ("10001", "kWh")}
    error = world.refuse(MUNICIPALITY, msg_anchor_batch,
                         anchor_msg(device, jst(2024, 5, 31), jst(2024, 6, 2), other),
                         ConflictError)
    assert error.rule == "no-overlap"
    # the adjacent period is fine: periods are (start, end]
    world.submit(MUNICIPALITY, msg_anchor_batch,
                 anchor_msg(device, end, jst(2024, 7), TOTALS))


def test_reading_outside_meter_verification_is_flagged() -> None:
    world = base_world()
    device = setup_pv(world, meter_valid_until="2024-05-20T00:00:00+09:00")
    start, end = may()
    events = world.submit(MUNICIPALITY, msg_anchor_batch, anchor_msg(device, start, end, TOTALS))
    assert events[0].attributes["meter_verification_valid"] is False
    assert batch(world, events[0].attributes["batch_id"]).meter_verification_valid is False


def test_device_must_be_registered_for_the_meter_and_the_quantity() -> None:
    world = base_world()
    device = setup_pv(world)
    start, end = may()
    stranger = Device("gw-unknown", "m-pv-1")
    world.refuse(MUNICIPALITY, msg_anchor_batch, anchor_msg(stranger, start, end, TOTALS),
                 NotFoundError)
    wrong_meter = Device(device.device_id, "m-other", device.key)
    world.refuse(MUNICIPALITY, msg_anchor_batch, anchor_msg(wrong_meter, start, end, TOTALS),
                 NotFoundError)
    error = world.refuse(MUNICIPALITY, msg_anchor_batch,
                         anchor_msg(device, start, end, {"electricity": ("5", "kWh")}),
                         ValidationError)
    assert error.rule == "meter-channel"


def test_only_the_owner_side_anchors() -> None:
    world = base_world()
    device = setup_pv(world)
    start, end = may()
    world.refuse(CUSTOMER, msg_anchor_batch, anchor_msg(device, start, end, TOTALS),
                 ForbiddenError)
    world.submit(OPERATOR, msg_anchor_batch, anchor_msg(device, start, end, TOTALS))


def test_a_device_not_assigned_to_the_meter_is_refused() -> None:
    world = base_world()
    setup_pv(world)
    second = Device("gw-2", "m-pv-1")
    register_device(world, MUNICIPALITY, second)
    impostor = Device("gw-2", "m-pv-2", second.key)
    start, end = may()
    world.refuse(MUNICIPALITY, msg_anchor_batch, anchor_msg(impostor, start, end, TOTALS),
                 NotFoundError)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"period_end": "2024-04-01T00:00:00+09:00"}, "period_end", "after-start"),
        ({"merkle_root": "XYZ"}, "merkle_root", "sha256"),
        ({"quality": {"accepted": 1}}, "quality", "quality-keys"),
        ({"totals": [{"quantity": "pv_generation", "unit": "MWh", "value": "1"}]},
         "totals[0].unit", "canonical-unit"),
        ({"totals": [{"quantity": "pv_generation", "unit": "kWh", "value": "-1"}]},
         "totals[0].value", "range"),
        ({"batch_id": "0" * 64}, "batch_id", "content-id"),
        ({"reading_count": -1}, "reading_count", "range"),
    ],
)
def test_stateless_checks_name_the_field(changes: dict[str, object], field: str,
                                         rule: str) -> None:
    device = Device("gw-pv-1", "m-pv-1")
    start, end = may()
    msg = anchor_msg(device, start, end, TOTALS)
    with pytest.raises(ValidationError) as info:
        msg_anchor_batch.validate(msg_anchor_batch.MsgAnchorBatch(**{**msg.__dict__, **changes}))
    assert (info.value.field, info.value.rule) == (field, rule)
