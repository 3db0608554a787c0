"""Which emission factor values a report uses, and where each came from.

Why a module: every figure must be traceable to a factor version. Fuel factors come from
the built-in genesis set `jp-fuel-ordinance-table1` (the data governance registers on the
ledger); grid factors come, in order, from a value the user types (with its source), from
the portal's ``REPORT_GRID_FACTORS`` setting (``{fiscal_year: {"value", "source", "set",
"version"}}``), or from the built-in `jp-grid-electricity` set, whose entries carry no
verified value. When no valued grid factor exists the caller gets the reason, never a
number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from envalue.chaincode.domain.errors import DomainError
from envalue.chaincode.domain.factors import FUEL_FACTOR_SET, GRID_FACTOR_SET, FuelFactor
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

__all__ = ["FUEL_CHOICES", "FactorUse", "FuelLine", "factor_record", "fiscal_year", "fuel_line",
           "ledger_grid", "resolve_grid", "user_factor"]

#: metered fuel quantity -> the built-in fuel factor keys measured in its unit.
FUEL_CHOICES: dict[str, tuple[str, ...]] = {
    quantity: tuple(f.key for f in FUEL_FACTOR_SET.entries
                    if isinstance(f, FuelFactor) and f.unit == unit)
    for unit, (quantity, _canonical, _exp) in FUEL_QUANTITY_OF_UNIT.items()
}


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
class FuelLine:
    """A scope 1 line: a metered fuel total in its factor's unit and the factor used."""

    quantity: str
    metered_total: Decimal
    metered_unit: str
    factor: FuelFactor
    amount: Decimal

    def inputs(self) -> dict[str, str]:
        """The `inventory` methodology's fuel line (exact strings)."""
        return {"fuel": self.factor.fuel, "amount": str(self.amount),
                "hv": str(self.factor.hv_gj_per_unit), "cef": self.factor.cef_expression}

    def factor_use(self) -> FactorUse:
        f = self.factor
        return FactorUse(
            f"{self.quantity}: {f.key}",
            f"hv {f.hv_gj_per_unit} GJ/{f.unit}; cef {f.cef_expression} t-CO2/GJ",
            f"GJ/{f.unit}; t-CO2/GJ", f.source,
            f"{FUEL_FACTOR_SET.name} v{FUEL_FACTOR_SET.version}", f.note)


def fiscal_year(day: date) -> int:
    """Japanese fiscal year (1 April – 31 March) containing `day`."""
    return day.year if day.month >= 4 else day.year - 1


def fuel_line(quantity: str, total: Decimal, unit: str, key: str) -> FuelLine:
    """The fuel line for a metered `quantity` burnt as fuel `key` (one of FUEL_CHOICES)."""
    factor = next(f for f in FUEL_FACTOR_SET.entries
                  if isinstance(f, FuelFactor) and f.key == key)
    amount = Decimal(decimal_text(fuel_in_factor_unit(total, factor.unit)))
    return FuelLine(quantity, total, unit, factor, amount)


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


def ledger_grid(rows: Sequence[rm.FactorVersion], window: Window, *, projected_blocks: int
                ) -> tuple[FactorUse | None, str]:
    """The grid factor governance activated for the whole of `window`, chosen among the
    read model's versions of series ``jp-grid`` exactly as a calculation chooses
    (`governance.choose_factor`), or None and why not."""
    if not rows:
        return None, (f"the read model holds no version of factor series {GRID_SERIES}"
                      + (" (it is empty: no block projected)" if not projected_blocks else ""))
    try:
        chosen = choose_factor([factor_record(r) for r in rows], GRID_SERIES, window.start,
                               window.end, "ef_grid")
    except DomainError as exc:
        return None, exc.detail
    label = f"{chosen.series}/{chosen.factor_id}@{chosen.version}"
    row = next(r for r in rows if (r.factor_id, r.version) == (chosen.factor_id,
                                                               chosen.version))
    value = chosen.values.get("ef_grid", "")
    if not value:
        return None, (f"the active ledger factor {label} has no registered ef_grid value "
                      "(governance must activate a valued version)")
    to_exact(value, "ef_grid")  # the ledger checked it; a damaged copy must not pass
    validity = f"{chosen.valid_from or '…'}..{chosen.valid_until or '…'}"
    return FactorUse(
        "ef_grid", value, chosen.value_units.get("ef_grid", "t-CO2/kWh"), chosen.source,
        label, f"ledger factor version, active{' (genesis)' if chosen.genesis else ''}, "
        f"valid {validity}; the read model's copy ({projected_blocks} block(s) projected)",
        tx_id=row.tx_id, block_number=row.block_number), ""


def _with_ledger(found: tuple[FactorUse | None, str], ledger_reason: str
                 ) -> tuple[FactorUse | None, str]:
    """A fallback result that also says why the ledger's factor was not used."""
    if not ledger_reason:
        return found
    use, reason = found
    why = f"ledger factor not used: {ledger_reason}"
    if use is None:
        return None, f"{reason} ({why})"
    return replace(use, note="; ".join(n for n in (use.note, why) if n)), ""


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
