"""MsgCalculate: emissions, baseline and reduction of one equipment for one period.

Steps (every peer computes the same record):

1. the caller acts for the equipment's owner organisation;
2. the equipment's methodology version is active on the ledger, valid for the period,
   and the chaincode's implementation of it has the recorded formula hash;
3. no live calculation of this equipment overlaps the period (no double counting),
   except the one named in `supersedes`, which must not be minted yet; a superseded
   record stays as it was, a `Supersession` record with the reason points to the new one;
4. factors: one active version per binding, valid for the whole period;
5. batches: for each meter with a channel the methodology reads, its anchored batches
   must lie inside the period and cover it without gap or overlap, each with a valid
   meter verification and a total for every needed channel; totals are summed exactly;
6. the inputs are mapped (`mapping`) and the SAME methodology code as the dry run runs;
7. the record keeps batch ids, formula version and hash, factor versions and values,
   inputs with their sources, the trace and the outputs.

The calculation id is ``calc-`` + the first 32 hex digits of SHA-256 of
``envalue-calculation-v1|equipment_id|period_start|period_end|tx_id``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.methodologies import get_methodology
from envalue.chaincode.domain.quantity import DECIMAL_CONTEXT
from envalue.chaincode.domain.registry.access import require_acts_for
from envalue.chaincode.domain.registry.fields import (
    message_from_dict,
    parse_timestamp,
    require_id,
    require_text,
    require_timestamp,
)
from envalue.chaincode.domain.registry.governance import covers, require_active_methodology
from envalue.chaincode.domain.registry.state import (
    METER_OF,
    Equipment,
    FactorVersion,
    Meter,
    canonical_json,
    load,
    load_or_none,
    save,
)
from envalue.chaincode.domain.store import Store, composite_key

from .mapping import build_inputs, quantity_needs, select_factors
from .state import (
    BATCH_OF_METER,
    CALC_OF_EQUIPMENT,
    BatchRecord,
    CalculationRecord,
    MintRecord,
    Supersession,
)

__all__ = ["MsgCalculate", "apply", "calculation_id", "validate"]


@dataclass(frozen=True)
class MsgCalculate:
    equipment_id: str
    period_start: str
    period_end: str
    supersedes: str = ""
    reason: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> MsgCalculate:
        return message_from_dict(cls, data)


def validate(msg: MsgCalculate) -> None:
    """Stateless checks."""
    require_id(msg.equipment_id, "equipment_id")
    start = require_timestamp(msg.period_start, "period_start")
    end = require_timestamp(msg.period_end, "period_end")
    if end <= start:
        raise ValidationError("period_end", msg.period_end, "after-start",
                              "must be later than period_start")
    if msg.supersedes:
        require_id(msg.supersedes, "supersedes")
        require_text(msg.reason, "reason")
    elif msg.reason:
        raise ValidationError("reason", msg.reason, "supersedes-only",
                              "is only given with supersedes (the reason for a correction)")


def calculation_id(equipment_id: str, start: str, end: str, tx_id: str) -> str:
    """The deterministic id of the calculation made in transaction `tx_id`."""
    text = "|".join(("envalue-calculation-v1", equipment_id, start, end, tx_id))
    return "calc-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


async def _check_overlap(store: Store, msg: MsgCalculate, start: str, end: str) -> None:
    async for _key, raw in store.scan(CALC_OF_EQUIPMENT, msg.equipment_id):
        other = json.loads(raw)
        if other["period_start"] >= end or other["period_end"] <= start:
            continue
        if other["calculation_id"] == msg.supersedes:
            continue
        if await load_or_none(store, Supersession, other["calculation_id"]) is not None:
            continue
        raise ConflictError(
            "period_start", start, "no-double-counting",
            f"equipment {msg.equipment_id!r} was already calculated for an overlapping period "
            f"by {other['calculation_id']} ({other['period_start']}..{other['period_end']}); "
            "a correction must supersede that record with a reason",
        )


async def _check_supersedes(store: Store, msg: MsgCalculate) -> None:
    old = await load(store, CalculationRecord, msg.supersedes, field_name="supersedes",
                     what="calculation")
    if old.equipment_id != msg.equipment_id:
        raise ValidationError("supersedes", msg.supersedes, "same-equipment",
                              f"is a calculation of equipment {old.equipment_id!r}")
    done = await load_or_none(store, Supersession, msg.supersedes)
    if done is not None:
        raise ConflictError("supersedes", msg.supersedes, "not-superseded",
                            f"was already superseded by {done.superseded_by}")
    minted = await load_or_none(store, MintRecord, msg.supersedes)
    if minted is not None:
        raise ConflictError("supersedes", msg.supersedes, "not-minted",
                            f"was minted into lot {minted.lot_id} and cannot be superseded")


async def _meter_batches(
    store: Store, meter: Meter, start: str, end: str
) -> list[BatchRecord]:
    """The meter's batches covering exactly [start, end], checked (module docstring, 5)."""
    batches: list[BatchRecord] = []
    cursor = start
    async for _key, raw in store.scan(BATCH_OF_METER, meter.meter_id):
        span = json.loads(raw)
        if span["period_start"] >= end:
            break
        if span["period_end"] <= start:
            continue
        batch_id = span["batch_id"]
        if span["period_start"] < start or span["period_end"] > end:
            raise ValidationError(
                "period_start", start, "batch-inside-period",
                f"batch {batch_id} of meter {meter.meter_id!r} "
                f"({span['period_start']}..{span['period_end']}) straddles the period boundary; "
                "calculate periods made of whole batches",
            )
        if span["period_start"] < cursor:
            raise ConflictError("period_start", start, "no-overlapping-batches",
                                f"batch {batch_id} overlaps another batch of meter "
                                f"{meter.meter_id!r}")
        if span["period_start"] > cursor:
            break
        record = await load(store, BatchRecord, batch_id, field_name="batch_id", what="batch")
        if not record.meter_verification_valid:
            raise ValidationError(
                "batch_ids", batch_id, "meter-verification",
                f"batch {batch_id}: the verification of meter {meter.meter_id!r} "
                f"({meter.verification_valid_from}..{meter.verification_valid_until}) does not "
                "cover its period; it cannot feed a credit",
            )
        batches.append(record)
        cursor = span["period_end"]
    if cursor != end:
        raise ValidationError(
            "period_end", end, "complete-data",
            f"meter {meter.meter_id!r} has no anchored batch from {cursor}; the period must be "
            "covered by anchored batches without gaps",
        )
    return batches


