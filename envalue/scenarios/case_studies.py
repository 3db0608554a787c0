"""The two case studies on the ledger, from the batches the off-chain store holds.

The store is the one the demo fills with ``envalue simulate ena|boiler --store-db URL``.
What gets registered and anchored:

- **Ena City** (``municipality:city1``): site ``ena-city-solar``, equipment ``ena-pv-nas``
  (PV plant, rooftop PV and the NAS battery, methodology ``pv-battery``), one meter and
  one gateway per simulated device that measures PV, the battery or the grid
  interconnection (device id = meter id, as the edge device signs its batch headers);
  the 62 facility meters (electricity only) are consumption data for the portal and take
  no part in the reduction, so they are not anchored;
- **boiler replacement** (``customer:customer1``): site ``customer-factory-1``, equipment
  ``boiler-new`` (methodology ``boiler-replacement``; the project fuel is the fuel the
  stored batches measure, the baseline fuel and both efficiencies are the simulated
  plant's, `envalue.edge.boiler.BoilerConfig`), one meter and a retrofit logger; the old
  boiler's batches are the baseline evidence kept off-chain (the methodology's baseline
  is the registered baseline efficiency), so they are not anchored.

Then every stored batch of those devices is anchored (signed with the device's key from
the key directory, the simulator's ``--keys`` directory), each equipment is calculated
over the whole stored span, a Platform verifier approves, the operator mints one lot per
equipment, the customer transfers half of the boiler lot to Ena City, and Ena City
retires what it received (reporting under Japan's reporting act).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.measurement.header import BatchHeader
from envalue.chaincode.domain.measurement.msg_mint import vintage_of
from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.domain.registry.fields import parse_timestamp
from envalue.chaincode.domain.registry.state import VALIDITY_TZ
from envalue.chaincode.domain.tokens.msg_retire import RetirementInfo
from envalue.chaincode.domain.tokens.msg_transfer import TransferItem
from envalue.chaincode.domain.tokens.state import HistoryEntry, Retirement
from envalue.edge.boiler import FUELS, BoilerConfig
from envalue.edge.ena import EnaConfig, simulate_ena
from envalue.ingest.store import IngestStore
from envalue.ledger import measurement, registry, tokens
from envalue.ledger.messages import LedgerCall, query_call
from envalue.ledger.registry import MsgRegisterEquipment

from .common import (
    DeviceKeys,
    GridValue,
    anchor_step,
    device_step,
    fiscal_year,
    genesis_steps,
    jst,
    lot_steps,
    meter_step,
    site_step,
)
from .identities import CITY, CUSTOMER, Holders, msp_of
from .steps import Deferred, Probe, Scenario, Step

__all__ = ["case_studies", "retirements_call"]

ENA_SITE, ENA_EQUIPMENT = "ena-city-solar", "ena-pv-nas"
BOILER_SITE = "customer-factory-1"


@dataclass(frozen=True)
class _Device:
    device_id: str
    headers: tuple[BatchHeader, ...]

    @property
    def channels(self) -> dict[str, str]:
        return {q: u for h in self.headers for q, (_, u) in h.totals.items()}


def _stored(store: IngestStore, device_id: str, hint: str) -> _Device:
    ids = store.batch_ids(device_id)
    if not ids:
        raise ValidationError("store", device_id, "case-study-data",
                              f"the off-chain store has no batch of device {device_id!r}; "
                              f"fill it first: {hint}")
    return _Device(device_id, tuple(measurement.stored_header(store, b) for b in ids))


def _span(devices: list[_Device]) -> tuple[datetime, datetime]:
    headers = [h for d in devices for h in d.headers]
    return (parse_timestamp(min(h.period_start for h in headers)),
            parse_timestamp(max(h.period_end for h in headers)))


def _spec_hash(config: object) -> dict[str, str]:
    """The simulated plant's specification: SHA-256 of its configuration's text."""
    return {"simulation-config": hashlib.sha256(repr(config).encode()).hexdigest()}


def _equipment_steps(owner: str, site: tuple[str, str, str], message: MsgRegisterEquipment,
                     devices: list[_Device], kind: str, keys: DeviceKeys,
                     start: datetime) -> list[Step]:
    steps = [site_step(*site[:2], owner, site[2]),
             Step(f"{message.equipment_id}/equipment", owner,
                  f"register equipment {message.equipment_id} ({message.methodology})",
                  registry.register_equipment_call(message), exists=frozenset({"unique"}))]
    for d in devices:
        steps.append(meter_step(d.device_id, message.equipment_id, d.channels, owner, start))
        steps.append(device_step(d.device_id, kind, owner, keys(d.device_id), [d.device_id]))
    steps += [anchor_step(h, keys(d.device_id), owner) for d in devices for h in d.headers]
    return steps


def _lot(equipment_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    """The lot's id (from the vintage, so a re-run names the same lot) and its facts."""
    first, last = vintage_of(start.isoformat(), end.isoformat())
    return {"lot_id": f"lot-{equipment_id}-{first.replace('-', '')}-{last.replace('-', '')}",
            "vintage": [first, last], "period": [jst(start), jst(end)]}


