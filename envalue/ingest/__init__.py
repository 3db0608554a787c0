"""Off-chain ingestion of operation data: files → validated readings → measurement batches.

Pipeline (one module per step): `parse_long` / `parse_json` / `parse_wide` → `convert`
(typing, units) → `validate` (duplicates, conflicts, order, plausibility, gaps, counter
deltas) → period totals → `batch` (Merkle root, content-derived id) → `store`.
"""

from envalue.ingest.batch import MeasurementBatch
from envalue.ingest.config import IngestConfig
from envalue.ingest.counters import CounterStep, counter_deltas
from envalue.ingest.model import IngestError, QualityCounts, Reading, Rejection, Rule
from envalue.ingest.periods import Period
from envalue.ingest.pipeline import IngestResult, PeriodTotal, detect_format, ingest
from envalue.ingest.quantities import QuantityRegistry, QuantitySpec

__all__ = [
    "CounterStep",
    "IngestConfig",
    "IngestError",
    "IngestResult",
    "MeasurementBatch",
    "Period",
    "PeriodTotal",
    "QualityCounts",
    "QuantityRegistry",
    "QuantitySpec",
    "Reading",
    "Rejection",
    "Rule",
    "counter_deltas",
    "detect_format",
    "ingest",
]
