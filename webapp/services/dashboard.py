"""The dashboard's energy figures: daily totals, data quality and electricity emissions.

Why from the off-chain store: consumption, generation and quality flags are the stored
batches' own totals and quality reports, so they are shown whether or not the ledger
answers. Emissions are shown only where a valued grid factor exists (the version
governance activated on the ledger, the portal's registered factors, or one the user
enters) and are computed per day with the `inventory`
methodology; otherwise the reason is shown. Reductions and token or credit balances are
ledger records, read from the read model (`ledger_figures`).

Why aggregates and a cache: the page and its chart data are the portal's busiest reads.
The store's figures come from SQL GROUP BYs (`IngestStore.total_sums`, `quality_sums`,
`flagged_batches`; decimal texts added exactly as Decimal), grouped by the UTC minute a
period starts in and mapped to its local day here, instead of loading every batch. They
are kept per process, keyed by the store's `change_mark`, which every upload changes.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from flask import current_app

from envalue.chaincode.domain.methodologies import calculate
from envalue.ingest.store import START_KEY_CHARS, IngestStore
from envalue.readmodel import lag_status

from ..db import PortalUser
from ..errors import PortalError
from ..reports.factors import FactorUse, ledger_grid, resolve_grid, user_factor
from ..reports.ghg import default_electricity
from ..reports.ledger import grid_versions
from ..reports.offchain import REPORT_TZ, Window, device_ids, parse_stored_ts
from ..security import require_permission
from .ledger import ledger_status
from .readmodel import sessions
from .reports import MAX_DAYS, Params, param_list, param_text, parse_day, report_store

__all__ = ["DEFAULT_DAYS", "QUALITY_FLAGS", "FigureCache", "energy_overview",
           "registered_grid", "role_of"]

PERMISSION = "dashboard.view"
DEFAULT_DAYS = 31
QUALITY_FLAGS = ("duplicate", "conflict", "rejected", "gap", "reset")
MAX_FLAGGED = 200
CACHE_EXTENSION = "envalue.dashboard.figures"
_CONSUMPTION = {"electricity", "electricity_import", "aux_grid", "battery_charge_grid",
                "battery_charge_pv"}
_GENERATION = {"pv_generation", "pv_export", "electricity_export", "battery_discharge"}


def role_of(quantity: str) -> str:
    """``consumption``, ``generation`` or ``other`` (fuel, heat, steam, water)."""
    if quantity in _CONSUMPTION:
        return "consumption"
    return "generation" if quantity in _GENERATION else "other"


Mark = tuple[int, int]
Cached = Callable[[Hashable, Callable[[], Any]], Any]


class FigureCache:
    """Figures derived from one store, per process (one per app), valid for one
    `IngestStore.change_mark`: a newer mark empties it. Values are shared between requests
    and threads and are treated as read-only."""

    def __init__(self, store: IngestStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._values: dict[Hashable, Any] = {}
        self._mark: Mark | None = None

    def current(self) -> Cached:
        """Read the store's mark now (before any figure, so that no figure is older than
        its mark) and return the lookup for it: ``cached(key, compute)``."""
        mark = self.store.change_mark()
        with self._lock:
            if self._mark is None or mark > self._mark:
                self._values.clear()
                self._mark = mark

        def cached(key: Hashable, compute: Callable[[], Any]) -> Any:
            with self._lock:
                if mark == self._mark and key in self._values:
                    return self._values[key]
            value = compute()  # outside the lock: other requests go on meanwhile
            with self._lock:
                if mark == self._mark:
                    self._values[key] = value
            return value

        return cached


def _cached_figures(store: IngestStore) -> Cached:
    """This app's figure cache for `store`, at the store's current mark."""
    cache = current_app.extensions.get(CACHE_EXTENSION)
    if not isinstance(cache, FigureCache) or cache.store is not store:
        cache = current_app.extensions[CACHE_EXTENSION] = FigureCache(store)
    return cache.current()


def _latest_day(store: IngestStore, devices: list[str] | None) -> date | None:
    from sqlalchemy import func, select

    from envalue.ingest.store import batches

    q = select(func.max(batches.c.period_end))
    if devices:
        q = q.where(batches.c.device_id.in_(devices))
    with store.engine.connect() as conn:
        latest = conn.scalar(q)
    if latest is None:
        return None
    # a period ends at local midnight: its last day is the day before the end instant
    end = parse_stored_ts(latest).astimezone(REPORT_TZ)
    return (end - timedelta(microseconds=1)).date()


def _window(params: Params, devices: list[str] | None, selection: tuple[str, ...],
            store: IngestStore, cached: Cached) -> Window:
    def day(name: str) -> date | None:
        text = param_text(params, name)
        if not text:
            return None
        return parse_day(text, name)

    last = (day("end") or cached(("latest_day", selection),
                                 lambda: _latest_day(store, devices)) or date.today())
    first = day("start") or last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise PortalError("must not be before start", field="end", value=last.isoformat(),
                          rule="after_start")
    if (last - first).days + 1 > MAX_DAYS:
        raise PortalError(f"at most {MAX_DAYS} days", field="end", value=last.isoformat(),
                          rule="max_period")
    return Window(first, last)


def _emissions(days: list[str], kwh_by_day: dict[str, Decimal], grid: FactorUse | None,
               reason: str, quantities: tuple[str, ...]) -> dict[str, Any]:
    if grid is None:
        return {"available": False, "reason": reason, "quantities": list(quantities)}
    per_day = []
    for d in days:
        result = calculate("inventory", {"fuels": [], "ef_grid": grid.value,
                                         "electricity_kwh": str(kwh_by_day.get(d, 0))})
        per_day.append(result.scope2_location_kg)  # type: ignore[union-attr]
    return {"available": True, "reason": "", "factor": grid.as_row(),
            "quantities": list(quantities), "scope2_location_kg": per_day,
            "total_kg": sum(per_day),
            "note": "scope 2 location-based, per day, methodology inventory v1; scope 1 "
                    "needs each fuel meter's fuel type (see Reports)"}


@lru_cache(maxsize=4096)
def _local_day(start_key: str) -> str:
    """The local day (ISO) of a UTC minute ``YYYY-MM-DDTHH:MM`` a period starts in."""
    return datetime.fromisoformat(start_key + "+00:00").astimezone(REPORT_TZ).date().isoformat()


def _unit(units: dict[str, str], quantity: str, unit: str) -> None:
    """Record `quantity`'s unit; ingestion stores one canonical unit per quantity."""
    if units.setdefault(quantity, unit) != unit:
        raise ValueError(f"quantity {quantity!r} is stored in units {units[quantity]!r} and "
                         f"{unit!r}: totals in different units cannot be added")


