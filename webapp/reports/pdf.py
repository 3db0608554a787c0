"""PDF renderings of the GHG inventory and KPI reports (A4, Japanese and English labels).

Same approach as `envalue.certificates.pdf`: reportlab's built-in CID font
HeiseiKakuGo-W5 for Japanese runs (no font file needed) and Helvetica for Latin runs, so
poppler-based viewers and text extraction see the figures as typed. Output is
deterministic for the same report (``invariant=1``). Every figure is printed beside the
batches and factor versions it came from; the ledger section lists reductions and
retirements from the read model with its lag.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape
from itertools import groupby

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from envalue.certificates.pdf import FONT

from .ghg import GhgReport
from .kpi import KpiReport
from .ledger import CREDIT_RULE, REDUCTIONS_RULE

__all__ = ["FIGURE_LABELS", "KPI_LABELS", "render_ghg_pdf", "render_kpi_pdf"]

FIGURE_LABELS: dict[str, tuple[str, str]] = {
    "scope1_kg": ("スコープ1（燃料の燃焼）", "Scope 1 (fuel combustion)"),
    "scope2_location_kg": ("スコープ2 ロケーション基準", "Scope 2 location-based"),
    "scope2_market_kg": ("スコープ2 マーケット基準", "Scope 2 market-based"),
    "emissions_kg": ("合計（スコープ1＋2ロケーション基準）", "Total (scope 1 + scope 2 location)"),
}
KPI_LABELS: dict[str, tuple[str, str]] = {
    "emissions_kg": ("排出量", "Emissions"),
    "consumption_kwh": ("電力消費量", "Electricity consumption"),
    "intensity_kg_per_kwh": ("排出原単位（電力量当たり）", "Emissions intensity per kWh"),
    "intensity_kg_per_gj_heat": ("排出原単位（熱量当たり）", "Emissions per GJ heat"),
    "intensity_kg_per_output": ("排出原単位（生産量当たり）", "Emissions per unit of output"),
    "renewable_share_pct": ("再生可能エネルギー比率", "Renewable share"),
    "pv_generation_kwh": ("太陽光発電量", "PV generation"),
    "data_coverage_pct": ("データカバー率", "Data coverage"),
    "reading_acceptance_pct": ("計測値採用率", "Reading acceptance"),
}
_GREY = colors.HexColor("#444444")


def _is_latin(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _t(text: object) -> str:
    """Escaped text, Japanese runs in the CID font, Latin runs in Helvetica."""
    out = []
    for latin, run in groupby(str(text), key=_is_latin):
        chunk = escape("".join(run))
        out.append(chunk if latin else f'<font name="{FONT}">{chunk}</font>')
    return "".join(out)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName="Helvetica", fontSize=8.5, leading=11,
                          wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontName="Helvetica-Bold", fontSize=15,
                                leading=20),
        "h2": ParagraphStyle("h2", parent=base, fontName="Helvetica-Bold", fontSize=11,
                             leading=15, spaceBefore=8, spaceAfter=3),
        "cell": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7, leading=9, textColor=_GREY),
        "mono": ParagraphStyle("mono", parent=base, fontName="Courier", fontSize=6.3,
                               leading=8),
        "warn": ParagraphStyle("warn", parent=base, textColor=colors.HexColor("#8a5a00")),
    }


def _kg(value: int | None, why: str) -> str:
    return f"{value:,} kg-CO2" if value is not None else f"not available: {why}"


def _num(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,}"


def _table(rows: Sequence[Sequence[str]], widths: Sequence[float], st: dict[str, ParagraphStyle],
           *, header: bool = True, style: str = "cell") -> Table:
    data = [[Paragraph(cell, st[style]) for cell in row] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
    commands = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#BBBBBB")),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6EEEB")))
    table.setStyle(TableStyle(commands))
    return table


def _label(ja: str, en: str) -> str:
    return f"{_t(ja)} / {_t(en)}"


def _doc(out: io.BytesIO, title: str) -> SimpleDocTemplate:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return SimpleDocTemplate(out, pagesize=A4, invariant=1, leftMargin=14 * mm,
                             rightMargin=14 * mm, topMargin=14 * mm, bottomMargin=14 * mm,
                             title=title, author="envalue", creator="envalue",
                             producer="envalue")


def _facts(report: GhgReport, st: dict[str, ParagraphStyle], width: float) -> Table:
    r = report.request
    devices = report.devices
    shown = ", ".join(devices[:40]) + (f" … and {len(devices) - 40} more" if len(devices) > 40
                                       else "")
    rows = [
        (_label("組織", "Organisation"), _t(r.organisation or "—")),
        (_label("サイト", "Site"), _t(r.site or "—")),
        (_label("対象期間", "Period"),
         _t(f"{r.window.label()} (Asia/Tokyo; {r.window.start.isoformat()} – "
            f"{r.window.end.isoformat()})")),
        (_label("機器", "Devices"), _t(f"{len(devices)}: {shown or '—'}")),
        (_label("作成者", "Generated by"),
         _t(f"{report.generated_by}, {report.generated_at.isoformat(timespec='seconds')}")),
        (_label("算定方法", "Methodology"),
         _t(f"{report.result.methodology} v{report.result.version}, formula hash ")
         + f'<font name="Courier">{report.formula_hash}</font>'),
    ]
    return _table(rows, [42 * mm, width - 42 * mm], st, header=False)


def _kg_total(value: int | None) -> str:
    return "not available (the read model is empty)" if value is None else f"{value:,} kg-CO2"


def _mono(text: str) -> str:
    return f'<font name="Courier">{escape(text)}</font>'


def _ledger(report: GhgReport, st: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    """Reductions and retirements of the period from the read model, with its lag."""
    ledger = report.ledger
    out: list[Flowable] = [
        Paragraph(_label("台帳の記録（削減量・無効化）", "Ledger records: reductions and "
                         "retirements"), st["h2"]),
        Paragraph(_t(f"Read model; scope: {ledger.scope_label()}"), st["small"])]
    out += [Paragraph(_t(line), st["warn"]) for line in ledger.status_lines()]
    out.append(_table([
        ["", "kg-CO2", "rule"],
        [_label("検証済み削減量", "Verified reductions"),
         _t(_kg_total(ledger.verified_reduction_kg)), _t(REDUCTIONS_RULE)],
        [_label("無効化量", "Retirements"), _t(_kg_total(ledger.retired_kg)),
         _t(CREDIT_RULE)]], [52 * mm, 40 * mm, width - 92 * mm], st))
    if ledger.reductions or ledger.straddling:
        rows = [["calculation / equipment", "period (UTC)", "state", "kg",
                 "methodology / factor versions", "lot / tx / block"]]
        listed = [(r, "") for r in ledger.reductions]
        for r, excluded in listed + [(r, " (straddles: excluded)") for r in ledger.straddling]:
            state = r.state + excluded
            rows.append([_mono(r.calculation_id) + "<br/>" + _t(f"{r.equipment_id} @ "
                                                                 f"{r.site_id}"),
                         _t(f"{r.period_start} – {r.period_end}"), _t(state),
                         _t("—" if r.reduction_kg is None else f"{r.reduction_kg:,}"),
                         _t(f"{r.methodology}@{r.methodology_version}; "
                            + " ".join(r.factor_versions)),
                         _mono(r.lot_id or "—") + "<br/>" + _mono(r.tx_id)
                         + _t(f" block {r.block_number}")])
        out.append(_table(rows, [34 * mm, 30 * mm, 16 * mm, 14 * mm, 36 * mm,
                                 width - 130 * mm], st, style="small"))
    if ledger.retirements:
        rows = [["serial", "kind / source", "kg", "beneficiary / purpose", "retired at",
                 "certificate / tx / block"]]
        for t in ledger.retirements:
            source = t.lot_id if t.kind == "token" else f"{t.batch_id} ({t.quantity_t} t)"
            rows.append([_mono(t.serial), _t(f"{t.kind}: {source}"), _t(f"{t.quantity_kg:,}"),
                         _t(f"{t.beneficiary} / {t.purpose}"
                            + (f" — {t.detail}" if t.detail else "")
                            + f" (FY {t.reporting_year}, {t.owner_msp})"),
                         _t(t.retired_at),
                         _mono(t.certificate_id or "—") + "<br/>" + _mono(t.tx_id)
                         + _t(f" block {t.block_number}")])
        out.append(_table(rows, [34 * mm, 30 * mm, 14 * mm, 40 * mm, 24 * mm,
                                 width - 142 * mm], st, style="small"))
    return out


def _batches(batches: Iterable, st: dict[str, ParagraphStyle], width: float) -> Table:
    rows = [["batch id", "device", "period (UTC)", "readings",
             "accepted / duplicate / rejected / gap / reset"]]
    for b in batches:
        q = b.quality
        rows.append([f'<font name="Courier">{b.batch_id}</font>', _t(b.device_id),
                     _t(f"{b.period_start:%Y-%m-%d %H:%M} – {b.period_end:%Y-%m-%d %H:%M}"),
                     str(b.count),
                     f"{q.get('accepted', 0)} / {q.get('duplicate', 0)} / "
                     f"{q.get('rejected', 0)} / {q.get('gap', 0)} / {q.get('reset', 0)}"])
    return _table(rows, [68 * mm, 26 * mm, 42 * mm, 13 * mm, width - 149 * mm], st,
                  style="mono")


def _factors(report: GhgReport, st: dict[str, ParagraphStyle], width: float) -> Table:
    rows = [["factor", "value", "version", "source / note"]]
    for f in report.factors():
        ledger = f" (tx {f.tx_id}, block {f.block_number})" if f.tx_id else ""
        rows.append([_t(f.name), _t(f"{f.value} [{f.unit}]"), _t(f.version + ledger),
                     _t(f.source + (f" — {f.note}" if f.note else ""))])
    return _table(rows, [34 * mm, 44 * mm, 34 * mm, width - 112 * mm], st, style="small")


def ghg_flowables(report: GhgReport, width: float) -> list[Flowable]:
    """The GHG inventory as flowables (also the first part of the KPI report's annex)."""
    st = _styles()
    out: list[Flowable] = [
        Paragraph(_t("温室効果ガス排出量報告書 / GHG inventory report"), st["title"]),
        Spacer(1, 2 * mm), _facts(report, st, width),
        Paragraph(_label("排出量", "Emissions"), st["h2"]),
    ]
    rows = [["", "kg-CO2"]]
    for key, value, why in report.figures():
        ja, en = FIGURE_LABELS[key]
        note = "" if value is None or not why else f"<br/>{_t(why)}"
        rows.append([_label(ja, en), _t(_kg(value, why)) + note])
    out.append(_table(rows, [70 * mm, width - 70 * mm], st))
    out.append(Paragraph(_label("算定の入力", "Calculation inputs"), st["h2"]))
    inputs = [["input", "value", "from"]]
    for line in report.fuel_lines:
        inputs.append([_t(f"fuel: {line.factor.fuel}"),
                       _t(f"{line.amount} {line.factor.unit}"),
                       _t(f"metered {line.quantity} {line.metered_total} {line.metered_unit}")])
    for quantity, why in report.missing_fuels.items():
        inputs.append([_t(f"fuel: {quantity}"), _t("not included"), _t(why)])
    inputs.append([_t("electricity_kwh"), _t(f"{report.electricity_kwh} kWh"),
                   _t("sum of " + (", ".join(report.electricity_quantities) or "no quantity"))])
    certs = report.request.certificates_kwh
    inputs.append([_t("certificates_kwh"),
                   _t("not given" if certs is None else f"{certs} kWh"),
                   _t(report.market_reason or report.request.certificates_source
                      or "supplied by the user")])
    out.append(_table(inputs, [40 * mm, 40 * mm, width - 80 * mm], st))
    out += _ledger(report, st, width)
    out.append(Paragraph(_label("排出係数", "Emission factors used"), st["h2"]))
    out.append(_factors(report, st, width))
    out.append(Paragraph(_label("計測値の合計", "Metered totals"), st["h2"]))
    totals = [["quantity", "total", "unit"]] + [
        [_t(q), _t(f"{v:,}"), _t(u)] for q, (v, u) in report.totals.items()]
    out.append(_table(totals, [50 * mm, 50 * mm, width - 100 * mm], st))
    out.append(Paragraph(_label("使用したバッチ", f"Batches used ({len(report.batches)})"),
                         st["h2"]))
    out.append(_batches(report.batches, st, width))
    if report.straddling:
        out.append(Paragraph(_t("Excluded (period straddles the report period): ")
                             + ", ".join(b.batch_id for b in report.straddling), st["small"]))
    out.append(Paragraph(_label("計算過程", "Calculation trace"), st["h2"]))
    trace = [["key", "value"]] + [[_t(k), _t(v)] for k, v in report.result.trace.items()]
    out.append(_table(trace, [60 * mm, width - 60 * mm], st, style="small"))
    return out


def render_ghg_pdf(report: GhgReport) -> bytes:
    """The GHG inventory report as PDF bytes."""
    out = io.BytesIO()
    doc = _doc(out, f"GHG inventory {report.request.window.label()}")
    doc.build(ghg_flowables(report, doc.width))
    return out.getvalue()


def render_kpi_pdf(report: KpiReport) -> bytes:
    """The KPI report (with its definitions) as PDF bytes."""
    st = _styles()
    out = io.BytesIO()
    doc = _doc(out, f"KPI report {report.current.window.label()}")
    width = doc.width
    ghg = report.current.ghg
    flow: list[Flowable] = [
        Paragraph(_t("KPIレポート / KPI report (sustainability-linked loan, green bond)"),
                  st["title"]), Spacer(1, 2 * mm), _facts(ghg, st, width),
        Paragraph(_t(f"Baseline period: {report.baseline.window.label()}; devices: "
                     f"{len(report.current.devices)}"), st["cell"]),
        Paragraph(_label("指標", "Key performance indicators"), st["h2"]),
    ]
    rows = [["KPI", "unit", "period", "baseline", "change %"]]
    for k in report.kpis:
        ja, en = KPI_LABELS[k.key]
        rows.append([_label(ja, en), _t(k.unit), _t(_num(k.current)), _t(_num(k.baseline)),
                     _t(_num(k.change_pct))])
    flow.append(_table(rows, [64 * mm, 24 * mm, 32 * mm, 32 * mm, width - 152 * mm], st))
    for label, period in (("period", report.current), ("baseline", report.baseline)):
        for key, value, why in period.ghg.figures():
            if value is None and why:
                flow.append(Paragraph(_t(f"{label}: {key} not available: {why}"), st["warn"]))
    flow.append(Paragraph(_label("定義", "Definitions"), st["h2"]))
    flow.append(_table([["KPI", "definition"]] + [[_t(k.key), _t(k.definition)]
                                                  for k in report.kpis],
                       [50 * mm, width - 50 * mm], st, style="small"))
    flow.append(Paragraph(_label("排出係数", "Emission factors used (period)"), st["h2"]))
    flow.append(_factors(ghg, st, width))
    flow.append(Paragraph(_t(f"Baseline batches ({len(report.baseline.ghg.batches)}):"),
                          st["h2"]))
    flow.append(_batches(report.baseline.ghg.batches, st, width))
    flow.append(Paragraph(_t(f"Period batches ({len(ghg.batches)}):"), st["h2"]))
    flow.append(_batches(ghg.batches, st, width))
    flow += _ledger(ghg, st, width)
    doc.build(flow)
    return out.getvalue()
