"""The store's aggregate queries: exact sums of decimal text, quality sums, flagged batches,
the change mark, on SQLite and (when ENVALUE_TEST_POSTGRES_URL is set) PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from envalue.ingest.config import IngestConfig
from envalue.ingest.pipeline import ingest
from envalue.ingest.store import IngestStore, batches
from tests.services import postgres_schema

pytestmark = pytest.mark.unit

HEADER = "timestamp,device_id,quantity,value,unit,kind\n"
# one day batch per row (Asia/Tokyo days); float addition gets none of these sums right
METER = ["2024-04-01T12:00:00+09:00,m1,electricity,0.1,kWh,interval",
         "2024-04-02T12:00:00+09:00,m1,electricity,0.2,kWh,interval",
         "2024-04-03T12:00:00+09:00,m1,electricity,12345678901234567.89,kWh,interval",
         "2024-04-03T13:00:00+09:00,m1,electricity,12345678901234567.89,kWh,interval",
         "2024-04-03T12:00:00+09:00,m1,heat,0.000001,GJ,interval",
         "2024-04-03T12:00:00+09:00,m1,heat,0.000001,GJ,interval",  # duplicate
         "2024-04-03T13:00:00+09:00,m1,heat,-1,GJ,interval"]  # rejected: negative
OTHER = ["2024-04-01T12:00:00+09:00,m2,electricity,0.7,kWh,interval"]
FLAGS = ("duplicate", "rejected")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IngestStore]:
    if request.param == "sqlite":
        yield IngestStore(f"sqlite:///{tmp_path / 'agg.db'}")
        return
    with postgres_schema("ingest_agg", "case") as pg:
        yield IngestStore(pg.engine)


def _add(store: IngestStore, device: str, rows: list[str]) -> None:
    data = (HEADER + "\n".join(rows) + "\n").encode()
    store.add(ingest(data, IngestConfig(device_id=device), source=f"test:{device}"))


def test_sums_are_exact_and_grouped(store: IngestStore) -> None:
    assert store.change_mark() == (0, 0)
    _add(store, "m1", METER)
    first = store.change_mark()
    _add(store, "m2", OTHER)
    assert store.change_mark() > first
    by_device = {(k, q, u): v for k, q, u, v in store.total_sums("device")}
    assert by_device == {("m1", "electricity", "kWh"): Decimal("24691357802469136.08"),
                         ("m1", "heat", "GJ"): Decimal("0.000001"),
                         ("m2", "electricity", "kWh"): Decimal("0.7")}
    assert str(by_device[("m1", "electricity", "kWh")]) == "24691357802469136.08"
    by_start = {(k, q): v for k, q, _u, v in store.total_sums("start")}
    # local midnight in Tokyo is 15:00 UTC the day before
    assert by_start == {("2024-03-31T15:00", "electricity"): Decimal("0.8"),
                        ("2024-04-01T15:00", "electricity"): Decimal("0.2"),
                        ("2024-04-02T15:00", "electricity"): Decimal("24691357802469135.78"),
                        ("2024-04-02T15:00", "heat"): Decimal("0.000001")}
    window = {"start": datetime(2024, 4, 1, 15, tzinfo=UTC),
              "end": datetime(2024, 4, 3, 15, tzinfo=UTC)}
    assert sorted((k, q) for k, q, _u, _v in store.total_sums("start", **window)) == [
        ("2024-04-01T15:00", "electricity"), ("2024-04-02T15:00", "electricity"),
        ("2024-04-02T15:00", "heat")]
    assert store.total_sums("device", devices=["m2"]) == [
        ("m2", "electricity", "kWh", Decimal("0.7"))]
    with pytest.raises(ValueError, match="by: 'day'"):
        store.total_sums("day")  # type: ignore[arg-type]


def test_quality_sums_and_flagged_batches(store: IngestStore) -> None:
    _add(store, "m1", METER)
    _add(store, "m2", OTHER)
    with store.engine.connect() as conn:  # the reference: each stored quality, parsed
        stored = {row.batch_id: (row.period_start, json.loads(row.quality))
                  for row in conn.execute(sa.select(batches))}
    last_day = next(q for start, q in stored.values() if start.startswith("2024-04-02"))
    assert last_day["duplicate"] == 1
    expected: dict[str, tuple[int, dict[str, int]]] = {}
    for start, quality in stored.values():
        n, sums = expected.get(start[:16], (0, dict.fromkeys(FLAGS, 0)))
        expected[start[:16]] = (n + 1, {f: sums[f] + quality.get(f, 0) for f in FLAGS})
    assert {k: (n, q) for k, n, q in store.quality_sums(FLAGS)} == expected
    assert sum(n for n, _q in expected.values()) == 4
    rows, total = store.flagged_batches(FLAGS, ("accepted", "duplicate"), 10)
    assert total == 1 and len(rows) == 1
    assert {k: rows[0][k] for k in ("device_id", "period_start", "accepted", "duplicate")} == {
        "device_id": "m1", "period_start": "2024-04-02T15:00:00.000000Z",
        "accepted": last_day["accepted"], "duplicate": 1}
    assert store.flagged_batches(FLAGS, ("accepted",), 0) == ([], 1)
    assert store.flagged_batches(FLAGS, ("accepted",), 10, devices=["m2"]) == ([], 0)
