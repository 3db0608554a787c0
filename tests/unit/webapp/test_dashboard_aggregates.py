"""The dashboard's SQL aggregates give exactly what loading every batch gave.

The reference below is the energy overview as it was computed before the aggregates
(every stored batch loaded with `load_batches`, its day parsed in Python, its totals added
as Decimal), kept here only to compare against. Both run on a simulated week of both case
studies (field-like defects, so there are quality flags and decimal totals) in SQLite and,
when ENVALUE_TEST_POSTGRES_URL is set (the suite's conftest sets it), PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from envalue.edge.defects import DefectRates
from envalue.edge.simulation import simulate
from envalue.ingest_service.local import store_simulation
from envalue.webapp import create_app
from envalue.webapp.db import PortalUser, get_session
from envalue.webapp.extensions import limiter
from envalue.webapp.reports.factors import FactorUse, user_factor
from envalue.webapp.reports.ghg import default_electricity
from envalue.webapp.reports.offchain import REPORT_TZ, Window, device_ids, load_batches
from envalue.webapp.services import dashboard
from envalue.webapp.services.ledger import ledger_status
from envalue.webapp.services.reports import param_list, param_text, parse_day, report_store
from tests.services import postgres_schema

from .webapp_helpers import FakeFabricCA, add_user, portal_config

pytestmark = pytest.mark.unit

QUERIES: list[dict[str, Any]] = [
    {},  # default window: the 31 days up to the last day with data
    {"start": "2024-03-25", "end": "2024-05-31"},  # both weeks and empty days around them
    {"start": "2024-04-03", "end": "2024-04-05"},  # part of the boiler week
    {"devices": "boiler-old"},  # default window ends on that device's last day
    {"devices": "boiler-old,boiler-new", "start": "2024-04-01", "end": "2024-04-07"},
    {"devices": ["boiler-new", "boiler-old"], "start": "2024-04-01", "end": "2024-04-07"},
    {"start": "2024-05-01", "end": "2024-05-07", "ef_grid": "0.000441",
     "ef_grid_source": "supplier (test)"},  # emissions from the Ena week's grid side
    {"start": "2023-01-01", "end": "2023-01-05"},  # no data
    {"devices": "no-such-device"},
]


# -- the reference: the overview as computed before the aggregates --------------------
def _reference_window(params: dict[str, Any], devices: list[str] | None) -> Window:
    def day(name: str) -> date | None:
        text = param_text(params, name)
        return parse_day(text, name) if text else None

    ends = [b.period_end for b in load_batches(report_store(), devices=devices)]
    latest = (max(ends).astimezone(REPORT_TZ) - timedelta(microseconds=1)).date() if ends \
        else None
    last = day("end") or latest or date.today()
    first = day("start") or last - timedelta(days=dashboard.DEFAULT_DAYS - 1)
    return Window(first, last)


def _reference(user: PortalUser, params: dict[str, Any]) -> dict[str, Any]:
    flags = dashboard.QUALITY_FLAGS
    devices = param_list(params, "devices") or None
    window = _reference_window(params, devices)
    batches = load_batches(report_store(), devices=devices, start=window.start, end=window.end)
    days = [(window.first + timedelta(days=i)).isoformat() for i in range(window.days)]
    daily: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    units: dict[str, str] = {}
    per_device: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    quality_daily: dict[str, dict[str, int]] = {f: defaultdict(int) for f in flags}
    totals: dict[str, tuple[Decimal, str]] = {}
    flagged = []
    for b in batches:
        day = b.local_day.isoformat()
        for q, (v, u) in b.totals.items():
            daily[q][day] += v
            units[q] = u
            per_device[b.device_id][q] += v
            totals[q] = (totals.get(q, (Decimal(0), u))[0] + v, u)
        for flag in flags:
            quality_daily[flag][day] += int(b.quality.get(flag, 0))
        if any(b.quality.get(flag) for flag in flags):
            flagged.append({"batch_id": b.batch_id, "device_id": b.device_id, "day": day,
                            **{k: int(b.quality.get(k, 0)) for k in ("accepted", *flags)}})
    ef_text = param_text(params, "ef_grid")
    if ef_text:
        grid: FactorUse | None = user_factor(
            "ef_grid", ef_text, "t-CO2/kWh", param_text(params, "ef_grid_source"),
            f"{user.username} ({user.msp_id})")
        reason = ""
    else:
        grid, reason = dashboard.registered_grid(window)
    purchased = default_electricity(totals)
    kwh_by_day: dict[str, Decimal] = defaultdict(Decimal)
    for q in purchased:
        for d, v in daily[q].items():
            kwh_by_day[d] += v
    state = ledger_status(user)
    return {
        "period": {"start": window.first.isoformat(), "end": window.last.isoformat(),
                   "time_zone": "Asia/Tokyo"},
        "devices": sorted(per_device), "available_devices": device_ids(report_store()),
        "days": days, "batch_count": len(batches),
        "series": [{"quantity": q, "unit": units[q], "role": dashboard.role_of(q),
                    "values": [str(daily[q].get(d, Decimal(0))) for d in days],
                    "total": str(totals[q][0])} for q in sorted(daily)],
        "per_device": {d: {q: str(v) for q, v in sorted(per_device[d].items())}
                       for d in sorted(per_device)},
        "quality": {"days": days, **{f: [quality_daily[f].get(d, 0) for d in days]
                                     for f in flags},
                    "flagged_batches": flagged[:dashboard.MAX_FLAGGED],
                    "flagged_total": len(flagged)},
        "emissions": dashboard._emissions(days, kwh_by_day, grid, reason, purchased),
        "ledger": {"available": state.available, "reason": state.reason},
    }


# -- stores -------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ingest.db'}"
        return
    with postgres_schema("dash_agg", "comparison") as pg:
        yield pg.url


def _store_week(url: str, scenario: str) -> None:
    sim = simulate(scenario, days=7, seed=1, rates=DefectRates.field_like(1))
    store_simulation(sim, url)


def _app(tmp_path: Path, url: str) -> Flask:
    app = create_app(portal_config(tmp_path, INGEST_DATABASE_URL=url))
    limiter.reset()
    add_user(app, FakeFabricCA(), "customer1", "customer", "customer")
    return app


def _user() -> PortalUser:
    user = get_session().scalar(sa.select(PortalUser).where(
        PortalUser.username == "customer1@customer"))
    assert user is not None
    return user


def _statements(engine: sa.Engine) -> list[str]:
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_a: seen.append(statement))
    return seen


# -- tests --------------------------------------------------------------------------
def test_aggregates_equal_the_batch_by_batch_overview(tmp_path: Path, store_url: str) -> None:
    _store_week(store_url, "ena")
    _store_week(store_url, "boiler")
    app = _app(tmp_path, store_url)
    with app.test_request_context():
        user = _user()
        whole = dashboard.energy_overview(user, {"start": "2024-03-25", "end": "2024-05-31"})
        # the week is what the comparison needs: flags beyond the list's cap, decimal totals
        assert whole["batch_count"] > 500 and len(whole["devices"]) > 70
        assert whole["quality"]["flagged_total"] > dashboard.MAX_FLAGGED
        assert any("." in s["total"] for s in whole["series"])
        for query in QUERIES:
            expected = _reference(user, query)
            assert dashboard.energy_overview(user, query) == expected, query
            assert dashboard.energy_overview(user, query) == expected, query  # from the cache
        emissions = dashboard.energy_overview(user, QUERIES[6])["emissions"]
        assert emissions["available"] and emissions["total_kg"] > 0


def test_a_new_upload_invalidates_the_cache(tmp_path: Path, store_url: str) -> None:
    _store_week(store_url, "ena")
    app = _app(tmp_path, store_url)
    query = {"start": "2024-03-25", "end": "2024-05-31"}
    with app.test_request_context():
        user = _user()
        before = dashboard.energy_overview(user, query)
        assert before == _reference(user, query)
        assert not any(d.startswith("boiler") for d in before["devices"])
        seen = _statements(report_store().engine)
        assert dashboard.energy_overview(user, query) == before
        assert len(seen) == 1 and "ingest_uploads" in seen[0]  # only the change mark
        _store_week(store_url, "boiler")  # another writer, as the ingestion service is
        after = dashboard.energy_overview(user, query)
        assert after == _reference(user, query)
        assert {"boiler-old", "boiler-new"} <= set(after["devices"])
        assert after["batch_count"] > before["batch_count"]


def test_the_local_day_of_a_start_minute() -> None:
    # 15:00 UTC is local midnight in Tokyo: the day the chart buckets is the next one
    assert dashboard._local_day("2024-03-31T15:00") == "2024-04-01"
    assert dashboard._local_day("2024-03-31T14:59") == "2024-03-31"
    assert dashboard._local_day("2024-12-31T15:00") == "2025-01-01"


def test_one_quantity_in_two_units_is_refused() -> None:
    units: dict[str, str] = {}
    dashboard._unit(units, "electricity", "kWh")
    dashboard._unit(units, "electricity", "kWh")
    with pytest.raises(ValueError, match="'electricity' is stored in units 'kWh' and 'MWh'"):
        dashboard._unit(units, "electricity", "MWh")


class _Marks:
    """Only the store's change mark, as a sequence of answers."""

    def __init__(self, *marks: tuple[int, int]) -> None:
        self.marks = list(marks)

    def change_mark(self) -> tuple[int, int]:
        return self.marks.pop(0)


def test_the_figure_cache_holds_values_for_the_newest_mark() -> None:
    cache = dashboard.FigureCache(_Marks((1, 1), (1, 1), (2, 2), (1, 1)))  # type: ignore[arg-type]
    assert cache.current()("k", lambda: "a") == "a"
    assert cache.current()("k", lambda: "b") == "a"  # same mark: kept
    newer = cache.current()
    assert newer("k", lambda: "c") == "c"  # a new upload: computed again
    older = cache.current()  # a request that read the mark before that upload committed
    assert older("k", lambda: "d") == "d"  # computed for it, not kept, nothing emptied
    assert newer("k", lambda: "e") == "c"
