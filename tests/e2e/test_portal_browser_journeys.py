"""Browser journeys in headless Chromium: sign in, calculate, upload, verify, refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from envalue.chaincode.domain.methodologies import calculate
from envalue.chaincode.domain.quantity import loads
from tests.unit.webapp.webapp_helpers import CSV, PASSWORD

from .conftest import Portal, shot

pytestmark = pytest.mark.e2e

PV = {"pv_generation_kwh": "120000.5", "pv_export_kwh": "20000", "aux_grid_kwh": "350",
      "ef_grid": "0.000441"}


def sign_in(page: Any, portal: Portal, username: str) -> None:
    page.goto(f"{portal.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{portal.url}/dashboard")


def test_sign_in_shows_the_role_from_the_certificate(page: Any, portal: Portal) -> None:
    sign_in(page, portal, "operator1@platform")
    assert page.inner_text("[data-testid=role]") == "operator"
    assert "ledger unavailable: the Fabric peers are not running" in page.inner_text(
        "[data-testid=ledger-unavailable]")
    shot(page, "dashboard-operator")
    page.click("text=Sign out")
    page.wait_for_url(f"{portal.url}/login")


def test_calculator_matches_calculate(page: Any, portal: Portal) -> None:
    sign_in(page, portal, "operator1@platform")
    page.click("nav >> text=Calculator")
    page.select_option("#methodology", "pv-self-consumption")
    assert "pv_generation_kwh" in page.input_value("#inputs")  # template filled by JS
    page.fill("#inputs", json.dumps(PV))
    page.click("#calc-form button[type=submit]")
    page.wait_for_selector("[data-testid=calc-result]")
    expected = calculate("pv-self-consumption", loads(json.dumps(PV)))
    for key, value in expected.outputs().items():
        assert page.inner_text(f"[data-output={key}]") == f"{value:,}"
    assert page.locator("[data-testid=calc-trace] tbody tr").count() == len(expected.trace)
    shot(page, "calculator")


def test_upload_shows_progress_and_the_quality_report(page: Any, portal: Portal,
                                                      tmp_path: Any) -> None:
    sign_in(page, portal, "operator1@platform")
    csv = tmp_path / "meter.csv"
    csv.write_bytes(CSV)
    page.goto(f"{portal.url}/ingest/")
    page.fill("#device", "dev-1")
    page.set_input_files("#file", str(csv))
    page.click("#upload-form button[type=submit]")
    report = page.wait_for_selector("[data-testid=quality-report]")
    assert page.url == f"{portal.url}/ingest/"  # sent by the progress script, no reload
    assert page.get_attribute("#upload-progress", "value") == "100"
    assert page.inner_text("[data-quality=accepted]") == "3"
    assert page.inner_text("[data-quality=rejected]") == "2"
    assert "negative_value" in report.inner_text()
    shot(page, "upload-quality-report")


def test_public_verification_page(page: Any, portal: Portal) -> None:
    page.goto(f"{portal.url}/verify/{portal.certificate_id}")  # no sign-in
    assert portal.certificate_id in page.inner_text("[data-testid=certificate-id]")
    # a hand-signed certificate the read model never projected: not found there, and why
    assert "is in the portal's read model" in page.inner_text("[data-testid=problem]")
    page.set_input_files("#certificate-file", str(portal.signed_certificate))
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("[data-testid=verification]")
    assert page.inner_text("[data-testid=verdict]") == "Valid"
    shot(page, "verify-certificate")


def test_forbidden_journey_and_language(page: Any, portal: Portal) -> None:
    sign_in(page, portal, "verifier1@platform")
    assert page.locator("nav >> text=Upload data").count() == 0
    response = page.goto(f"{portal.url}/ingest/")
    assert response.status == 403
    page.goto(f"{portal.url}/dashboard")
    page.select_option("#language-select", "ja")  # submits on change
    page.wait_for_selector("text=ダッシュボード")
    assert page.inner_text("[data-testid=role]") == "verifier"
    page.reload()
    assert "ロール (証明書より)" in page.content()
    shot(page, "dashboard-verifier-ja")


def test_ledger_pages_without_a_peer(page: Any, portal: Portal) -> None:
    """What an operator sees on the ledger-backed pages while no peer runs: the read model
    says it is empty, and a calculation typed in the browser is checked, kept and refused
    with the reason (nothing sent). Screenshots of these states; the same pages with
    ledger data come from tests/e2e/test_network_journeys.py on the real network."""
    sign_in(page, portal, "operator1@platform")
    for path, name in (("/wallet/", "wallet"), ("/trace/", "traceability-explorer"),
                       ("/calculations/", "calculations")):
        page.goto(f"{portal.url}{path}")
        assert page.is_visible("[data-testid=readmodel-empty]"), path
        shot(page, f"{name}-no-peer")
    page.fill("#calculate-equipment_id", "boiler-new")
    page.fill("#calculate-period_start", "2024-05-01T00:00:00")
    page.fill("#calculate-period_end", "2024-05-08T00:00:00")
    page.click("[data-testid=calculate-form] button[type=submit]")
    refused = page.wait_for_selector("[data-testid=calculate-form] [data-testid=form-unavailable]")
    assert "ledger unavailable: the Fabric peers are not running" in refused.inner_text()
    assert page.input_value("#calculate-equipment_id") == "boiler-new"  # entries kept
    # a malformed id is refused by the chaincode's own rule before any ledger call
    page.fill("#calculate-equipment_id", "no spaces allowed")
    page.click("[data-testid=calculate-form] button[type=submit]")
    error = page.wait_for_selector("[data-testid=calculate-form] [data-testid=field-error]")
    assert error.get_attribute("data-field") == "equipment_id"
    assert error.get_attribute("data-status") == "400"
