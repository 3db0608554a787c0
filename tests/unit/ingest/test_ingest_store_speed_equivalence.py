"""The batched `IngestStore.add` stores exactly what the per-batch, per-row version did.

`_PerRowStore` below is the previous implementation, kept verbatim (one SELECT pair per
batch, one INSERT per table per batch, `encode_reading` and `leaf_hash` per reading,
SQLAlchemy parameter processing per row). The same uploads — fast and reference engine,
rejected rows, several devices and days, unit conversions, re-ingest (idempotent),
refused overlaps, partly stored uploads, a batch whose readings do not match its leaves —
go into one store of each kind, and every table is compared column by column as stored
(ids included; only ``received_at``, the wall clock, differs). SQLite always, PostgreSQL
when ENVALUE_TEST_POSTGRES_URL is set (the suite's conftest sets it).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from ingest_helpers import long_csv, run

from envalue.chaincode.domain.merkle import encode_reading, format_timestamp, leaf_hash
from envalue.ingest import IngestConfig, ingest
from envalue.ingest.batch import MeasurementBatch
from envalue.ingest.bench import synthetic_csv
from envalue.ingest.fast import fast_ingest
from envalue.ingest.pipeline import IngestResult
from envalue.ingest.store import (
    BatchOverlapError,
    IngestStore,
    StoredUpload,
    batch_totals,
    batches,
    metadata,
    reading_leaves,
    readings,
    rejected_rows,
    uploads,
)
from tests.services import postgres_schema

pytestmark = pytest.mark.unit


class _PerRowStore(IngestStore):
    """The previous `IngestStore.add` (reference for the equivalence)."""

    def add(self, result: IngestResult) -> StoredUpload:
        with self.engine.begin() as conn:
            existing: list[str] = []
            fresh: list[MeasurementBatch] = []
            for b in result.batches:
                if conn.execute(sa.select(batches.c.batch_id).where(
                        batches.c.batch_id == b.batch_id)).first():
                    existing.append(b.batch_id)
                    continue
                start, end = format_timestamp(b.period.start), format_timestamp(b.period.end)
                clash = conn.execute(sa.select(batches.c.batch_id, batches.c.period_start,
                                               batches.c.period_end).where(
                    batches.c.device_id == b.device_id,
                    batches.c.period_start < end,
                    batches.c.period_end > start,
                )).first()
                if clash:
                    raise BatchOverlapError(
                        f"batch for {b.device_id} {b.period.start.isoformat()}–"
                        f"{b.period.end.isoformat()} overlaps stored batch {clash[0]} "
                        f"({clash[1]}–{clash[2]}) with different content; nothing stored",
                        source=result.source, field="period", rule="batch_overlap",
                    )
                fresh.append(b)
            upload_id = conn.execute(sa.insert(uploads).values(
                upload_hash=result.upload_hash, source=result.source, format=result.format,
                device_id=result.device_id,
                received_at=format_timestamp(datetime.now(UTC)),
                input_rows=result.input_rows, accepted=result.quality.accepted,
                duplicate=result.quality.duplicate, rejected=result.quality.rejected,
            )).inserted_primary_key[0]
            if result.rejected:
                conn.execute(sa.insert(rejected_rows), [
                    {"upload_id": upload_id, "row": r.row, "raw": r.raw, "field": r.field,
                     "value": r.value, "rule": r.rule.value, "message": r.message}
                    for r in result.rejected
                ])
            for b in fresh:
                self._add_batch_per_row(conn, b, upload_id)
        return StoredUpload(int(upload_id), [b.batch_id for b in fresh], existing)

    @staticmethod
    def _add_batch_per_row(conn: sa.Connection, b: MeasurementBatch, upload_id: int) -> None:
        conn.execute(sa.insert(batches).values(
            batch_id=b.batch_id, device_id=b.device_id,
            period_start=format_timestamp(b.period.start),
            period_end=format_timestamp(b.period.end), count=b.count,
            merkle_root=b.merkle_root, upload_id=upload_id, upload_hash=b.upload_hash,
            quality=json.dumps(b.quality.contract(), sort_keys=True),
        ))
        if b.totals:
            conn.execute(sa.insert(batch_totals), [
                {"batch_id": b.batch_id, "quantity": q, "unit": u, "value": v}
                for q, (v, u) in b.totals.items()
            ])
        order = {leaf: i for i, leaf in enumerate(b.leaves)}
        rows = []
        for r in b.readings:
            leaf = encode_reading(r.timestamp, r.device_id, r.quantity, r.value, r.unit,
                                  r.kind)
            rows.append({
                "batch_id": b.batch_id, "upload_id": upload_id, "leaf_index": order[leaf],
                "ts": format_timestamp(r.timestamp), "device_id": r.device_id,
                "quantity": r.quantity, "value": r.value, "unit": r.unit, "kind": r.kind,
                "source_row": r.row,
            })
        if rows:
            conn.execute(sa.insert(readings), rows)
            conn.execute(sa.insert(reading_leaves), [
                {"batch_id": b.batch_id, "leaf_index": i, "leaf_hash": leaf_hash(leaf).hex()}
                for i, leaf in enumerate(b.leaves)
            ])


def _dump(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows as stored (raw driver values, no type processing), by key."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            cols = [c for c in table.c if c.name != "received_at"]
            keys = list(table.primary_key.columns)
            q = sa.select(*(sa.type_coerce(c, sa.String) if c.name == "value" else c
                            for c in cols)).order_by(*keys)
            out[table.name] = [tuple(r) for r in conn.execute(q)]
        stamps = [r[0] for r in conn.execute(sa.select(uploads.c.received_at))]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", s) for s in stamps)
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[IngestStore, IngestStore]]:  # noqa: ANN001
    if request.param == "sqlite":
        yield (_PerRowStore(f"sqlite:///{tmp_path / 'old.db'}"),
               IngestStore(f"sqlite:///{tmp_path / 'new.db'}"))
        return
    with postgres_schema("ingest_eq", "comparison") as old, \
            postgres_schema("ingest_eq", "comparison") as new:
        yield _PerRowStore(old.engine), IngestStore(new.engine)


DAY1 = long_csv(
    "2024-04-01T00:30:00+09:00,dev-1,electricity,1.25,kWh,interval",
    "2024-04-01T01:00:00+09:00,dev-1,electricity,2,kWh,interval",
    "2024-04-01T01:00:00+09:00,dev-1,heat,0.5,GJ,interval",
    "2024-04-01T01:30:00,dev-1,heat,0.5,GJ,interval",  # rejected: naive
    "2024-04-01T02:00:00+09:00,dev-1,electricity,1500,Wh,interval",
    "2024-04-01T02:30:00+09:00,dev-1,electricity,1.5E+3,Wh,interval",
    "2024-04-01T03:00:00+09:00,dev-1,electricity,0.000,kWh,interval",
    "2024-04-01T03:00:00+09:00,dev-1,electricity,0.000,kWh,interval",  # duplicate
    "2024-04-01T03:30:00+09:00,dev-1,electricity,abc,kWh,interval",  # rejected
    "2024-04-01T04:00:00+09:00,dev-1,heat,120.500,MJ,interval",
)
TWO_DEVICES = long_csv(*(
    f"2024-05-0{d}T{h:02d}:{m:02d}:00Z,dev-{k},{q},{v},{u},interval"
    for d in (1, 2, 3) for h in range(0, 24, 5) for m in (0, 30) for k in (1, 2)
    for q, v, u in (("electricity", f"{h}.{m}0", "kWh"), ("heat", f"0.0{h + 1}", "GJ"))
), "2024-05-02T01:00:00Z,dev-3,electricity,x,kWh,interval")
CUMULATIVE = long_csv(*(
    f"2024-06-01T{h:02d}:00:00+02:00,dev-1,pv_generation,{1000 + h * 3.25},kWh,cumulative"
    for h in range(24)
))


def _fast(data: bytes, device: str) -> IngestResult:
    result = fast_ingest(data, IngestConfig(device_id=device, period="day"), source=device,
                         upload_hash=hashlib.sha256(data).hexdigest())
    assert result is not None
    return result


def _uploads() -> list[IngestResult | tuple[str, IngestResult]]:
    """Uploads in order; ("refused", r) must raise BatchOverlapError, ("fails", r)
    another error, in both stores."""
    day2 = long_csv("2024-04-02T00:30:00+09:00,dev-1,electricity,3,kWh,interval")
    both_days = DAY1 + day2[len(b"timestamp,device_id,quantity,value,unit,kind\n"):]
    clash = long_csv("2024-04-03T00:30:00+09:00,dev-1,electricity,4,kWh,interval",
                     "2024-04-01T00:30:00+09:00,dev-1,electricity,9,kWh,interval")
    mismatched = run(long_csv("2024-04-05T00:30:00+09:00,dev-1,electricity,4,kWh,interval",
                              "2024-04-05T01:30:00+09:00,dev-1,electricity,5,kWh,interval"))
    mismatched.batches[0].leaves = mismatched.batches[0].leaves[:1]
    return [
        run(DAY1),
        run(DAY1),  # idempotent: existing
        ("refused", run(long_csv(
            "2024-04-01T00:30:00+09:00,dev-1,electricity,9,kWh,interval"))),
        ("refused", run(DAY1, period="hour")),
        run(both_days),  # day 1 existing, day 2 created
        ("refused", run(clash)),  # day 3 would be new, day 1 clashes: nothing stored
        run(TWO_DEVICES, device_id=None),
        ("refused", run(TWO_DEVICES, device_id=None, period="hour")),  # hours in days
        run(CUMULATIVE, tz="Asia/Tokyo"),
        run(long_csv("2024-07-01T00:00:00,dev-1,electricity,1,kWh,interval")),  # no batch
        _fast(synthetic_csv(3000, "bench-0001"), "bench-0001"),
        ingest(synthetic_csv(2000, "bench-0002"), IngestConfig(device_id="bench-0002"),
               source="ref", fast=False),
        _fast(synthetic_csv(3000, "bench-0001"), "bench-0001"),  # existing (fast engine)
        ("fails", mismatched),
    ]


def test_batched_add_stores_what_the_per_row_add_stored(
        stores: tuple[IngestStore, IngestStore]) -> None:
    old, new = stores
    outcomes: list[tuple[str, object]] = []
    for item in _uploads():
        expect, result = item if isinstance(item, tuple) else ("stored", item)
        seen = []
        for store in (old, new):
            try:
                done = store.add(result)
                seen.append(("stored", (done.upload_id, done.created, done.existing)))
            except Exception as exc:  # noqa: BLE001 - compared below
                seen.append((type(exc).__name__, str(exc)))
        assert seen[0] == seen[1]
        kind = seen[0][0]
        assert kind == ("BatchOverlapError" if expect == "refused" else kind)
        assert (kind == "stored") == (expect == "stored")
        outcomes.append(seen[0])
        assert _dump(old.engine) == _dump(new.engine)
    stored = [o for o in outcomes if o[0] == "stored"]
    assert any(o[1][1] and o[1][2] for o in stored)  # type: ignore[index]  # both kinds
    dump = _dump(new.engine)
    assert len(dump["ingest_readings"]) == len(dump["ingest_reading_leaves"]) > 5000
    assert dump["ingest_rejected_rows"] and dump["ingest_batch_totals"]


def test_batched_add_is_still_all_or_nothing(stores: tuple[IngestStore, IngestStore]) -> None:
    _, new = stores
    new.add(run(DAY1))
    before = _dump(new.engine)
    bad = run(long_csv("2024-04-08T00:30:00+09:00,dev-1,electricity,4,kWh,interval"))
    bad.batches[0].leaves = [b"not the reading"]
    with pytest.raises(KeyError):
        new.add(bad)
    assert _dump(new.engine) == before
