"""Append-only off-chain store of uploads, readings, rejected rows and batches.

SQLAlchemy 2.0 Core with portable types: values are exact decimal strings (SQLite has no
exact decimal type; strings round-trip on every backend), timestamps are the fixed-format
UTC strings of the Merkle encoding (lexicographic = chronological). SQLite is the default;
PostgreSQL works by URL. The API only inserts; on SQLite and PostgreSQL triggers also
refuse UPDATE and DELETE of readings, rejected rows and batches. Each reading's Merkle
leaf hash is recorded beside it (`ingest_reading_leaves`) so that `envalue verify` can name
a reading edited after ingest.

Idempotency: a batch id that is already stored is skipped (same content). A new batch
whose period overlaps a stored batch of the same device is refused (`BatchOverlapError`),
and nothing of that upload is written. The unique (device_id, period_start) constraint
backs this up against concurrent writers for equal periods; overlapping periods of
different lengths written concurrently are not caught (serialise writers per device).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import (
    DDL,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    insert,
    select,
    type_coerce,
)
from sqlalchemy.types import TypeDecorator

from envalue.chaincode.domain.merkle import encode_reading, format_timestamp, leaf_hash
from envalue.ingest.batch import MeasurementBatch
from envalue.ingest.decimals import decimal_text
from envalue.ingest.model import IngestError
from envalue.ingest.pipeline import IngestResult

__all__ = ["BatchOverlapError", "IngestStore", "StoredUpload", "metadata"]


class DecimalText(TypeDecorator[Decimal]):
    """Decimal stored as its exact normalised string."""

    impl = String(64)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: object) -> str | None:
        return None if value is None else decimal_text(value)

    def process_result_value(self, value: str | None, dialect: object) -> Decimal | None:
        return None if value is None else Decimal(value)


metadata = MetaData()

uploads = Table(
    "ingest_uploads", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("upload_hash", String(64), nullable=False, index=True),
    Column("source", Text, nullable=False),
    Column("format", String(8), nullable=False),
    Column("device_id", String(200)),
    Column("received_at", String(32), nullable=False),
    Column("input_rows", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("duplicate", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
)

batches = Table(
    "ingest_batches", metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("device_id", String(200), nullable=False),
    Column("period_start", String(32), nullable=False),
    Column("period_end", String(32), nullable=False),
    Column("count", Integer, nullable=False),
    Column("merkle_root", String(64), nullable=False),
    Column("upload_id", ForeignKey("ingest_uploads.id"), nullable=False),
    Column("upload_hash", String(64), nullable=False),
    Column("quality", Text, nullable=False),
    UniqueConstraint("device_id", "period_start", name="uq_ingest_batch_device_period"),
)

batch_totals = Table(
    "ingest_batch_totals", metadata,
    Column("batch_id", ForeignKey("ingest_batches.batch_id"), primary_key=True),
    Column("quantity", String(100), primary_key=True),
    Column("unit", String(16), nullable=False),
    Column("value", DecimalText, nullable=False),
)

readings = Table(
    "ingest_readings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", ForeignKey("ingest_batches.batch_id"), nullable=False, index=True),
    Column("upload_id", ForeignKey("ingest_uploads.id"), nullable=False),
    Column("leaf_index", Integer, nullable=False),
    Column("ts", String(32), nullable=False),
    Column("device_id", String(200), nullable=False),
    Column("quantity", String(100), nullable=False),
    Column("value", DecimalText, nullable=False),
    Column("unit", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("source_row", Integer, nullable=False),
)

# The Merkle leaf hash of every reading, written with it at ingest time. It is what lets
# `envalue verify` NAME a reading whose value was later edited in this database: the
# recorded hashes are authenticated by the root anchored on the ledger (they reproduce it),
# and an edited reading no longer hashes to its recorded leaf. See envalue.verify.
reading_leaves = Table(
    "ingest_reading_leaves", metadata,
    Column("batch_id", ForeignKey("ingest_batches.batch_id"), primary_key=True),
    Column("leaf_index", Integer, primary_key=True),
    Column("leaf_hash", String(64), nullable=False),
)

rejected_rows = Table(
    "ingest_rejected_rows", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("upload_id", ForeignKey("ingest_uploads.id"), nullable=False, index=True),
    Column("row", Integer, nullable=False),
    Column("raw", Text, nullable=False),
    Column("field", String(100), nullable=False),
    Column("value", Text, nullable=False),
    Column("rule", String(64), nullable=False),
    Column("message", Text, nullable=False),
)

_APPEND_ONLY = ("ingest_readings", "ingest_rejected_rows", "ingest_batches",
                "ingest_batch_totals", "ingest_reading_leaves")
for _name in _APPEND_ONLY:
    _table = metadata.tables[_name]
    event.listen(_table, "after_create", DDL(
        f"CREATE TRIGGER {_name}_no_update BEFORE UPDATE ON {_name} "
        f"BEGIN SELECT RAISE(ABORT, '{_name} is append-only'); END"
    ).execute_if(dialect="sqlite"))
    event.listen(_table, "after_create", DDL(
        f"CREATE TRIGGER {_name}_no_delete BEFORE DELETE ON {_name} "
        f"BEGIN SELECT RAISE(ABORT, '{_name} is append-only'); END"
    ).execute_if(dialect="sqlite"))
    event.listen(_table, "after_create", DDL(
        "CREATE OR REPLACE FUNCTION envalue_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
    ).execute_if(dialect="postgresql"))
    event.listen(_table, "after_create", DDL(
        f"CREATE TRIGGER {_name}_append_only BEFORE UPDATE OR DELETE ON {_name} "
        "FOR EACH ROW EXECUTE FUNCTION envalue_append_only()"
    ).execute_if(dialect="postgresql"))


class BatchOverlapError(IngestError):
    """A new batch overlaps a stored batch of the same device with different content."""


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """What `IngestStore.add` did: the upload id, batches written and batches already
    stored (identical content)."""

    upload_id: int
    created: list[str]
    existing: list[str]


class IngestStore:
    """Insert-only access to the ingestion tables."""

    def __init__(self, url_or_engine: str | Engine) -> None:
        self.engine = (create_engine(url_or_engine) if isinstance(url_or_engine, str)
                       else url_or_engine)
        metadata.create_all(self.engine)

    def add(self, result: IngestResult) -> StoredUpload:
        """Store one upload in a single transaction (all or nothing)."""
        with self.engine.begin() as conn:
            existing: list[str] = []
            fresh: list[MeasurementBatch] = []
            for b in result.batches:
                if conn.execute(select(batches.c.batch_id).where(
                        batches.c.batch_id == b.batch_id)).first():
                    existing.append(b.batch_id)
                    continue
                start, end = format_timestamp(b.period.start), format_timestamp(b.period.end)
                clash = conn.execute(select(batches.c.batch_id, batches.c.period_start,
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
            upload_id = conn.execute(insert(uploads).values(
                upload_hash=result.upload_hash, source=result.source, format=result.format,
                device_id=result.device_id,
                received_at=format_timestamp(datetime.now(UTC)),
                input_rows=result.input_rows, accepted=result.quality.accepted,
                duplicate=result.quality.duplicate, rejected=result.quality.rejected,
            )).inserted_primary_key[0]
            if result.rejected:
                conn.execute(insert(rejected_rows), [
                    {"upload_id": upload_id, "row": r.row, "raw": r.raw, "field": r.field,
                     "value": r.value, "rule": r.rule.value, "message": r.message}
                    for r in result.rejected
                ])
            for b in fresh:
                self._add_batch(conn, b, upload_id)
        return StoredUpload(int(upload_id), [b.batch_id for b in fresh], existing)

    @staticmethod
    def _add_batch(conn: Connection, b: MeasurementBatch, upload_id: int) -> None:
        conn.execute(insert(batches).values(
            batch_id=b.batch_id, device_id=b.device_id,
            period_start=format_timestamp(b.period.start),
            period_end=format_timestamp(b.period.end), count=b.count,
            merkle_root=b.merkle_root, upload_id=upload_id, upload_hash=b.upload_hash,
            quality=json.dumps(b.quality.contract(), sort_keys=True),
        ))
        if b.totals:
            conn.execute(insert(batch_totals), [
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
            conn.execute(insert(readings), rows)
            conn.execute(insert(reading_leaves), [
                {"batch_id": b.batch_id, "leaf_index": i, "leaf_hash": leaf_hash(leaf).hex()}
                for i, leaf in enumerate(b.leaves)
            ])

    # --- queries -------------------------------------------------------------------
    def batch_ids(self, device_id: str | None = None) -> list[str]:
        q = select(batches.c.batch_id).order_by(batches.c.period_start)
        if device_id is not None:
            q = q.where(batches.c.device_id == device_id)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def readings_of(self, batch_id: str) -> list[dict[str, object]]:
        q = select(readings).where(readings.c.batch_id == batch_id).order_by(
            readings.c.leaf_index)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def rejected_of(self, upload_id: int) -> list[dict[str, object]]:
        q = select(rejected_rows).where(rejected_rows.c.upload_id == upload_id).order_by(
            rejected_rows.c.row)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def totals_of(self, batch_id: str) -> dict[str, tuple[Decimal, str]]:
        q = select(batch_totals).where(batch_totals.c.batch_id == batch_id)
        with self.engine.connect() as conn:
            return {r.quantity: (r.value, r.unit) for r in conn.execute(q)}

    # --- verification queries (envalue.verify) ---------------------------------------
    def batch_of(self, batch_id: str) -> dict[str, object] | None:
        """The stored batch row (root, count, period, upload), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(batches).where(batches.c.batch_id == batch_id)).first()
        return None if row is None else dict(row._mapping)

    def raw_readings_of(self, batch_id: str) -> list[dict[str, object]]:
        """The batch's reading rows in leaf order with every column as stored (the value
        as its text, not parsed), so verification can report a row whatever was written
        into it."""
        q = select(*(type_coerce(c, String) if c.name == "value" else c
                     for c in readings.c)).where(readings.c.batch_id == batch_id).order_by(
            readings.c.leaf_index, readings.c.id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def leaf_hashes_of(self, batch_id: str) -> dict[int, str]:
        """leaf index -> the leaf hash (hex) recorded at ingest; empty for batches stored
        before leaf hashes were recorded."""
        q = select(reading_leaves.c.leaf_index, reading_leaves.c.leaf_hash).where(
            reading_leaves.c.batch_id == batch_id)
        with self.engine.connect() as conn:
            return {int(i): str(h) for i, h in conn.execute(q)}
