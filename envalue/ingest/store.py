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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

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
    cast,
    create_engine,
    event,
    func,
    insert,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.types import JSON, TypeDecorator

from envalue.chaincode.domain.merkle import (
    decimal_text,
    encode_reading,
    format_timestamp,
)
from envalue.ingest.batch import MeasurementBatch
from envalue.ingest.model import IngestError
from envalue.ingest.pipeline import IngestResult

__all__ = ["START_KEY_CHARS", "BatchOverlapError", "IngestStore", "StoredUpload", "metadata"]


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


_READING_COLUMNS = ("batch_id", "upload_id", "leaf_index", "ts", "device_id", "quantity",
                    "value", "unit", "kind", "source_row")
_LEAF_COLUMNS = ("batch_id", "leaf_index", "leaf_hash")
_BATCH_COLUMNS = ("batch_id", "device_id", "period_start", "period_end", "count",
                  "merkle_root", "upload_id", "upload_hash", "quality")
_TOTAL_COLUMNS = ("batch_id", "quantity", "unit", "value")
_REJECTED_COLUMNS = ("upload_id", "row", "raw", "field", "value", "rule", "message")
_CHUNK = 20_000  # rows per executemany
_ID_CHUNK = 500  # ids per IN (...) lookup (below SQLite's bound-parameter limit)
_PROBE_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def _insert_rows(conn: Connection, table: Table, columns: tuple[str, ...],
                 rows: list[tuple[object, ...]]) -> None:
    """INSERT `rows` (tuples in `columns` order, values already as stored: decimals as
    their exact text) with the driver's executemany, in chunks. The statement is the one
    SQLAlchemy would emit; skipping its per-row parameter processing is the point (it
    cost more than the insert). Drivers with another parameter style use SQLAlchemy."""
    prep = conn.dialect.identifier_preparer
    head = (f"INSERT INTO {prep.format_table(table)} "
            f"({', '.join(prep.format_column(table.c[c]) for c in columns)}) VALUES ")
    style = conn.dialect.paramstyle
    if style not in ("qmark", "format", "pyformat"):  # untyped binds: values go as given
        names = [f"p{i}" for i in range(len(columns))]
        stmt = text(head + f"({', '.join(':' + n for n in names)})")
        for i in range(0, len(rows), _CHUNK):
            conn.execute(stmt, [dict(zip(names, r, strict=True)) for r in rows[i:i + _CHUNK]])
        return
    mark = "?" if style == "qmark" else "%s"
    sql = head + f"({', '.join([mark] * len(columns))})"
    for i in range(0, len(rows), _CHUNK):
        conn.exec_driver_sql(sql, rows[i:i + _CHUNK])


def _stored_batch_ids(conn: Connection, ids: list[str]) -> set[str]:
    """The ids among `ids` that are already stored."""
    found: set[str] = set()
    for i in range(0, len(ids), _ID_CHUNK):
        found.update(conn.execute(select(batches.c.batch_id).where(
            batches.c.batch_id.in_(ids[i:i + _ID_CHUNK]))).scalars())
    return found


def _overlap_candidates(conn: Connection, new: list[MeasurementBatch]
                        ) -> dict[str, list[tuple[str, str, str]]]:
    """Per device: the stored batches (id, start, end) overlapping the span of that
    device's new batches; each new batch's clashes are filtered from these in Python
    (the fixed-width UTC timestamps compare as strings exactly as in SQL)."""
    spans: dict[str, tuple[str, str]] = {}
    for b in new:
        start, end = format_timestamp(b.period.start), format_timestamp(b.period.end)
        lo, hi = spans.get(b.device_id, (start, end))
        spans[b.device_id] = (min(lo, start), max(hi, end))
    out: dict[str, list[tuple[str, str, str]]] = {}
    for device, (lo, hi) in spans.items():
        rows = conn.execute(select(batches.c.batch_id, batches.c.period_start,
                                   batches.c.period_end).where(
            batches.c.device_id == device,
            batches.c.period_start < hi,
            batches.c.period_end > lo,
        )).all()
        if rows:
            out[device] = [(str(r[0]), str(r[1]), str(r[2])) for r in rows]
    return out


