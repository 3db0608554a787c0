"""Traceability: from a token lot or a calculation back to every record behind it.

`trace` returns, as JSON-ready data: the lot link and mint, the calculation (and the
record it superseded, or the one that superseded it), the verifier's review, the
equipment and its site, the meters and edge devices, the anchored batches (roots,
totals, signatures), the methodology version and the factor versions, and a
`transactions` list naming the transaction id that recorded each step. Block numbers
are not visible to chaincode; a client maps tx ids to blocks (qscc GetBlockByTxID).
"""

from __future__ import annotations

from typing import Any

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.registry.state import (
    EdgeDevice,
    Equipment,
    FactorVersion,
    Meter,
    MethodologyVersion,
    Site,
    load,
    load_or_none,
)
from envalue.chaincode.domain.store import Store

from .state import BatchRecord, CalculationRecord, LotLink, MintRecord, Review, Supersession

__all__ = ["trace"]


def _step(steps: list[dict[str, str]], step: str, ref: str, tx_id: str) -> None:
    if tx_id:
        steps.append({"step": step, "ref": ref, "tx_id": tx_id})


async def trace(
    store: Store, *, lot_id: str = "", calculation_id: str = ""
) -> dict[str, Any]:
    """The full chain behind `lot_id` or `calculation_id` (exactly one must be given)."""
    if bool(lot_id) == bool(calculation_id):
        raise ValidationError("", None, "one-of", "give exactly one of lot_id, calculation_id")
    link = None
    if lot_id:
        link = await load(store, LotLink, lot_id, field_name="lot_id", what="lot")
        calculation_id = link.calculation_id
    calc = await load(store, CalculationRecord, calculation_id, field_name="calculation_id",
                      what="calculation")
    mint = await load_or_none(store, MintRecord, calculation_id)
    review = await load_or_none(store, Review, calculation_id)
    superseded_by = await load_or_none(store, Supersession, calculation_id)
    previous = (await load_or_none(store, CalculationRecord, calc.supersedes)
                if calc.supersedes else None)
    equipment = await load(store, Equipment, calc.equipment_id, field_name="equipment_id",
                           what="equipment")
    site = await load(store, Site, equipment.site_id, field_name="site_id", what="site")
    batches = [await load(store, BatchRecord, b, field_name="batch_ids", what="batch")
               for b in calc.batch_ids]
    meters = [await load(store, Meter, m, field_name="meter_ids", what="meter")
              for m in calc.meter_ids]
    device_ids = sorted({b.device_id for b in batches})
    devices = [await load(store, EdgeDevice, d, field_name="device_id", what="edge device")
               for d in device_ids]
    methodology = await load(store, MethodologyVersion, calc.methodology,
                             calc.methodology_version, field_name="methodology_version",
                             what="methodology version")
    factors = [await load(store, FactorVersion, f["series"], f["factor_id"], f["version"],
                          field_name="factors", what="factor version")
               for f in calc.factors]

    steps: list[dict[str, str]] = []
    _step(steps, "register site", site.site_id, site.tx_id)
    _step(steps, "register equipment", equipment.equipment_id, equipment.tx_id)
    for meter in meters:
        _step(steps, "register meter", meter.meter_id, meter.tx_id)
    for device in devices:
        _step(steps, "register edge device", device.device_id, device.tx_id)
    label = f"{methodology.name}@{methodology.version}"
    _step(steps, "propose methodology", label, methodology.proposed_tx)
    for approval in methodology.approvals:
        _step(steps, f"approve methodology ({approval['role']})", label, approval["tx_id"])
    _step(steps, "activate methodology", label, methodology.activated_tx)
    for factor in factors:
        ref = f"{factor.series}/{factor.factor_id}@{factor.version}"
        _step(steps, "propose factor", ref, factor.proposed_tx)
        for approval in factor.approvals:
            _step(steps, f"approve factor ({approval['role']})", ref, approval["tx_id"])
        _step(steps, "activate factor", ref, factor.activated_tx)
    for batch in batches:
        _step(steps, "anchor batch", batch.batch_id, batch.tx_id)
    if previous is not None:
        _step(steps, "superseded calculation", previous.calculation_id, previous.tx_id)
    _step(steps, "calculate", calc.calculation_id, calc.tx_id)
    if review is not None:
        _step(steps, f"review ({review.decision})", calc.calculation_id, review.tx_id)
    if mint is not None:
        _step(steps, "mint", mint.lot_id, mint.tx_id)
    if superseded_by is not None:
        _step(steps, "superseded", superseded_by.superseded_by, superseded_by.tx_id)

    return {
        "lot": None if link is None else link.to_dict(),
        "mint": None if mint is None else mint.to_dict(),
        "calculation": calc.to_dict(),
        "supersedes": None if previous is None else previous.to_dict(),
        "superseded_by": None if superseded_by is None else superseded_by.to_dict(),
        "review": None if review is None else review.to_dict(),
        "equipment": equipment.to_dict(),
        "site": site.to_dict(),
        "meters": [m.to_dict() for m in meters],
        "edge_devices": [d.to_dict() for d in devices],
        "batches": [b.to_dict() for b in batches],
        "methodology": methodology.to_dict(),
        "factors": [f.to_dict() for f in factors],
        "transactions": steps,
    }