@dataclass(frozen=True)
class _StoreView:
    """The store's part of the overview for one selection, JSON-ready (`rendered`), with
    the exact daily sums and totals the emissions are computed from."""

    rendered: dict[str, Any]
    daily: dict[str, dict[str, Decimal]]
    totals: dict[str, tuple[Decimal, str]]


def _store_view(store: IngestStore, devices: list[str] | None, window: Window,
                days: list[str]) -> _StoreView:
    """Daily series, per-device totals, batch count and quality of the batches of
    `devices` lying wholly inside `window`, from the store's aggregates."""
    span = {"devices": devices, "start": window.start, "end": window.end}
    daily: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    units: dict[str, str] = {}
    for key, q, u, v in store.total_sums("start", **span):
        daily[q][_local_day(key)] += v
        _unit(units, q, u)
    per_device: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for device, q, u, v in store.total_sums("device", **span):
        per_device[device][q] += v
        _unit(units, q, u)
    totals = {q: (sum(daily[q].values(), Decimal(0)), units[q]) for q in daily}
    quality_daily: dict[str, dict[str, int]] = {f: defaultdict(int) for f in QUALITY_FLAGS}
    batch_count = 0
    for key, count, sums in store.quality_sums(QUALITY_FLAGS, **span):
        batch_count += count
        for f in QUALITY_FLAGS:
            quality_daily[f][_local_day(key)] += sums[f]
    rows, flagged_total = store.flagged_batches(QUALITY_FLAGS, ("accepted", *QUALITY_FLAGS),
                                                MAX_FLAGGED, **span)
    flagged = [{"batch_id": r["batch_id"], "device_id": r["device_id"],
                "day": _local_day(r["period_start"][:START_KEY_CHARS]),
                **{k: int(r[k]) for k in ("accepted", *QUALITY_FLAGS)}} for r in rows]
    rendered = {
        "devices": sorted(per_device), "days": days, "batch_count": batch_count,
        "series": [{"quantity": q, "unit": units[q], "role": role_of(q),
                    "values": [str(daily[q].get(d, Decimal(0))) for d in days],
                    "total": str(totals[q][0])} for q in sorted(daily)],
        "per_device": {d: {q: str(v) for q, v in sorted(per_device[d].items())}
                       for d in sorted(per_device)},
        "quality": {"days": days, **{f: [quality_daily[f].get(d, 0) for d in days]
                                     for f in QUALITY_FLAGS},
                    "flagged_batches": flagged, "flagged_total": flagged_total},
    }
    return _StoreView(rendered, {q: dict(by_day) for q, by_day in daily.items()}, totals)


