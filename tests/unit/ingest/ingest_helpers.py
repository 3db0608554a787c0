"""Shared helpers for ingestion tests (imported by the test modules beside it)."""

from __future__ import annotations

from envalue.ingest import IngestConfig, IngestResult, ingest

HEADER = "timestamp,device_id,quantity,value,unit,kind\n"


def long_csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(r + "\n" for r in rows)).encode()


def run(data: bytes, **kwargs: object) -> IngestResult:
    kwargs.setdefault("device_id", "dev-1")
    return ingest(data, IngestConfig(**kwargs), source="test.csv")  # type: ignore[arg-type]


def totals(result: IngestResult) -> dict[tuple[str, str], str]:
    """(quantity, period_start date) → value text."""
    return {(t["quantity"], t["period_start"][:10]): t["value"]
            for t in (x.contract() for x in result.totals)}


def assert_accounting(result: IngestResult) -> None:
    q = result.quality
    assert q.accepted + q.rejected + q.duplicate == result.input_rows
