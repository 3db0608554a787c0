"""Registry of sites, equipment, meters and edge devices: rules and who may register."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from registry_world import (
    CUSTOMER,
    CUSTOMER_OTHER,
    MUNICIPALITY,
    OPERATOR,
    VERIFIER,
    World,
)

from envalue.chaincode.domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from envalue.chaincode.domain.measurement.signature import public_key_pem
from envalue.chaincode.domain.registry import (
    msg_register_edge_device,
    msg_register_equipment,
    msg_register_meter,
    msg_register_site,
)
from envalue.chaincode.domain.registry.state import Equipment, Meter, Site, load

pytestmark = pytest.mark.unit

EQUIPMENT = {
    "equipment_id": "boiler-1", "site_id": "factory-1", "owner_msp": "CustomerMSP",
    "equipment_type": "boiler", "rated_capacity": "2000", "capacity_unit": "kg/h",
    "efficiency": "0.95", "commissioning_date": "2024-04-01",
    "methodology": "boiler-replacement", "methodology_version": "1",
    "factor_bindings": {"project_fuel": "a_heavy_oil", "baseline_fuel": "a_heavy_oil"},
    "parameters": {"eff_bl": "0.80"},
    "spec_documents": {"spec.pdf": hashlib.sha256(b"spec").hexdigest()},
}
METER = {
    "meter_id": "m-oil-1", "equipment_id": "boiler-1", "serial": "OVAL-123",
    "quantities": [{"quantity": "fuel", "unit": "L"}], "accuracy_class": "0.5",
    "verification_valid_from": "2024-04-01T00:00:00+09:00",
    "verification_valid_until": "2031-04-01T00:00:00+09:00", "counter_capacity": 99999999,
}


def equipment_msg(**changes: object) -> msg_register_equipment.MsgRegisterEquipment:
    return msg_register_equipment.MsgRegisterEquipment.from_dict({**EQUIPMENT, **changes})


def meter_msg(**changes: object) -> msg_register_meter.MsgRegisterMeter:
    return msg_register_meter.MsgRegisterMeter.from_dict({**METER, **changes})


def device_msg(**changes: object) -> msg_register_edge_device.MsgRegisterEdgeDevice:
    key = ec.generate_private_key(ec.SECP256R1())
    data = {"device_id": "pushlog-1", "kind": "logger", "owner_msp": "CustomerMSP",
            "public_key_pem": public_key_pem(key), "meter_ids": ["m-oil-1"], **changes}
    return msg_register_edge_device.MsgRegisterEdgeDevice.from_dict(data)


@pytest.fixture
def world() -> World:
    w = World()
    w.bootstrap()
    w.site("factory-1", CUSTOMER)
    return w


def test_owner_registers_its_own_equipment_meter_and_device(world: World) -> None:
    events = world.submit(CUSTOMER, msg_register_equipment, equipment_msg())
    assert events[0].name == "EventRegisterEquipment"
    world.submit(CUSTOMER, msg_register_meter, meter_msg())
    world.submit(CUSTOMER, msg_register_edge_device, device_msg())
    equipment = world.query(lambda s: load(s, Equipment, "boiler-1", field_name="", what=""))
    assert equipment.owner == f"CustomerMSP/{CUSTOMER.id}"  # defaults to the caller
    assert equipment.efficiency == "0.95"
    assert equipment.tx_id == "tx-0003"
    meter = world.query(lambda s: load(s, Meter, "m-oil-1", field_name="", what=""))
    assert meter.verification_valid_until == "2031-03-31T15:00:00.000000Z"  # UTC, fixed width
    assert meter.unit_of("fuel") == "L"


def test_platform_operator_registers_for_any_organisation(world: World) -> None:
    owner = f"CustomerMSP/{CUSTOMER.id}"
    world.submit(OPERATOR, msg_register_equipment, equipment_msg(owner=owner))
    world.submit(OPERATOR, msg_register_meter, meter_msg())
    world.submit(OPERATOR, msg_register_site, msg_register_site.MsgRegisterSite(
        "city-hall", "City hall", "MunicipalityMSP"))
    site = world.query(lambda s: load(s, Site, "city-hall", field_name="", what=""))
    assert site.registered_by.startswith("PlatformMSP/")


def test_operator_must_name_the_owner_when_registering_for_others(world: World) -> None:
    error = world.refuse(OPERATOR, msg_register_equipment, equipment_msg(), ValidationError)
    assert error.field == "owner"


def test_other_organisation_is_refused_with_a_clear_message(world: World) -> None:
    error = world.refuse(MUNICIPALITY, msg_register_equipment, equipment_msg(), ForbiddenError)
    assert error.rule == "owner-organisation"
    assert "may not register equipment 'boiler-1'" in str(error)
    assert "only identities of CustomerMSP" in str(error)


@pytest.mark.parametrize("who", [CUSTOMER_OTHER, VERIFIER])
def test_roles_without_asset_rights_are_refused(world: World, who: object) -> None:
    error = world.refuse(who, msg_register_site,  # type: ignore[arg-type]
                         msg_register_site.MsgRegisterSite("s2", "S2", who.msp_id),  # type: ignore[attr-defined]
                         ForbiddenError)
    assert error.rule in {"owner-role", "owner-organisation"}


def test_meter_and_device_follow_the_equipment_owner(world: World) -> None:
    world.submit(CUSTOMER, msg_register_equipment, equipment_msg())
    error = world.refuse(MUNICIPALITY, msg_register_meter, meter_msg(), ForbiddenError)
    assert "register meter 'm-oil-1'" in str(error)
    world.submit(CUSTOMER, msg_register_meter, meter_msg())
    error = world.refuse(MUNICIPALITY, msg_register_edge_device,
                         device_msg(owner_msp="MunicipalityMSP"), ForbiddenError)
    assert error.field == "meter_ids[0]"


def test_duplicates_and_missing_references_are_refused(world: World) -> None:
    world.refuse(CUSTOMER, msg_register_site,
                 msg_register_site.MsgRegisterSite("factory-1", "again", "CustomerMSP"),
                 ConflictError)
    world.refuse(CUSTOMER, msg_register_equipment, equipment_msg(site_id="nowhere"),
                 NotFoundError)
    world.submit(CUSTOMER, msg_register_equipment, equipment_msg())
    world.refuse(CUSTOMER, msg_register_equipment, equipment_msg(), ConflictError)
    world.refuse(CUSTOMER, msg_register_meter, meter_msg(equipment_id="nope"), NotFoundError)
    world.refuse(CUSTOMER, msg_register_edge_device, device_msg(), NotFoundError)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"equipment_type": "windmill"}, "equipment_type", "equipment-type"),
        ({"efficiency": "1.2"}, "efficiency", "efficiency-range"),
        ({"rated_capacity": "0"}, "rated_capacity", "range"),
        ({"commissioning_date": "2024-13-01"}, "commissioning_date", "date"),
        ({"factor_bindings": {"project_fuel": "a_heavy_oil"}}, "factor_bindings.baseline_fuel",
         "required"),
        ({"factor_bindings": {**EQUIPMENT["factor_bindings"], "grid": "jp-grid"}},  # type: ignore[dict-item]
         "factor_bindings.grid", "unknown-binding"),
        ({"parameters": {}}, "parameters.eff_bl", "required"),
        ({"methodology": "wind-power"}, "methodology", "mapped-methodology"),
        ({"spec_documents": {"spec.pdf": "abc"}}, "spec_documents.spec.pdf", "sha256"),
        ({"owner": "MarketMSP/x509::CN=m"}, "owner", "owner-key-msp"),
    ],
)
def test_equipment_validation_names_the_field(
    world: World, changes: dict[str, object], field: str, rule: str
) -> None:
    error = world.refuse(CUSTOMER, msg_register_equipment, equipment_msg(**changes),
                         ValidationError)
    assert (error.field, error.rule) == (field, rule)


def test_equipment_needs_an_active_methodology_version() -> None:
    world = World()  # no genesis
    world.site("factory-1", CUSTOMER)
    error = world.refuse(CUSTOMER, msg_register_equipment, equipment_msg(), NotFoundError)
    assert "methodology version 'boiler-replacement/1' is not registered" in str(error)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"quantities": [{"quantity": "fuel", "unit": "kL"}]}, "quantities[0].unit",
         "canonical-unit"),
        ({"quantities": [{"quantity": "sunshine", "unit": "h"}]}, "quantities[0].quantity",
         "known-quantity"),
        ({"quantities": []}, "quantities", "items"),
        ({"verification_valid_until": "2024-01-01T00:00:00+09:00"}, "verification_valid_until",
         "after-start"),
        ({"verification_valid_from": "2024-04-01"}, "verification_valid_from", "timestamp"),
        ({"counter_capacity": 0}, "counter_capacity", "range"),
    ],
)
def test_meter_validation(world: World, changes: dict[str, object], field: str,
                          rule: str) -> None:
    world.submit(CUSTOMER, msg_register_equipment, equipment_msg())
    error = world.refuse(CUSTOMER, msg_register_meter, meter_msg(**changes), ValidationError)
    assert (error.field, error.rule) == (field, rule)


def test_device_key_must_be_p256(world: World) -> None:
    other_curve = public_key_pem(ec.generate_private_key(ec.SECP384R1()))  # type: ignore[arg-type]
    error = world.refuse(CUSTOMER, msg_register_edge_device,
                         device_msg(public_key_pem=other_curve), ValidationError)
    assert error.rule == "p256"
    error = world.refuse(CUSTOMER, msg_register_edge_device,
                         device_msg(public_key_pem="not a key"), ValidationError)
    assert error.rule == "public-key"


def test_unknown_message_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        msg_register_site.MsgRegisterSite.from_dict(
            {"site_id": "s", "name": "n", "owner_msp": "CustomerMSP", "colour": "red"})
    assert info.value.field == "colour"
