"""Browser journeys: the dashboard's energy charts and generating a GHG report (PDF).

A portal of its own over a store holding the small hand-worked dataset
(`tests.unit.webapp.reports_data`), so the figures on screen are known; the ledger is not
running, so ledger-backed sections show their reason.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pypdf import PdfReader
from werkzeug.serving import make_server

from envalue.webapp import create_app
from envalue.webapp.extensions import limiter
from tests.unit.webapp.reports_data import EMISSIONS_KG, GHG_QUERY, SCOPE1_KG, store_dataset
from tests.unit.webapp.webapp_helpers import PASSWORD, FakeFabricCA, add_user, portal_config

from .conftest import shot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def report_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("portal-reports")
    url = f"sqlite:///{tmp}/ingest.db"
    store_dataset(url)
    app = create_app(portal_config(tmp, INGEST_DATABASE_URL=url,
                                   LEDGER_DISABLED="the Fabric peers are not running "
                                                   "(browser test portal)"))
    limiter.reset()
    add_user(app, FakeFabricCA(), "operator1", "operator", "platform")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "operator1@platform")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")


def test_dashboard_charts_render_from_local_assets(page: Any, report_portal: str) -> None:
    external: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(report_portal)
            else external.append(r.url))
    _sign_in(page, report_portal)
    page.goto(f"{report_portal}/dashboard?start=2024-04-01&end=2024-04-02&ef_grid=0.000441")
    page.wait_for_selector("#energy-charts[data-rendered]")
    # one chart per unit (kWh, GJ, L), the quality flags and the emissions
    assert page.get_attribute("#energy-charts", "data-rendered") == "5"
    box = page.locator("[data-testid='chart-kWh']").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    # the canvas holds drawn pixels, not a blank bitmap
    painted = page.evaluate("""() => {
        const c = document.querySelector("[data-testid='chart-kWh']");
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }""")
    assert painted > 1000
    assert page.inner_text("[data-total=electricity_import]") == "350"
    assert "ledger unavailable: the Fabric peers are not running" in page.inner_text(
        "[data-testid=ledger-unavailable]")
    # reductions and balances come from the read model, here still empty, and say so
    assert page.is_visible("[data-testid=ledger-figures] [data-testid=readmodel-empty]")
    assert external == []
    shot(page, "dashboard-energy")


def test_generate_ghg_report_and_download_pdf(page: Any, report_portal: str) -> None:
    _sign_in(page, report_portal)
    page.click("nav >> text=Reports")
    page.fill("#start", GHG_QUERY["start"])
    page.fill("#end", GHG_QUERY["end"])
    page.fill("#organisation", GHG_QUERY["organisation"])
    page.fill("#site", GHG_QUERY["site"])
    page.select_option("#fuel_type_fuel", GHG_QUERY["fuel_type_fuel"])
    page.fill("#ef_grid", GHG_QUERY["ef_grid"])
    page.fill("#ef_grid_source", GHG_QUERY["ef_grid_source"])
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("[data-testid=ghg-report]")
    assert page.inner_text("[data-figure=scope1_kg]") == f"{SCOPE1_KG:,}"
    assert page.inner_text("[data-figure=emissions_kg]") == f"{EMISSIONS_KG:,}"
    assert "ledger unavailable: the Fabric peers are not running" in page.inner_text(
        "[data-testid=report-ledger]")
    shot(page, "report-ghg")
    with page.expect_download() as info:
        page.click("#download-ghg-pdf")
    path = info.value.path()
    with open(path, "rb") as handle:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert f"{EMISSIONS_KG:,} kg-CO2" in text and "GHG inventory report" in text
