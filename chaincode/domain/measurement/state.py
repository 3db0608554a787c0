"""Measurement records (anchored batches, calculations, reviews, mints) and their keys.

====================================  ======================================  =================
object type                           attributes                              record
====================================  ======================================  =================
``envalue.measurement.batch``         batch_id                                `BatchRecord`
``envalue.measurement.batch_of_device`` device_id, period_start, batch_id     index ``{}``
``envalue.measurement.batch_of_meter``  meter_id, period_start, batch_id      index ``{}``
``envalue.measurement.calculation``   calculation_id                          `CalculationRecord`
``envalue.measurement.calc_of_equipment`` equipment_id, period_start, calc_id index ``{}``
``envalue.measurement.superseded``    calculation_id (the old one)            `Supersession`
``envalue.measurement.review``        calculation_id                          `Review`
``envalue.measurement.mint``          calculation_id                          `MintRecord`
``envalue.measurement.lot``           lot_id                                  `LotLink`
====================================  ======================================  =================

Period starts in index keys are fixed-width UTC timestamps, so a range scan returns a
device's or meter's batches in time order. A `CalculationRecord` is written once and
never changed: supersession, review and mint are separate records keyed by its id.
Encoding and `tx_id` conventions are those of `envalue.chaincode.domain.registry.state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from envalue.chaincode.domain.registry.state import Record

__all__ = [
    "BATCH",
    "BATCH_OF_DEVICE",
    "BATCH_OF_METER",
    "CALCULATION",
    "CALC_OF_EQUIPMENT",
    "LOT",
    "MINT",
    "REVIEW",
    "SUPERSEDED",
    "BatchRecord",
    "CalculationRecord",
    "LotLink",
    "MintRecord",
    "Review",
    "Supersession",
]

BATCH = "envalue.measurement.batch"
BATCH_OF_DEVICE = "envalue.measurement.batch_of_device"
BATCH_OF_METER = "envalue.measurement.batch_of_meter"
CALCULATION = "envalue.measurement.calculation"
CALC_OF_EQUIPMENT = "envalue.measurement.calc_of_equipment"
SUPERSEDED = "envalue.measurement.superseded"
REVIEW = "envalue.measurement.review"
MINT = "envalue.measurement.mint"
LOT = "envalue.measurement.lot"


@dataclass(frozen=True)
class BatchRecord(Record):
    """An anchored batch: commitments and totals of one device, meter and period.

    `meter_verification_valid` is false when the meter's verification does not cover the
    whole period; such a batch stays on the ledger (it is evidence) but cannot feed a
    calculation. `header_sha256` is the SHA-256 of the canonical header bytes signed.
    """

    TABLE: ClassVar[str] = BATCH
    batch_id: str
    device_id: str
    meter_id: str
    equipment_id: str
    period_start: str
    period_end: str
    reading_count: int
    merkle_root: str
    upload_hash: str
    quality: dict[str, int]
    totals: list[dict[str, str]]
    signature: str
    header_sha256: str
    key_fingerprint: str
    meter_verification_valid: bool
    anchored_by: str
    anchored_at: str
    tx_id: str

    def key_parts(self) -> tuple[str, ...]:
        return (self.batch_id,)

    def total_of(self, quantity: str) -> str | None:
        """The decimal total of `quantity`, or None when the batch has none."""
        for line in self.totals:
            if line["quantity"] == quantity:
                return line["value"]
        return None


@dataclass(frozen=True)
class CalculationRecord(Record):
    """Everything one calculation used and produced; immutable once written.

    `inputs` are the methodology inputs exactly as passed to the methodology code;
    `input_sources` say where each came from (batch totals, factor, equipment, parameter);
    `factors` are the factor versions used with their values and recording tx ids.
    """

    TABLE: ClassVar[str] = CALCULATION
    calculation_id: str
    equipment_id: str
    site_id: str
    owner: str
    owner_msp: str
    period_start: str
    period_end: str
    methodology: str
    methodology_version: str
    formula_hash: str
    methodology_tx: str
    batch_ids: list[str]
    meter_ids: list[str]
    inputs: dict[str, Any]
    input_sources: dict[str, str]
    factors: list[dict[str, Any]]
    outputs: dict[str, int]
    trace: dict[str, str]
    supersedes: str
    reason: str
    calculated_by: str
    calculated_at: str
    tx_id: str

    def key_parts(self) -> tuple[str, ...]:
        return (self.calculation_id,)

    @property
    def reduction_kg(self) -> int | None:
        """The reduction in whole kg, or None for an inventory."""
        return self.outputs.get("reduction_kg")


@dataclass(frozen=True)
class Supersession(Record):
    """`calculation_id` was replaced by `superseded_by` for `reason`."""

    TABLE: ClassVar[str] = SUPERSEDED
    calculation_id: str
    superseded_by: str
    reason: str
    by: str
    at: str
    tx_id: str

    def key_parts(self) -> tuple[str, ...]:
        return (self.calculation_id,)


@dataclass(frozen=True)
class Review(Record):
    """A verifier's decision on a calculation: ``approved`` or ``rejected``, with comment."""

    TABLE: ClassVar[str] = REVIEW
    calculation_id: str
    decision: str
    comment: str
    verifier: str
    verifier_msp: str
    at: str
    tx_id: str

    def key_parts(self) -> tuple[str, ...]:
        return (self.calculation_id,)


@dataclass(frozen=True)
class MintRecord(Record):
    """The calculation's reduction was minted as token lot `lot_id`."""

    TABLE: ClassVar[str] = MINT
    calculation_id: str
    lot_id: str
    quantity_kg: int
    owner: str
    by: str
    at: str
    tx_id: str

    def key_parts(self) -> tuple[str, ...]:
        return (self.calculation_id,)


@dataclass(frozen=True)
class LotLink(Record):
    """From a token lot back to the calculation it was minted from."""

    TABLE: ClassVar[str] = LOT
    lot_id: str
    calculation_id: str
    tx_id: str

    def key_parts(self) -> tuple[str, ...]:
        return (self.lot_id,)
