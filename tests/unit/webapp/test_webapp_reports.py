"""GHG inventory and KPI reports: hand-worked figures, PDF text, CSV columns, ledger lines."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from envalue.webapp import create_app
from envalue.webapp.db import PortalUser, get_session
from envalue.webapp.extensions import limiter
from envalue.webapp.reports.csv_export import COLUMNS
from envalue.webapp.services.users import create_api_token

from .reports_data import (
    BASELINE_EMISSIONS_KG,
    EMISSIONS_KG,
    GHG_QUERY,
    SCOPE1_KG,
    SCOPE2_LOCATION_KG,
    SCOPE2_MARKET_KG_WITH_100,
    store_dataset,
)
from .webapp_helpers import FakeFabricCA, add_user, login, portal_config

pytestmark = pytest.mark.unit
LEDGER_REASON = "the Fabric network is not running in unit tests"


@pytest.fixture
def report_app(tmp_path: Path, fabric_ca: FakeFabricCA) -> Flask:
    url = f"sqlite:///{tmp_path}/ingest.db"
    store_dataset(url)
    app = create_app(portal_config(tmp_path, INGEST_DATABASE_URL=url))
    limiter.reset()
    for name, role in (("operator1", "operator"), ("bridge1", "bridge")):
        add_user(app, fabric_ca, name, role, "platform")
    return app


@pytest.fixture
def signed_in(report_app: Flask) -> FlaskClient:
    client = report_app.test_client()
    login(client, "operator1@platform")
    return client


def _token(app: Flask, username: str) -> str:
    with app.app_context():
        db = get_session()
        user = db.scalar(select(PortalUser).where(PortalUser.username == username))
        return create_api_token(db, user, "test")


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")


def test_ghg_json_equals_hand_worked_figures(report_app: Flask) -> None:
    auth = {"Authorization": f"Bearer {_token(report_app, 'operator1@platform')}"}
    resp = report_app.test_client().get("/api/v1/reports/ghg", query_string=GHG_QUERY,
                                         headers=auth)
    assert resp.status_code == 200, resp.data
    body = resp.get_json()
    assert body["figures"] == {"scope1_kg": SCOPE1_KG, "scope2_location_kg": SCOPE2_LOCATION_KG,
                               "scope2_market_kg": None, "emissions_kg": EMISSIONS_KG}
    assert body["electricity"] == {"quantities": ["electricity_import"], "kwh": "350"}
    assert body["fuel_lines"][0] | {} == {"quantity": "fuel", "fuel": "a_heavy_oil",
                                          "metered": "1500", "metered_unit": "L",
                                          "amount": "1.5", "unit": "kL"}
    # traceable: the 8 batches of 2024-04-01..02, none of the baseline year
    assert len(body["batches"]) == 8
    assert {b["device_id"] for b in body["batches"]} == {"site-grid", "site-fac", "site-pv",
                                                        "boiler"}
    assert all(b["period_start"].startswith("2024-") for b in body["batches"])
    factors = {f["factor"]: f for f in body["factors"]}
    assert factors["fuel: a_heavy_oil"]["version"] == "jp-fuel-ordinance-table1 v1"
    assert factors["ef_grid"]["value"] == "0.000441"
    assert factors["ef_grid"]["version"] == "supplied by operator1@platform (PlatformMSP)"
    # market-based needs the retired certificates: a ledger record, so not computed
    assert "ledger unavailable: " + LEDGER_REASON in body["not_computed"]["scope2_market_kg"]
    assert body["ledger"]["reductions"] == {"available": False,
                                            "detail": f"ledger unavailable: {LEDGER_REASON}"}
    assert body["ledger"]["retirements"]["available"] is False


def test_market_based_with_entered_certificates(report_app: Flask) -> None:
    auth = {"Authorization": f"Bearer {_token(report_app, 'operator1@platform')}"}
    resp = report_app.test_client().get(
        "/api/v1/reports/ghg", query_string=GHG_QUERY | {"certificates_kwh": "100"},
        headers=auth)
    assert resp.get_json()["figures"]["scope2_market_kg"] == SCOPE2_MARKET_KG_WITH_100


def test_without_grid_factor_scope2_says_why(report_app: Flask) -> None:
    auth = {"Authorization": f"Bearer {_token(report_app, 'operator1@platform')}"}
    query = {k: v for k, v in GHG_QUERY.items() if not k.startswith("ef_grid")}
    body = report_app.test_client().get("/api/v1/reports/ghg", query_string=query,
                                        headers=auth).get_json()
    assert body["figures"]["scope1_kg"] == SCOPE1_KG  # still computed
    assert body["figures"]["scope2_location_kg"] is None
    assert "no valued grid factor for FY2024" in body["not_computed"]["scope2_location_kg"]
    assert all(f["factor"] != "ef_grid" for f in body["factors"])


def test_fuel_type_not_chosen_is_reported(report_app: Flask) -> None:
    auth = {"Authorization": f"Bearer {_token(report_app, 'operator1@platform')}"}
    query = {k: v for k, v in GHG_QUERY.items() if k != "fuel_type_fuel"}
    body = report_app.test_client().get("/api/v1/reports/ghg", query_string=query,
                                        headers=auth).get_json()
    assert body["figures"]["scope1_kg"] == 0
    assert "fuel type not chosen" in body["not_computed"]["scope1_kg"]


def test_registered_grid_factor_from_config(tmp_path: Path, fabric_ca: FakeFabricCA) -> None:
    url = f"sqlite:///{tmp_path}/ingest.db"
    store_dataset(url)
    app = create_app(portal_config(tmp_path, INGEST_DATABASE_URL=url, REPORT_GRID_FACTORS={
        2024: {"value": "0.000441", "source": "retailer X", "set": "grid-test",
               "version": "3"}}))
    add_user(app, fabric_ca, "operator1", "operator", "platform")
    query = {k: v for k, v in GHG_QUERY.items() if not k.startswith("ef_grid")}
    auth = {"Authorization": f"Bearer {_token(app, 'operator1@platform')}"}
    body = app.test_client().get("/api/v1/reports/ghg", query_string=query,
                                 headers=auth).get_json()
    assert body["figures"]["emissions_kg"] == EMISSIONS_KG
    grid = next(f for f in body["factors"] if f["factor"] == "ef_grid")
    assert grid["version"] == "grid-test v3 FY2024" and grid["source"] == "retailer X"


def test_pdf_contains_figures_batches_and_ledger_reason(signed_in: FlaskClient) -> None:
    resp = signed_in.get("/reports/ghg.pdf", query_string=GHG_QUERY)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = _pdf_text(resp.data)
    for figure in (f"{SCOPE1_KG:,} kg-CO2", f"{SCOPE2_LOCATION_KG} kg-CO2",
                   f"{EMISSIONS_KG:,} kg-CO2"):
        assert figure in text
    assert "GHG inventory report" in text and "2024-04-01" in text
    assert f"ledger unavailable: {LEDGER_REASON}" in text
    assert "jp-fuel-ordinance-table1 v1" in text
    json_body = signed_in.get("/api/v1/reports/ghg", query_string=GHG_QUERY).get_json()
    flat = text.replace("\n", "")
    for batch in json_body["batches"]:
        assert batch["batch_id"] in flat


def test_csv_columns_and_rows(signed_in: FlaskClient) -> None:
    resp = signed_in.get("/reports/ghg.csv", query_string=GHG_QUERY)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    frame = _csv(resp.data)
    assert list(frame.columns) == COLUMNS
    emissions = frame[frame.section == "emissions"].set_index("item")["value"].to_dict()
    assert emissions == {"scope1_kg": str(SCOPE1_KG), "scope2_location_kg":
                         str(SCOPE2_LOCATION_KG), "scope2_market_kg": "",
                         "emissions_kg": str(EMISSIONS_KG)}
    assert (frame.section == "batch").sum() == 8
    ledger = frame[frame.section == "ledger"]
    assert set(ledger["item"]) == {"reductions", "retirements"}
    assert all(d == f"ledger unavailable: {LEDGER_REASON}" for d in ledger["detail"])
    assert frame[frame.item == "organisation"]["value"].item() == "テスト市"


def test_kpi_figures(report_app: Flask) -> None:
    auth = {"Authorization": f"Bearer {_token(report_app, 'operator1@platform')}"}
    body = report_app.test_client().get("/api/v1/reports/kpi", query_string=GHG_QUERY,
                                        headers=auth).get_json()
    assert body["baseline"] == {"first_day": "2023-04-01", "last_day": "2023-04-02"}
    kpis = {k["key"]: k for k in body["kpis"]}
    assert kpis["emissions_kg"]["current"] == str(EMISSIONS_KG)
    assert kpis["emissions_kg"]["baseline"] == str(BASELINE_EMISSIONS_KG)
    # (4285 − 5683) / 5683 × 100 = −24.5996…
    assert kpis["emissions_kg"]["change_pct"] == "-24.60"
    assert kpis["consumption_kwh"]["current"] == "550.00"  # site-fac electricity
    assert kpis["intensity_kg_per_kwh"]["current"] == "7.790909"  # 4285 / 550
    assert kpis["intensity_kg_per_kwh"]["baseline"] == "9.471667"  # 5683 / 600
    assert kpis["intensity_kg_per_gj_heat"]["current"] == "95.2222"  # 4285 / 45
    assert kpis["renewable_share_pct"]["current"] == "34.55"  # (200 − 10) / 550
    assert kpis["renewable_share_pct"]["baseline"] == "0.00"
    assert kpis["data_coverage_pct"]["current"] == "100.00"  # 8 day-batches / (4 × 2 days)
    assert kpis["data_coverage_pct"]["baseline"] == "37.50"  # 3 / 8
    assert kpis["reading_acceptance_pct"]["current"] == "100.00"
    assert all(k["definition"] for k in body["kpis"])
    assert len(body["batches"]) == 8 and len(body["baseline_batches"]) == 3


def test_kpi_output_intensity_and_downloads(signed_in: FlaskClient) -> None:
    query = GHG_QUERY | {"output": "100", "baseline_output": "100", "output_unit": "t"}
    body = signed_in.get("/api/v1/reports/kpi", query_string=query).get_json()
    kpi = next(k for k in body["kpis"] if k["key"] == "intensity_kg_per_output")
    assert (kpi["current"], kpi["baseline"], kpi["unit"]) == ("42.8500", "56.8300", "kg-CO2/t")
    pdf = signed_in.get("/reports/kpi.pdf", query_string=query)
    text = _pdf_text(pdf.data)
    assert "KPI report" in text and "Definitions" in text and "7.790909" in text
    assert "Renewable share: (pv_generation - pv_export)" in text.replace("\n", " ")
    frame = _csv(signed_in.get("/reports/kpi.csv", query_string=query).data)
    assert list(frame.columns) == COLUMNS
    row = frame[(frame.section == "kpi") & (frame.item == "renewable_share_pct")]
    assert row["value"].item() == "34.55"
    assert (frame.section == "definition").sum() == len(body["kpis"])


def test_report_page_shows_figures_and_unavailable_ledger(signed_in: FlaskClient) -> None:
    html = signed_in.get("/reports/", query_string=GHG_QUERY).get_data(as_text=True)
    assert f'data-figure="scope1_kg">{SCOPE1_KG:,}<' in html
    assert f'data-figure="emissions_kg">{EMISSIONS_KG:,}<' in html
    assert f"ledger unavailable: {LEDGER_REASON}" in html
    assert 'id="download-ghg-pdf"' in html
    form = signed_in.get("/reports/").get_data(as_text=True)
    assert 'id="report-form"' in form and "site-grid" in form


@pytest.mark.parametrize(("query", "field", "rule"), [
    ({"start": "2024-04-02", "end": "2024-04-01"}, "end", "after_start"),
    ({"start": "nope", "end": "2024-04-01"}, "start", "date"),
    ({"end": "2024-04-01"}, "start", "required"),
    ({"start": "2024-04-01", "end": "2024-04-01", "fuel_type_fuel": "coal"},
     "fuel_type_fuel", "choice"),
    ({"start": "2024-04-01", "end": "2024-04-01", "electricity_quantities": "heat"},
     "electricity_quantities", "choice"),
    ({"start": "2024-04-01", "end": "2024-04-01", "certificates_kwh": "-5"},
     "certificates_kwh", "non-negative"),
    ({"start": "2020-01-01", "end": "2024-04-01"}, "end", "max_period"),
    ({"start": "2024-04-01", "end": "2024-04-01", "format": "xls"}, "format", "choice"),
])
def test_bad_parameters_are_problem_json(signed_in: FlaskClient, query: dict[str, str],
                                         field: str, rule: str) -> None:
    resp = signed_in.get("/api/v1/reports/ghg", query_string=query)
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
    body = json.loads(resp.data)
    assert (body["field"], body["rule"]) == (field, rule)
    page = signed_in.get("/reports/", query_string=query)
    if field != "format":
        assert page.status_code == 400 and 'data-testid="problem"' in page.get_data(
            as_text=True)


def test_bad_factor_text_is_refused_on_the_page(signed_in: FlaskClient) -> None:
    resp = signed_in.get("/reports/", query_string=GHG_QUERY | {"ef_grid": "abc"})
    assert resp.status_code == 400
    assert "ef_grid" in resp.get_data(as_text=True)


def test_permissions(report_app: Flask) -> None:
    anonymous = report_app.test_client()
    assert anonymous.get("/reports/").status_code == 302
    assert anonymous.get("/api/v1/reports/ghg", query_string=GHG_QUERY).status_code == 401
    bridge = report_app.test_client()
    login(bridge, "bridge1@platform")
    assert bridge.get("/reports/ghg.pdf", query_string=GHG_QUERY).status_code == 403
    assert bridge.get("/api/v1/reports/kpi", query_string=GHG_QUERY).status_code == 403


def test_pdf_is_deterministic_apart_from_the_time(signed_in: FlaskClient) -> None:
    from envalue.webapp.reports import pdf

    assert pdf.FIGURE_LABELS.keys() == {"scope1_kg", "scope2_location_kg", "scope2_market_kg",
                                        "emissions_kg"}
    one: Any = signed_in.get("/reports/ghg.pdf", query_string=GHG_QUERY).data
    assert one.startswith(b"%PDF") and Decimal(len(one)) > 0
