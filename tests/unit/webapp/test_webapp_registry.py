"""The "Equipment and meters" page and ``/api/v1/registry``: lists from a read model filled
by projecting real chaincode registry transactions (with tx id and block), scoped by org;
registration and governance forms per role (403 on POST otherwise), CSRF, bad input as
400 beside its field with nothing sent, and 503 with the reason and the entries kept
while there is no peer (``LEDGER_DISABLED`` here)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).parents[1] / "registry"))
sys.path.insert(0, str(Path(__file__).parents[1] / "measurement"))

from measurement_world import (  # noqa: E402
    OPERATOR as CC_OPERATOR,
)
from measurement_world import (  # noqa: E402
    VERIFIER as CC_VERIFIER,
)
from measurement_world import (  # noqa: E402
    setup_boiler,
    setup_pv,
)

from envalue.chaincode.domain.measurement.signature import public_key_pem  # noqa: E402
from envalue.chaincode.domain.registry import (  # noqa: E402
    msg_approve_factor,
    msg_propose_factor,
)
from envalue.readmodel import Projector, ReadModelCheckpointer  # noqa: E402
from envalue.readmodel.status import record_status  # noqa: E402
from envalue.webapp.services import registry as registry_service  # noqa: E402
from envalue.webapp.services.readmodel import sessions  # noqa: E402

from .ledger_helpers import (  # noqa: E402
    RecordingWorld,
    assert_only_allowed_forms,
    bearer,
    field_error,
    ledger_audit,
    tx_of,
)
from .webapp_helpers import add_user, csrf_token, login  # noqa: E402

pytestmark = pytest.mark.unit

REASON = "the Fabric network is not running in unit tests"
OPERATOR, VERIFIER = "operator1@platform", "verifier1@platform"
CUSTOMER, AUDITOR, CITY = "customer1@customer", "auditor1@platform", "city1@municipality"
PEM = public_key_pem(ec.generate_private_key(ec.SECP256R1()))

#: form -> (POST path, page test id, user allowed to post it, valid entries, audit action)
FORMS: dict[str, tuple[str, str, str, dict[str, str], str]] = {
    "site": ("/registry/sites", "site-form", CUSTOMER, {
        "site_id": "factory-9", "name": "Kani plant", "owner_msp": "CustomerMSP",
        "address": "Kani, Gifu"}, "ledger.registry:register_site"),
    "equipment": ("/registry/equipment", "equipment-form", OPERATOR, {
        "equipment_id": "boiler-9", "site_id": "factory-9", "owner_msp": "CustomerMSP",
        "owner": CUSTOMER, "equipment_type": "boiler", "rated_capacity": "2000",
        "capacity_unit": "kg/h", "efficiency": "0.95", "commissioning_date": "2023-04-01",
        "methodology": "boiler-replacement", "methodology_version": "1",
        "factor_bindings": "project_fuel=a_heavy_oil\nbaseline_fuel=a_heavy_oil",
        "parameters": "eff_bl=0.80", "spec_documents": ""},
        "ledger.registry:register_equipment"),
    "meter": ("/registry/meters", "meter-form", CUSTOMER, {
        "meter_id": "m-oil-9", "equipment_id": "boiler-9", "serial": "SN-9",
        "quantities": "fuel L", "accuracy_class": "1.0",
        "verification_valid_from": "2023-04-01T00:00:00",
        "verification_valid_until": "2031-03-31T00:00:00", "counter_capacity": "999999"},
        "ledger.registry:register_meter"),
    "device": ("/registry/devices", "device-form", CITY, {
        "device_id": "gw-9", "kind": "gateway", "owner_msp": "", "meter_ids": "m-pv-1, m-pv-2",
        "public_key_pem": PEM}, "ledger.registry:register_edge_device"),
    "methodology": ("/registry/methodologies", "methodology-form", VERIFIER, {
        "name": "pv-self-consumption", "version": "2", "title": "PV self-consumption v2",
        "formula": "ER = EG_pv_self * EF_grid", "source": "consortium meeting 2026-10",
        "valid_from": "2026-04-01", "valid_until": ""}, "ledger.registry:propose_methodology"),
    "mapprove": ("/registry/methodologies/approve", "mapprove-form", OPERATOR, {
        "name": "pv-self-consumption", "version": "2"}, "ledger.registry:approve_methodology"),
    "factor": ("/registry/factors", "factor-form", OPERATOR, {
        "series": "jp-grid", "factor_id": "jp-grid-fy2025", "version": "2", "kind": "grid",
        "unit": "kWh", "values": "ef_grid=0.000421", "source": "supplier disclosure FY2025",
        "valid_from": "2025-04-01", "valid_until": "2026-03-31", "note": ""},
        "ledger.registry:propose_factor"),
    "fapprove": ("/registry/factors/approve", "fapprove-form", VERIFIER, {
        "series": "jp-grid", "factor_id": "jp-grid-fy2025", "version": "2"},
        "ledger.registry:approve_factor"),
}
_ASSETS = {"site", "equipment", "meter", "device"}
_GOVERNANCE = {"methodology", "mapprove", "factor", "fapprove"}
#: which forms each role sees (its permissions in `webapp.roles`)
VISIBLE = {OPERATOR: _ASSETS | _GOVERNANCE, VERIFIER: _GOVERNANCE, CUSTOMER: _ASSETS,
           CITY: _ASSETS, AUDITOR: set()}


@pytest.fixture
def app(app: Flask, fabric_ca: Any) -> Flask:  # the webapp app plus a municipality user
    add_user(app, fabric_ca, "city1", "municipality", "municipality")
    return app


def _fill(app: Flask) -> RecordingWorld:
    """Genesis, the FY2024 grid factor, Ena City's PV (municipality) and a customer's
    boiler (registered by the platform operator), and a factor version proposed and
    approved by the verifier only (it waits for the operator's approval)."""
    world = RecordingWorld()
    world.bootstrap()
    world.register_grid_fy2024()
    setup_pv(world)
    setup_boiler(world)
    world.submit(CC_OPERATOR, msg_propose_factor, msg_propose_factor.MsgProposeFactor.from_dict({
        "series": "jp-grid", "factor_id": "jp-grid-fy2024", "version": "3", "kind": "grid",
        "unit": "kWh", "values": {"ef_grid": "0.000455"}, "source": "corrected disclosure",
        "valid_from": "2024-04-01", "valid_until": "2025-03-31"}))
    world.submit(CC_VERIFIER, msg_approve_factor, msg_approve_factor.MsgApproveFactor(
        "jp-grid", "jp-grid-fy2024", "3"))
    with app.app_context():
        factory = sessions()
    projector = Projector()
    with factory.begin() as session:
        for record in world.records:
            projector.apply(session, record)
    ReadModelCheckpointer(factory).checkpoint_block(len(world.records))
    with factory.begin() as session:  # the listener is running and has caught up
        record_status(session, height=len(world.records) + 1, state="running")
    return world


def _rows(page: str, testid: str, attr: str) -> set[str]:
    return set(re.findall(rf'data-testid="{testid}" data-{attr}="([^"]+)"', page))


def _post(client: FlaskClient, form: str, token: str | None, **changes: str) -> Any:
    path, _, _, values, _ = FORMS[form]
    data = {f"{form}-{k}": v for k, v in {**values, **changes}.items()}
    if token is not None:
        data[f"{form}-csrf_token"] = token
    return client.post(path, data=data)


# -- lists ------------------------------------------------------------------------------
def test_the_page_lists_projected_registry_records_with_tx_and_block(
        app: Flask, client: FlaskClient) -> None:
    world = _fill(app)
    login(client, OPERATOR)
    resp = client.get("/registry/")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'data-testid="readmodel-current"' in page
    assert _rows(page, "site-row", "site") == {"ena-city-hall", "factory-1"}
    assert _rows(page, "equipment-row", "equipment") == {"pv-1", "boiler-1"}
    assert _rows(page, "meter-row", "meter") == {"m-pv-1", "m-oil-1"}
    assert _rows(page, "device-row", "device") == {"gw-pv-1", "pushlog-1"}
    site_tx, site_block = tx_of(world, "EventRegisterSite", site_id="ena-city-hall")
    assert f"<code>{site_tx}</code>, block {site_block}" in page
    meter_tx, meter_block = tx_of(world, "EventRegisterMeter", meter_id="m-pv-1")
    assert f"<code>{meter_tx}</code>, block {meter_block}" in page
    equipment_tx, equipment_block = tx_of(world, "EventRegisterEquipment",
                                           equipment_id="boiler-1")
    row = page[page.index('data-equipment="boiler-1"'):]
    row = row[:row.index("</tr>")]
    assert f'<td><code>{equipment_tx}</code></td><td class="num">{equipment_block}</td>' in row
    assert "boiler-replacement@1" in row and "CustomerMSP" in row
    # each device links to its dashboard and to the upload page
    assert 'href="/dashboard?devices=gw-pv-1" data-testid="device-dashboard"' in page
    assert 'href="/ingest/?device=pushlog-1" data-testid="device-upload"' in page
    # governance state of every methodology and factor version
    methodologies = page[page.index('data-testid="registry-methodologies"'):]
    methodologies = methodologies[:methodologies.index("</section>")]
    assert methodologies.count('data-testid="methodology-row"') == 4
    assert "pv-self-consumption" in methodologies and "awaiting approvals" not in methodologies
    factors = page[page.index('data-testid="registry-factors"'):]
    factors = factors[:factors.index("</section>")]
    approved_tx, _ = tx_of(world, "EventApproveFactor", version="3")
    assert re.search(r"<td>jp-grid-fy2024</td><td>3</td>\s*<td>kWh</td>\s*"
                     r'<td data-testid="governance-state">proposed: awaiting approvals'
                     r'<ul class="approvals" data-testid="approvals">\s*<li data-role="verifier">'
                     rf'verifier approval by PlatformMSP/[^<]*\(<code>{approved_tx[:12]}</code>, '
                     r'[^<]*\)</li></ul><p class="muted" data-testid="approvals-missing">'
                     r'awaiting: operator</p></td>\s*'
                     rf'<td><code>{approved_tx}</code></td><td class="num">\d+</td>',
                     factors), factors
    activated_tx, activated_block = tx_of(world, "EventActivateFactor", version="2")
    assert re.search(r"<td>jp-grid-fy2024</td><td>2</td>\s*<td>kWh</td>\s*"
                     r'<td data-testid="governance-state">active<ul class="approvals" '
                     r'data-testid="approvals">[^/]*(<li[^>]*>[^<]*<code>[^<]*</code>[^<]*</li>'
                     r'\s*){2}</ul></td>\s*'
                     rf'<td><code>{activated_tx}</code></td><td class="num">{activated_block}'
                     "</td>", factors), factors
    # the operator may approve the proposed version in place (CSRF token included)
    assert factors.count('data-testid="factor-approve"') == 1
    assert 'name="fapprove-csrf_token"' in factors


@pytest.mark.parametrize(("user", "sites", "devices", "scope"), [
    (CUSTOMER, {"factory-1"}, {"pushlog-1"}, "CustomerMSP"),
    (CITY, {"ena-city-hall"}, {"gw-pv-1"}, "MunicipalityMSP"),
    (VERIFIER, {"ena-city-hall", "factory-1"}, {"gw-pv-1", "pushlog-1"}, ""),
    (AUDITOR, {"ena-city-hall", "factory-1"}, {"gw-pv-1", "pushlog-1"}, ""),
])
def test_lists_are_scoped_to_the_users_org_unless_it_oversees_all(
        app: Flask, client: FlaskClient, user: str, sites: set[str], devices: set[str],
        scope: str) -> None:
    _fill(app)
    login(client, user)
    page = client.get("/registry/").get_data(as_text=True)
    assert _rows(page, "site-row", "site") == sites
    assert _rows(page, "device-row", "device") == devices
    if scope:
        assert f"Sites, equipment, meters and devices of {scope}." in page
    else:
        assert "Sites, equipment, meters and devices of every organisation." in page
    # governance versions are consortium rules: everyone sees them all
    assert page.count('data-testid="methodology-row"') == 4
    # the upload link only for roles that may upload (municipality, verifier: no)
    assert ('data-testid="device-upload"' in page) is (user == CUSTOMER)
    assert 'data-testid="device-dashboard"' in page


def test_an_empty_read_model_says_so(client: FlaskClient) -> None:
    login(client, CUSTOMER)
    resp = client.get("/registry/")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'data-testid="readmodel-empty"' in page and "No sites in the read model." in page
    assert "No factor versions in the read model." in page


def test_the_nav_links_the_page_for_every_role(client: FlaskClient) -> None:
    for user in (AUDITOR, CUSTOMER):
        login(client, user)
        page = client.get("/dashboard").get_data(as_text=True)
        assert 'href="/registry/"' in page and "Equipment and meters" in page


# -- forms ------------------------------------------------------------------------------
@pytest.mark.parametrize("user", list(VISIBLE))
def test_each_role_sees_only_the_forms_it_may_post(app: Flask, client: FlaskClient,
                                                   user: str) -> None:
    login(client, user)
    assert_only_allowed_forms(app, client, "/registry/", FORMS, VISIBLE[user], _post)


def test_posts_need_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    login(client, OPERATOR)
    for name in VISIBLE[OPERATOR]:
        assert _post(client, name, None).status_code == 400, name
    assert ledger_audit(app) == []


@pytest.mark.parametrize(("form", "changes", "field", "path", "value", "rule"), [
    ("site", {"site_id": "factory 9"}, "site_id", "site_id", "factory 9", "identifier"),
    ("site", {"name": ""}, "name", "name", "", "required"),
    ("site", {"owner_msp": "AcmeMSP"}, "owner_msp", "owner_msp", "AcmeMSP", "msp"),
    ("equipment", {"equipment_type": "windmill"}, "equipment_type", "equipment_type",
     "windmill", "equipment-type"),
    ("equipment", {"rated_capacity": "lots"}, "rated_capacity", "rated_capacity", "lots",
     "number"),
    ("equipment", {"efficiency": "1.5"}, "efficiency", "efficiency", "1.5",
     "efficiency-range"),
    ("equipment", {"factor_bindings": "project_fuel a_heavy_oil"}, "factor_bindings",
     "factor_bindings[0]", "project_fuel a_heavy_oil", "name-value-line"),
    ("equipment", {"owner": "ghost@nowhere"}, "owner", "owner", "ghost@nowhere", "holder"),
    ("meter", {"quantities": "fuel"}, "quantities", "quantities[0]", "fuel", "channel-line"),
    ("meter", {"verification_valid_until": "2020-01-01T00:00:00"},
     "verification_valid_until", "verification_valid_until", "", "after-start"),
    ("meter", {"counter_capacity": "0"}, "counter_capacity", "counter_capacity", "0", ""),
    ("device", {"public_key_pem": "not a key"}, "public_key_pem", "public_key_pem", "", ""),
    ("device", {"meter_ids": ""}, "meter_ids", "meter_ids", "", ""),
    ("device", {"kind": "drone"}, "kind", "kind", "drone", "device-kind"),
    ("methodology", {"version": "v2"}, "version", "version", "v2", "version"),
    ("methodology", {"valid_until": "2026-01-01"}, "valid_until", "valid_until", "2026-01-01",
     "after-start"),
    ("mapprove", {"version": "0"}, "version", "version", "0", "version"),
    ("factor", {"values": "hv=38.9"}, "values", "values.hv", "38.9", "unknown-value"),
    ("factor", {"unit": "L"}, "unit", "unit", "L", "factor-unit"),
    ("fapprove", {"factor_id": ""}, "factor_id", "factor_id", "", ""),
])
def test_bad_input_is_400_beside_its_field_and_nothing_is_sent(
        app: Flask, client: FlaskClient, form: str, changes: dict[str, str], field: str,
        path: str, value: str, rule: str) -> None:
    login(client, FORMS[form][2])
    resp = _post(client, form, csrf_token(client, "/registry/"), **changes)
    assert resp.status_code == 400
    error = field_error(resp.get_data(as_text=True))
    assert (error["field"], error["path"], error["status"]) == (field, path, "400")
    assert error["rule"], error
    if rule:
        assert error["rule"] == rule
    if value:
        assert error["value"] == value
    assert ledger_audit(app) == []


@pytest.mark.parametrize("form", list(FORMS))
def test_valid_submissions_without_a_peer_are_503_and_keep_the_entries(
        app: Flask, client: FlaskClient, form: str) -> None:
    path, testid, user, values, action = FORMS[form]
    login(client, user)
    resp = _post(client, form, csrf_token(client, "/registry/"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503
    section = page[page.index(f'data-testid="{testid}"'):]
    section = section[:section.index("</form>")]
    assert f"ledger unavailable: {REASON}" in section
    assert "nothing was submitted" in section
    for name, value in values.items():
        assert re.search(f'name="{form}-{name}"', section), name
        if name in ("owner_msp", "kind", "equipment_type", "methodology") and value:
            assert re.search(f'<option[^>]*selected[^>]*value="{value}"|'
                             f'<option[^>]*value="{value}"[^>]*selected', section), name
        elif name == "public_key_pem":
            assert "BEGIN PUBLIC KEY" in section
        elif value:
            for line in value.splitlines():
                assert line in section, name
    entries = ledger_audit(app)
    assert [(e.action, e.outcome, e.actor) for e in entries] == [(action, "failed", user)]
    assert REASON in entries[0].detail


def test_a_committed_registration_is_shown_on_the_page(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page after a commit (the service is stubbed: there is no peer here)."""
    committed = {"operation": "registry:register_site", "transaction_id": "ab12",
                 "block_number": 9, "events": []}
    monkeypatch.setattr(registry_service, "register_site", lambda user, body: committed)
    login(client, CUSTOMER)
    resp = _post(client, "site", csrf_token(client, "/registry/"))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/registry/")
    page = client.get("/registry/").get_data(as_text=True)
    assert "registry:register_site, transaction ab12, block 9" in page


def test_the_page_in_japanese(client: FlaskClient) -> None:
    login(client, CUSTOMER)
    page = client.get("/registry/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "設備とメーター" in page and "サイトの登録" in page
    assert "Register a site" not in page


# -- REST API ---------------------------------------------------------------------------
def test_api_lists_sites_scoped_with_tx_and_block(app: Flask, client: FlaskClient) -> None:
    world = _fill(app)
    assert client.get("/api/v1/registry/sites").status_code == 401
    body = client.get("/api/v1/registry/sites", headers=bearer(app, CITY)).get_json()
    assert body["scope"] == "MunicipalityMSP"
    [site] = body["items"]
    tx, block = tx_of(world, "EventRegisterSite", site_id="ena-city-hall")
    assert (site["site_id"], site["tx_id"], site["block_number"]) == ("ena-city-hall", tx, block)
    [equipment] = site["equipment"]
    assert [m["meter_id"] for m in equipment["meters"]] == ["m-pv-1"]
    assert equipment["meters"][0]["quantities"] == ["pv_generation", "pv_export", "aux_grid"]
    [device] = equipment["devices"]
    tx, block = tx_of(world, "EventRegisterEdgeDevice", device_id="gw-pv-1")
    assert (device["device_id"], device["tx_id"], device["block_number"]) == (
        "gw-pv-1", tx, block)
    assert body["read_model"]["projected_blocks"] == len(world.records) + 1
    everyone = client.get("/api/v1/registry/sites", headers=bearer(app, AUDITOR)).get_json()
    assert everyone["scope"] == "" and {s["site_id"] for s in everyone["items"]} == {
        "ena-city-hall", "factory-1"}


def test_api_lists_governance_progress(app: Flask, client: FlaskClient) -> None:
    world = _fill(app)
    assert client.get("/api/v1/registry/governance").status_code == 401
    body = client.get("/api/v1/registry/governance", headers=bearer(app, CUSTOMER)).get_json()
    versions = {(f["factor_id"], f["version"]): f for f in body["factors"]}
    proposed = versions[("jp-grid-fy2024", "3")]
    tx, block = tx_of(world, "EventApproveFactor", version="3")
    assert (proposed["status"], proposed["complete"], proposed["missing_roles"]) == (
        "proposed", False, ["operator"])
    [approval] = proposed["approvals"]
    assert (approval["role"], approval["msp_id"], approval["tx_id"]) == (
        "verifier", "PlatformMSP", tx)
    assert (proposed["tx_id"], proposed["block_number"]) == (tx, block)
    active = versions[("jp-grid-fy2024", "2")]
    assert active["complete"] and {a["role"] for a in active["approvals"]} == {
        "operator", "verifier"}
    genesis = next(m for m in body["methodologies"] if m["name"] == "pv-self-consumption")
    assert (genesis["genesis"], genesis["complete"], genesis["approvals"]) == (True, True, [])
    assert body["read_model"]["projected_blocks"] == len(world.records) + 1


def test_api_writes_need_a_token_and_the_permission(app: Flask, client: FlaskClient) -> None:
    site = {"site_id": "factory-9", "name": "Kani plant"}
    login(client, CUSTOMER)  # the session cookie does not authorise writes
    assert client.post("/api/v1/registry/sites", json=site).status_code == 401
    resp = client.post("/api/v1/registry/sites", json=site, headers=bearer(app, AUDITOR))
    assert resp.status_code == 403 and resp.get_json()["rule"] == "permission:registry.manage"
    resp = client.post("/api/v1/registry/factors/jp-grid/jp-grid-fy2025/2/approve",
                       headers=bearer(app, CUSTOMER))
    assert resp.status_code == 403 and resp.get_json()["rule"] == "permission:registry.govern"
    assert ledger_audit(app) == []
    resp = client.post("/api/v1/registry/sites", json={**site, "site_id": "factory 9"},
                       headers=bearer(app, CUSTOMER))
    problem = resp.get_json()
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
    assert (problem["field"], problem["value"], problem["rule"]) == (
        "site_id", "factory 9", "identifier")
    assert ledger_audit(app) == []
    resp = client.post("/api/v1/registry/sites", json=site, headers=bearer(app, CUSTOMER))
    assert resp.status_code == 503 and resp.get_json()["rule"] == "ledger_unavailable"
    assert REASON in resp.get_json()["detail"]
    [entry] = ledger_audit(app)
    assert (entry.action, entry.outcome, entry.target) == (
        "ledger.registry:register_site", "failed", "factory-9")
    resp = client.post("/api/v1/registry/methodologies/pv-self-consumption/2/approve",
                       headers=bearer(app, VERIFIER))
    assert resp.status_code == 503


def test_the_registry_operations_are_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    registry_ops = {(p, m) for p, ops in paths.items() if "/registry/" in p for m in ops}
    assert registry_ops == {
        ("/api/v1/registry/sites", "get"), ("/api/v1/registry/sites", "post"),
        ("/api/v1/registry/governance", "get"),
        ("/api/v1/registry/equipment", "post"), ("/api/v1/registry/meters", "post"),
        ("/api/v1/registry/devices", "post"), ("/api/v1/registry/methodologies", "post"),
        ("/api/v1/registry/methodologies/{name}/{version}/approve", "post"),
        ("/api/v1/registry/factors", "post"),
        ("/api/v1/registry/factors/{series}/{factor_id}/{version}/approve", "post")}
    assert paths["/api/v1/registry/sites"]["post"]["tags"] == ["registry"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/registry/sites", {"site_id": "s-1", "name": "x", "owner_msp": {"a": 1}},
     "owner_msp"),
    ("/api/v1/registry/factors", {
        "series": "jp-grid", "factor_id": "f", "version": "2", "kind": {}, "unit": "kWh",
        "values": {"ef_grid": "0.0004"}, "source": "x"}, "kind"),
    ("/api/v1/registry/meters", {
        "meter_id": "m", "equipment_id": "e", "serial": "s", "accuracy_class": "1",
        "quantities": [{"quantity": ["fuel"], "unit": "L"}],
        "verification_valid_from": "2024-04-01T00:00:00+09:00",
        "verification_valid_until": "2031-04-01T00:00:00+09:00"}, "quantities[0].quantity"),
    ("/api/v1/registry/methodologies", {
        "name": "n", "version": "2", "title": "t", "formula": "f", "source": "s",
        "valid_from": {}}, "valid_from"),
])
def test_api_refuses_json_objects_where_text_is_due(app: Flask, client: FlaskClient,
                                                     path: str, body: dict[str, Any],
                                                     field: str) -> None:
    """Not a crash of a set lookup in the message's `validate`: a 400 naming the field."""
    resp = client.post(path, json=body, headers=bearer(app, OPERATOR))
    problem = resp.get_json()
    assert resp.status_code == 400, problem
    assert (problem["field"], problem["rule"]) == (field, "string")
    assert ledger_audit(app) == []