class _Memo(dict):  # type: ignore[type-arg]
    """key -> fn(key), computed on first use."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        super().__init__()
        self._fn = fn

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self._fn(key)
        return value


def _fields(key: tuple[str, str, str, str]) -> tuple[str, str]:
    """("|device|quantity|", "|unit|kind") of a reading's canonical bytes, after the
    checks `encode_reading` makes on those fields (it raises as it would)."""
    device_id, quantity, unit, kind = key
    encode_reading(_PROBE_TIME, device_id, quantity, Decimal(0), unit, kind)
    return f"|{device_id}|{quantity}|", f"|{unit}|{kind}"


class _Texts:
    """Memoised canonical texts for one upload: timestamps, values and the fixed
    fields repeat across readings, and each costs microseconds to format. Equal
    timestamps are the same instant and equal Decimals the same number, so a memoised
    text is the text `encode_reading` would produce."""

    def __init__(self) -> None:
        self.ts = _Memo(format_timestamp)
        self.value = _Memo(decimal_text)
        self.fields = _Memo(_fields)


def _reading_rows(b: MeasurementBatch, leaves: list[bytes], upload_id: int,
                  texts: _Texts) -> list[tuple[object, ...]]:
    """The batch's reading rows in reading order (tuples in `_READING_COLUMNS` order), each
    with the index of its canonical bytes among the batch's leaves."""
    order = {leaf: i for i, leaf in enumerate(leaves)}
    bid = b.batch_id
    ts, value, fields = texts.ts, texts.value, texts.fields
    rows: list[tuple[object, ...]] = []
    append = rows.append
    try:
        for r in b.readings:
            t, v = ts[r.timestamp], value[r.value]
            mid, tail = fields[(r.device_id, r.quantity, r.unit, r.kind)]
            append((bid, upload_id, order[(t + mid + v + tail).encode()], t, r.device_id,
                    r.quantity, v, r.unit, r.kind, r.row))
    except Exception:  # noqa: BLE001 - redo reading by reading: raise what that raises
        return _reading_rows_plain(b, order, upload_id)
    return rows


def _reading_rows_plain(b: MeasurementBatch, order: dict[bytes, int], upload_id: int
                        ) -> list[tuple[object, ...]]:
    """`_reading_rows` without memoising: `encode_reading` on each reading."""
    rows: list[tuple[object, ...]] = []
    for r in b.readings:
        leaf = encode_reading(r.timestamp, r.device_id, r.quantity, r.value, r.unit, r.kind)
        rows.append((b.batch_id, upload_id, order[leaf], format_timestamp(r.timestamp),
                     r.device_id, r.quantity, decimal_text(r.value), r.unit, r.kind, r.row))
    return rows


#: Characters of a stored period start naming its UTC minute (``YYYY-MM-DDTHH:MM``): the
#: grouping key of the aggregate queries. Every instant of one UTC minute falls on the same
#: local day in any zone whose offset is a whole number of minutes (Asia/Tokyo: +09:00), so
#: a caller maps each key to its local day instead of parsing every batch's timestamp.
START_KEY_CHARS = 16
_SUM_SEPARATOR = ","  # never part of a decimal text
_MARK_RECENT = 1024  # upload ids `IngestStore.change_mark` counts below the highest


def _within(q: Select[Any], devices: Iterable[str] | None, start: datetime | None,
            end: datetime | None) -> Select[Any]:
    """`q` restricted to batches of `devices` (all when None) lying wholly inside
    ``[start, end)``: the selection of `webapp.reports.offchain.load_batches`."""
    if devices is not None:
        q = q.where(batches.c.device_id.in_(sorted(set(devices))))
    if start is not None:
        q = q.where(batches.c.period_start >= format_timestamp(start))
    if end is not None:
        q = q.where(batches.c.period_end <= format_timestamp(end))
    return q


def _start_key() -> ColumnElement[str]:
    """The UTC minute a batch period starts in (`START_KEY_CHARS`); `substr` is portable."""
    return func.substr(batches.c.period_start, 1, START_KEY_CHARS)


