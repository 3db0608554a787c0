"""Measurement fixtures: equipment with meters and signing edge devices, signed batches,
and the four built-in methodology set-ups with hand-worked figures.

Periods are Japan months of FY2024 (``2024-05-01T00:00+09:00`` …).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "registry"))

from registry_world import (  # noqa: E402
    CUSTOMER,
    CUSTOMER_OTHER,
    CUSTOMER_VERIFIER,
    MUNICIPALITY,
    OPERATOR,
    OPERATOR_2,
    VERIFIER,
    VERIFIER_2,
    World,
    actor,
)

from envalue.chaincode.domain.measurement import msg_anchor_batch, msg_calculate  # noqa: E402
from envalue.chaincode.domain.measurement.header import QUALITY_KEYS  # noqa: E402
from envalue.chaincode.domain.measurement.signature import (  # noqa: E402
    public_key_pem,
    sign_header,
)
from envalue.chaincode.domain.merkle import MerkleTree, encode_reading  # noqa: E402
from envalue.chaincode.domain.registry import (  # noqa: E402
    msg_register_edge_device,
    msg_register_equipment,
    msg_register_meter,
)
from envalue.chaincode.identity import Actor  # noqa: E402

__all__ = [
    "CUSTOMER", "CUSTOMER_OTHER", "CUSTOMER_VERIFIER", "JST", "MUNICIPALITY", "OPERATOR",
    "OPERATOR_2", "VERIFIER", "VERIFIER_2", "Device", "World", "actor", "anchor_msg",
    "base_world", "register_device", "register_equipment", "register_meter",
    "calc_msg", "jst", "may", "setup_boiler", "setup_inventory", "setup_pv",
    "setup_pv_battery",
]

JST = timezone(timedelta(hours=9))


def jst(year: int, month: int, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=JST)


def may() -> tuple[datetime, datetime]:
    """May 2024 in Japan: (2024-05-01T00:00+09:00, 2024-06-01T00:00+09:00]."""
    return jst(2024, 5), jst(2024, 6)


@dataclass
class Device:
    """An edge device: its id, meter and signing key."""

    device_id: str
    meter_id: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))


def anchor_msg(
    device: Device,
    start: datetime,
    end: datetime,
    totals: dict[str, tuple[str, str]],
    *,
    signer: ec.EllipticCurvePrivateKey | None = None,
    upload: bytes = b"raw upload",
    quality: dict[str, int] | None = None,
) -> msg_anchor_batch.MsgAnchorBatch:
    """A signed anchoring message whose root commits one reading per quantity."""
    leaves = sorted(
        encode_reading(end, device.device_id, q, Decimal(v), u) for q, (v, u) in totals.items()
    )
    counts = {k: 0 for k in QUALITY_KEYS} | {"accepted": len(leaves)} | (quality or {})
    data: dict[str, Any] = {
        "device_id": device.device_id, "meter_id": device.meter_id,
        "period_start": start.isoformat(), "period_end": end.isoformat(),
        "reading_count": len(leaves), "merkle_root": MerkleTree(leaves).root.hex(),
        "upload_hash": hashlib.sha256(upload).hexdigest(), "quality": counts,
        "totals": [{"quantity": q, "value": v, "unit": u} for q, (v, u) in totals.items()],
        "signature": "00",
    }
    unsigned = msg_anchor_batch.MsgAnchorBatch.from_dict(data)
    header = msg_anchor_batch.header_of(unsigned)
    data["signature"] = sign_header(signer or device.key, header)
    return msg_anchor_batch.MsgAnchorBatch.from_dict(data)


def calc_msg(equipment_id: str, start: datetime, end: datetime,
             **extra: str) -> msg_calculate.MsgCalculate:
    return msg_calculate.MsgCalculate(equipment_id, start.isoformat(), end.isoformat(), **extra)


def register_equipment(world: World, who: Actor, **fields: Any) -> None:
    data = {
        "rated_capacity": "300", "capacity_unit": "kW", "commissioning_date": "2023-04-01",
        "methodology_version": "1", "owner_msp": who.msp_id, **fields,
    }
    world.submit(who, msg_register_equipment,
                 msg_register_equipment.MsgRegisterEquipment.from_dict(data))


def register_meter(
    world: World, who: Actor, meter_id: str, equipment_id: str, quantities: list[tuple[str, str]],
    *, valid_until: str = "2031-03-31T00:00:00+09:00",
) -> None:
    world.submit(who, msg_register_meter, msg_register_meter.MsgRegisterMeter(
        meter_id=meter_id, equipment_id=equipment_id, serial=f"SN-{meter_id}",
        quantities=[{"quantity": q, "unit": u} for q, u in quantities],
        accuracy_class="1.0", verification_valid_from="2023-04-01T00:00:00+09:00",
        verification_valid_until=valid_until, counter_capacity=999999,
    ))


def register_device(world: World, who: Actor, device: Device, kind: str = "gateway") -> None:
    world.submit(who, msg_register_edge_device, msg_register_edge_device.MsgRegisterEdgeDevice(
        device_id=device.device_id, kind=kind, owner_msp=who.msp_id,
        public_key_pem=public_key_pem(device.key), meter_ids=[device.meter_id],
    ))


def base_world() -> World:
    world = World()
    world.bootstrap()
    world.register_grid_fy2024()
    return world


def setup_pv(world: World, *, meter_valid_until: str = "2031-03-31T00:00:00+09:00") -> Device:
    """Ena City hall rooftop PV, self-consumption; meter m-pv-1 read by gateway gw-pv-1."""
    world.site("ena-city-hall", MUNICIPALITY)
    register_equipment(world, MUNICIPALITY, equipment_id="pv-1", site_id="ena-city-hall",
                       equipment_type="pv_array", methodology="pv-self-consumption",
                       factor_bindings={"grid": "jp-grid"},
                       spec_documents={"datasheet.pdf": hashlib.sha256(b"pv").hexdigest()})
    register_meter(world, MUNICIPALITY, "m-pv-1", "pv-1",
                   [("pv_generation", "kWh"), ("pv_export", "kWh"), ("aux_grid", "kWh")],
                   valid_until=meter_valid_until)
    device = Device("gw-pv-1", "m-pv-1")
    register_device(world, MUNICIPALITY, device)
    return device


def setup_pv_battery(world: World) -> tuple[Device, Device]:
    """Ena City PV plant with the NAS battery: PV meter and battery meter, two devices."""
    world.site("ena-solar-park", MUNICIPALITY)
    register_equipment(world, MUNICIPALITY, equipment_id="pvb-1", site_id="ena-solar-park",
                       equipment_type="battery", methodology="pv-battery",
                       rated_capacity="1200", capacity_unit="kWh",
                       factor_bindings={"grid": "jp-grid"})
    register_meter(world, MUNICIPALITY, "m-pvb-pv", "pvb-1",
                   [("pv_generation", "kWh"), ("pv_export", "kWh")])
    register_meter(world, MUNICIPALITY, "m-pvb-bat", "pvb-1",
                   [("battery_charge_pv", "kWh"), ("battery_charge_grid", "kWh"),
                    ("battery_discharge", "kWh"), ("aux_grid", "kWh")])
    pv, bat = Device("gw-pvb-pv", "m-pvb-pv"), Device("log-pvb-bat", "m-pvb-bat")
    register_device(world, MUNICIPALITY, pv)
    register_device(world, MUNICIPALITY, bat, kind="logger")
    return pv, bat


def setup_boiler(world: World) -> Device:
    """A customer's A-heavy-oil boiler replaced by a high-efficiency one (same fuel).

    Registered by a platform operator on the customer's behalf (small customer onboarding).
    """
    world.site("factory-1", CUSTOMER)
    register_equipment(world, OPERATOR, equipment_id="boiler-1", site_id="factory-1",
                       owner_msp="CustomerMSP", owner=f"CustomerMSP/{CUSTOMER.id}",
                       equipment_type="boiler", rated_capacity="2000", capacity_unit="kg/h",
                       efficiency="0.95", methodology="boiler-replacement",
                       factor_bindings={"project_fuel": "a_heavy_oil",
                                        "baseline_fuel": "a_heavy_oil"},
                       parameters={"eff_bl": "0.80"})
    register_meter(world, CUSTOMER, "m-oil-1", "boiler-1", [("fuel", "L")])
    device = Device("pushlog-1", "m-oil-1")
    register_device(world, CUSTOMER, device, kind="logger")
    return device


def setup_inventory(world: World) -> tuple[Device, Device]:
    """A customer factory's scope 1 (city gas) and scope 2 inventory."""
    world.site("factory-2", CUSTOMER)
    register_equipment(world, CUSTOMER, equipment_id="site-2-inventory", site_id="factory-2",
                       equipment_type="other", methodology="inventory",
                       factor_bindings={"grid": "jp-grid", "fuel_gas": "city_gas"},
                       parameters={"ef_market": "0.0004", "certificates_kwh": "5000"})
    register_meter(world, CUSTOMER, "m-gas-2", "site-2-inventory", [("fuel_gas", "Nm3")])
    register_meter(world, CUSTOMER, "m-power-2", "site-2-inventory", [("electricity", "kWh")])
    gas, power = Device("gw-gas-2", "m-gas-2"), Device("gw-power-2", "m-power-2")
    register_device(world, CUSTOMER, gas)
    register_device(world, CUSTOMER, power)
    return gas, power