def _ena(store: IngestStore, keys: DeviceKeys, holders: Holders
         ) -> tuple[list[Step], dict[str, Any]]:
    config = EnaConfig()
    metered = [d.device_id for d in simulate_ena(EnaConfig(days=1)).devices
               if set(d.quantities) != {"electricity"}]
    devices = [_stored(store, d, "envalue simulate ena --store-db URL") for d in metered]
    start, end = _span(devices)
    message = MsgRegisterEquipment(
        equipment_id=ENA_EQUIPMENT, site_id=ENA_SITE, owner_msp=msp_of(CITY),
        equipment_type="battery", rated_capacity=f"{config.battery_kwh:g}",
        capacity_unit="kWh", commissioning_date=start.astimezone(VALIDITY_TZ).date().isoformat(),
        methodology="pv-battery", methodology_version="1", factor_bindings={"grid": "jp-grid"},
        spec_documents=_spec_hash(config))
    steps = _equipment_steps(CITY, (ENA_SITE, "Ena City PV plant, rooftop PV and NAS battery",
                                    "Ena, Gifu"), message, devices, "gateway", keys, start)
    lot = _lot(ENA_EQUIPMENT, start, end)
    steps += lot_steps("ena", ENA_EQUIPMENT, start, end, CITY, holders(CITY), lot["lot_id"])
    return steps, {**lot, "devices": metered, "batches": sum(len(d.headers) for d in devices)}


def _boiler(store: IngestStore, keys: DeviceKeys, holders: Holders
            ) -> tuple[list[Step], dict[str, Any]]:
    config = BoilerConfig()
    device = _stored(store, config.new_device, "envalue simulate boiler --store-db URL")
    fuel_of = {quantity: name for name, (quantity, _, _) in FUELS.items()}
    burnt = [fuel_of[q] for q in device.channels if q in fuel_of]
    if len(burnt) != 1:
        raise ValidationError("store", config.new_device, "one-fuel",
                              f"the stored batches of {config.new_device} measure "
                              f"{len(burnt)} fuels; the boiler case study burns one")
    start, end = _span([device])
    message = MsgRegisterEquipment(
        equipment_id=config.new_device, site_id=BOILER_SITE, owner_msp=msp_of(CUSTOMER),
        equipment_type="boiler", rated_capacity=f"{config.rated_steam_kg_h:g}",
        capacity_unit="kg/h", commissioning_date=start.astimezone(VALIDITY_TZ).date().isoformat(),
        methodology="boiler-replacement", methodology_version="1",
        efficiency=str(Decimal(str(config.new_efficiency))),
        factor_bindings={"project_fuel": burnt[0].replace("-", "_"),
                         "baseline_fuel": config.old_fuel.replace("-", "_")},
        parameters={"eff_bl": str(Decimal(str(config.old_efficiency)))},
        spec_documents=_spec_hash(config))
    steps = _equipment_steps(CUSTOMER, (BOILER_SITE, "Customer factory, packaged boiler house",
                                        ""), message, [device], "logger", keys, start)
    lot = _lot(config.new_device, start, end)
    steps += lot_steps("boiler", config.new_device, start, end, CUSTOMER, holders(CUSTOMER),
                       lot["lot_id"])
    return steps, {**lot, "devices": [config.new_device], "batches": len(device.headers),
                   "project_fuel": burnt[0], "baseline_fuel": config.old_fuel}


