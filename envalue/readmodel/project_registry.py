"""Registry and measurement → read model: sites, equipment, meters, edge devices with their
owner org; methodology and factor versions; anchored batches; calculations and their
review/mint state (records from `envalue.chaincode.domain.registry.state` and
`envalue.chaincode.domain.measurement.state`)."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from envalue.chaincode.domain.measurement import state as ms
from envalue.chaincode.domain.measurement.review import APPROVED, REJECTED
from envalue.chaincode.domain.registry import state as rs

from .projection import EventRule, Mirror, Ref, joined, upsert
from .schema import (
    Calculation,
    Device,
    Equipment,
    FactorVersion,
    MeasurementBatch,
    Meter,
    MethodologyVersion,
    Site,
)

__all__ = ["CALCULATED", "CALCULATION_STATES", "MINTED", "MIRRORS", "RULES", "SUPERSEDED"]

CALCULATED, MINTED, SUPERSEDED = "calculated", "minted", "superseded"
#: where a calculation stands in ``rm_calculations`` (reviews write approved / rejected)
CALCULATION_STATES: tuple[str, ...] = (CALCULATED, APPROVED, REJECTED, MINTED, SUPERSEDED)


def _json(value: object) -> str:
    """A record's list or mapping field as canonical JSON text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _owner_msp_of_equipment(session: Session, equipment_id: str) -> str:
    row = session.get(Equipment, equipment_id)
    return row.owner_msp if row is not None else ""


def _site(session: Session, s: rs.Site, ref: Ref) -> None:
    upsert(session, Site, ref, site_id=s.site_id, name=s.name, owner_msp=s.owner_msp)


def _equipment(session: Session, e: rs.Equipment, ref: Ref) -> None:
    upsert(session, Equipment, ref, equipment_id=e.equipment_id, site_id=e.site_id,
           owner_msp=e.owner_msp, owner=e.owner, equipment_type=e.equipment_type,
           methodology=e.methodology, methodology_version=e.methodology_version)


def _meter(session: Session, m: rs.Meter, ref: Ref) -> None:
    upsert(session, Meter, ref, meter_id=m.meter_id, equipment_id=m.equipment_id,
           owner_msp=_owner_msp_of_equipment(session, m.equipment_id), serial=m.serial,
           quantities=joined(c.get("quantity", "") for c in m.quantities),
           verification_valid_from=m.verification_valid_from,
           verification_valid_until=m.verification_valid_until)


def _device(session: Session, d: rs.EdgeDevice, ref: Ref) -> None:
    upsert(session, Device, ref, device_id=d.device_id, kind=d.kind, owner_msp=d.owner_msp,
           meter_ids=joined(d.meter_ids), public_key_pem=d.public_key_pem,
           key_fingerprint=d.key_fingerprint)


def _methodology(session: Session, m: rs.MethodologyVersion, ref: Ref) -> None:
    upsert(session, MethodologyVersion, ref, name=m.name, version=m.version, title=m.title,
           status=m.status, approvals=_json(m.approvals), genesis=m.genesis)


def _factor(session: Session, f: rs.FactorVersion, ref: Ref) -> None:
    upsert(session, FactorVersion, ref, series=f.series, factor_id=f.factor_id,
           version=f.version, kind=f.kind, unit=f.unit, values=_json(f.values),
           value_units=_json(f.value_units), source=f.source, valid_from=f.valid_from,
           valid_until=f.valid_until, status=f.status, approvals=_json(f.approvals),
           genesis=f.genesis)


def _batch(session: Session, b: ms.BatchRecord, ref: Ref) -> None:
    upsert(session, MeasurementBatch, ref, batch_id=b.batch_id, device_id=b.device_id,
           meter_id=b.meter_id, equipment_id=b.equipment_id,
           owner_msp=_owner_msp_of_equipment(session, b.equipment_id),
           period_start=b.period_start, period_end=b.period_end,
           reading_count=b.reading_count, merkle_root=b.merkle_root,
           meter_verification_valid=b.meter_verification_valid, upload_hash=b.upload_hash,
           quality=_json(b.quality), totals=_json(b.totals), signature=b.signature,
           header_sha256=b.header_sha256, key_fingerprint=b.key_fingerprint,
           anchored_at=b.anchored_at)


