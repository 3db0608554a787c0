"""A realistic lineage, end to end, for `envalue verify` tests.

The edge simulator produces two days of a replaced boiler's operation data and signs
each batch header with the device key; the upload is ingested into a SQLite store; the
device, meter and equipment are registered, the batches anchored, the period calculated,
approved by an independent verifier and minted, with the chaincode's domain functions
over the in-memory ledger of chaincode unit tests; `trace` gives the document the
ledger's ``measurement:trace`` query returns.
"""

from __future__ import annotations

import copy
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "measurement"))

from measurement_world import (  # noqa: E402
    CUSTOMER,
    OPERATOR,
    VERIFIER_2,
    World,
    base_world,
    register_equipment,
)

from envalue.chaincode.domain.measurement import (  # noqa: E402
    msg_anchor_batch,
    msg_approve_calculation,
    msg_calculate,
    msg_mint,
)
from envalue.chaincode.domain.measurement.signature import public_key_pem  # noqa: E402
from envalue.chaincode.domain.measurement.trace import trace  # noqa: E402
from envalue.chaincode.domain.registry import (  # noqa: E402
    msg_register_edge_device,
    msg_register_meter,
)
from envalue.edge import simulate  # noqa: E402
from envalue.edge.batch_signing import header_of  # noqa: E402
from envalue.edge.signing import load_or_create_key  # noqa: E402
from envalue.ingest.config import IngestConfig  # noqa: E402
from envalue.ingest.pipeline import IngestResult, ingest  # noqa: E402
from envalue.ingest.store import IngestStore  # noqa: E402

__all__ = ["DEVICE", "Lineage", "build_lineage", "copy_store", "drop_append_only",
           "tamper_value"]

DEVICE = "boiler-new"
EQUIPMENT = "boiler-7"
_CHANNELS = {"fuel": "L", "heat": "GJ", "steam": "kg", "fuel_gas": "Nm3"}


@dataclass
class Lineage:
    """Everything a verify test needs: the store, the trace, ids and the ledger world."""

    world: World
    store: IngestStore
    db_url: str
    result: IngestResult
    trace: dict[str, Any]
    lot_id: str
    calculation_id: str
    key_dir: Path

    def trace_copy(self) -> dict[str, Any]:
        return copy.deepcopy(self.trace)


def build_lineage(tmp: Path, *, kind: str = "interval", days: int = 2, seed: int = 7
                  ) -> Lineage:
    """Simulate → ingest → register → anchor → calculate → approve → mint → trace."""
    key_dir = tmp / "keys"
    sim = simulate("boiler", days=days, devices=[DEVICE], key_dir=key_dir, seed=seed,
                   kind=kind)  # type: ignore[arg-type]
    upload = sim.upload(DEVICE)
    options = upload.ingest_options()
    result = ingest(upload.body, IngestConfig(**options), source="boiler-new.csv")  # type: ignore[arg-type]
    db_url = f"sqlite:///{tmp / 'offchain.db'}"
    store = IngestStore(db_url)
    store.add(result)

    world = base_world()
    world.site("factory-7", CUSTOMER)
    register_equipment(world, CUSTOMER, equipment_id=EQUIPMENT, site_id="factory-7",
                       equipment_type="boiler", rated_capacity="2000", capacity_unit="kg/h",
                       efficiency="0.92", methodology="boiler-replacement",
                       factor_bindings={"project_fuel": "a_heavy_oil",
                                        "baseline_fuel": "a_heavy_oil"},
                       parameters={"eff_bl": "0.80"})
    quantities = sorted({q for b in result.batches for q in b.totals})
    capacity = options["counter_capacity"]
    world.submit(CUSTOMER, msg_register_meter, msg_register_meter.MsgRegisterMeter(
        meter_id=DEVICE, equipment_id=EQUIPMENT, serial="SN-7",
        quantities=[{"quantity": q, "unit": _CHANNELS[q]} for q in quantities],
        accuracy_class="1.0", verification_valid_from="2023-04-01T00:00:00+09:00",
        verification_valid_until="2031-03-31T00:00:00+09:00",
        counter_capacity=None if capacity is None else int(capacity),  # type: ignore[call-overload]
    ))
    key = load_or_create_key(key_dir, DEVICE)
    world.submit(CUSTOMER, msg_register_edge_device,
                 msg_register_edge_device.MsgRegisterEdgeDevice(
                     device_id=DEVICE, kind="logger", owner_msp=CUSTOMER.msp_id,
                     public_key_pem=public_key_pem(key), meter_ids=[DEVICE]))
    signatures = {s["batch_id"]: s["signature"] for s in upload.batch_signatures}
    for batch in result.batches:
        header = header_of(batch)
        world.submit(CUSTOMER, msg_anchor_batch, msg_anchor_batch.MsgAnchorBatch.from_dict({
            "batch_id": header.batch_id, "device_id": header.device_id,
            "meter_id": header.meter_id, "period_start": header.period_start,
            "period_end": header.period_end, "reading_count": header.reading_count,
            "merkle_root": header.merkle_root, "upload_hash": header.upload_hash,
            "quality": dict(header.quality),
            "totals": [{"quantity": q, "value": v, "unit": u}
                       for q, (v, u) in sorted(header.totals.items())],
            "signature": signatures[header.batch_id],
        }))
    start = result.batches[0].period.start.isoformat()
    end = result.batches[-1].period.end.isoformat()
    events = world.submit(CUSTOMER, msg_calculate,
                          msg_calculate.MsgCalculate(EQUIPMENT, start, end))
    calc_id = events[0].attributes["calculation_id"]
    world.submit(VERIFIER_2, msg_approve_calculation,
                 msg_approve_calculation.MsgApproveCalculation(calc_id, "data checked"))
    lot_id = world.submit(OPERATOR, msg_mint,
                          msg_mint.MsgMintReduction(calc_id))[0].attributes["lot_id"]
    doc = world.query(lambda s: trace(s, lot_id=lot_id))
    return Lineage(world, store, db_url, result, doc, lot_id, calc_id, key_dir)


def drop_append_only(store: IngestStore) -> None:
    """The attacker's first step: remove the append-only triggers (raw DB access)."""
    with store.engine.begin() as conn:
        for (name,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')


def tamper_value(store: IngestStore, row_id: int, value: str) -> None:
    """Rewrite one reading's value with raw SQL, bypassing the store's API."""
    drop_append_only(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE ingest_readings SET value = ? WHERE id = ?",
                             (value, row_id))


def copy_store(lineage: Lineage, tmp: Path) -> IngestStore:
    """A private copy of the off-chain database for a test that tampers with it."""
    dst = tmp / "copy.db"
    shutil.copy(Path(lineage.db_url.removeprefix("sqlite:///")), dst)
    return IngestStore(f"sqlite:///{dst}")
