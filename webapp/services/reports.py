"""GHG inventory and KPI reports for the acting user, from the off-chain store.

Why a service: the report page, its PDF/CSV downloads and ``GET /api/v1/reports/…`` all
parse the same parameters here (`ghg_request`, `kpi_params`), check the permission for
the user they are given, read the ingestion store, the read model (reductions,
retirements and the ledger's fuel and grid factor versions, in one session) and the
ledger's status, and call the builders in `webapp.reports`. Parameter problems are
`PortalError`s naming the field, value and rule; factor texts are checked by the domain's
exact-number reader.

Ledger scope: like the registry (`registry.scope_of`), roles that oversee every org see
every org's reductions and retirements, or one org's with ``owner_msp``; the others see
their own org's, and naming another org is refused (403, rule ``own_org``). ``site_id``
narrows the ledger records to one registered site.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from flask import current_app

from envalue.chaincode.domain.measurement.quantities import CANONICAL_UNITS
from envalue.chaincode.domain.quantity import to_exact
from envalue.ingest.store import IngestStore
from envalue.readmodel import lag_status

from ..db import PortalUser
from ..errors import PortalError
from ..reports.factors import (
    FUEL_CHOICES,
    FUEL_SERIES,
    FactorUse,
    FuelFactorUse,
    ledger_grid,
    resolve_fuels,
    resolve_grid,
    user_factor,
)
from ..reports.ghg import GhgReport, GhgRequest, build_ghg
from ..reports.kpi import KpiReport, build_kpi, period_facts
from ..reports.ledger import (
    LedgerSection,
    factor_versions,
    grid_versions,
    read_ledger_section,
    scope_choices,
)
from ..reports.offchain import Window, device_ids, load_batches
from ..security import require_permission
from .ledger import ledger_status
from .readmodel import lag_json, notices, sessions
from .registry import scope_of

__all__ = ["KWH_QUANTITIES", "MAX_DAYS", "KpiParams", "LedgerReads", "Params", "ghg_report",
           "ghg_request", "kpi_params", "kpi_report", "ledger_choices", "ledger_reads",
           "param_list",
           "param_text", "parse_day", "report_store", "stored_devices"]

PERMISSION = "reports.view"
MAX_DAYS = 3 * 366
#: Days a report or chart may name (keeps every window and its baseline representable).
FIRST_DAY, LAST_DAY = date(1971, 1, 1), date(2999, 12, 31)
MAX_TEXT = 200
STORE_EXTENSION = "envalue.portal.report_store"
KWH_QUANTITIES = tuple(q for q, u in CANONICAL_UNITS.items() if u == "kWh")


class Params(Protocol):
    """A request's arguments (werkzeug's MultiDict or a plain mapping of strings)."""

    def get(self, key: str, default: Any = None) -> Any: ...


def report_store() -> IngestStore:
    """The off-chain store uploads go to (the ingestion service's, else the configured one)."""
    service = current_app.extensions.get("envalue.ingest_service")
    if service is not None and getattr(service, "store", None) is not None:
        return service.store  # type: ignore[no-any-return]
    store = current_app.extensions.get(STORE_EXTENSION)
    if store is None:
        config = current_app.config
        store = IngestStore(config.get("INGEST_DATABASE_URL") or config["DATABASE_URL"])
        current_app.extensions[STORE_EXTENSION] = store
    return store  # type: ignore[no-any-return]


def stored_devices(user: PortalUser | None) -> list[str]:
    """Devices with stored batches (the report form's choices)."""
    require_permission(user, PERMISSION)
    return device_ids(report_store())


def ledger_choices(user: PortalUser | None) -> dict[str, Any]:
    """The form's ledger scope: ``own`` (the org the user is scoped to, ``""`` for every
    org), the organisations and the registered sites it may choose."""
    actor = require_permission(user, PERMISSION)
    own = scope_of(actor)
    with sessions()() as session:
        orgs, sites = scope_choices(session, own)
    return {"own": own, "orgs": orgs, "sites": sites}


@dataclass(frozen=True)
class LedgerReads:
    """What a report reads from the read model: its ledger section, the ledger's grid
    factor (`ledger_grid`'s answer; None when the user typed one) and the factor of every
    fuel choice (`resolve_fuels`: the ledger's version, else the built-in one and why)."""

    section: LedgerSection
    grid: tuple[FactorUse | None, str] | None
    fuels: dict[str, FuelFactorUse]


def ledger_reads(user: PortalUser, request: GhgRequest) -> LedgerReads:
    """The ledger section of the request's period and scope and the ledger's factors for
    it, from one read-model session."""
    state = ledger_status(user)
    with sessions()() as session:
        lag = lag_status(session)
        section = read_ledger_section(
            session, request.window, org=request.owner_msp or scope_of(user),
            site_id=request.site_id, lag=lag, notices=tuple(notices(lag)),
            read_model=lag_json(lag), ledger_reason="" if state.available else state.reason)
        blocks = lag.projected_blocks
        grid = None if request.ef_grid is not None else ledger_grid(
            grid_versions(session), request.window, projected_blocks=blocks)
        fuels = resolve_fuels(factor_versions(session, FUEL_SERIES), request.window,
                              projected_blocks=blocks)
    return LedgerReads(section, grid, fuels)


# -- parameters -----------------------------------------------------------------------
def param_text(params: Params, name: str) -> str:
    value = params.get(name) or ""
    if not isinstance(value, str):
        raise PortalError("must be text", field=name, value=str(value), rule="string")
    if len(value) > MAX_TEXT:
        raise PortalError(f"at most {MAX_TEXT} characters", field=name, value=value[:40],
                          rule="max_length")
    return value.strip()


def _date(params: Params, name: str, default: date | None = None) -> date:
    text = param_text(params, name)
    if not text:
        if default is not None:
            return default
        raise PortalError("required (YYYY-MM-DD)", field=name, rule="required")
    return parse_day(text, name)


def parse_day(text: str, name: str) -> date:
    """A local day ``YYYY-MM-DD`` within `FIRST_DAY`…`LAST_DAY` (PortalError otherwise)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise PortalError("must be a date YYYY-MM-DD", field=name, value=text,
                          rule="date") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PortalError(f"must lie within {FIRST_DAY}…{LAST_DAY}", field=name, value=text,
                          rule="date_range")
    return day


def _window(params: Params, first: str, last: str, defaults: tuple[date, date] | None = None
            ) -> Window:
    start = _date(params, first, defaults[0] if defaults else None)
    end = _date(params, last, defaults[1] if defaults else None)
    if end < start:
        raise PortalError(f"must not be before {first}", field=last, value=end.isoformat(),
                          rule="after_start")
    if (end - start).days + 1 > MAX_DAYS:
        raise PortalError(f"a report covers at most {MAX_DAYS} days", field=last,
                          value=end.isoformat(), rule="max_period")
    return Window(start, end)


def param_list(params: Params, name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    raw = getlist(name) if getlist else [params.get(name) or ""]
    items = [part.strip() for value in raw for part in str(value).split(",")]
    return [item for item in items if item]


def _decimal(params: Params, name: str) -> Decimal | None:
    text = param_text(params, name)
    if not text:
        return None
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise PortalError("must be a decimal number", field=name, value=text,
                          rule="decimal") from None
    if not value.is_finite() or value < 0:
        raise PortalError("must be a finite number ≥ 0", field=name, value=text,
                          rule="non-negative")
    to_exact(value, name)  # the domain's magnitude limits
    return value


def ghg_request(user: PortalUser, params: Params) -> GhgRequest:
    """The report request in `params` (see the API's parameter list)."""
    window = _window(params, "start", "end")
    devices = param_list(params, "devices")
    fuel_types: dict[str, str] = {}
    for quantity, keys in FUEL_CHOICES.items():
        chosen = param_text(params, f"fuel_type_{quantity}")
        if chosen and chosen not in keys:
            raise PortalError(f"one of {', '.join(keys)}", field=f"fuel_type_{quantity}",
                              value=chosen, rule="choice")
        if chosen:
            fuel_types[quantity] = chosen
    electricity = param_list(params, "electricity_quantities")
    for q in electricity:
        if q not in KWH_QUANTITIES:
            raise PortalError(f"one of {', '.join(KWH_QUANTITIES)}",
                              field="electricity_quantities", value=q, rule="choice")
    owner_msp, own = param_text(params, "owner_msp"), scope_of(user)
    if own and owner_msp not in ("", own):
        raise PortalError(f"your role reads its own organisation's ledger records only ({own})",
                          field="owner_msp", value=owner_msp, rule="own_org", http_status=403,
                          title="Forbidden")
    who = f"{user.username} ({user.msp_id})"
    ef_grid_text, ef_market_text = param_text(params, "ef_grid"), param_text(params, "ef_market")
    return GhgRequest(
        window=window, devices=tuple(devices) or None,
        organisation=param_text(params, "organisation"), site=param_text(params, "site"),
        owner_msp=owner_msp, site_id=param_text(params, "site_id"), fuel_types=fuel_types,
        electricity_quantities=tuple(electricity) or None,
        ef_grid=user_factor("ef_grid", ef_grid_text, "t-CO2/kWh",
                            param_text(params, "ef_grid_source"), who) if ef_grid_text else None,
        ef_market=user_factor("ef_market", ef_market_text, "t-CO2/kWh",
                              param_text(params, "ef_market_source"), who)
        if ef_market_text else None,
        certificates_kwh=_decimal(params, "certificates_kwh"),
        certificates_source=param_text(params, "certificates_source"))


@dataclass(frozen=True)
class KpiParams:
    """The KPI report's extra parameters: baseline period and optional output amounts."""

    baseline: Window
    output: Decimal | None
    baseline_output: Decimal | None
    output_unit: str


def kpi_params(params: Params, window: Window) -> KpiParams:
    """Baseline defaults to the same days one year earlier."""
    def year_before(day: date) -> date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return day - timedelta(days=366)

    baseline = _window(params, "baseline_start", "baseline_end",
                       (year_before(window.first), year_before(window.last)))
    output, base_output = _decimal(params, "output"), _decimal(params, "baseline_output")
    if (output is None) != (base_output is None):
        field = "baseline_output" if base_output is None else "output"
        raise PortalError("give the output of both periods, or neither", field=field,
                          rule="both_or_neither")
    return KpiParams(baseline, output, base_output, param_text(params, "output_unit"))


# -- reports ----------------------------------------------------------------------------
def _build(user: PortalUser, request: GhgRequest) -> GhgReport:
    store = report_store()
    window = request.window
    inside = load_batches(store, devices=request.devices, start=window.start, end=window.end)
    around = load_batches(store, devices=request.devices, start=window.start, end=window.end,
                          overlapping=True)
    kept = {b.batch_id for b in inside}
    straddling = [b for b in around if b.batch_id not in kept]
    reads = ledger_reads(user, request)
    if request.ef_grid is not None:
        grid, reason = request.ef_grid, ""
    else:
        grid, reason = resolve_grid(window, current_app.config, reads.grid)
    return build_ghg(request, inside, straddling, fuels=reads.fuels, grid=grid,
                     grid_reason=reason, ledger=reads.section,
                     generated_by=f"{user.username} ({user.msp_id})")


def ghg_report(user: PortalUser | None, params: Params) -> GhgReport:
    """The GHG inventory for the period, devices and factors in `params`."""
    actor = require_permission(user, PERMISSION)
    return _build(actor, ghg_request(actor, params))


def kpi_report(user: PortalUser | None, params: Params) -> KpiReport:
    """The KPI report: the period in `params` against its baseline period."""
    actor = require_permission(user, PERMISSION)
    request = ghg_request(actor, params)
    extra = kpi_params(params, request.window)
    current = _build(actor, request)
    baseline = _build(actor, replace(request, window=extra.baseline))
    devices = request.devices or tuple(sorted({b.device_id for b in
                                               current.batches + baseline.batches}))
    return build_kpi(period_facts(request.window, current, devices, extra.output),
                     period_facts(extra.baseline, baseline, devices, extra.baseline_output),
                     extra.output_unit)