def _exact_sum(texts: str) -> Decimal:
    """The exact sum of the decimal texts one group joined, added as Decimal from zero."""
    total = Decimal(0)
    for t in texts.split(_SUM_SEPARATOR):
        total += Decimal(t)
    return total


def _quality_count(dialect: str, flag: str) -> ColumnElement[int]:
    """A batch's quality count `flag` (0 when absent) read from its JSON text in SQL:
    JSON_EXTRACT on SQLite, ``CAST(quality AS JSON) ->> flag`` elsewhere."""
    doc = (type_coerce(batches.c.quality, JSON) if dialect == "sqlite"
           else cast(batches.c.quality, JSON))
    return func.coalesce(doc[flag].as_integer(), 0)


class IngestStore:
    """Insert-only access to the ingestion tables."""

    def __init__(self, url_or_engine: str | Engine) -> None:
        self.engine = (create_engine(url_or_engine) if isinstance(url_or_engine, str)
                       else url_or_engine)
        metadata.create_all(self.engine)

    def add(self, result: IngestResult) -> StoredUpload:
        """Store one upload in a single transaction (all or nothing).

        Stored batches are looked up with one query per chunk of ids and overlapping
        stored batches with one query per device; rows go in with one executemany per
        table (see `_insert_rows`), in the order the per-batch inserts used to take, so
        ids and contents are as before."""
        with self.engine.begin() as conn:
            stored = _stored_batch_ids(conn, [b.batch_id for b in result.batches])
            candidates = _overlap_candidates(
                conn, [b for b in result.batches if b.batch_id not in stored])
            existing: list[str] = []
            fresh: list[MeasurementBatch] = []
            for b in result.batches:
                if b.batch_id in stored:
                    existing.append(b.batch_id)
                    continue
                start, end = format_timestamp(b.period.start), format_timestamp(b.period.end)
                clash = next((c for c in candidates.get(b.device_id, ())
                              if c[1] < end and c[2] > start), None)
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
                _insert_rows(conn, rejected_rows, _REJECTED_COLUMNS, [
                    (upload_id, r.row, r.raw, r.field, r.value, r.rule.value, r.message)
                    for r in result.rejected
                ])
            self._add_batches(conn, fresh, upload_id)
        return StoredUpload(int(upload_id), [b.batch_id for b in fresh], existing)

    @staticmethod
    def _add_batches(conn: Connection, fresh: list[MeasurementBatch], upload_id: int) -> None:
        if not fresh:
            return
        _insert_rows(conn, batches, _BATCH_COLUMNS, [
            (b.batch_id, b.device_id, format_timestamp(b.period.start),
             format_timestamp(b.period.end), b.count, b.merkle_root, upload_id,
             b.upload_hash, json.dumps(b.quality.contract(), sort_keys=True))
            for b in fresh
        ])
        totals = [(b.batch_id, q, u, decimal_text(v))
                  for b in fresh for q, (v, u) in b.totals.items()]
        if totals:
            _insert_rows(conn, batch_totals, _TOTAL_COLUMNS, totals)
        texts = _Texts()
        reading_rows: list[tuple[object, ...]] = []
        leaf_rows: list[tuple[object, ...]] = []
        for b in fresh:
            leaves = list(b.leaves)
            rows = _reading_rows(b, leaves, upload_id, texts)
            if rows:
                reading_rows += rows
                bid = b.batch_id
                leaf_rows += [(bid, i, h.hex()) for i, h in enumerate(b.leaf_digests)]
        if reading_rows:
            _insert_rows(conn, readings, _READING_COLUMNS, reading_rows)
            _insert_rows(conn, reading_leaves, _LEAF_COLUMNS, leaf_rows)

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

    # --- aggregate queries (the dashboard's energy overview) ---------------------------
    def change_mark(self) -> tuple[int, int]:
        """(highest upload id, uploads among the last `_MARK_RECENT` ids): it keys caches
        of figures derived from the stored batches (read it before the figures). Batches
        are only written with their upload, so the mark changes with every upload that
        commits, also one committing after an upload with a higher id (concurrent writers
        on PostgreSQL), unless `_MARK_RECENT` later ids committed first: then it changes
        with the next upload. Two index lookups, however many uploads are stored."""
        top = select(func.max(uploads.c.id)).scalar_subquery()
        q = select(func.max(uploads.c.id), func.count()).where(
            uploads.c.id > func.coalesce(top, 0) - _MARK_RECENT)
        with self.engine.connect() as conn:
            high, n = conn.execute(q).one()
        return int(high or 0), int(n)

    def total_sums(self, by: Literal["start", "device"], *,
                   devices: Iterable[str] | None = None, start: datetime | None = None,
                   end: datetime | None = None) -> list[tuple[str, str, str, Decimal]]:
        """(key, quantity, unit, exact sum) over the totals of the batches of `devices`
        lying wholly inside ``[start, end)``, grouped by key: the UTC minute the period
        starts in (``by="start"``, see `START_KEY_CHARS`) or the device.

        Exact: SQL groups and joins each group's decimal texts, Python adds them as
        Decimal (SQL sums of text would go through floating point on SQLite)."""
        if by not in ("start", "device"):
            raise ValueError(f"by: {by!r} is not 'start' or 'device'")
        key = _start_key() if by == "start" else batches.c.device_id
        texts = func.aggregate_strings(type_coerce(batch_totals.c.value, String),
                                       _SUM_SEPARATOR)
        q = _within(select(key, batch_totals.c.quantity, batch_totals.c.unit, texts)
                    .join_from(batch_totals, batches,
                               batch_totals.c.batch_id == batches.c.batch_id),
                    devices, start, end).group_by(key, batch_totals.c.quantity,
                                                  batch_totals.c.unit)
        with self.engine.connect() as conn:
            return [(str(k), str(quantity), str(unit), _exact_sum(str(joined)))
                    for k, quantity, unit, joined in conn.execute(q)]

    def quality_sums(self, flags: tuple[str, ...], *, devices: Iterable[str] | None = None,
                     start: datetime | None = None, end: datetime | None = None
                     ) -> list[tuple[str, int, dict[str, int]]]:
        """Per UTC minute a period starts in (`START_KEY_CHARS`): the number of batches of
        `devices` lying wholly inside ``[start, end)`` and the sums of their quality
        counts `flags` (a missing count is 0)."""
        key = _start_key()
        with self.engine.connect() as conn:
            counts = [_quality_count(conn.dialect.name, f) for f in flags]
            q = _within(select(key, func.count(), *(func.sum(c) for c in counts)),
                        devices, start, end).group_by(key)
            return [(str(row[0]), int(row[1]),
                     {f: int(v or 0) for f, v in zip(flags, row[2:], strict=True)})
                    for row in conn.execute(q)]

    def flagged_batches(self, flags: tuple[str, ...], shown: tuple[str, ...], limit: int, *,
                        devices: Iterable[str] | None = None, start: datetime | None = None,
                        end: datetime | None = None) -> tuple[list[dict[str, Any]], int]:
        """The batches of `devices` lying wholly inside ``[start, end)`` with a nonzero
        quality count among `flags`: the first `limit` by period start then device (id,
        device, period start and the counts `shown`), and how many there are in all."""
        with self.engine.connect() as conn:
            dialect = conn.dialect.name
            flagged = or_(*(_quality_count(dialect, f) != 0 for f in flags))
            total = conn.scalar(_within(select(func.count()).select_from(batches),
                                        devices, start, end).where(flagged))
            q = _within(select(batches.c.batch_id, batches.c.device_id, batches.c.period_start,
                               *(_quality_count(dialect, s).label(s) for s in shown)),
                        devices, start, end).where(flagged).order_by(
                batches.c.period_start, batches.c.device_id).limit(limit)
            result = conn.execute(q)
            keys = list(result.keys())
            rows = [dict(zip(keys, r, strict=True)) for r in result]
        return rows, int(total or 0)
