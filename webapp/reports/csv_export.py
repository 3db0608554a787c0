"""CSV renderings of the GHG inventory and KPI reports (pandas, UTF-8 with BOM).

Why one long table: a disclosure CSV must carry the figures, the factor versions, the
ledger sections' reasons and the batch ids in one file a spreadsheet opens; the columns
``section, item, value, unit, detail`` fit every row. The BOM lets Excel in Japan read
the Japanese text as UTF-8.
"""

from __future__ import annotations

import pandas as pd

from .factors import FactorUse
from .ghg import GhgReport
from .kpi import KpiReport
from .ledger import CREDIT_RULE, REDUCTIONS_RULE, LedgerSection, ReductionRow

__all__ = ["COLUMNS", "ghg_rows", "ledger_rows", "render_ghg_csv", "render_kpi_csv"]

COLUMNS = ["section", "item", "value", "unit", "detail"]
Row = tuple[str, str, str, str, str]


def ghg_rows(report: GhgReport) -> list[Row]:
    """Every row of the GHG CSV, in report order."""
    r = report.request
    rows: list[Row] = [
        ("report", "type", "ghg-inventory", "", ""),
        ("report", "organisation", r.organisation, "", ""),
        ("report", "site", r.site, "", ""),
        ("report", "period", r.window.label(), "",
         f"Asia/Tokyo; {r.window.start.isoformat()} to {r.window.end.isoformat()}"),
        ("report", "generated_by", report.generated_by, "",
         report.generated_at.isoformat(timespec="seconds")),
        ("report", "methodology", f"{report.result.methodology} v{report.result.version}",
         "", f"formula_hash={report.formula_hash}"),
    ]
    for key, value, why in report.figures():
        rows.append(("emissions", key, "" if value is None else str(value), "kg-CO2",
                     f"not available: {why}" if value is None else why))
    for line in report.fuel_lines:
        rows.append(("input", f"fuel:{line.quantity}", str(line.amount), line.factor.unit,
                     f"{line.factor.key}; metered {line.metered_total} {line.metered_unit}"))
    for quantity, why in report.missing_fuels.items():
        rows.append(("input", f"fuel:{quantity}", "", "", f"not included: {why}"))
    rows.append(("input", "electricity_kwh", str(report.electricity_kwh), "kWh",
                 "sum of " + ", ".join(report.electricity_quantities)))
    certs = r.certificates_kwh
    rows.append(("input", "certificates_kwh", "" if certs is None else str(certs), "kWh",
                 report.market_reason or r.certificates_source or "supplied by the user"))
    rows += ledger_rows(report.ledger)
    for f in report.factors():
        rows.append(("factor", f.name, f.value, f.unit, _provenance(f)))
    for q, (v, u) in report.totals.items():
        rows.append(("total", q, str(v), u, ""))
    for b in report.batches:
        q = b.quality
        rows.append(("batch", b.batch_id, b.device_id, "",
                     f"{b.period_start.isoformat()} to {b.period_end.isoformat()}; "
                     f"readings={b.count}; merkle_root={b.merkle_root}; "
                     + "; ".join(f"{k}={q[k]}" for k in sorted(q))))
    for b in report.straddling:
        rows.append(("excluded_batch", b.batch_id, b.device_id, "",
                     "period straddles the report period"))
    for k, v in report.result.trace.items():
        rows.append(("trace", k, v, "", ""))
    return rows


def _provenance(f: FactorUse) -> str:
    parts = [f"version={f.version}", f"source={f.source}"]
    if f.tx_id:
        parts.append(f"tx={f.tx_id}; block={f.block_number}")
    if f.note:
        parts.append(f"note={f.note}")
    return "; ".join(parts)


def _total(value: int | None) -> str:
    return "" if value is None else str(value)


