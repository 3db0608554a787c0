"""Append-only store: SQLite always, PostgreSQL when ENVALUE_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
import sqlalchemy as sa
from ingest_helpers import long_csv, run

from envalue.chaincode.domain.merkle import verify
from envalue.ingest.store import BatchOverlapError, IngestStore, metadata
from tests.services import postgres_schema

pytestmark = pytest.mark.unit

DAY1 = long_csv(
    "2024-04-01T00:30:00+09:00,dev-1,electricity,1.25,kWh,interval",
    "2024-04-01T01:00:00+09:00,dev-1,electricity,2,kWh,interval",
    "2024-04-01T01:00:00+09:00,dev-1,heat,0.5,GJ,interval",
    "2024-04-01T01:30:00,dev-1,heat,0.5,GJ,interval",  # rejected: naive
)


def _postgres() -> str | None:
    return os.environ.get("ENVALUE_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path):  # noqa: ANN001, ANN201
    if request.param == "sqlite":
        yield IngestStore(f"sqlite:///{tmp_path / 'ingest.db'}")
        return
    with postgres_schema("ingest_test", "store test") as pg:
        yield IngestStore(pg.engine)


def test_store_round_trip_is_exact_and_idempotent(store: IngestStore) -> None:
    result = run(DAY1)
    first = store.add(result)
    [batch] = result.batches
    assert first.created == [batch.batch_id] and first.existing == []
    assert store.totals_of(batch.batch_id) == {"electricity": (Decimal("3.25"), "kWh"),
                                               "heat": (Decimal("0.5"), "GJ")}
    rows = store.readings_of(batch.batch_id)
    assert [r["value"] for r in rows] == [Decimal("1.25"), Decimal("2"), Decimal("0.5")]
    assert [r["source_row"] for r in rows] == [2, 3, 4]
    [rej] = store.rejected_of(first.upload_id)
    assert (rej["row"], rej["field"], rej["rule"]) == (5, "timestamp", "naive_timestamp")
    # proofs from stored rows verify against the batch root
    tree = batch.tree()
    for i, leaf in enumerate(batch.leaves):
        assert verify(leaf, tree.proof(i), bytes.fromhex(batch.merkle_root))

    # identical readings again (other file, other unit spelling, other row order)
    again = run(long_csv(
        "2024-04-01T01:00:00+09:00,dev-1,heat,500,MJ,interval",
        "2024-04-01T01:00:00+09:00,dev-1,electricity,2000,Wh,interval",
        "2024-04-01T00:30:00+09:00,dev-1,electricity,1.25,kWh,interval",
    ))
    assert again.batches[0].batch_id == batch.batch_id
    second = store.add(again)
    assert second.created == [] and second.existing == [batch.batch_id]
    assert store.batch_ids("dev-1") == [batch.batch_id]


def test_overlapping_batch_with_other_content_is_refused(store: IngestStore) -> None:
    store.add(run(DAY1))
    changed = run(long_csv("2024-04-01T00:30:00+09:00,dev-1,electricity,9,kWh,interval"))
    with pytest.raises(BatchOverlapError, match="overlaps stored batch"):
        store.add(changed)
    hourly = run(DAY1, period="hour")
    with pytest.raises(BatchOverlapError):
        store.add(hourly)
    # another device, or the next day, is fine
    other = run(long_csv("2024-04-01T00:30:00+09:00,dev-2,electricity,9,kWh,interval"),
                device_id="dev-2")
    assert len(store.add(other).created) == 1
    nxt = run(long_csv("2024-04-02T00:30:00+09:00,dev-1,electricity,9,kWh,interval"))
    assert len(store.add(nxt).created) == 1


def test_readings_cannot_be_updated_or_deleted(store: IngestStore) -> None:
    store.add(run(DAY1))
    for statement in ("UPDATE ingest_readings SET value = '0'", "DELETE FROM ingest_readings",
                      "DELETE FROM ingest_batches", "UPDATE ingest_rejected_rows SET rule='x'"):
        with pytest.raises(sa.exc.DBAPIError), store.engine.begin() as conn:
            conn.execute(sa.text(statement))


def test_tables_are_portable() -> None:
    # values are exact decimal strings, timestamps fixed-format strings: no float columns
    for table in metadata.sorted_tables:
        for column in table.columns:
            assert not isinstance(column.type, sa.Float), (table.name, column.name)
