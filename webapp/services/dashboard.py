"""The dashboard's energy figures: daily totals, data quality and electricity emissions.

Why from the off-chain store: consumption, generation and quality flags are the stored
batches' own totals and quality reports (`webapp.reports.offchain`), so they are shown
whether or not the ledger answers. Emissions are shown only where a valued grid factor
exists (the portal's registered factors or one the user enters) and are computed per day
with the `inventory` methodology; otherwise the reason is shown. Reductions and token or
credit balances are ledger records: the dashboard shows the Gateway's reason instead.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app

from envalue.chaincode.domain.methodologies import calculate

from ..db import PortalUser
from ..errors import PortalError
from ..reports.factors import FactorUse, resolve_grid, user_factor
from ..reports.ghg import default_electricity
from ..reports.offchain import REPORT_TZ, Window, device_ids, load_batches, parse_stored_ts
from ..security import require_permission
from .ledger import ledger_status
from .reports import MAX_DAYS, Params, param_list, param_text, parse_day, report_store

__all__ = ["DEFAULT_DAYS", "QUALITY_FLAGS", "energy_overview", "role_of"]

PERMISSION = "dashboard.view"
DEFAULT_DAYS = 31
QUALITY_FLAGS = ("duplicate", "conflict", "rejected", "gap", "reset")
MAX_FLAGGED = 200
_CONSUMPTION = {"electricity", "electricity_import", "aux_grid", "battery_charge_grid",
                "battery_charge_pv"}
_GENERATION = {"pv_generation", "pv_export", "electricity_export", "battery_discharge"}


def role_of(quantity: str) -> str:
    """``consumption``, ``generation`` or ``other`` (fuel, heat, steam, water)."""
    if quantity in _CONSUMPTION:
        return "consumption"
    return "generation" if quantity in _GENERATION else "other"


def _latest_day(devices: list[str] | None) -> date | None:
    from sqlalchemy import func, select

    from envalue.ingest.store import batches

    q = select(func.max(batches.c.period_end))
    if devices:
        q = q.where(batches.c.device_id.in_(devices))
    with report_store().engine.connect() as conn:
        latest = conn.scalar(q)
    if latest is None:
        return None
    # a period ends at local midnight: its last day is the day before the end instant
    end = parse_stored_ts(latest).astimezone(REPORT_TZ)
    return (end - timedelta(microseconds=1)).date()


def _window(params: Params, devices: list[str] | None) -> Window:
    def day(name: str) -> date | None:
        text = param_text(params, name)
        if not text:
            return None
        return parse_day(text, name)

    last = day("end") or _latest_day(devices) or date.today()
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


def energy_overview(user: PortalUser | None, params: Params) -> dict[str, Any]:
    """Daily totals per quantity, per-device totals, quality flags, emissions, ledger state.

    Parameters: ``devices`` (repeatable or comma-separated; default all), ``start`` and
    ``end`` (local days, default the last 31 days with data), ``ef_grid`` with
    ``ef_grid_source`` (a factor to apply when none is registered).
    """
    actor = require_permission(user, PERMISSION)
    devices = param_list(params, "devices") or None
    window = _window(params, devices)
    batches = load_batches(report_store(), devices=devices, start=window.start, end=window.end)
    days = [(window.first + timedelta(days=i)).isoformat() for i in range(window.days)]
    daily: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    units: dict[str, str] = {}
    per_device: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    quality_daily: dict[str, dict[str, int]] = {f: defaultdict(int) for f in QUALITY_FLAGS}
    totals: dict[str, tuple[Decimal, str]] = {}
    flagged = []
    for b in batches:
        day = b.local_day.isoformat()
        for q, (v, u) in b.totals.items():
            daily[q][day] += v
            units[q] = u
            per_device[b.device_id][q] += v
            totals[q] = (totals.get(q, (Decimal(0), u))[0] + v, u)
        for flag in QUALITY_FLAGS:
            quality_daily[flag][day] += int(b.quality.get(flag, 0))
        if any(b.quality.get(flag) for flag in QUALITY_FLAGS):
            flagged.append({"batch_id": b.batch_id, "device_id": b.device_id, "day": day,
                            **{k: int(b.quality.get(k, 0)) for k in ("accepted",
                                                                      *QUALITY_FLAGS)}})
    ef_text = param_text(params, "ef_grid")
    if ef_text:
        grid: FactorUse | None = user_factor(
            "ef_grid", ef_text, "t-CO2/kWh", param_text(params, "ef_grid_source"),
            f"{actor.username} ({actor.msp_id})")
        reason = ""
    else:
        grid, reason = resolve_grid(window, current_app.config)
    purchased = default_electricity(totals)
    kwh_by_day: dict[str, Decimal] = defaultdict(Decimal)
    for q in purchased:
        for d, v in daily[q].items():
            kwh_by_day[d] += v
    state = ledger_status(actor)
    return {
        "period": {"start": window.first.isoformat(), "end": window.last.isoformat(),
                   "time_zone": "Asia/Tokyo"},
        "devices": sorted(per_device), "available_devices": device_ids(report_store()),
        "days": days, "batch_count": len(batches),
        "series": [{"quantity": q, "unit": units[q], "role": role_of(q),
                    "values": [str(daily[q].get(d, Decimal(0))) for d in days],
                    "total": str(totals[q][0])} for q in sorted(daily)],
        "per_device": {d: {q: str(v) for q, v in sorted(per_device[d].items())}
                       for d in sorted(per_device)},
        "quality": {"days": days, **{f: [quality_daily[f].get(d, 0) for d in days]
                                     for f in QUALITY_FLAGS},
                    "flagged_batches": flagged[:MAX_FLAGGED],
                    "flagged_total": len(flagged)},
        "emissions": _emissions(days, kwh_by_day, grid, reason, purchased),
        "ledger": {"available": state.available,
                   "reason": state.reason,
                   "sections": ["reductions", "token balances", "credit balances"]},
    }
