"""Which emission factor values a report uses, and where each came from.

Why a module: every figure must be traceable to a factor version. Factors are chosen
among the read model's copies of the ledger's factor versions exactly as a calculation
chooses them (`governance.choose_factor`: per factor the highest active version, whose
validity covers the whole period, exactly one per series), so a factor corrected through
governance reaches the reports as it reaches the chaincode. Fuel factors: the series is
the chosen fuel key (the genesis registers each entry of `jp-fuel-ordinance-table1` as its
own series), its ``hv`` and ``cef`` texts are passed to the methodology as recorded;
without a usable ledger version the built-in set is used and the reason is noted. Grid
factors come, in order, from a value the user types (with its source), the ledger's
series ``jp-grid``, the portal's ``REPORT_GRID_FACTORS`` setting (``{fiscal_year:
{"value", "source", "set", "version"}}``), or the built-in `jp-grid-electricity` set, whose
entries carry no verified value. When no valued grid factor exists the caller gets the
reason, never a number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from envalue.chaincode.domain.errors import DomainError
from envalue.chaincode.domain.factors import (
    FUEL_FACTOR_SET,
    GRID_FACTOR_SET,
    FuelFactor,
    get_fuel_factor,
)
from envalue.chaincode.domain.measurement.quantities import (
    FUEL_QUANTITY_OF_UNIT,
    fuel_in_factor_unit,
)
from envalue.chaincode.domain.quantity import to_exact
from envalue.chaincode.domain.registry import state as registry_state
from envalue.chaincode.domain.registry.governance import choose_factor
from envalue.chaincode.domain.registry.msg_bootstrap import GRID_SERIES
from envalue.ingest.decimals import decimal_text
from envalue.readmodel import schema as rm

from .offchain import Window

__all__ = ["FUEL_CHOICES", "FUEL_SERIES", "FactorUse", "FuelFactorUse", "FuelLine",
           "builtin_fuel", "factor_record", "fiscal_year", "fuel_line", "ledger_fuel",
           "ledger_grid", "resolve_fuels", "resolve_grid", "user_factor"]

#: metered fuel quantity -> the built-in fuel factor keys measured in its unit.
FUEL_CHOICES: dict[str, tuple[str, ...]] = {
    quantity: tuple(f.key for f in FUEL_FACTOR_SET.entries
                    if isinstance(f, FuelFactor) and f.unit == unit)
    for unit, (quantity, _canonical, _exp) in FUEL_QUANTITY_OF_UNIT.items()
}
#: the ledger series of the fuel choices (the genesis registers each fuel key as a series)
FUEL_SERIES: tuple[str, ...] = tuple(k for keys in FUEL_CHOICES.values() for k in keys)


@dataclass(frozen=True)
class FactorUse:
    """One factor value as used in a report: value text, unit and provenance (for a
    ledger factor version, the transaction and block of its record)."""

    name: str
    value: str
    unit: str
    source: str
    version: str
    note: str = ""
    tx_id: str = ""
    block_number: int | None = None

    def as_row(self) -> dict[str, Any]:
        return {"factor": self.name, "value": self.value, "unit": self.unit,
                "source": self.source, "version": self.version, "note": self.note,
                "tx_id": self.tx_id or None, "block_number": self.block_number}


@dataclass(frozen=True)
class FuelFactorUse:
    """The fuel factor a scope 1 line uses: its series `key` (a fuel choice), the chosen
    `factor_id`, a label, the unit the metered amount is converted to, the exact ``hv``
    and ``cef`` texts given to the methodology, and the factor row the report lists."""

    key: str
    factor_id: str
    fuel: str
    unit: str
    hv: str
    cef: str
    use: FactorUse


@dataclass(frozen=True)
class FuelLine:
    """A scope 1 line: a metered fuel total in its factor's unit and the factor used."""

    quantity: str
    metered_total: Decimal
    metered_unit: str
    factor: FuelFactorUse
    amount: Decimal

    def inputs(self) -> dict[str, str]:
        """The `inventory` methodology's fuel line, as a ledger calculation builds it
        (`measurement.mapping.build_inputs`: fuel = factor id, exact strings)."""
        return {"fuel": self.factor.factor_id, "amount": str(self.amount),
                "hv": self.factor.hv, "cef": self.factor.cef}

    def factor_use(self) -> FactorUse:
        return self.factor.use


def fiscal_year(day: date) -> int:
    """Japanese fiscal year (1 April – 31 March) containing `day`."""
    return day.year if day.month >= 4 else day.year - 1


def fuel_line(quantity: str, total: Decimal, unit: str, factor: FuelFactorUse) -> FuelLine:
    """The fuel line for a metered `quantity` burnt as the fuel of `factor`."""
    amount = Decimal(decimal_text(fuel_in_factor_unit(total, factor.unit)))
    return FuelLine(quantity, total, unit, factor, amount)


