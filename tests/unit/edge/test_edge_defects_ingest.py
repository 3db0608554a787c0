"""Ingestion of simulated uploads finds exactly the defects the simulator injected."""

from __future__ import annotations

from decimal import Decimal

import pytest

from envalue.edge import DefectRates, simulate
from envalue.ingest import IngestConfig, ingest

pytestmark = pytest.mark.unit

ENA_DEVICES = ["ena-pv-plant", "ena-nas", "ena-grid", "ena-fac-07"]


def _check(up) -> dict[str, int]:  # type: ignore[no-untyped-def]
    result = ingest(up.body, IngestConfig(**up.ingest_options()), source=up.device_id)
    report = up.report
    got = result.quality.contract() | {"out_of_order": result.quality.out_of_order}
    assert got == report.expected_quality(), up.device_id

    rules: dict[str, int] = {}
    for r in result.rejected:
        rules[r.rule.value] = rules.get(r.rule.value, 0) + 1
    assert rules == report.expected_rejections(), up.device_id

    assert sorted((r.quantity, r.timestamp) for r in result.resets) == sorted(
        (e.quantity, e.ts) for e in report.resets)
    found_gaps = {(g.after, g.before, g.missing) for g in result.gaps}
    for g in report.gaps:
        for q in up.report.expected_totals:  # each quantity series shows the gap
            assert (g.after, g.before, g.missing) in found_gaps, (q, g)
    dups = sorted({d.timestamp for d in result.duplicates})
    assert dups == sorted(report.duplicates)

    totals: dict[str, Decimal] = {}
    for t in result.totals:
        totals[t.quantity] = totals.get(t.quantity, Decimal(0)) + t.value
    assert {q: totals.get(q, Decimal(0)) for q in report.expected_totals} == \
        report.expected_totals
    return got


@pytest.mark.parametrize("fmt", ["long", "json", "wide"])
@pytest.mark.parametrize("kind", ["interval", "cumulative"])
@pytest.mark.parametrize("scenario", ["ena", "boiler"])
def test_quality_report_equals_injection(fmt: str, kind: str, scenario: str) -> None:
    rates = DefectRates.field_like(seed=21)
    sim = simulate(scenario, days=3, seed=5, fmt=fmt, kind=kind, rates=rates,
                   devices=ENA_DEVICES if scenario == "ena" else None)
    seen = {"duplicate": 0, "conflict": 0, "gap": 0, "rejected": 0, "out_of_order": 0,
            "reset": 0}
    for up in sim.uploads:
        got = _check(up)
        for k in seen:
            seen[k] += got[k]
    # the rates are high enough that every kind of defect was exercised
    assert all(seen[k] > 0 for k in ("duplicate", "conflict", "gap", "rejected",
                                     "out_of_order"))
    if kind == "cumulative":
        assert seen["reset"] > 0
        assert any(up.report.rollovers for up in sim.uploads)


@pytest.mark.parametrize("seed", range(6))
def test_many_seeds_one_minute_data(seed: int) -> None:
    rates = DefectRates(duplicate=0.01, conflict=0.005, gap=0.005, out_of_order=0.005,
                        reset=0.002, rollover=0.002, malformed=0.003, negative=0.002,
                        seed=seed)
    sim = simulate("ena", days=1, interval_minutes=1, seed=seed, kind="cumulative",
                   rates=rates, devices=["ena-nas", "ena-pv-roof-03"])
    for up in sim.uploads:
        _check(up)


def test_without_capacity_a_rollover_is_a_reset() -> None:
    sim = simulate("boiler", days=2, kind="cumulative",
                   rates=DefectRates(rollover=0.01, seed=2))
    up = next(u for u in sim.uploads if u.report.rollovers)
    opts = up.ingest_options() | {"counter_capacity": None}
    result = ingest(up.body, IngestConfig(**opts))
    assert result.quality.reset == len(up.report.rollovers)
    assert [r.rule.value for r in result.resets] == ["reset_fall_without_capacity"]


def test_clean_upload_has_no_findings() -> None:
    sim = simulate("boiler", days=1, kind="cumulative")
    for up in sim.uploads:
        got = _check(up)
        assert got["accepted"] == 48 * 3
        assert sum(v for k, v in got.items() if k != "accepted") == 0