def registered_grid(window: Window) -> tuple[FactorUse | None, str]:
    """The grid factor for `window` as the reports choose it: the version governance
    activated on the ledger (read model), else the portal's setting or the built-in set."""
    with sessions()() as session:
        ledger = ledger_grid(grid_versions(session), window,
                             projected_blocks=lag_status(session).projected_blocks)
    return resolve_grid(window, current_app.config, ledger)


def energy_overview(user: PortalUser | None, params: Params) -> dict[str, Any]:
    """Daily totals per quantity, per-device totals, quality flags, emissions, ledger state.

    Parameters: ``devices`` (repeatable or comma-separated; default all), ``start`` and
    ``end`` (local days, default the last 31 days with data), ``ef_grid`` with
    ``ef_grid_source`` (a factor to apply when none is registered).
    """
    actor = require_permission(user, PERMISSION)
    devices = param_list(params, "devices") or None
    selection = tuple(sorted(set(devices or ())))  # cache key: the same devices, any order
    store = report_store()
    cached = _cached_figures(store)
    window = _window(params, devices, selection, store, cached)
    days = [(window.first + timedelta(days=i)).isoformat() for i in range(window.days)]
    view: _StoreView = cached(("view", selection, window.first, window.last),
                              lambda: _store_view(store, devices, window, days))
    ef_text = param_text(params, "ef_grid")
    if ef_text:
        grid: FactorUse | None = user_factor(
            "ef_grid", ef_text, "t-CO2/kWh", param_text(params, "ef_grid_source"),
            f"{actor.username} ({actor.msp_id})")
        reason = ""
    else:
        grid, reason = registered_grid(window)
    purchased = default_electricity(view.totals)
    kwh_by_day: dict[str, Decimal] = defaultdict(Decimal)
    for q in purchased:
        for d, v in view.daily[q].items():
            kwh_by_day[d] += v
    state = ledger_status(actor)
    rendered = view.rendered
    return {
        "period": {"start": window.first.isoformat(), "end": window.last.isoformat(),
                   "time_zone": "Asia/Tokyo"},
        "devices": rendered["devices"],
        "available_devices": cached(("available_devices",), lambda: device_ids(store)),
        **{k: rendered[k] for k in ("days", "batch_count", "series", "per_device", "quality")},
        "emissions": _emissions(days, kwh_by_day, grid, reason, purchased),
        "ledger": {"available": state.available, "reason": state.reason},
    }
