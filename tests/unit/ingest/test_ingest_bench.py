"""The benchmark helper runs (no timing assertions)."""

from __future__ import annotations

import pytest

from envalue.ingest import bench

pytestmark = pytest.mark.unit


def test_bench_returns_a_rate() -> None:
    assert bench.run(readings=200) > 0