def _trade_steps(boiler_lot: str, holders: Holders, year: int) -> list[Step]:
    """Half of the boiler lot to Ena City, which retires it for its reporting."""
    seller, city = holders(CUSTOMER), holders(CITY)
    note = "envalue scenario case-studies: boiler reduction retired by Ena City"

    def half(out: Mapping[str, Any]) -> int:
        return max(1, out["kg:boiler"] // 2)

    def transferred(answer: list[HistoryEntry], out: Mapping[str, Any]) -> dict[str, Any] | None:
        moved = any(e.action == "transfer-in" and e.counterparty == seller
                    and e.changes.get("tradable") == half(out) for e in answer)
        return {} if moved else None

    def retired(answer: list[Retirement], _out: Mapping[str, Any]) -> dict[str, Any] | None:
        return {} if any(r.owner == city and r.note == note for r in answer) else None

    info = RetirementInfo("Ena City", "japan_reporting_act", year, note)
    return [
        Step("trade/transfer", CUSTOMER, "customer1 transfers half of the boiler lot to Ena City",
             Deferred("tokens:transfer", ("kg:boiler",), lambda out: tokens.transfer_call(
                 seller, [TransferItem(boiler_lot, city, half(out))])),
             probe=Probe(lambda _out: tokens.history_call(boiler_lot, city), transferred)),
        Step("trade/retire", CITY, "Ena City retires what it received (reporting act)",
             Deferred("tokens:retire", ("kg:boiler",), lambda out: tokens.retire_call(
                 city, boiler_lot, half(out), info)),
             probe=Probe(lambda _out: retirements_call(boiler_lot), retired)),
    ]


def retirements_call(lot_id: str) -> LedgerCall[list[Retirement]]:
    """The retirement records of a lot (the tokens contract's ``retirements`` query)."""
    return query_call("tokens", "retirements", lot_id,
                      decode=lambda raw: [Retirement.from_dict(r) for r in loads(raw)])


def case_studies(store: IngestStore | str, keys: DeviceKeys, holders: Holders, *,
                 grid: Mapping[int, GridValue] | GridValue | None = None) -> Scenario:
    """The case-study scenario from the off-chain store `store` (see the module text).

    `keys` gives each edge device's key; `holders` the holder keys of the identities;
    `grid` the grid factor per fiscal year (default: `common.DEFAULT_GRID` for the years
    the reference covers). Raises ValidationError when the store lacks case-study data."""
    store = IngestStore(store) if isinstance(store, str) else store
    ena_steps, ena = _ena(store, keys, holders)
    boiler_steps, boiler = _boiler(store, keys, holders)
    years = {fiscal_year(date.fromisoformat(day))
             for day in (*ena["vintage"], *boiler["vintage"])}
    year = fiscal_year(date.fromisoformat(boiler["vintage"][0]))
    steps = [*genesis_steps(years, grid), *ena_steps,
             *boiler_steps, *_trade_steps(boiler["lot_id"], holders, year)]
    notes = (
        "Registered from the simulator: meter serials (SIM-<device>), accuracy class 1.0, "
        "verification valid 10 years from the first stored day, commissioning on the first "
        "stored day; field deployments register the nameplate data instead.",
        "Not anchored: the 62 Ena facility meters (consumption only) and boiler-old "
        "(pre-replacement evidence); they stay in the off-chain store.",
    )
    return Scenario("case-studies", tuple(steps), notes, {"ena": ena, "boiler": boiler})