def _fuel_value(hv: str, cef: str, units: Mapping[str, str], unit: str) -> tuple[str, str]:
    """A fuel factor's value and unit texts as the report lists them."""
    hv_unit, cef_unit = units.get("hv", f"GJ/{unit}"), units.get("cef", "t-CO2/GJ")
    return f"hv {hv} {hv_unit}; cef {cef} {cef_unit}", f"{hv_unit}; {cef_unit}"


def builtin_fuel(quantity: str, key: str, ledger_reason: str = "") -> FuelFactorUse:
    """The built-in `jp-fuel-ordinance-table1` entry `key`; `ledger_reason` says why the
    ledger's version was not used."""
    f: FuelFactor = get_fuel_factor(key)
    hv, cef = str(f.hv_gj_per_unit), f.cef_expression
    value, unit = _fuel_value(hv, cef, {}, f.unit)
    use = FactorUse(f"{quantity}: {key}", value, unit, f.source,
                    f"{FUEL_FACTOR_SET.name} v{FUEL_FACTOR_SET.version}", f.note)
    return FuelFactorUse(key, f.key, f.fuel, f.unit, hv, cef, _not_used(use, ledger_reason))


def user_factor(name: str, text: str, unit: str, source: str, who: str) -> FactorUse:
    """A factor value typed by the user, checked as an exact non-negative number."""
    value = to_exact(text.strip(), name)
    if value < 0:
        from envalue.chaincode.domain.errors import ValidationError

        raise ValidationError(name, text, "non-negative", "must not be negative")
    return FactorUse(name, text.strip(), unit, source.strip() or "not stated",
                     f"supplied by {who}")


def factor_record(row: rm.FactorVersion) -> registry_state.FactorVersion:
    """The ledger's `FactorVersion` record from the read model's copy of it (the fields
    the read model does not keep, such as the proposer, stay empty)."""
    return registry_state.FactorVersion(
        series=row.series, factor_id=row.factor_id, version=row.version, kind=row.kind,
        unit=row.unit, values=json.loads(row.values or "{}"),
        value_units=json.loads(row.value_units or "{}"), source=row.source,
        valid_from=row.valid_from, valid_until=row.valid_until, note="", status=row.status,
        proposed_by="", proposed_tx="", approvals=json.loads(row.approvals or "[]"),
        genesis=row.genesis)


def _ledger_choice(rows: Sequence[rm.FactorVersion], series: str, window: Window, field: str,
                   projected_blocks: int
                   ) -> tuple[registry_state.FactorVersion, rm.FactorVersion] | str:
    """The version of `series` governance activated for the whole of `window`, chosen
    among the read model's `rows` as a calculation chooses, with its row; or why none."""
    mine = [r for r in rows if r.series == series]
    if not mine:
        return (f"the read model holds no version of factor series {series}"
                + (" (it is empty: no block projected)" if not projected_blocks else ""))
    try:
        chosen = choose_factor([factor_record(r) for r in mine], series, window.start,
                               window.end, field)
    except DomainError as exc:
        return exc.detail
    row = next(r for r in mine if (r.factor_id, r.version) == (chosen.factor_id,
                                                               chosen.version))
    return chosen, row


def _label(record: registry_state.FactorVersion) -> str:
    return f"{record.series}/{record.factor_id}@{record.version}"


def _ledger_use(chosen: registry_state.FactorVersion, row: rm.FactorVersion, name: str,
                value: str, unit: str, projected_blocks: int) -> FactorUse:
    """The factor row of a ledger version: label, validity, transaction and block."""
    validity = f"{chosen.valid_from or '…'}..{chosen.valid_until or '…'}"
    return FactorUse(
        name, value, unit, chosen.source, _label(chosen),
        f"ledger factor version, active{' (genesis)' if chosen.genesis else ''}, "
        f"valid {validity}; the read model's copy ({projected_blocks} block(s) projected)",
        tx_id=row.tx_id, block_number=row.block_number)


def ledger_grid(rows: Sequence[rm.FactorVersion], window: Window, *, projected_blocks: int
                ) -> tuple[FactorUse | None, str]:
    """The grid factor governance activated for the whole of `window`, chosen among the
    read model's versions of series ``jp-grid`` exactly as a calculation chooses
    (`governance.choose_factor`), or None and why not."""
    found = _ledger_choice(rows, GRID_SERIES, window, "ef_grid", projected_blocks)
    if isinstance(found, str):
        return None, found
    chosen, row = found
    value = chosen.values.get("ef_grid", "")
    if not value:
        return None, (f"the active ledger factor {_label(chosen)} has no registered ef_grid "
                      "value (governance must activate a valued version)")
    to_exact(value, "ef_grid")  # the ledger checked it; a damaged copy must not pass
    return _ledger_use(chosen, row, "ef_grid", value,
                       chosen.value_units.get("ef_grid", "t-CO2/kWh"), projected_blocks), ""