def _calculation(session: Session, c: ms.CalculationRecord, ref: Ref) -> None:
    existing = session.get(Calculation, c.calculation_id)
    factors = [f"{f.get('series')}/{f.get('factor_id')}@{f.get('version')}" for f in c.factors]
    upsert(session, Calculation, ref, calculation_id=c.calculation_id,
           equipment_id=c.equipment_id, site_id=c.site_id, owner=c.owner,
           owner_msp=c.owner_msp, period_start=c.period_start, period_end=c.period_end,
           methodology=c.methodology, methodology_version=c.methodology_version,
           factor_versions=joined(factors), batch_ids=joined(c.batch_ids),
           calculated_at=c.calculated_at, reduction_kg=c.reduction_kg,
           state=existing.state if existing is not None else CALCULATED)


def _calc_state(session: Session, calculation_id: str, ref: Ref, **values: object) -> None:
    """Advance a calculation's state; a calculation written before the listener's start
    is not invented, its state waits for the calculation row."""
    if session.get(Calculation, calculation_id) is not None:
        upsert(session, Calculation, ref, calculation_id=calculation_id, **values)


def _review(session: Session, r: ms.Review, ref: Ref) -> None:
    _calc_state(session, r.calculation_id, ref, state=r.decision, review_comment=r.comment)


def _supersession(session: Session, s: ms.Supersession, ref: Ref) -> None:
    _calc_state(session, s.calculation_id, ref, state=SUPERSEDED,
                superseded_by=s.superseded_by)


def _mint(session: Session, m: ms.MintRecord, ref: Ref) -> None:
    _calc_state(session, m.calculation_id, ref, state=MINTED, lot_id=m.lot_id)


MIRRORS: tuple[Mirror, ...] = (
    Mirror(rs.SITE, rs.Site, _site),
    Mirror(rs.EQUIPMENT, rs.Equipment, _equipment),
    Mirror(rs.METER, rs.Meter, _meter),
    Mirror(rs.DEVICE, rs.EdgeDevice, _device),
    Mirror(rs.METHODOLOGY, rs.MethodologyVersion, _methodology),
    Mirror(rs.FACTOR, rs.FactorVersion, _factor),
    Mirror(ms.BATCH, ms.BatchRecord, _batch),
    Mirror(ms.CALCULATION, ms.CalculationRecord, _calculation),
    Mirror(ms.REVIEW, ms.Review, _review),
    Mirror(ms.SUPERSEDED, ms.Supersession, _supersession),
    Mirror(ms.MINT, ms.MintRecord, _mint),
)

_CALC = ("calculation_id",)

RULES: dict[str, EventRule] = {
    "EventRegisterSite": EventRule((rs.SITE,), strs=("site_id",)),
    "EventRegisterEquipment": EventRule((rs.EQUIPMENT,), strs=("equipment_id",)),
    "EventRegisterMeter": EventRule((rs.METER,), strs=("meter_id",)),
    "EventRegisterEdgeDevice": EventRule((rs.DEVICE,), strs=("device_id",)),
    "EventBootstrap": EventRule((rs.METHODOLOGY, rs.FACTOR)),
    "EventProposeMethodology": EventRule((rs.METHODOLOGY,), strs=("name", "version")),
    "EventApproveMethodology": EventRule((rs.METHODOLOGY,), strs=("name", "version")),
    "EventActivateMethodology": EventRule((rs.METHODOLOGY,), strs=("name", "version")),
    "EventProposeFactor": EventRule((rs.FACTOR,), strs=("series", "factor_id", "version")),
    "EventApproveFactor": EventRule((rs.FACTOR,), strs=("series", "factor_id", "version")),
    "EventActivateFactor": EventRule((rs.FACTOR,), strs=("series", "factor_id", "version")),
    "EventAnchorBatch": EventRule((ms.BATCH,), strs=("batch_id",)),
    # a re-sent batch: the ledger did not change, nothing to list
    "EventBatchAlreadyAnchored": EventRule(strs=("batch_id",)),
    "EventCalculate": EventRule((ms.CALCULATION,), strs=_CALC),
    "EventSupersede": EventRule((ms.SUPERSEDED,), strs=_CALC),
    "EventApproveCalculation": EventRule((ms.REVIEW,), strs=_CALC),
    "EventRejectCalculation": EventRule((ms.REVIEW,), strs=_CALC),
    "EventMintReduction": EventRule((ms.MINT,), ints=("quantity_kg",),
                                    strs=("calculation_id", "lot_id")),
}
