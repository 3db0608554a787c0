"""`envalue.ledger.registry` and `envalue.ledger.measurement` builders: the chaincode's own
messages and checks, headers rebuilt from the off-chain store, nothing sent."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from envalue.chaincode.domain.errors import NotFoundError, ValidationError
from envalue.chaincode.domain.measurement.header import encode_header
from envalue.chaincode.domain.measurement.signature import public_key_pem, verify_header_signature
from envalue.edge.batch_signing import header_of
from envalue.edge.simulation import simulate
from envalue.ingest.store import IngestStore
from envalue.ingest_service.local import store_simulation
from envalue.ledger import measurement, registry
from envalue.scenarios.common import genesis_steps
from envalue.scenarios.identities import CUSTOMER
from envalue.scenarios.program_data import flat_site, site_batches

pytestmark = pytest.mark.unit

MAY = date(2024, 5, 1)


def test_stored_headers_are_the_ingestion_headers_and_sign_for_anchoring(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    sim = simulate("boiler", days=1)
    store_simulation(sim, url)
    store = IngestStore(url)
    key = ec.generate_private_key(ec.SECP256R1())
    [batch_id] = store.batch_ids("boiler-new")
    header = measurement.stored_header(store, batch_id)
    assert header.batch_id == batch_id and header.meter_id == "boiler-new"
    message = measurement.signed_anchor(header, key)
    assert verify_header_signature(public_key_pem(key), encode_header(header), message.signature)
    call = measurement.anchor_call(message)
    assert (call.operation, call.submit) == ("measurement:anchor_batch", True)
    sent = json.loads(call.arguments[0])
    assert sent["batch_id"] == batch_id and sent["reading_count"] == header.reading_count
    assert {t["quantity"] for t in sent["totals"]} == {"fuel", "heat", "steam"}


def test_a_changed_total_no_longer_matches_the_content_id() -> None:
    [batch] = site_batches(flat_site("s", CUSTOMER, 100, 10, MAY), MAY)
    header = header_of(batch)
    forged = replace(header, totals={**header.totals, "pv_export": ("1", "kWh")})
    with pytest.raises(ValidationError) as info:
        measurement.anchor_call(measurement.anchor_message(forged, "00"))
    assert (info.value.field, info.value.rule) == ("batch_id", "content-id")


def test_a_batch_the_store_does_not_have_is_named(tmp_path: Path) -> None:
    store = IngestStore(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(NotFoundError, match="the off-chain store has no batch ab"):
        measurement.stored_header(store, "ab")


def test_registry_builders_check_with_the_chaincode_rules() -> None:
    call = registry.bootstrap_call()
    assert (call.operation, call.arguments) == ("registry:bootstrap", ())
    with pytest.raises(ValidationError) as info:
        registry.register_equipment_call(registry.MsgRegisterEquipment(
            equipment_id="e", site_id="s", owner_msp="CustomerMSP", equipment_type="boiler",
            rated_capacity="1", capacity_unit="kg/h", commissioning_date="2024-04-01",
            methodology="pv-self-consumption", methodology_version="1"))
    assert (info.value.field, info.value.rule) == ("factor_bindings.grid", "required")
    with pytest.raises(ValidationError, match="version"):
        registry.approve_factor_call("jp-grid", "jp-grid-fy2024", "v2")
    with pytest.raises(ValueError, match="not a registry transaction"):
        registry.submit_registry(None, measurement.calculate_call(  # type: ignore[arg-type]
            "e", "2024-05-01T00:00:00+09:00", "2024-06-01T00:00:00+09:00"))


def test_grid_factors_are_registered_only_with_a_known_value() -> None:
    steps = genesis_steps({2024})
    propose = json.loads(steps[1].call.arguments[0])  # type: ignore[union-attr]
    assert (propose["factor_id"], propose["version"], propose["values"]) == (
        "jp-grid-fy2024", "2", {"ef_grid": "0.000457"})
    assert [s.identity for s in steps[1:]] == ["platform:operator1", "platform:operator1",
                                               "platform:verifier1"]
    with pytest.raises(ValidationError) as info:
        genesis_steps({2026})
    assert (info.value.value, info.value.rule) == ("FY2026", "grid-factor-value")