async def _meters(store: Store, equipment_id: str) -> list[Meter]:
    ids = [key.split("\x00")[-2] async for key, _ in store.scan(METER_OF, equipment_id)]
    return [await load(store, Meter, i, field_name="meter_id", what="meter") for i in ids]


def _factor_entry(role: str, record: FactorVersion) -> dict[str, Any]:
    return {"role": role, "series": record.series, "factor_id": record.factor_id,
            "version": record.version, "unit": record.unit, "values": dict(record.values),
            "value_units": dict(record.value_units), "source": record.source,
            "proposed_tx": record.proposed_tx, "activated_tx": record.activated_tx}


async def apply(store: Store, ctx: TxContext, msg: MsgCalculate) -> list[DomainEvent]:
    """Calculate and record (module docstring)."""
    validate(msg)
    start = require_timestamp(msg.period_start, "period_start")
    end = require_timestamp(msg.period_end, "period_end")
    start_dt, end_dt = parse_timestamp(start), parse_timestamp(end)
    equipment = await load(store, Equipment, msg.equipment_id, field_name="equipment_id",
                           what="equipment")
    require_acts_for(ctx, equipment.owner_msp, f"calculate equipment {msg.equipment_id!r}")
    ledger_method = await require_active_methodology(
        store, equipment.methodology, equipment.methodology_version)
    code = get_methodology(equipment.methodology, equipment.methodology_version)
    if code.formula_hash != ledger_method.formula_hash:
        raise ConflictError(
            "methodology_version", f"{code.name}@{code.version}", "formula-hash",
            f"the ledger's formula hash {ledger_method.formula_hash} differs from this "
            f"chaincode's implementation ({code.formula_hash}); upgrade the chaincode",
        )
    if not covers(ledger_method.valid_from, ledger_method.valid_until, start_dt, end_dt):
        raise ValidationError(
            "period_start", start, "methodology-valid",
            f"methodology {code.name}@{code.version} is valid "
            f"{ledger_method.valid_from or '…'}..{ledger_method.valid_until or '…'}, "
            "not for the whole period",
        )
    if msg.supersedes:
        await _check_supersedes(store, msg)
    await _check_overlap(store, msg, start, end)
    factors = await select_factors(store, equipment, start_dt, end_dt)
    totals, batch_ids, meter_ids = await _collect(store, equipment, factors, start, end)
    inputs, sources = build_inputs(equipment, factors, totals)
    result = code.calculate(inputs)
    calc_id = calculation_id(msg.equipment_id, start, end, ctx.tx_id)
    record = CalculationRecord(
        calculation_id=calc_id, equipment_id=equipment.equipment_id,
        site_id=equipment.site_id, owner=equipment.owner, owner_msp=equipment.owner_msp,
        period_start=start, period_end=end, methodology=code.name,
        methodology_version=code.version, formula_hash=code.formula_hash,
        methodology_tx=ledger_method.activated_tx, batch_ids=batch_ids, meter_ids=meter_ids,
        inputs=inputs, input_sources=sources,
        factors=[_factor_entry(role, f) for role, f in sorted(factors.items())],
        outputs=dict(result.outputs()), trace=dict(result.trace),
        supersedes=msg.supersedes, reason=msg.reason, calculated_by=ctx.owner_key,
        calculated_at=format_timestamp(ctx.timestamp), tx_id=ctx.tx_id,
    )
    await save(store, record)
    await store.put(composite_key(CALC_OF_EQUIPMENT, msg.equipment_id, start, calc_id),
                    canonical_json({"calculation_id": calc_id, "period_start": start,
                                    "period_end": end}))
    events = [DomainEvent("EventCalculate", {
        "calculation_id": calc_id, "equipment_id": msg.equipment_id, "period_start": start,
        "period_end": end, "methodology": code.name, "methodology_version": code.version,
        **record.outputs,
    })]
    if msg.supersedes:
        await save(store, Supersession(
            calculation_id=msg.supersedes, superseded_by=calc_id, reason=msg.reason,
            by=ctx.owner_key, at=format_timestamp(ctx.timestamp), tx_id=ctx.tx_id,
        ))
        events.append(DomainEvent("EventSupersede", {
            "calculation_id": msg.supersedes, "superseded_by": calc_id}))
    return events


