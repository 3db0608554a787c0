"""Verifier approval, minting once via the token ledger, and traceability of a lot."""

from __future__ import annotations

import json
from typing import Any

import pytest
from measurement_world import (
    CUSTOMER,
    CUSTOMER_VERIFIER,
    MUNICIPALITY,
    OPERATOR,
    VERIFIER,
    VERIFIER_2,
    anchor_msg,
    base_world,
    calc_msg,
    may,
    setup_inventory,
)
from registry_world import World
from test_measurement_calculate import pv_world

from envalue.chaincode.domain.errors import ConflictError, ForbiddenError, ValidationError
from envalue.chaincode.domain.measurement import (
    msg_anchor_batch,
    msg_approve_calculation,
    msg_calculate,
    msg_mint,
    msg_reject_calculation,
)
from envalue.chaincode.domain.measurement.trace import trace
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import HOLDING, LOT

pytestmark = pytest.mark.unit


def calculated() -> tuple[World, str]:
    world = pv_world()
    start, end = may()
    events = world.submit(MUNICIPALITY, msg_calculate, calc_msg("pv-1", start, end))
    return world, events[0].attributes["calculation_id"]


def approve(world: World, calc_id: str, who: object = VERIFIER_2) -> None:
    world.submit(who, msg_approve_calculation,  # type: ignore[arg-type]
                 msg_approve_calculation.MsgApproveCalculation(calc_id, "meter data checked"))


def mint(calc_id: str) -> msg_mint.MsgMintReduction:
    return msg_mint.MsgMintReduction(calc_id)


def test_mint_without_verifier_approval_is_refused() -> None:
    world, calc_id = calculated()
    error = world.refuse(OPERATOR, msg_mint, mint(calc_id), ConflictError)
    assert error.rule == "verifier-approved"
    assert "has not been reviewed" in str(error)


def test_rejected_calculation_is_never_minted() -> None:
    world, calc_id = calculated()
    world.refuse(VERIFIER, msg_reject_calculation,
                 msg_reject_calculation.MsgRejectCalculation(calc_id, ""), ValidationError)
    world.submit(VERIFIER, msg_reject_calculation,
                 msg_reject_calculation.MsgRejectCalculation(calc_id, "export meter suspect"))
    error = world.refuse(OPERATOR, msg_mint, mint(calc_id), ConflictError)
    assert "was rejected" in str(error)
    world.refuse(VERIFIER_2, msg_approve_calculation,
                 msg_approve_calculation.MsgApproveCalculation(calc_id), ConflictError)


def test_only_independent_verifiers_approve() -> None:
    world, calc_id = calculated()
    msg = msg_approve_calculation.MsgApproveCalculation(calc_id)
    world.refuse(OPERATOR, msg_approve_calculation, msg, ForbiddenError)
    world.refuse(MUNICIPALITY, msg_approve_calculation, msg, ForbiddenError)
    municipal_verifier = type(CUSTOMER_VERIFIER)("MunicipalityMSP", "x509::CN=v",
                                                 {"role": "verifier"})
    error = world.refuse(municipal_verifier, msg_approve_calculation, msg, ForbiddenError)
    assert error.rule == "independent-verifier"


def test_approved_reduction_mints_once_into_a_lot() -> None:
    world, calc_id = calculated()
    approve(world, calc_id)
    world.refuse(VERIFIER_2, msg_mint, mint(calc_id), ForbiddenError)  # operators mint
    events = world.submit(OPERATOR, msg_mint, mint(calc_id))
    assert events[0].name == "EventMintReduction"
    assert events[0].attributes["quantity_kg"] == 4338
    assert len(events) > 1  # the token ledger's events travel in the same transaction
    lot_id = events[0].attributes["lot_id"]
    assert lot_id == "lot-" + calc_id.removeprefix("calc-")
    assert world.query(lambda s: _lot(s, lot_id))["calculation_id"] == calc_id
    error = world.refuse(OPERATOR, msg_mint, mint(calc_id), ConflictError)
    assert error.rule == "mint-once"
    # a minted record cannot be superseded any more
    start, end = may()
    error = world.refuse(MUNICIPALITY, msg_calculate,
                         calc_msg("pv-1", start, end, supersedes=calc_id, reason="late fix"),
                         ConflictError)
    assert error.rule == "not-minted"


