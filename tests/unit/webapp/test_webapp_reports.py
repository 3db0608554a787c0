"""GHG inventory and KPI reports: hand-worked figures, PDF text, CSV columns, and the ledger
section (reductions, retirements, the ledger's grid factor) from a read model filled by
projecting recorded chaincode transactions (`reports_ledger`)."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from envalue.chaincode.domain.errors import NotFoundError
from envalue.chaincode.domain.registry.governance import select_factor
from envalue.readmodel import Projector, ReadModelCheckpointer, make_sessions
from envalue.readmodel.status import record_status
from envalue.webapp import create_app
from envalue.webapp.extensions import limiter
from envalue.webapp.reports.csv_export import COLUMNS
from envalue.webapp.reports.offchain import Window

from .ledger_helpers import api_token  # noqa: E402
from .reports_data import (
    BASELINE_EMISSIONS_KG,
    EMISSIONS_KG,
    GHG_QUERY,
    SCOPE1_KG,
    SCOPE2_LOCATION_KG,
    SCOPE2_MARKET_KG_WITH_100,
    store_dataset,
)
from .reports_ledger import (
    BOILER_MAY_KG,
    FUEL_CORRECTION,
    MUNICIPALITY,
    PV_JUNE_KG,
    PV_MAY_KG,
    REDUCTIONS_KG,
    WINDOW,
    LedgerWorld,
)
from .reports_ledger import build as build_ledger_world
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




def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")


def test_ghg_json_equals_hand_worked_figures(report_app: Flask) -> None:
    auth = {"Authorization": f"Bearer {api_token(report_app, 'operator1@platform')}"}
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
    assert factors["fuel: a_heavy_oil"]["note"].endswith(  # the built-in set, and why
        "ledger factor not used: the read model holds no version of factor series "
        "a_heavy_oil (it is empty: no block projected)")
    assert factors["ef_grid"]["value"] == "0.000441"
    assert factors["ef_grid"]["version"] == "supplied by operator1@platform (PlatformMSP)"
    # market-based needs the certificates' kWh, which the user enters: not computed
    assert "enter their kWh" in body["not_computed"]["scope2_market_kg"]
    # the read model is empty: no ledger figure (not zero), and it says so
    ledger = body["ledger"]
    assert ledger["source"] == "read-model" and ledger["read_model"]["empty"] is True
    assert ledger["reductions"]["verified_kg"] is None and ledger["reductions"]["rows"] == []
    assert ledger["retirements"]["total_kg"] is None
    assert any("the read model is empty" in line for line in ledger["status"])
    assert ledger["ledger_unavailable"] == LEDGER_REASON


def test_market_based_with_entered_certificates(report_app: Flask) -> None:
    auth = {"Authorization": f"Bearer {api_token(report_app, 'operator1@platform')}"}
    resp = report_app.test_client().get(
        "/api/v1/reports/ghg", query_string=GHG_QUERY | {"certificates_kwh": "100"},
        headers=auth)
    assert resp.get_json()["figures"]["scope2_market_kg"] == SCOPE2_MARKET_KG_WITH_100


def test_without_grid_factor_scope2_says_why(report_app: Flask) -> None:
    auth = {"Authorization": f"Bearer {api_token(report_app, 'operator1@platform')}"}
    query = {k: v for k, v in GHG_QUERY.items() if not k.startswith("ef_grid")}
    body = report_app.test_client().get("/api/v1/reports/ghg", query_string=query,
                                        headers=auth).get_json()
    assert body["figures"]["scope1_kg"] == SCOPE1_KG  # still computed
    assert body["figures"]["scope2_location_kg"] is None
    assert "no valued grid factor for FY2024" in body["not_computed"]["scope2_location_kg"]
    assert all(f["factor"] != "ef_grid" for f in body["factors"])


def test_fuel_type_not_chosen_is_reported(report_app: Flask) -> None:
    auth = {"Authorization": f"Bearer {api_token(report_app, 'operator1@platform')}"}
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
    auth = {"Authorization": f"Bearer {api_token(app, 'operator1@platform')}"}
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
    flat_text = " ".join(text.split())
    assert f"ledger unavailable: {LEDGER_REASON}" in flat_text
    assert "the read model is empty" in flat_text
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
    ledger = frame[frame.section == "ledger"].set_index("item")
    assert ledger.loc["verified_reductions_kg", "value"] == ""  # empty read model: no figure
    assert ledger.loc["retired_kg", "detail"] == "not available: the read model is empty"
    status = list(frame[(frame.section == "ledger") & (frame.item == "status")]["detail"])
    assert any(line.startswith(f"ledger unavailable: {LEDGER_REASON}") for line in status)
    assert frame[frame.item == "organisation"]["value"].item() == "テスト市"


def test_kpi_figures(report_app: Flask) -> None:
    auth = {"Authorization": f"Bearer {api_token(report_app, 'operator1@platform')}"}
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


# -- the ledger section from the read model ----------------------------------------------
@pytest.fixture(scope="module")
def ledger_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[LedgerWorld, str]:
    """The recorded world of `reports_ledger` projected into a read model that has caught
    up with the channel (one block per transaction; block 0 is the genesis block)."""
    world = build_ledger_world()
    url = f"sqlite:///{tmp_path_factory.mktemp('report-ledger') / 'readmodel.db'}"
    factory = make_sessions(url)
    projector = Projector()
    with factory.begin() as session:
        for record in world.records:
            assert not projector.apply(session, record).unprojected
    ReadModelCheckpointer(factory).checkpoint_block(len(world.records))
    with factory.begin() as session:
        record_status(session, height=len(world.records) + 1, state="running")
    return world, url


def _ledger_app(tmp: Path, fabric_ca: FakeFabricCA, readmodel: str) -> Flask:
    store = f"sqlite:///{tmp}/ingest.db"
    store_dataset(store)
    app = create_app(portal_config(tmp, INGEST_DATABASE_URL=store, READMODEL_URL=readmodel))
    limiter.reset()
    for name, role, org in (("operator1", "operator", "platform"),
                            ("city1", "municipality", "municipality"),
                            ("customer1", "customer", "customer")):
        add_user(app, fabric_ca, name, role, org)
    return app


@pytest.fixture
def ledger_app(ledger_world: tuple[LedgerWorld, str], tmp_path: Path,
               fabric_ca: FakeFabricCA) -> Flask:
    return _ledger_app(tmp_path, fabric_ca, ledger_world[1])


def _ghg(app: Flask, user: str, **query: str) -> Any:
    auth = {"Authorization": f"Bearer {api_token(app, user)}"}
    return app.test_client().get("/api/v1/reports/ghg", headers=auth,
                                 query_string=_LEDGER_QUERY | query)


#: scope 1 of that query with the ledger's corrected A-heavy-oil version 2:
#: fuel 1.5 kL × 39.0 GJ/kL × 0.0192×44/12 t-CO2/GJ = 4.1184 t -> ceil 4 119 kg
LEDGER_SCOPE1_KG = 4119
#: the hand-worked store dataset over the ledger world's window, ledger grid factor
_LEDGER_QUERY = {k: v for k, v in GHG_QUERY.items() if not k.startswith("ef_grid")} | WINDOW


def test_ledger_section_totals_verified_reductions_and_retirements(
        ledger_app: Flask, ledger_world: tuple[LedgerWorld, str]) -> None:
    world = ledger_world[0]
    ledger = _ghg(ledger_app, "operator1@platform").get_json()["ledger"]
    calcs = world.calcs
    reductions = ledger["reductions"]
    # approved + minted only: 4 338 (May, minted) + 1 832 (June, approved) = 6 170
    assert reductions["verified_kg"] == REDUCTIONS_KG == 6170
    rows = {r["calculation_id"]: r for r in reductions["rows"]}
    assert {k: rows[v]["state"] for k, v in calcs.items() if v in rows} == {
        "pv-may": "minted", "boiler-may": "calculated", "pv-june-first": "superseded",
        "pv-june": "approved", "boiler-june": "rejected"}  # July lies outside the window
    assert reductions["count_by_state"] == {"approved": 1, "calculated": 1, "minted": 1,
                                            "rejected": 1, "superseded": 1}
    may = rows[calcs["pv-may"]]
    assert (may["reduction_kg"], may["verified"], may["lot_id"], may["methodology"]) == (
        PV_MAY_KG, True, world.lot_id, "pv-self-consumption")
    assert may["factor_versions"] == ["jp-grid/jp-grid-fy2024@2"]
    assert (may["tx_id"], may["block_number"]) == world.tx_of(
        "EventMintReduction", calculation_id=calcs["pv-may"])
    assert rows[calcs["pv-june"]]["reduction_kg"] == PV_JUNE_KG
    assert rows[calcs["pv-june-first"]]["verified"] is False
    assert rows[calcs["boiler-may"]]["reduction_kg"] == BOILER_MAY_KG  # listed, not totalled
    assert "not totalled" in reductions["rule"] and reductions["straddling"] == []
    # retirements made in the window: tokens 1 000 + 338 kg, credits 1 t + 1 t (1 000 kg/t);
    # the municipality's tonne retired at 2024-06-30T15:00Z (= 07-01 00:00 JST) is outside
    retirements = ledger["retirements"]
    assert retirements["total_kg"] == 1000 + 338 + 1000 + 1000 == 3338
    listed = [(r["kind"], r["owner_msp"], r["quantity_kg"], r["quantity_t"], r["retired_at"])
              for r in retirements["rows"]]
    assert listed == [
        ("token", "MunicipalityMSP", 1000, None, "2024-06-10T01:00:00+00:00"),
        ("token", "MunicipalityMSP", 338, None, "2024-06-12T01:00:00+00:00"),
        ("credit", "MunicipalityMSP", 1000, 1, "2024-06-20T01:00:00+00:00"),
        ("credit", "PlatformMSP", 1000, 1, "2024-06-25T01:00:00+00:00")]
    first, credit = retirements["rows"][0], retirements["rows"][2]
    assert (first["lot_id"], first["beneficiary"], first["purpose"]) == (
        world.lot_id, "Ena City", "japan_reporting_act")
    assert (credit["batch_id"], credit["beneficiary"], credit["detail"]) == (
        world.credit_batch, "MunicipalityMSP", "FY2024 offset")
    assert (credit["tx_id"], credit["block_number"]) == world.tx_of(
        "EventRetireCredits", owner=f"MunicipalityMSP/{MUNICIPALITY.id}")
    assert all(r["certificate_id"] and r["serial"] for r in retirements["rows"])
    # the read model's position is stated: caught up with the channel
    lag = ledger["read_model"]
    assert (lag["projected_blocks"], lag["behind_blocks"]) == (len(world.records) + 1, 0)
    assert ledger["status"][0].startswith(
        f"read model: {len(world.records) + 1} of the channel's {len(world.records) + 1} "
        "block(s) projected, behind by 0 block(s); listener running")
    assert ledger["ledger_unavailable"] == LEDGER_REASON  # no peer needed for the figures


def test_grid_factor_comes_from_the_active_ledger_version(
        ledger_app: Flask, ledger_world: tuple[LedgerWorld, str]) -> None:
    body = _ghg(ledger_app, "operator1@platform").get_json()
    grid = next(f for f in body["factors"] if f["factor"] == "ef_grid")
    # version 3 (0.000455) is only proposed: the active version 2 is chosen
    assert (grid["value"], grid["unit"], grid["version"]) == (
        "0.000464", "t-CO2/kWh", "jp-grid/jp-grid-fy2024@2")
    assert (grid["tx_id"], grid["block_number"]) == ledger_world[0].tx_of(
        "EventActivateFactor", series="jp-grid", version="2")
    assert "valid 2024-04-01..2025-03-31" in grid["note"]
    # electricity_import 350 kWh × 0.000464 = 0.1624 t -> ceil 163 kg
    assert body["figures"]["scope2_location_kg"] == 163
    assert body["figures"]["emissions_kg"] == LEDGER_SCOPE1_KG + 163
    # a factor the user types still wins
    typed = _ghg(ledger_app, "operator1@platform", ef_grid="0.000441").get_json()
    assert typed["figures"]["emissions_kg"] == LEDGER_SCOPE1_KG + SCOPE2_LOCATION_KG


def test_the_dashboard_uses_the_same_ledger_grid_factor(ledger_app: Flask) -> None:
    auth = {"Authorization": f"Bearer {api_token(ledger_app, 'operator1@platform')}"}
    body = ledger_app.test_client().get("/api/v1/energy/daily", headers=auth, query_string={
        "start": "2024-04-01", "end": "2024-04-02"}).get_json()
    emissions = body["emissions"]
    assert emissions["available"], emissions
    assert (emissions["factor"]["value"], emissions["factor"]["version"]) == (
        "0.000464", "jp-grid/jp-grid-fy2024@2")


def _fuel_row(body: dict[str, Any], key: str = "a_heavy_oil") -> dict[str, Any]:
    return next(f for f in body["factors"] if f["factor"] == f"fuel: {key}")


def test_fuel_factor_comes_from_the_ledger_version_governance_corrected(
        ledger_app: Flask, ledger_world: tuple[LedgerWorld, str]) -> None:
    world = ledger_world[0]
    body = _ghg(ledger_app, "operator1@platform").get_json()
    fuel = _fuel_row(body)
    assert (fuel["value"], fuel["unit"], fuel["version"], fuel["source"]) == (
        "hv 39.0 GJ/kL; cef 0.0192*44/12 t-CO2/GJ", "GJ/kL; t-CO2/GJ",
        "a_heavy_oil/a_heavy_oil@2", FUEL_CORRECTION["source"])
    assert (fuel["tx_id"], fuel["block_number"]) == world.tx_of(
        "EventActivateFactor", series="a_heavy_oil", version="2")
    assert "valid 2024-04-01..…" in fuel["note"] and "not used" not in fuel["note"]
    assert body["figures"]["scope1_kg"] == LEDGER_SCOPE1_KG  # not 4 130 (`SCOPE1_KG`)
    assert body["figures"]["emissions_kg"] == LEDGER_SCOPE1_KG + 163
    assert body["trace"]["fuels[0].EM"] == "4.1184"
    assert body["fuel_lines"][0] | {} == {"quantity": "fuel", "fuel": "a_heavy_oil",
                                          "metered": "1500", "metered_unit": "L",
                                          "amount": "1.5", "unit": "kL"}
    # the chaincode chooses the same version for a calculation of the period
    window = Window(date(2024, 4, 1), date(2024, 6, 30))
    chosen = world.query(lambda store: select_factor(
        store, "a_heavy_oil", window.start, window.end, "factor_bindings.fuel"))
    assert f"{chosen.series}/{chosen.factor_id}@{chosen.version}" == fuel["version"]
    assert chosen.values == FUEL_CORRECTION["values"]
    # a fuel no governance corrected: its genesis version, from the bootstrap transaction
    kerosene = _ghg(ledger_app, "operator1@platform", fuel_type_fuel="kerosene").get_json()
    genesis = _fuel_row(kerosene, "kerosene")
    assert (genesis["version"], genesis["value"]) == (
        "kerosene/kerosene@1", "hv 36.5 GJ/kL; cef 0.0187*44/12 t-CO2/GJ")
    assert "active (genesis)" in genesis["note"]
    assert (genesis["tx_id"], genesis["block_number"]) == world.tx_of("EventBootstrap")
    # 1.5 × 36.5 × 0.0187×44/12 = 3.754025 t -> ceil 3 755 kg
    assert kerosene["figures"]["scope1_kg"] == 3755


def test_page_and_csv_name_the_ledger_fuel_factor(
        ledger_app: Flask, ledger_world: tuple[LedgerWorld, str]) -> None:
    client = ledger_app.test_client()
    login(client, "operator1@platform")
    page = client.get("/reports/", query_string=_LEDGER_QUERY).get_data(as_text=True)
    assert 'data-figure="scope1_kg">4,119<' in page
    row = page[page.index('data-factor="fuel: a_heavy_oil"'):]
    row = row[:row.index("</tr>")]
    assert "a_heavy_oil/a_heavy_oil@2" in row and 'data-testid="factor-ledger-ref"' in row
    frame = _csv(client.get("/reports/ghg.csv", query_string=_LEDGER_QUERY).data)
    fuel = frame[(frame.section == "factor") & (frame.item == "fuel: a_heavy_oil")]
    tx, block = ledger_world[0].tx_of("EventActivateFactor", series="a_heavy_oil",
                                      version="2")
    assert f"tx={tx}; block={block}" in fuel["detail"].item()


def test_without_a_valid_ledger_fuel_factor_the_built_in_one_is_used_and_says_why(
        ledger_app: Flask, ledger_world: tuple[LedgerWorld, str]) -> None:
    # FY2023: the highest active A-heavy-oil version (2) is valid from 2024-04-01 only
    body = _ghg(ledger_app, "operator1@platform", start="2023-04-01",
                end="2023-04-02").get_json()
    fuel = _fuel_row(body)
    assert (fuel["version"], fuel["tx_id"], fuel["block_number"]) == (
        "jp-fuel-ordinance-table1 v1", None, None)
    reason = ("no active factor of series 'a_heavy_oil' is valid for the whole period "
              "2023-03-31T15:00:00.000000Z..2023-04-02T15:00:00.000000Z")
    assert f"ledger factor not used: {reason}" in fuel["note"]
    # 2 kL × 38.9 × 0.0193×44/12 = 5.505646… t -> 5 506 kg (the baseline's hand-worked figure)
    assert body["figures"]["scope1_kg"] == 5506
    # the chaincode refuses a calculation of that period for the same reason
    window = Window(date(2023, 4, 1), date(2023, 4, 2))
    with pytest.raises(NotFoundError) as refused:
        ledger_world[0].query(lambda store: select_factor(
            store, "a_heavy_oil", window.start, window.end, "factor_bindings.fuel"))
    assert refused.value.detail.startswith(reason)
    # the KPI report: the period takes the ledger's version, its baseline the built-in one
    kpi = _ghg_kpi(ledger_app)
    assert _fuel_row({"factors": kpi["factors"]})["version"] == "a_heavy_oil/a_heavy_oil@2"
    assert _fuel_row({"factors": kpi["baseline_factors"]})["version"] == (
        "jp-fuel-ordinance-table1 v1")


def _ghg_kpi(app: Flask) -> Any:
    auth = {"Authorization": f"Bearer {api_token(app, 'operator1@platform')}"}
    return app.test_client().get("/api/v1/reports/kpi", headers=auth,
                                 query_string=_LEDGER_QUERY).get_json()


@pytest.mark.parametrize(("start", "end", "ledger_reason", "fallback"), [
    ("2023-05-01", "2023-05-31", "jp-grid/jp-grid-fy2023@1 has no registered ef_grid value",
     "no valued grid factor for FY2023"),
    ("2024-03-01", "2024-04-30", "no active factor of series 'jp-grid' is valid for the whole",
     "the period spans fiscal years 2023–2024"),
])
def test_without_a_valued_ledger_factor_the_fallback_names_why(
        ledger_app: Flask, start: str, end: str, ledger_reason: str, fallback: str) -> None:
    body = _ghg(ledger_app, "operator1@platform", start=start, end=end).get_json()
    why = body["not_computed"]["scope2_location_kg"]
    assert fallback in why and f"ledger factor not used: {ledger_reason}" in why.replace(
        "the active ledger factor ", "")
    assert all(f["factor"] != "ef_grid" for f in body["factors"])


def test_a_setting_fills_in_for_an_unvalued_ledger_factor_and_says_so(
        ledger_world: tuple[LedgerWorld, str], tmp_path: Path, fabric_ca: FakeFabricCA
        ) -> None:
    app = _ledger_app(tmp_path, fabric_ca, ledger_world[1])
    app.config["REPORT_GRID_FACTORS"] = {2023: {"value": "0.000452", "source": "retailer Y",
                                                "set": "grid-test", "version": "1"}}
    body = _ghg(app, "operator1@platform", start="2023-04-01", end="2023-04-02").get_json()
    grid = next(f for f in body["factors"] if f["factor"] == "ef_grid")
    assert (grid["value"], grid["version"], grid["tx_id"]) == (
        "0.000452", "grid-test v1 FY2023", None)
    assert "ledger factor not used: the active ledger factor jp-grid/jp-grid-fy2023@1" in \
        grid["note"]


@pytest.mark.parametrize(("user", "query", "calcs", "retired_kg"), [
    ("city1@municipality", {}, {"pv-may", "pv-june-first", "pv-june"}, 1000 + 338 + 1000),
    ("customer1@customer", {}, {"boiler-may", "boiler-june"}, 0),
    ("operator1@platform", {"owner_msp": "PlatformMSP"}, set(), 1000),
    ("operator1@platform", {"site_id": "factory-1"}, {"boiler-may", "boiler-june"}, 0),
    ("operator1@platform", {"site_id": "ena-city-hall"},
     {"pv-may", "pv-june-first", "pv-june"}, 1000 + 338),
])
def test_ledger_records_are_scoped_like_the_registry(
        ledger_app: Flask, ledger_world: tuple[LedgerWorld, str], user: str,
        query: dict[str, str], calcs: set[str], retired_kg: int) -> None:
    ledger = _ghg(ledger_app, user, **query).get_json()["ledger"]
    names = {v: k for k, v in ledger_world[0].calcs.items()}
    assert {names[r["calculation_id"]] for r in ledger["reductions"]["rows"]} == calcs
    verified = (PV_MAY_KG if "pv-may" in calcs else 0) + (
        PV_JUNE_KG if "pv-june" in calcs else 0)
    assert ledger["reductions"]["verified_kg"] == verified
    assert ledger["retirements"]["total_kg"] == retired_kg
    if "site_id" in query:  # credit retirements are attributed to no site
        assert ledger["scope"]["site_id"] == query["site_id"]
        assert any("credit retirements are not attributed to a site" in line
                   for line in ledger["status"])


def test_another_orgs_ledger_records_are_refused(ledger_app: Flask) -> None:
    resp = _ghg(ledger_app, "customer1@customer", owner_msp="MunicipalityMSP")
    assert resp.status_code == 403
    assert (resp.get_json()["field"], resp.get_json()["rule"]) == ("owner_msp", "own_org")
    assert _ghg(ledger_app, "customer1@customer", owner_msp="CustomerMSP").status_code == 200


def test_a_lagging_read_model_is_named_in_every_rendering(
        ledger_world: tuple[LedgerWorld, str], tmp_path: Path, fabric_ca: FakeFabricCA
        ) -> None:
    world, url = ledger_world
    copy = tmp_path / "lagging.db"
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    with make_sessions(f"sqlite:///{copy}").begin() as session:
        record_status(session, height=len(world.records) + 4, state="running")
    app = _ledger_app(tmp_path, fabric_ca, f"sqlite:///{copy}")
    projected = len(world.records) + 1
    ledger = _ghg(app, "operator1@platform").get_json()["ledger"]
    assert ledger["read_model"]["behind_blocks"] == 3
    assert "behind" in ledger["read_model"]["notices"]
    assert ledger["status"][:2] == [
        f"read model: {projected} of the channel's {projected + 3} block(s) projected, "
        "behind by 3 block(s); listener running",
        f"figures are as of the first {projected} block(s) and may miss records committed "
        "since"]
    assert ledger["reductions"]["verified_kg"] == REDUCTIONS_KG  # what it has, stated so
    client = app.test_client()
    login(client, "operator1@platform")
    page = client.get("/reports/", query_string=_LEDGER_QUERY).get_data(as_text=True)
    assert 'data-testid="readmodel-behind"' in page
    assert f"Projected blocks: {projected} of {projected + 3}; behind by 3." in page
    text = " ".join(_pdf_text(client.get("/reports/ghg.pdf",
                                         query_string=_LEDGER_QUERY).data).split())
    assert "behind by 3 block(s)" in text
    frame = _csv(client.get("/reports/ghg.csv", query_string=_LEDGER_QUERY).data)
    assert "behind by 3 block(s)" in " ".join(frame[frame.section == "ledger"]["detail"])


def test_page_csv_pdf_and_kpi_show_the_same_ledger_figures(
        ledger_app: Flask, ledger_world: tuple[LedgerWorld, str]) -> None:
    world = ledger_world[0]
    client = ledger_app.test_client()
    login(client, "operator1@platform")
    page = client.get("/reports/", query_string=_LEDGER_QUERY).get_data(as_text=True)
    assert 'data-ledger-total="verified_reduction_kg">6,170<' in page
    assert 'data-ledger-total="retired_kg">3,338<' in page
    assert page.count('data-testid="ledger-reduction"') == 5
    assert page.count('data-testid="ledger-retirement"') == 4
    assert f'data-calculation="{world.calcs["pv-june-first"]}" data-state="superseded"' in page
    assert 'data-testid="factor-ledger-ref"' in page
    assert 'id="owner_msp"' in page and '<option value="ena-city-hall"' in page
    frame = _csv(client.get("/reports/ghg.csv", query_string=_LEDGER_QUERY).data)
    ledger = frame[frame.section == "ledger"].set_index("item")
    assert ledger.loc["verified_reductions_kg", "value"] == "6170"
    assert ledger.loc["retired_kg", "value"] == "3338"
    assert (frame.section == "reduction").sum() == 5
    retired = frame[frame.section == "retirement"]
    assert list(retired["value"]) == ["1000", "338", "1000", "1000"]
    mint_tx, mint_block = world.tx_of("EventMintReduction", calculation_id=world.calcs["pv-may"])
    row = frame[(frame.section == "reduction") & (frame.item == world.calcs["pv-may"])]
    assert f"tx={mint_tx}; block={mint_block}" in row["detail"].item()
    grid = frame[(frame.section == "factor") & (frame.item == "ef_grid")]
    assert grid["value"].item() == "0.000464"
    activated = world.tx_of("EventActivateFactor", series="jp-grid", version="2")
    assert f"tx={activated[0]}; block={activated[1]}" in grid["detail"].item()
    text = " ".join(_pdf_text(client.get("/reports/ghg.pdf",
                                         query_string=_LEDGER_QUERY).data).split())
    assert "6,170 kg-CO2" in text and "3,338 kg-CO2" in text
    assert "jp-grid/jp-grid-fy2024@2" in text and world.lot_id in text.replace(" ", "")
    # the KPI report carries the same section (one function computes it)
    ghg = client.get("/api/v1/reports/ghg", query_string=_LEDGER_QUERY).get_json()["ledger"]
    kpi = client.get("/api/v1/reports/kpi", query_string=_LEDGER_QUERY).get_json()["ledger"]
    assert kpi == ghg
    kpi_csv = _csv(client.get("/reports/kpi.csv", query_string=_LEDGER_QUERY).data)
    assert kpi_csv[(kpi_csv.section == "ledger") & (kpi_csv.item == "retired_kg")][
        "value"].item() == "3338"
    kpi_pdf = " ".join(_pdf_text(client.get("/reports/kpi.pdf",
                                            query_string=_LEDGER_QUERY).data).split())
    assert "6,170 kg-CO2" in kpi_pdf
