"""Dashboard energy figures: the JSON endpoint, the page, and no external assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from envalue.webapp import create_app
from envalue.webapp.extensions import limiter

from .reports_data import store_dataset
from .webapp_helpers import FakeFabricCA, add_user, login, portal_config

pytestmark = pytest.mark.unit
WEBAPP = Path(__file__).resolve().parents[3] / "webapp"


@pytest.fixture
def signed_in(tmp_path: Path, fabric_ca: FakeFabricCA) -> FlaskClient:
    url = f"sqlite:///{tmp_path}/ingest.db"
    store_dataset(url)
    app: Flask = create_app(portal_config(tmp_path, INGEST_DATABASE_URL=url))
    limiter.reset()
    add_user(app, fabric_ca, "customer1", "customer", "customer")
    client = app.test_client()
    login(client, "customer1@customer")
    return client


def test_daily_series_quality_and_unavailable_emissions(signed_in: FlaskClient) -> None:
    body = signed_in.get("/api/v1/energy/daily",
                         query_string={"start": "2024-04-01", "end": "2024-04-02"}).get_json()
    assert body["days"] == ["2024-04-01", "2024-04-02"]
    series = {s["quantity"]: s for s in body["series"]}
    assert series["electricity_import"]["values"] == ["150", "200"]
    assert series["electricity_import"]["role"] == "consumption"
    assert series["pv_generation"]["values"] == ["80", "120"]
    assert series["pv_generation"]["role"] == "generation"
    assert series["fuel"]["total"] == "1500" and series["fuel"]["unit"] == "L"
    assert body["quality"]["duplicate"] == [1, 0]
    assert body["quality"]["flagged_total"] == 1
    assert body["quality"]["flagged_batches"][0]["device_id"] == "site-grid"
    assert body["per_device"]["site-fac"] == {"electricity": "550"}
    assert body["emissions"]["available"] is False
    assert "no valued grid factor for FY2024" in body["emissions"]["reason"]
    assert body["ledger"]["available"] is False and body["ledger"]["reason"]


def test_emissions_with_an_entered_factor(signed_in: FlaskClient) -> None:
    body = signed_in.get("/api/v1/energy/daily", query_string={
        "start": "2024-04-01", "end": "2024-04-02", "ef_grid": "0.000441"}).get_json()
    # 150 kWh × 0.000441 = 66.15 kg -> 67; 200 kWh -> 88.2 -> 89 (inventory v1 ceilings)
    assert body["emissions"]["scope2_location_kg"] == [67, 89]
    assert body["emissions"]["total_kg"] == 156


def test_device_filter_and_default_window(signed_in: FlaskClient) -> None:
    body = signed_in.get("/api/v1/energy/daily?devices=site-pv").get_json()
    assert body["period"]["end"] == "2024-04-02"  # the last day with data
    assert body["devices"] == ["site-pv"]
    assert [s["quantity"] for s in body["series"]] == ["pv_export", "pv_generation"]
    bad = signed_in.get("/api/v1/energy/daily?start=2024-05-01&end=2024-04-01")
    assert bad.status_code == 400 and bad.get_json()["rule"] == "after_start"


def test_dashboard_page(signed_in: FlaskClient) -> None:
    html = signed_in.get("/dashboard?start=2024-04-01&end=2024-04-02").get_data(as_text=True)
    assert 'data-energy-source="/api/v1/energy/daily?start=2024-04-01&amp;end=2024-04-02"' in html
    assert 'data-total="electricity_import">350<' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/charts.js" in html
    assert 'data-testid="ledger-figures"' in html and 'data-testid="readmodel-empty"' in html
    assert "ledger unavailable: the Fabric network is not running" in html  # the Ledger card
    assert 'data-testid="emissions-unavailable"' in html
    assert "<script>" not in html  # CSP: no inline scripts


_EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//|"""
                       r"""url\(\s*["']?(?:https?:)?//|fetch\(\s*["'](?:https?:)?//|"""
                       r"""@import\s+["']?(?:https?:)?//""", re.I)


def test_no_external_urls_in_templates_or_static() -> None:
    offenders = []
    for path in [*WEBAPP.joinpath("templates").rglob("*.html"),
                 *WEBAPP.joinpath("static").rglob("*.js"),
                 *WEBAPP.joinpath("static").rglob("*.css")]:
        text = path.read_text(encoding="utf-8")
        vendored = "vendor" in path.parts
        if _EXTERNAL.search(text) or (not vendored and re.search(r"https?://", text)):
            offenders.append(str(path.relative_to(WEBAPP)))
        if re.search(r"cdn\.|unpkg|jsdelivr|googleapis", text, re.I):
            offenders.append(str(path.relative_to(WEBAPP)))
    assert offenders == []
    assert WEBAPP.joinpath("static/vendor/chartjs/LICENSE.md").read_text().startswith(
        "The MIT License")


def test_ledger_figures_say_the_read_model_is_empty(signed_in: FlaskClient) -> None:
    page = signed_in.get("/dashboard").get_data(as_text=True)
    section = page[page.index('data-testid="ledger-figures"'):]
    section = section[:section.index("</section>", section.index("</section>") + 1)]
    assert "CustomerMSP" in section and 'data-testid="readmodel-empty"' in section
    assert re.search(r'data-testid="verified-reduction-kg">0 kg-CO2e<', section)
    body = signed_in.get("/api/v1/dashboard/ledger-figures").get_json()
    assert (body["org"], body["verified_reduction_kg"], body["reductions"]) == (
        "CustomerMSP", 0, {})
    assert body["credits_t"] == {"tradable": 0, "retired": 0}
    assert body["read_model"]["notices"] == ["empty"]