async def _lot(store: Store, lot_id: str) -> dict[str, Any]:
    raw = await store.get(composite_key(LOT, lot_id))
    assert raw is not None
    return dict(json.loads(raw))


def test_lot_records_vintage_methodology_site_and_owner() -> None:
    world, calc_id = calculated()
    approve(world, calc_id)
    lot_id = world.submit(OPERATOR, msg_mint, mint(calc_id))[0].attributes["lot_id"]
    lot = world.query(lambda s: _lot(s, lot_id))
    assert lot["vintage_start"] == "2024-05-01" and lot["vintage_end"] == "2024-05-31"
    assert lot["methodology"] == "pv-self-consumption" and lot["site_id"] == "ena-city-hall"
    assert lot["calculation_id"] == calc_id
    owner = f"MunicipalityMSP/{MUNICIPALITY.id}"
    holding = world.query(lambda s: s.get(composite_key(HOLDING, lot_id, owner)))
    assert holding is not None  # all units tradable to the equipment owner


def test_superseded_calculation_is_neither_approved_nor_minted() -> None:
    world, calc_id = calculated()
    approve(world, calc_id)
    start, end = may()
    world.submit(MUNICIPALITY, msg_calculate,
                 calc_msg("pv-1", start, end, supersedes=calc_id, reason="fix"))
    error = world.refuse(OPERATOR, msg_mint, mint(calc_id), ConflictError)
    assert error.rule == "not-superseded"


def test_inventory_is_neither_reviewed_nor_minted() -> None:
    world = base_world()
    gas, power = setup_inventory(world)
    start, end = may()
    world.submit(CUSTOMER, msg_anchor_batch,
                 anchor_msg(gas, start, end, {"fuel_gas": ("50000", "Nm3")}))
    world.submit(CUSTOMER, msg_anchor_batch,
                 anchor_msg(power, start, end, {"electricity": ("20000", "kWh")}))
    events = world.submit(CUSTOMER, msg_calculate, calc_msg("site-2-inventory", start, end))
    calc_id = events[0].attributes["calculation_id"]
    error = world.refuse(VERIFIER, msg_approve_calculation,
                         msg_approve_calculation.MsgApproveCalculation(calc_id), ValidationError)
    assert error.rule == "reduction"
    world.refuse(OPERATOR, msg_mint, mint(calc_id), ValidationError)


def test_traceability_returns_the_full_chain() -> None:
    world, calc_id = calculated()
    calc_tx = world.last_tx()
    approve(world, calc_id)
    review_tx = world.last_tx()
    lot_id = world.submit(OPERATOR, msg_mint, mint(calc_id))[0].attributes["lot_id"]
    mint_tx = world.last_tx()
    chain = world.query(lambda s: trace(s, lot_id=lot_id))
    assert chain == world.query(lambda s: trace(s, calculation_id=calc_id)) | {
        "lot": chain["lot"]}
    assert chain["lot"]["calculation_id"] == calc_id
    assert chain["calculation"]["outputs"]["reduction_kg"] == 4338
    assert chain["review"]["decision"] == "approved"
    assert chain["equipment"]["equipment_id"] == "pv-1"
    assert chain["site"]["site_id"] == "ena-city-hall"
    assert [m["meter_id"] for m in chain["meters"]] == ["m-pv-1"]
    assert [d["device_id"] for d in chain["edge_devices"]] == ["gw-pv-1"]
    assert len(chain["batches"]) == 2 and all(b["signature"] for b in chain["batches"])
    assert chain["methodology"]["name"] == "pv-self-consumption"
    assert chain["factors"][0]["version"] == "2"
    steps = {(s["step"], s["tx_id"]) for s in chain["transactions"]}
    assert ("calculate", calc_tx) in steps
    assert ("review (approved)", review_tx) in steps
    assert ("mint", mint_tx) in steps
    named = [s["step"] for s in chain["transactions"]]
    for step in ("register site", "register equipment", "register meter",
                 "register edge device", "propose methodology", "activate methodology",
                 "propose factor", "approve factor (operator)", "approve factor (verifier)",
                 "activate factor", "anchor batch"):
        assert step in named, step
    assert all(s["tx_id"].startswith("tx-") for s in chain["transactions"])