async def _collect(
    store: Store, equipment: Equipment, factors: dict[str, FactorVersion], start: str, end: str
) -> tuple[dict[str, Decimal], list[str], list[str]]:
    """Summed totals per needed metered quantity, and the batch and meter ids used."""
    meters = await _meters(store, equipment.equipment_id)
    totals: dict[str, Decimal] = {}
    batch_ids: list[str] = []
    meter_ids: list[str] = []
    cache: dict[str, list[BatchRecord]] = {}
    for need in quantity_needs(equipment, factors):
        measuring = [m for m in meters if m.unit_of(need.quantity) is not None]
        if not measuring:
            if need.required:
                raise ValidationError(
                    "equipment_id", equipment.equipment_id, "metered",
                    f"no meter of equipment {equipment.equipment_id!r} measures "
                    f"{need.quantity} (needed for {need.input_name})",
                )
            continue
        total = Decimal(0)
        for meter in measuring:
            if meter.meter_id not in cache:
                cache[meter.meter_id] = await _meter_batches(store, meter, start, end)
                meter_ids.append(meter.meter_id)
                batch_ids.extend(b.batch_id for b in cache[meter.meter_id])
            for batch in cache[meter.meter_id]:
                value = batch.total_of(need.quantity)
                if value is None:
                    raise ValidationError(
                        "batch_ids", batch.batch_id, "complete-batch",
                        f"batch {batch.batch_id} of meter {meter.meter_id!r} has no "
                        f"{need.quantity} total (needed for {need.input_name})",
                    )
                with localcontext(DECIMAL_CONTEXT):
                    total += Decimal(value)
        totals[need.quantity] = total
    return totals, batch_ids, meter_ids