def _reduction(section: str, r: ReductionRow, why: str = "") -> Row:
    return (section, r.calculation_id, _total(r.reduction_kg), "kg-CO2",
            why + f"state={r.state}; verified={'yes' if r.verified else 'no'}; "
            f"period={r.period_start} to {r.period_end}; org={r.owner_msp}; "
            f"site={r.site_id}; equipment={r.equipment_id}; "
            f"methodology={r.methodology}@{r.methodology_version}; "
            f"factors={' '.join(r.factor_versions)}; lot={r.lot_id}; "
            f"tx={r.tx_id}; block={r.block_number}")


def ledger_rows(ledger: LedgerSection) -> list[Row]:
    """The ledger section: scope, the read model's position, totals, then every
    calculation and retirement with its transaction and block."""
    empty = "not available: the read model is empty"
    rows: list[Row] = [("ledger", "scope", ledger.scope_label(), "", "read model")]
    rows += [("ledger", "status", "", "", line) for line in ledger.status_lines()]
    rows.append(("ledger", "verified_reductions_kg", _total(ledger.verified_reduction_kg),
                 "kg-CO2", empty if ledger.verified_reduction_kg is None else REDUCTIONS_RULE))
    rows.append(("ledger", "retired_kg", _total(ledger.retired_kg), "kg-CO2",
                 empty if ledger.retired_kg is None else CREDIT_RULE))
    rows += [_reduction("reduction", r) for r in ledger.reductions]
    rows += [_reduction("reduction_excluded", r, "period straddles the report period; ")
             for r in ledger.straddling]
    for t in ledger.retirements:
        source = f"lot={t.lot_id}" if t.kind == "token" else (
            f"credit batch={t.batch_id}; {t.quantity_t} t")
        rows.append(("retirement", t.serial, str(t.quantity_kg), "kg-CO2",
                     f"kind={t.kind}; {source}; org={t.owner_msp}; "
                     f"beneficiary={t.beneficiary}; purpose={t.purpose}; detail={t.detail}; "
                     f"reporting_year={t.reporting_year}; retired_at={t.retired_at}; "
                     f"certificate={t.certificate_id}; tx={t.tx_id}; block={t.block_number}"))
    return rows


def _csv(rows: list[Row]) -> bytes:
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=str)
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def render_ghg_csv(report: GhgReport) -> bytes:
    """The GHG inventory report as CSV bytes."""
    return _csv(ghg_rows(report))


def render_kpi_csv(report: KpiReport) -> bytes:
    """The KPI report as CSV bytes: KPIs for both periods, definitions, factors, batches."""
    ghg = report.current.ghg
    rows: list[Row] = [
        ("report", "type", "kpi", "", ""),
        ("report", "organisation", ghg.request.organisation, "", ""),
        ("report", "site", ghg.request.site, "", ""),
        ("report", "period", report.current.window.label(), "", "Asia/Tokyo"),
        ("report", "baseline", report.baseline.window.label(), "", "Asia/Tokyo"),
        ("report", "generated_by", ghg.generated_by, "",
         ghg.generated_at.isoformat(timespec="seconds")),
    ]
    for k in report.kpis:
        rows.append(("kpi", k.key, "" if k.current is None else str(k.current), k.unit,
                     "period"))
        rows.append(("kpi_baseline", k.key, "" if k.baseline is None else str(k.baseline),
                     k.unit, "baseline"))
        rows.append(("kpi_change", k.key, "" if k.change_pct is None else str(k.change_pct),
                     "%", "change vs baseline"))
        rows.append(("definition", k.key, "", "", k.definition))
    for label, period in (("period", report.current), ("baseline", report.baseline)):
        for key, _value, why in period.ghg.figures():
            if why:
                rows.append(("not_computed", f"{label}:{key}", "", "", why))
        for f in period.ghg.factors():
            rows.append((f"factor_{label}", f.name, f.value, f.unit, _provenance(f)))
        for b in period.ghg.batches:
            rows.append((f"batch_{label}", b.batch_id, b.device_id, "",
                         f"{b.period_start.isoformat()} to {b.period_end.isoformat()}"))
    rows += ledger_rows(ghg.ledger)
    return _csv(rows)