def ledger_fuel(rows: Sequence[rm.FactorVersion], quantity: str, key: str, window: Window, *,
                projected_blocks: int) -> tuple[FuelFactorUse | None, str]:
    """The factor of fuel series `key` governance activated for the whole of `window`,
    chosen and checked as a calculation's fuel binding is (`mapping.select_factors`:
    a fuel factor per the unit of metered `quantity`, with ``hv`` and ``cef``), or None
    and why not."""
    found = _ledger_choice(rows, key, window, f"fuel_type_{quantity}", projected_blocks)
    if isinstance(found, str):
        return None, found
    chosen, row = found
    label = f"the active ledger factor {_label(chosen)}"
    if chosen.kind != "fuel":
        return None, f"{label} is a {chosen.kind} factor, not a fuel factor"
    if FUEL_QUANTITY_OF_UNIT.get(chosen.unit, ("",))[0] != quantity:
        return None, f"{label} is per {chosen.unit}, which is not the unit of metered {quantity}"
    missing = [n for n in ("hv", "cef") if not chosen.values.get(n)]
    if missing:
        return None, (f"{label} has no registered {' and '.join(missing)} value (governance "
                      "must activate a valued version)")
    hv, cef = chosen.values["hv"], chosen.values["cef"]
    to_exact(hv, "hv")  # the ledger checked them; a damaged copy must not pass
    to_exact(cef, "cef")
    value, unit = _fuel_value(hv, cef, chosen.value_units, chosen.unit)
    use = _ledger_use(chosen, row, f"{quantity}: {key}", value, unit, projected_blocks)
    return FuelFactorUse(key, chosen.factor_id, get_fuel_factor(key).fuel, chosen.unit, hv,
                         cef, use), ""


def resolve_fuels(rows: Sequence[rm.FactorVersion], window: Window, *, projected_blocks: int
                  ) -> dict[str, FuelFactorUse]:
    """The factor of every fuel choice for `window`: the ledger's version (`ledger_fuel`)
    where there is one, else the built-in entry noting why the ledger's was not used."""
    chosen: dict[str, FuelFactorUse] = {}
    for quantity, keys in FUEL_CHOICES.items():
        for key in keys:
            use, reason = ledger_fuel(rows, quantity, key, window,
                                      projected_blocks=projected_blocks)
            chosen[key] = use or builtin_fuel(quantity, key, reason)
    return chosen


def _not_used(use: FactorUse, ledger_reason: str) -> FactorUse:
    """`use` with a note saying why the ledger's factor was not used."""
    if not ledger_reason:
        return use
    why = f"ledger factor not used: {ledger_reason}"
    return replace(use, note="; ".join(n for n in (use.note, why) if n))


def _with_ledger(found: tuple[FactorUse | None, str], ledger_reason: str
                 ) -> tuple[FactorUse | None, str]:
    """A fallback result that also says why the ledger's factor was not used."""
    if not ledger_reason:
        return found
    use, reason = found
    if use is None:
        return None, f"{reason} (ledger factor not used: {ledger_reason})"
    return _not_used(use, ledger_reason), ""


def resolve_grid(window: Window, config: Mapping[str, Any],
                 ledger: tuple[FactorUse | None, str] | None = None
                 ) -> tuple[FactorUse | None, str]:
    """The registered grid factor for `window`, or None and the reason there is none.

    `ledger` is `ledger_grid`'s answer: its factor wins; otherwise the setting and the
    built-in set follow and the answer carries the ledger's reason."""
    if ledger is not None and ledger[0] is not None:
        return ledger
    return _with_ledger(_registered_grid(window, config), ledger[1] if ledger else "")


def _registered_grid(window: Window, config: Mapping[str, Any]
                     ) -> tuple[FactorUse | None, str]:
    years = {fiscal_year(window.first), fiscal_year(window.last)}
    if len(years) > 1:
        return None, (f"the period spans fiscal years {min(years)}–{max(years)}, whose grid "
                      "factors differ: report each fiscal year separately or enter the "
                      "factor to apply")
    year = years.pop()
    configured = (config.get("REPORT_GRID_FACTORS") or {})
    entry = configured.get(year) or configured.get(str(year))
    if entry and entry.get("value"):
        return FactorUse("ef_grid", str(entry["value"]), "t-CO2/kWh",
                         str(entry.get("source", "portal setting REPORT_GRID_FACTORS")),
                         f"{entry.get('set', 'REPORT_GRID_FACTORS')} "
                         f"v{entry.get('version', '?')} FY{year}"), ""
    for grid in GRID_FACTOR_SET.entries:
        if getattr(grid, "fiscal_year", None) == year:
            if grid.value_t_co2_per_kwh is not None:  # type: ignore[union-attr]
                return FactorUse("ef_grid", str(grid.value_t_co2_per_kwh),  # type: ignore[union-attr]
                                 "t-CO2/kWh", grid.source,
                                 f"{GRID_FACTOR_SET.name} v{GRID_FACTOR_SET.version} "
                                 f"{grid.key}"), ""
            return None, (f"no valued grid factor for FY{year}: {GRID_FACTOR_SET.name} "
                          f"v{GRID_FACTOR_SET.version} entry {grid.key} has no registered "
                          "value (only the published range); enter the supplier's factor")
    return None, (f"no grid factor is registered for FY{year}; enter the supplier's factor")
