"""Browser journeys on the real Fabric network: issue 5's acceptance.

Every consortium user signs in with the identity its org's Fabric CA issued; the new
boiler's owner uploads its operation data, registers the boiler, its meter and its logger
on the registry page and, playing the logger, anchors each uploaded batch on the
calculations page with the signature the logger's key makes of the header the page gives;
it calculates the first day, which a verifier rejects, corrects it by calculating the whole
upload, which the verifier approves, and a Platform operator mints it; the lot is traced
down to the uploaded readings with the Merkle, signature and inclusion checks run in place;
half of it is transferred to Ena City (another org), which retires it, downloads the
certificate and whose QR code opens the public verification page; a verifier approves a
credit program's monitoring report, the operator issues the credits and sells them to a
customer, who retires part; a GHG report is generated; and each role is refused what it may
not do, by the portal (403) and, where the portal lets it through, by the chaincode.

Needs the whole network (`fabric_network`, tests/conftest.py): while Fabric
cannot be built every test is skipped with that fixture's "BLOCKED, Fabric network
unavailable: …" reason. The portal and its data are set up as scripts/demo.sh does
(`network_portal.serve_portal`).

What the browser submits for the boiler comes from the case-study scenario
(`envalue.scenarios.case_studies`, what `envalue scenario load case-studies` runs): its
registration messages, its calculation's equipment and period, its lot id
(`network_calculations`). Still run by scenarios, signed by the same enrolled identities:

- the registry's bootstrap (built-in methodologies and factors): no page does it;
- the credit journey's set-up (116 transactions): the grid factor's governance its PV
  calculations need, then 12 generated sites registered, anchored, calculated, approved,
  minted, enrolled and bundled into a submitted report. The registry, calculations and
  credits pages have forms for these steps (the boiler's journey walks registration to
  minting), but posting each of them would only repeat that; the report's verifier review,
  the issuance, the sale and the retirement are done in the browser.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from sqlalchemy import select

from envalue.ingest.store import IngestStore
from envalue.ledger import credits
from envalue.ledger.measurement import stored_header
from envalue.network.settings import NetworkSettings
from envalue.network.topology import PEER_ORGS, org_by_key
from envalue.scenarios import (
    DEFAULT_GRID,
    Scenario,
    Step,
    case_studies,
    credit_program,
    key_directory,
    network_holders,
)
from envalue.scenarios.case_studies import BOILER_SITE, ENA_SITE
from envalue.scenarios.common import fiscal_year, genesis_steps
from envalue.scenarios.credit_program import DEFAULT_MONTH, METHODOLOGY, retired_tonnes
from envalue.scenarios.identities import CUSTOMER, OPERATOR
from envalue.webapp.db import PortalUser, get_session
from envalue.webapp.roles import NAV, allowed, nav_for

from .conftest import new_tab, shot
from .network_calculations import (
    REGISTRATIONS,
    calculation_id_of,
    calculation_row,
    fill_anchor,
    fill_message,
    open_calculation_link,
    pending_batches,
    scenario_message,
    scenario_steps,
    state_of,
)
from .network_portal import (
    UPLOADED_DEVICE,
    NetworkPortal,
    commit,
    download,
    fill,
    holding_kg,
    qr_url,
    refusal,
    run_check,
    serve_portal,
    sign_in,
    signed_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]  # the network comes up first

#: portal user name -> role, for every user of the consortium's topology
USERS = {f"{u.name}@{o.key}": u.role for o in PEER_ORGS for u in o.users}
#: role -> the first user holding it
ROLE_USERS = {role: name for name, role in reversed(USERS.items())}
CUSTOMER1, CUSTOMER2, CITY1 = "customer1@customer", "customer2@customer", "city1@municipality"
OPERATOR1, VERIFIER1, AUDITOR1 = "operator1@platform", "verifier1@platform", "auditor1@platform"
#: the credit program of the credit journey: 12 generated sites pool about 3 t (the journey
#: reads what was issued from the ledger)
PROGRAM_ID, PROGRAM_SITES = "E2E-PV", 12


@pytest.fixture(scope="module")
def network_portal(fabric_network: NetworkSettings,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkPortal]:
    with pytest.MonkeyPatch.context() as env, serve_portal(
            fabric_network, tmp_path_factory.mktemp("network-portal"), env) as portal:
        yield portal


def steps_before(scenario: Scenario, key: str) -> tuple[Step, ...]:
    """The scenario's steps up to (without) the step `key`: the rest is done in the
    browser."""
    keys = [step.key for step in scenario.steps]
    return scenario.steps[:keys.index(key)]


# -- sign-in ------------------------------------------------------------------------------
@pytest.mark.parametrize("username", sorted(USERS))
def test_each_user_signs_in_with_the_role_of_its_ca_certificate(
        username: str, network_portal: NetworkPortal, page: Any) -> None:
    role = USERS[username]
    org = org_by_key(username.partition("@")[2])
    # `envalue portal enroll-demo` enrolled the user at its org's own CA
    with network_portal.app.app_context():
        user = get_session().scalar(select(PortalUser).where(PortalUser.username == username))
    assert user is not None and user.role == role
    ca = network_portal.settings.layout.ca_cert(org).read_bytes()
    assert (x509.load_pem_x509_certificate(user.cert_pem.encode()).issuer
            == x509.load_pem_x509_certificate(ca).subject)
    sign_in(page, network_portal, username)
    assert page.inner_text("[data-testid=role]") == role
    assert org.msp_id in page.inner_text("[data-testid=current-user]")
    # the user's org's Gateway peer answers: no 'ledger unavailable' panel
    assert page.locator("[data-testid=ledger-unavailable]").count() == 0
    assert "The Fabric Gateway at" in page.inner_text("main")
    assert page.locator("header nav a").all_inner_texts() == [
        item.label for item in nav_for(role)] + ["Verify a certificate"]
    shot(page, f"network-dashboard-{org.key}-{username.partition('@')[0]}")


# -- operation data to a retirement certificate ---------------------------------------------
def test_operation_data_to_a_retirement_certificate(network_portal: NetworkPortal,
                                                    browser: Any, tmp_path: Path) -> None:
    portal = network_portal
    upload = portal.uploads / f"{UPLOADED_DEVICE}.csv"
    injected = json.loads((portal.uploads / f"{UPLOADED_DEVICE}.report.json").read_text())
    store = IngestStore(portal.store_url)

    # the boiler's owner uploads its operation data: the quality report counts exactly the
    # defects the simulator put in
    with signed_in(browser, portal, CUSTOMER1) as page:
        page.goto(portal.href("ingest.upload"))
        page.fill("#device", UPLOADED_DEVICE)
        page.set_input_files("#file", str(upload))
        page.click("#upload-form button[type=submit]")
        report = page.wait_for_selector("[data-testid=quality-report]")
        for key, count in injected["expected_quality"].items():
            assert page.inner_text(f"[data-quality={key}]") == str(count), key
        stored = store.batch_ids(UPLOADED_DEVICE)
        assert stored and all(batch in report.inner_text() for batch in stored)
        shot(page, "network-upload-quality-report")

    # the new boiler as the case-study scenario would put it on the ledger, from the store
    # the upload went to; the registry's bootstrap is the one step no page does (the
    # boiler's fuel factors are built in: no grid factor governance is needed)
    scenario = case_studies(portal.store_url, key_directory(portal.keys),
                            network_holders(portal.settings))
    boiler = scenario.facts["boiler"]
    lot = boiler["lot_id"]
    assert boiler["batches"] == len(stored)
    [plan] = scenario_steps(scenario, CUSTOMER, ["measurement:calculate"])
    whole = scenario_message(plan)  # the boiler over every stored day
    first_day = min((stored_header(store, b) for b in stored),
                    key=lambda header: header.period_start)
    portal.run_steps(genesis_steps(()))
    with signed_in(browser, portal, CUSTOMER1) as owner, \
            signed_in(browser, portal, VERIFIER1) as verifier:
        # the owner registers its site, boiler, meter and the retrofit logger (with the
        # public key of the device's key) on the registry page
        owner.goto(portal.href("registry.index"))
        for step in scenario_steps(scenario, CUSTOMER, REGISTRATIONS):
            form = REGISTRATIONS[step.operation]
            fill_message(owner, portal, form, scenario_message(step))
            portal.wait_for_block(commit(owner, f"{form}-form"))

        # ... and anchors each uploaded batch, playing the logger: it signs the exact
        # header bytes the calculations page gives, with the logger's key (the keys
        # folder `envalue simulate --keys` filled)
        key = key_directory(portal.keys)(UPLOADED_DEVICE)
        meter = UPLOADED_DEVICE  # the case study's logger reports for a meter of its name
        assert sorted(pending_batches(owner, portal, meter)) == sorted(stored)
        shot(owner, "network-calculations-anchoring")
        blocks = []
        for batch in stored:
            fill_anchor(owner, portal, batch, meter, key)
            blocks.append(commit(owner, "anchor-form"))
        portal.wait_for_block(max(blocks))
        assert pending_batches(owner, portal, meter) == []

        # a first calculation of the first day only: the verifier rejects it
        fill_message(owner, portal, "calculate", {
            **whole, "period_start": first_day.period_start,
            "period_end": first_day.period_end})
        portal.wait_for_block(commit(owner, "calculate-form"))
        rejected = calculation_id_of(owner)
        open_calculation_link(verifier, portal, rejected, "calculated", "calculation-review")
        assert verifier.input_value("#reject-calculation_id") == rejected
        fill(verifier, {"#reject-comment": "one day only: calculate the whole upload"})
        portal.wait_for_block(commit(verifier, "reject-form"))
        row = calculation_row(owner, portal, rejected)
        assert state_of(row) == "rejected"
        assert "Review: one day only: calculate the whole upload" in row.inner_text()

        # the owner corrects it: the whole stored span, as the scenario calculates it,
        # superseding the rejected one; the verifier approves the correction
        open_calculation_link(owner, portal, rejected, "rejected", "calculation-correct")
        assert owner.input_value("#calculate-equipment_id") == whole["equipment_id"]
        assert owner.input_value("#calculate-supersedes") == rejected
        fill_message(owner, portal, "calculate", {
            **whole, "supersedes": rejected, "reason": "the whole upload, as reviewed"})
        portal.wait_for_block(commit(owner, "calculate-form"))
        calculation = calculation_id_of(owner)
        assert state_of(calculation_row(owner, portal, rejected)) == "superseded"
        open_calculation_link(verifier, portal, calculation, "calculated",
                              "calculation-review")
        assert verifier.input_value("#approve-calculation_id") == calculation
        fill(verifier, {"#approve-comment": "batches, signatures and fuel factors checked"})
        portal.wait_for_block(commit(verifier, "approve-form"))
        row = calculation_row(verifier, portal, calculation)
        assert state_of(row) == "approved"
        assert "Review: batches, signatures and fuel factors checked" in row.inner_text()
        batches = row.locator("[data-testid=calculation-batches] code").all()
        assert sorted(b.get_attribute("title") for b in batches) == sorted(stored)
        minted = int(row.locator("[data-testid=calculation-reduction]").inner_text())
        assert minted >= 2

    # the operator mints the approved reduction as the scenario's lot, to the owner
    with signed_in(browser, portal, OPERATOR1) as page:
        open_calculation_link(page, portal, calculation, "approved", "calculation-mint")
        assert page.input_value("#mint-calculation_id") == calculation
        fill(page, {"#mint-lot_id": lot})
        portal.wait_for_block(commit(page, "mint-form"))
        assert page.get_attribute("[data-testid=result-trace]", "href") == portal.href(
            "trace.index", q=lot).removeprefix(portal.url)
        row = calculation_row(page, portal, calculation)
        assert state_of(row) == "minted" and f"lot {lot}" in row.inner_text()
        shot(page, "network-calculations")

    # the explorer: the lot, its approved and minted calculation, the uploaded batches
    # and their readings, with the checks run in place
    with signed_in(browser, portal, CUSTOMER1) as page:
        page.goto(portal.href("trace.index", q=lot))
        page.wait_for_selector("[data-testid=trace-tree]")
        assert lot in page.inner_text("[data-testid=trace-lot] > summary")
        assert "(minted)" in page.inner_text("[data-testid=trace-calculation] > summary")
        batches = page.locator("[data-testid=trace-batch]")
        assert sorted(b.get_attribute("data-batch") for b in batches.all()) == sorted(stored)
        first = batches.first
        first.locator("summary").first.click()  # open the batch
        for check in ("check-batch", "check-signature"):
            status, text = run_check(first.locator(f"[data-testid={check}]"))
            assert status == "pass", f"{check}: {text}"
        status, text = run_check(first.locator("[data-testid=check-reading]").first)
        assert status == "pass", text
        shot(page, "network-traceability-explorer")

    # the owner's wallet holds the minted lot; half goes to Ena City, another org
    half = minted // 2
    with signed_in(browser, portal, CUSTOMER1) as page:
        page.goto(portal.href("wallet.index"))
        assert holding_kg(page, lot, "tradable") == minted
        shot(page, "network-wallet-customer")
        fill(page, {"#transfer-lot_id": lot, "#transfer-recipient": CITY1,
                    "#transfer-quantity_kg": str(half)})
        portal.wait_for_block(commit(page, "transfer-form"))
        page.goto(portal.href("wallet.index"))
        assert holding_kg(page, lot, "tradable") == minted - half
        assert lot in page.inner_text("[data-testid=wallet-transfers]")

    # Ena City retires what it received and opens the certificate
    year = fiscal_year(date.fromisoformat(boiler["vintage"][0]))
    with signed_in(browser, portal, CITY1) as page:
        page.goto(portal.href("wallet.index"))
        assert holding_kg(page, lot, "tradable") == half
        fill(page, {"#retire-lot_id": lot, "#retire-quantity_kg": str(half),
                    "#retire-beneficiary": "Ena City", "#retire-purpose": "japan_reporting_act",
                    "#retire-reporting_year": str(year),
                    "#retire-note": "boiler replacement reduction, browser journey"})
        portal.wait_for_block(commit(page, "retire-form"))
        certificate_href = page.get_attribute("[data-testid=result-certificate]", "href")
        assert certificate_href, "no certificate link after the retirement"
        page.click("[data-testid=result-certificate]")
        page.wait_for_selector("[data-testid=certificate]")
        certificate_id = page.inner_text("[data-testid=certificate-id]")
        transaction = page.inner_text("[data-testid=certificate-tx]")
        verification_url = page.inner_text("[data-testid=verification-url]")
        assert verification_url == portal.href("verify.certificate",
                                               certificate_id=certificate_id)
        shot(page, "network-certificate")
        pdf = download(page, "[data-testid=download-pdf]")
        signed = download(page, "[data-testid=download-json]")
        assert pdf.startswith(b"%PDF")
        page.goto(portal.href("wallet.index"))
        assert holding_kg(page, lot, "retired") == half
        assert lot in page.inner_text("[data-testid=wallet-retirements]")
        shot(page, "network-wallet-municipality")

    # the QR code opens the public verification page, without signing in
    assert qr_url(pdf, tmp_path) == verification_url
    (tmp_path / "certificate.json").write_bytes(signed)
    context, page = new_tab(browser)
    try:
        page.goto(verification_url)
        page.wait_for_selector("[data-testid=lookup]")
        assert page.inner_text("[data-testid=certificate-id]") == certificate_id
        assert page.inner_text("[data-testid=summary-tx]") == transaction
        assert page.inner_text("[data-testid=summary-beneficiary]") == "Ena City"
        page.set_input_files("#certificate-file", str(tmp_path / "certificate.json"))
        page.click("#verify-form button[type=submit]")
        page.wait_for_selector("[data-testid=verification]")
        assert page.inner_text("[data-testid=verdict]") == "Valid"
        shot(page, "network-verify-certificate")
    finally:
        context.close()

    # someone else's certificate: the portal refuses it; someone else's holding: the
    # chaincode refuses to move it (customer2 holds nothing of the lot)
    with signed_in(browser, portal, CUSTOMER2) as page:
        assert page.goto(portal.url + certificate_href).status == 403
        page.goto(portal.href("wallet.index"))
        fill(page, {"#retire-lot_id": lot, "#retire-quantity_kg": "1",
                    "#retire-beneficiary": "customer2", "#retire-purpose": "voluntary",
                    "#retire-reporting_year": str(year)})
        assert refusal(page, "retire-form") == {"rule": "exists", "field": "owner",
                                                "status": "422"}


# -- credit program: review, issuance, sale, retirement -------------------------------------
def test_credit_program_review_issue_transfer_retire(network_portal: NetworkPortal,
                                                     browser: Any, tmp_path: Path) -> None:
    portal = network_portal
    scenario = credit_program(PROGRAM_SITES, keys=key_directory(portal.keys),
                              holders=network_holders(portal.settings), program_id=PROGRAM_ID)
    report_id = scenario.facts["report_id"]
    # sites registered, anchored, calculated, approved, minted, enrolled and bundled into
    # a submitted report, as `envalue scenario load credit-program` does
    portal.run_steps(steps_before(scenario, f"{report_id}/verify"), workers=4)

    # the verifier reviews the submitted report
    with signed_in(browser, portal, VERIFIER1) as page:
        page.goto(portal.href("credits.index", report_id=report_id))
        row = page.locator("[data-testid=report-row]").filter(has_text=report_id)
        assert "submitted" in row.inner_text()
        fill(page, {"#verify-report_id": report_id, "#verify-decision": "approve",
                    "#verify-comments": "monitoring data, lots and factors checked"})
        portal.wait_for_block(commit(page, "verify-form"))
        shot(page, "network-credits-verifier")
    approved = portal.evaluate(OPERATOR, credits.report_call(report_id))
    assert approved.state == "approved" and approved.issued_t >= 1
    issued = approved.issued_t

    # the operator issues (settles the shares) and sells the batch to a customer
    with signed_in(browser, portal, OPERATOR1) as page:
        page.goto(portal.href("credits.index", report_id=report_id))
        for _ in range(scenario.facts["settle_pages"]):
            fill(page, {"#settle-report_id": report_id})
            portal.wait_for_block(commit(page, "settle-form"))
        assert portal.evaluate(OPERATOR, credits.report_call(report_id)).state == "issued"
        fill(page, {"#transfer-batch_id": report_id, "#transfer-recipient": CUSTOMER2,
                    "#transfer-quantity_t": str(issued)})
        portal.wait_for_block(commit(page, "credit-transfer-form"))
        page.goto(portal.href("credits.index"))
        assert report_id in page.inner_text("[data-testid=credit-batches]")
        shot(page, "network-credits-operator")

    # the buyer retires part of it and opens the credit certificate
    retired = retired_tonnes(issued)
    with signed_in(browser, portal, CUSTOMER2) as page:
        page.goto(portal.href("credits.index"))
        fill(page, {"#retire-batch_id": report_id, "#retire-quantity_t": str(retired),
                    "#retire-user_name": "customer2 (buyer)",
                    "#retire-use": "carbon_offset_product",
                    "#retire-purpose_detail": f"offsetting products with {PROGRAM_ID} credits",
                    "#retire-reporting_year": str(fiscal_year(DEFAULT_MONTH))})
        portal.wait_for_block(commit(page, "credit-retire-form"))
        page.click("[data-testid=result-certificate]")
        page.wait_for_selector("[data-testid=certificate]")
        shown = page.inner_text("[data-testid=certificate]")
        assert "Credits" in shown and f"{retired * 1000:,} kg-CO2e" in shown
        pdf = download(page, "[data-testid=download-pdf]")
        assert qr_url(pdf, tmp_path) == page.inner_text("[data-testid=verification-url]")
        shot(page, "network-certificate-credits")
        page.goto(portal.href("wallet.index"))
        held = page.locator("[data-testid=wallet-credits] tbody tr").filter(has_text=report_id)
        assert held.locator("td").all_inner_texts()[1:3] == [str(issued - retired),
                                                            str(retired)]

    # the explorer: the credit batch down to the lots it credits
    with signed_in(browser, portal, AUDITOR1) as page:
        page.goto(portal.href("trace.index", q=report_id))
        page.wait_for_selector("[data-testid=trace-tree]")
        assert page.locator("[data-testid=trace-lot]").count() == scenario.facts["lots"]
        shot(page, "network-traceability-credit-batch")


# -- reports --------------------------------------------------------------------------------
def test_ghg_report_of_the_case_study_data(network_portal: NetworkPortal, browser: Any) -> None:
    portal = network_portal
    old_boiler = IngestStore(portal.store_url).batch_ids("boiler-old")
    assert old_boiler
    with signed_in(browser, portal, OPERATOR1) as page:
        page.click("nav >> text=Reports")
        # April-May 2024 (one fiscal year): both boilers and Ena City's first week
        fill(page, {"#start": "2024-04-01", "#end": "2024-05-31",
                    "#organisation": "envalue case studies",
                    "#site": f"{ENA_SITE}, {BOILER_SITE}",
                    "#fuel_type_fuel": "a_heavy_oil", "#ef_grid": DEFAULT_GRID.ef_grid,
                    "#ef_grid_source": DEFAULT_GRID.source[:200]})
        page.click("#report-form button[type=submit]")
        page.wait_for_selector("[data-testid=ghg-report]")
        for figure in ("scope1_kg", "emissions_kg"):
            assert int(page.inner_text(f"[data-figure={figure}]").replace(",", "")) > 0
        used = page.text_content("[data-testid=ghg-batches]") or ""
        assert all(batch in used for batch in old_boiler)
        assert "ledger unavailable" not in page.inner_text("[data-testid=report-ledger]")
        shot(page, "network-report-ghg")
        assert download(page, "#download-ghg-pdf").startswith(b"%PDF")


# -- forbidden journeys ---------------------------------------------------------------------
#: role -> a write route its role may not post, and the permission it lacks
FORBIDDEN_WRITES = {
    "operator": ("credits.verify_report", "credits.review"),
    "verifier": ("wallet.transfer", "wallet.transfer"),
    "auditor": ("registry.register_site", "registry.manage"),
    "bridge": ("credits.transfer_credits", "credits.trade"),
    "municipality": ("credits.settle_report", "credits.issue"),
    "customer": ("credits.create_program", "credits.program.manage"),
}


@pytest.mark.parametrize("role", sorted(FORBIDDEN_WRITES))
def test_each_role_is_refused_what_it_may_not_do(role: str, network_portal: NetworkPortal,
                                                 page: Any) -> None:
    portal = network_portal
    endpoint, permission = FORBIDDEN_WRITES[role]
    assert not allowed(role, permission)
    sign_in(page, portal, ROLE_USERS[role])
    for item in NAV:  # every page the role's navigation leaves out
        if allowed(role, item.permission):
            continue
        assert page.goto(portal.href(item.endpoint)).status == 403, item.endpoint
        assert f"your role ({role}) may not open this page" in page.inner_text(
            "[data-testid=problem]")
    page.goto(portal.href("dashboard.index"))
    token = page.get_attribute("#language-form input[name=csrf_token]", "value")
    answer = page.request.post(portal.href(endpoint), form={"csrf_token": token or ""})
    assert answer.status == 403, f"{endpoint}: HTTP {answer.status}"


#: what the portal's role table lets through and the chaincode refuses (user, page, form,
#: inputs, the chaincode's rule, the field it names)
CHAINCODE_REFUSALS = [
    pytest.param("operator1@market", "credits.index", "program-form",
                 {"#program-program_id": "E2E-MARKET-PROGRAM", "#program-name": "Not ours",
                  "#program-methodologies": METHODOLOGY}, "platform-operator", "actor",
                 id="market-operator-creates-a-program"),
    pytest.param(CITY1, "registry.index", "site-form",
                 {"#site-site_id": "e2e-city-registers-for-customer", "#site-name": "Not ours",
                  "#site-owner_msp": "CustomerMSP"}, "owner-organisation", "owner_msp",
                 id="municipality-registers-a-customer-site"),
    pytest.param(CUSTOMER1, "registry.index", "site-form",
                 {"#site-site_id": "e2e-customer-registers-for-city", "#site-name": "Not ours",
                  "#site-owner_msp": "MunicipalityMSP"}, "owner-organisation", "owner_msp",
                 id="customer-registers-a-municipal-site"),
]


@pytest.mark.parametrize(("username", "endpoint", "form_id", "inputs", "rule", "field"),
                         CHAINCODE_REFUSALS)
def test_the_chaincode_refuses_what_the_portal_lets_through(
        username: str, endpoint: str, form_id: str, inputs: dict[str, str], rule: str,
        field: str, network_portal: NetworkPortal, page: Any) -> None:
    sign_in(page, network_portal, username)
    page.goto(network_portal.href(endpoint))
    fill(page, inputs)
    assert refusal(page, form_id) == {"rule": rule, "field": field, "status": "422"}
