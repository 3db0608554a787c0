"""The "Calculations" page and ``/api/v1/calculations``: lists from a read model filled by
projecting real chaincode measurement transactions (anchor, calculate, review, supersede,
mint; each with its tx id and block), scoped by org; the stored batches awaiting anchoring
with the header their device signs; anchor, calculate, approve, reject and mint forms per
role (403 on POST otherwise), CSRF, bad input as 400 beside its field with nothing sent,
and 503 with the reason and the entries kept while there is no peer (``LEDGER_DISABLED``
here)."""

from __future__ import annotations

import hashlib
import html
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).parents[1] / "registry"))
sys.path.insert(0, str(Path(__file__).parents[1] / "measurement"))

from measurement_world import (  # noqa: E402
    CUSTOMER as CC_CUSTOMER,
)
from measurement_world import (  # noqa: E402
    MUNICIPALITY as CC_CITY,
)
from measurement_world import (  # noqa: E402
    OPERATOR as CC_OPERATOR,
)
from measurement_world import (  # noqa: E402
    VERIFIER as CC_VERIFIER,
)
from measurement_world import (  # noqa: E402
    VERIFIER_2 as CC_VERIFIER_2,
)
from measurement_world import (  # noqa: E402
    Device,
    anchor_msg,
    calc_msg,
    jst,
    setup_boiler,
    setup_pv,
)

from envalue.chaincode.domain.context import TxContext  # noqa: E402
from envalue.chaincode.domain.errors import ForbiddenError  # noqa: E402
from envalue.chaincode.domain.measurement import (  # noqa: E402
    msg_anchor_batch,
    msg_approve_calculation,
    msg_calculate,
    msg_mint,
    msg_reject_calculation,
)
from envalue.chaincode.domain.measurement.header import encode_header  # noqa: E402
from envalue.chaincode.domain.measurement.signature import sign_header  # noqa: E402
from envalue.chaincode.domain.registry.access import (  # noqa: E402
    require_acts_for,
    require_platform_operator,
    require_verifier,
)
from envalue.chaincode.identity import Actor  # noqa: E402
from envalue.ingest.config import IngestConfig  # noqa: E402
from envalue.ingest.pipeline import ingest  # noqa: E402
from envalue.ledger.measurement import stored_header  # noqa: E402
from envalue.network.topology import ROLES  # noqa: E402
from envalue.readmodel import Projector, ReadModelCheckpointer  # noqa: E402
from envalue.readmodel.status import record_status  # noqa: E402
from envalue.webapp.roles import allowed  # noqa: E402
from envalue.webapp.services import calculations as calculations_service  # noqa: E402
from envalue.webapp.services.ingest import ingest_service  # noqa: E402
from envalue.webapp.services.readmodel import sessions  # noqa: E402

from .ledger_helpers import (  # noqa: E402
    RecordingWorld,
    assert_only_allowed_forms,
    bearer,
    field_error,
    ledger_audit,
)
from .webapp_helpers import add_user, csrf_token, login  # noqa: E402

pytestmark = pytest.mark.unit

REASON = "the Fabric network is not running in unit tests"
OPERATOR, VERIFIER = "operator1@platform", "verifier1@platform"
CUSTOMER, AUDITOR, CITY = "customer1@customer", "auditor1@platform", "city1@municipality"
CALC_ID = "calc-" + "0" * 32

#: form -> (POST path, page test id, user allowed to post it, valid entries, audit action)
FORMS: dict[str, tuple[str, str, str, dict[str, str], str]] = {
    "anchor": ("/calculations/anchor", "anchor-form", CUSTOMER, {
        "batch_id": "", "meter_id": "m-oil-1", "signature": ""},  # filled from the store
        "ledger.measurement:anchor_batch"),
    "calculate": ("/calculations/calculate", "calculate-form", CITY, {
        "equipment_id": "pv-1", "period_start": "2024-08-01T00:00:00",
        "period_end": "2024-09-01T00:00:00", "supersedes": "", "reason": ""},
        "ledger.measurement:calculate"),
    "approve": ("/calculations/approve", "approve-form", VERIFIER, {
        "calculation_id": CALC_ID, "comment": "meter data checked"},
        "ledger.measurement:approve_calculation"),
    "reject": ("/calculations/reject", "reject-form", VERIFIER, {
        "calculation_id": CALC_ID, "comment": "export meter suspect"},
        "ledger.measurement:reject_calculation"),
    "mint": ("/calculations/mint", "mint-form", OPERATOR, {
        "calculation_id": CALC_ID, "lot_id": "lot-ena-2024-05"}, "ledger.measurement:mint"),
}
_OWNER_FORMS = {"anchor", "calculate"}
#: which forms each role sees (its permissions in `webapp.roles`)
VISIBLE = {OPERATOR: _OWNER_FORMS | {"mint"}, VERIFIER: {"approve", "reject"},
           CUSTOMER: _OWNER_FORMS, CITY: _OWNER_FORMS, AUDITOR: set()}


@pytest.fixture
def app(app: Flask, fabric_ca: Any) -> Flask:  # the webapp app plus a municipality user
    add_user(app, fabric_ca, "city1", "municipality", "municipality")
    return app


def _anchor(world: RecordingWorld, device: Device, start: datetime, end: datetime,
            totals: dict[str, tuple[str, str]], who: Actor) -> None:
    world.submit(who, msg_anchor_batch, anchor_msg(device, start, end, totals))


def _calculate(world: RecordingWorld, who: Actor, equipment_id: str, start: datetime,
               end: datetime, **extra: str) -> str:
    events = world.submit(who, msg_calculate, calc_msg(equipment_id, start, end, **extra))
    return str(events[0].attributes["calculation_id"])


def _fill(app: Flask) -> tuple[RecordingWorld, dict[str, str]]:
    """Ena City's PV (municipality) and a customer's boiler, their batches anchored and
    calculated: PV May approved and minted, PV June superseded by a correction (awaiting
    review), boiler May rejected, boiler June approved (not minted yet)."""
    world = RecordingWorld()
    world.bootstrap()
    world.register_grid_fy2024()
    pv, boiler = setup_pv(world), setup_boiler(world)
    # May as in tests/unit/measurement (reduction 4 338 kg)
    _anchor(world, pv, jst(2024, 5), jst(2024, 5, 16), {
        "pv_generation": ("6000.5", "kWh"), "pv_export": ("300.25", "kWh"),
        "aux_grid": ("75", "kWh")}, CC_CITY)
    _anchor(world, pv, jst(2024, 5, 16), jst(2024, 6), {
        "pv_generation": ("3999.5", "kWh"), "pv_export": ("199.75", "kWh"),
        "aux_grid": ("75", "kWh")}, CC_CITY)
    _anchor(world, pv, jst(2024, 6), jst(2024, 7), {
        "pv_generation": ("9000", "kWh"), "pv_export": ("400", "kWh"),
        "aux_grid": ("150", "kWh")}, CC_CITY)
    _anchor(world, boiler, jst(2024, 5), jst(2024, 6), {"fuel": ("100000", "L")}, CC_CUSTOMER)
    _anchor(world, boiler, jst(2024, 6), jst(2024, 7), {"fuel": ("90000", "L")}, CC_CUSTOMER)
    ids = {"pv_may": _calculate(world, CC_CITY, "pv-1", jst(2024, 5), jst(2024, 6))}
    world.submit(CC_VERIFIER, msg_approve_calculation,
                 msg_approve_calculation.MsgApproveCalculation(ids["pv_may"], "checked"))
    world.submit(CC_OPERATOR, msg_mint, msg_mint.MsgMintReduction(ids["pv_may"]))
    ids["pv_june_old"] = _calculate(world, CC_CITY, "pv-1", jst(2024, 6), jst(2024, 7))
    ids["pv_june"] = _calculate(world, CC_CITY, "pv-1", jst(2024, 6), jst(2024, 7),
                                supersedes=ids["pv_june_old"], reason="export meter re-read")
    ids["boiler_may"] = _calculate(world, CC_CUSTOMER, "boiler-1", jst(2024, 5), jst(2024, 6))
    world.submit(CC_VERIFIER_2, msg_reject_calculation, msg_reject_calculation
                 .MsgRejectCalculation(ids["boiler_may"], "fuel meter reading suspect"))
    ids["boiler_june"] = _calculate(world, CC_CUSTOMER, "boiler-1", jst(2024, 6), jst(2024, 7))
    world.submit(CC_VERIFIER, msg_approve_calculation,
                 msg_approve_calculation.MsgApproveCalculation(ids["boiler_june"]))
    with app.app_context():
        factory = sessions()
    projector = Projector()
    with factory.begin() as session:
        for record in world.records:
            projector.apply(session, record)
    ReadModelCheckpointer(factory).checkpoint_block(len(world.records))
    with factory.begin() as session:  # the listener is running and has caught up
        record_status(session, height=len(world.records) + 1, state="running")
    world.devices = {"pv": pv, "boiler": boiler}  # type: ignore[attr-defined]
    return world, ids


def _store_boiler_upload(app: Flask) -> list[str]:
    """Two days of the boiler's fuel logger in the off-chain store (not anchored)."""
    rows = "".join(f"2024-07-0{day}T12:00:00+09:00,pushlog-1,fuel,{litres},L,interval\n"
                   for day, litres in ((1, "3000"), (2, "2500")))
    data = ("timestamp,device_id,quantity,value,unit,kind\n" + rows).encode()
    with app.app_context():
        store = ingest_service().store
        store.add(ingest(data, IngestConfig(device_id="pushlog-1"), source="test:pushlog-1"))
        return store.batch_ids("pushlog-1")


def tx_of(world: RecordingWorld, event: str, **attributes: str) -> tuple[str, int]:
    """The transaction id and block of the last record that emitted `event` with
    `attributes`."""
    found = [(record.transaction_id, record.block_number) for record, events in world.emitted
             for e in events if e.name == event
             and all(e.attributes.get(k) == v for k, v in attributes.items())]
    assert found, f"no {event} {attributes}"
    return found[-1]


def _rows(page: str) -> dict[str, str]:
    """calculation id -> its row's HTML."""
    return {m.group(1): m.group(0) for m in re.finditer(
        r'<tr id="[^"]*" data-testid="calculation-row" data-calculation="([^"]+)".*?</tr>',
        page, re.S)}


def _state(row: str) -> str:
    match = re.search(r'data-testid="calculation-state" data-state="([^"]+)"', row)
    assert match, row
    return match.group(1)


def _post(client: FlaskClient, form: str, token: str | None, **changes: str) -> Any:
    path, _, _, values, _ = FORMS[form]
    data = {f"{form}-{k}": v for k, v in {**values, **changes}.items()}
    if token is not None:
        data[f"{form}-csrf_token"] = token
    return client.post(path, data=data)


# -- lists ------------------------------------------------------------------------------
def test_the_page_lists_calculations_with_state_inputs_and_ledger_position(
        app: Flask, client: FlaskClient) -> None:
    world, ids = _fill(app)
    login(client, OPERATOR)
    resp = client.get("/calculations/")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'data-testid="readmodel-current"' in page
    rows = _rows(page)
    assert set(rows) == set(ids.values())
    assert {k: _state(rows[v]) for k, v in ids.items()} == {
        "pv_may": "minted", "pv_june_old": "superseded", "pv_june": "calculated",
        "boiler_may": "rejected", "boiler_june": "approved"}
    minted = rows[ids["pv_may"]]
    lot = "lot-" + ids["pv_may"].removeprefix("calc-")
    tx, block = tx_of(world, "EventMintReduction", calculation_id=ids["pv_may"])
    assert f'<td><code>{tx}</code></td><td class="num">{block}</td>' in minted
    assert re.search(r'data-testid="calculation-reduction">4338<', minted)
    assert "pv-1" in minted and "ena-city-hall · MunicipalityMSP" in minted
    assert "pv-self-consumption@1" in minted and "<code>jp-grid/jp-grid-fy2024@2</code>" in minted
    assert "2 input batches" in minted and "Review: checked" in minted
    assert f"lot <code>{lot}</code>" in minted
    assert f'href="/trace/?q={lot}" data-testid="calculation-trace"' in minted
    assert "2024-04-30T15:00:00.000000Z – 2024-05-31T15:00:00.000000Z" in minted
    # the rejected one with its comment; the superseded one names its successor
    assert "Review: fuel meter reading suspect" in rows[ids["boiler_may"]]
    assert f"by {ids['pv_june']}" in rows[ids["pv_june_old"]]
    tx, block = tx_of(world, "EventSupersede", calculation_id=ids["pv_june_old"])
    assert f'<td><code>{tx}</code></td><td class="num">{block}</td>' in rows[ids["pv_june_old"]]
    # the operator mints the approved one (a link prefills the mint form); no review link
    assert 'data-testid="calculation-mint"' in rows[ids["boiler_june"]]
    assert sum('data-testid="calculation-mint"' in r for r in rows.values()) == 1
    assert 'data-testid="calculation-review"' not in page
    assert "Calculations of equipment of every organisation." in page


def test_a_verifier_is_linked_to_review_what_awaits_it(app: Flask, client: FlaskClient) -> None:
    _, ids = _fill(app)
    login(client, VERIFIER)
    page = client.get("/calculations/").get_data(as_text=True)
    rows = _rows(page)
    assert [k for k, v in ids.items() if 'data-testid="calculation-review"' in rows[v]] == [
        "pv_june"]
    assert 'data-testid="calculation-mint"' not in page
    # the link prefills the review forms and marks the row
    page = client.get(f"/calculations/?calculation_id={ids['pv_june']}").get_data(as_text=True)
    for form in ("approve", "reject"):
        section = page[page.index(f'data-testid="{form}-form"'):]
        section = section[:section.index("</form>")]
        assert f'value="{ids["pv_june"]}"' in section
    assert 'class="selected" aria-current="true"' in _rows(page)[ids["pv_june"]]



def test_the_owner_is_linked_to_correct_an_unminted_calculation(app: Flask,
                                                                client: FlaskClient) -> None:
    _, ids = _fill(app)
    login(client, CUSTOMER)
    rows = _rows(client.get("/calculations/").get_data(as_text=True))
    assert {k for k, v in ids.items() if v in rows
            and 'data-testid="calculation-correct"' in rows[v]} == {"boiler_may", "boiler_june"}
    page = client.get(f"/calculations/?equipment_id=boiler-1&supersedes={ids['boiler_may']}"
                      ).get_data(as_text=True)
    form = page[page.index('data-testid="calculate-form"'):]
    form = form[:form.index("</form>")]
    assert 'value="boiler-1"' in form and f'value="{ids["boiler_may"]}"' in form

@pytest.mark.parametrize(("user", "expected", "scope"), [
    (CUSTOMER, {"boiler_may", "boiler_june"}, "CustomerMSP"),
    (CITY, {"pv_may", "pv_june_old", "pv_june"}, "MunicipalityMSP"),
    (VERIFIER, {"pv_may", "pv_june_old", "pv_june", "boiler_may", "boiler_june"}, ""),
    (AUDITOR, {"pv_may", "pv_june_old", "pv_june", "boiler_may", "boiler_june"}, ""),
])
def test_lists_are_scoped_to_the_users_org_unless_it_oversees_all(
        app: Flask, client: FlaskClient, user: str, expected: set[str], scope: str) -> None:
    _, ids = _fill(app)
    login(client, user)
    page = client.get("/calculations/").get_data(as_text=True)
    assert set(_rows(page)) == {ids[k] for k in expected}
    if scope:
        assert f"Calculations of equipment of {scope}." in page
    else:
        assert "Calculations of equipment of every organisation." in page


def test_the_state_filter(app: Flask, client: FlaskClient) -> None:
    _, ids = _fill(app)
    login(client, AUDITOR)
    page = client.get("/calculations/?state=approved").get_data(as_text=True)
    assert set(_rows(page)) == {ids["boiler_june"]}
    resp = client.get("/calculations/?state=pending")
    assert resp.status_code == 400 and "one of calculated, approved" in resp.get_data(
        as_text=True)


def test_an_empty_read_model_says_so(client: FlaskClient) -> None:
    login(client, CUSTOMER)
    resp = client.get("/calculations/")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'data-testid="readmodel-empty"' in page and "No calculations in the read model." in page
    assert "No stored batch of your devices is waiting to be anchored." in page


def test_the_nav_links_the_page_for_every_role(client: FlaskClient) -> None:
    for user in (AUDITOR, CUSTOMER, VERIFIER):
        login(client, user)
        page = client.get("/dashboard").get_data(as_text=True)
        assert 'href="/calculations/"' in page and ">Calculations<" in page


# -- anchoring --------------------------------------------------------------------------
def test_stored_batches_await_anchoring_with_the_header_the_device_signs(
        app: Flask, client: FlaskClient) -> None:
    world, _ = _fill(app)
    batch_ids = _store_boiler_upload(app)
    assert len(batch_ids) == 2
    login(client, CUSTOMER)
    page = client.get("/calculations/").get_data(as_text=True)
    found = re.findall(r'data-testid="pending-batch" data-batch="([^"]+)" data-meter="([^"]+)"',
                       page)
    assert found == [(b, "m-oil-1") for b in batch_ids]
    with app.app_context():
        header = stored_header(ingest_service().store, batch_ids[0], "m-oil-1")
    raw = encode_header(header)
    block = page[page.index(f'data-batch="{batch_ids[0]}"'):]
    block = block[:block.index("</details>")]
    assert f'data-testid="header-sha256">{hashlib.sha256(raw).hexdigest()}<' in block
    text = re.search(r'data-testid="header-text">(.*?)</pre>', block, re.S)
    assert text and html.unescape(text.group(1)) == raw.decode()
    # the exact bytes, to be signed on the device
    resp = client.get(f"/calculations/header?batch_id={batch_ids[0]}&meter_id=m-oil-1")
    assert resp.status_code == 200 and resp.data == raw
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    # the "anchor this batch" link prefills the form
    page = client.get(f"/calculations/?batch_id={batch_ids[0]}&meter_id=m-oil-1").get_data(
        as_text=True)
    form = page[page.index('data-testid="anchor-form"'):]
    assert f'value="{batch_ids[0]}"' in form[:form.index("</form>")]
    # the device signs; the portal submits (no peer here: 503, audited, entries kept)
    signature = sign_header(world.devices["boiler"].key, raw)  # type: ignore[attr-defined]
    resp = _post(client, "anchor", csrf_token(client, "/calculations/"),
                 batch_id=batch_ids[0], signature=signature)
    assert resp.status_code == 503
    assert signature in resp.get_data(as_text=True)
    [entry] = ledger_audit(app)
    assert (entry.action, entry.outcome, entry.target) == (
        "ledger.measurement:anchor_batch", "failed", batch_ids[0])
    # other orgs' devices are not listed; an anchored batch is not offered again
    login(client, CITY)
    page = client.get("/calculations/").get_data(as_text=True)
    assert 'data-testid="pending-batch"' not in page
    login(client, VERIFIER)  # may not anchor: no list, no header
    assert 'data-testid="pending-batches"' not in client.get("/calculations/").get_data(
        as_text=True)
    assert client.get(f"/calculations/header?batch_id={batch_ids[0]}").status_code == 403


def test_anchor_refusals_before_anything_is_sent(app: Flask, client: FlaskClient) -> None:
    _fill(app)
    batch_id = _store_boiler_upload(app)[0]
    login(client, CUSTOMER)
    token = csrf_token(client, "/calculations/")
    cases = [({"batch_id": batch_id, "signature": ""}, "signature", "signature", 400),
             ({"batch_id": batch_id, "signature": "ab" * 80}, "signature", "signature", 400),
             ({"batch_id": batch_id, "meter_id": "m oil", "signature": "ab"}, "meter_id",
              "identifier", 400),
             ({"batch_id": "", "signature": "ab"}, "batch_id", "required", 400),
             ({"batch_id": "f" * 64, "signature": "ab"}, "batch_id", "stored", 404)]
    for changes, field, rule, status in cases:
        resp = _post(client, "anchor", token, **changes)
        assert resp.status_code == status, changes
        error = field_error(resp.get_data(as_text=True))
        assert (error["field"], error["rule"], error["status"]) == (field, rule, str(status))
    assert ledger_audit(app) == []


# -- forms ------------------------------------------------------------------------------
@pytest.mark.parametrize("user", list(VISIBLE))
def test_each_role_sees_only_the_forms_it_may_post(app: Flask, client: FlaskClient,
                                                   user: str) -> None:
    login(client, user)
    assert_only_allowed_forms(app, client, "/calculations/", FORMS, VISIBLE[user], _post)


def test_posts_need_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    for user in (OPERATOR, VERIFIER):
        login(client, user)
        for name in VISIBLE[user]:
            assert _post(client, name, None).status_code == 400, name
    assert ledger_audit(app) == []


@pytest.mark.parametrize(("form", "changes", "field", "value", "rule"), [
    ("calculate", {"equipment_id": "pv 1"}, "equipment_id", "pv 1", "identifier"),
    ("calculate", {"period_start": "yesterday"}, "period_start", "yesterday", "timestamp"),
    ("calculate", {"period_end": "2024-07-01T00:00:00"}, "period_end", "", "after-start"),
    ("calculate", {"reason": "typo"}, "reason", "typo", "supersedes-only"),
    ("calculate", {"supersedes": CALC_ID}, "reason", "", "required"),
    ("approve", {"calculation_id": ""}, "calculation_id", "", "required"),
    ("approve", {"calculation_id": "calc 1"}, "calculation_id", "calc 1", "identifier"),
    ("reject", {"comment": ""}, "comment", "", "required"),
    ("mint", {"lot_id": "lot 1"}, "lot_id", "lot 1", "identifier"),
    ("mint", {"calculation_id": ""}, "calculation_id", "", "required"),
])
def test_bad_input_is_400_beside_its_field_and_nothing_is_sent(
        app: Flask, client: FlaskClient, form: str, changes: dict[str, str], field: str,
        value: str, rule: str) -> None:
    login(client, FORMS[form][2])
    resp = _post(client, form, csrf_token(client, "/calculations/"), **changes)
    assert resp.status_code == 400
    error = field_error(resp.get_data(as_text=True))
    assert (error["field"], error["path"], error["rule"], error["status"]) == (
        field, field, rule, "400")
    if value:
        assert error["value"] == value
    assert ledger_audit(app) == []


@pytest.mark.parametrize("form", [f for f in FORMS if f != "anchor"])
def test_valid_submissions_without_a_peer_are_503_and_keep_the_entries(
        app: Flask, client: FlaskClient, form: str) -> None:
    path, testid, user, values, action = FORMS[form]
    login(client, user)
    resp = _post(client, form, csrf_token(client, "/calculations/"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503
    section = page[page.index(f'data-testid="{testid}"'):]
    section = section[:section.index("</form>")]
    assert f"ledger unavailable: {REASON}" in section
    assert "nothing was submitted" in section
    for name, value in values.items():
        assert f'name="{form}-{name}"' in section, name
        if value:
            assert value in section, name
    entries = ledger_audit(app)
    target = values.get("calculation_id") or values.get("equipment_id")
    assert [(e.action, e.outcome, e.actor, e.target) for e in entries] == [
        (action, "failed", user, target)]
    assert REASON in entries[0].detail


@pytest.mark.parametrize(("form", "service", "events", "links"), [
    ("mint", "mint", [{"name": "EventMintReduction", "attributes": {
        "calculation_id": CALC_ID, "lot_id": "lot-ena-2024-05", "quantity_kg": 4338}}],
     [("calculation", f"/calculations/?calculation_id={CALC_ID}#{CALC_ID}"),
      ("trace", "/trace/?q=lot-ena-2024-05")]),
    ("calculate", "calculate", [{"name": "EventCalculate", "attributes": {
        "calculation_id": "calc-" + "1" * 32, "equipment_id": "pv-1"}}],
     [("calculation", f"/calculations/?calculation_id=calc-{'1' * 32}#calc-{'1' * 32}")]),
])
def test_a_committed_transaction_is_shown_with_its_links(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch, form: str, service: str,
        events: list[dict[str, Any]], links: list[tuple[str, str]]) -> None:
    """The page after a commit (the service is stubbed: there is no peer here)."""
    committed = {"operation": f"measurement:{service}", "transaction_id": "ab12",
                 "block_number": 9, "events": events}
    monkeypatch.setattr(calculations_service, service, lambda user, *args: committed)
    login(client, FORMS[form][2])
    resp = _post(client, form, csrf_token(client, "/calculations/"))
    assert resp.status_code == 303
    calculation_id = events[0]["attributes"]["calculation_id"]
    assert resp.headers["Location"].endswith(f"/calculations/?calculation_id={calculation_id}")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"measurement:{service}, transaction ab12, block 9" in page
    for kind, href in links:
        assert f'href="{href}" data-testid="result-{kind}"' in page


def test_the_page_in_japanese(client: FlaskClient) -> None:
    login(client, VERIFIER)
    page = client.get("/calculations/", headers={"Accept-Language": "ja"}).get_data(
        as_text=True)
    assert "算定" in page and "算定の承認" in page
    assert "Approve a calculation" not in page


# -- permissions mirror the chaincode ----------------------------------------------------
def _passes(check: Any) -> bool:
    try:
        check()
    except ForbiddenError:
        return False
    return True


@pytest.mark.parametrize("msp", ["PlatformMSP", "CustomerMSP"])
@pytest.mark.parametrize("role", sorted(ROLES))
def test_permissions_follow_the_chaincodes_checks(role: str, msp: str) -> None:
    """Anchoring and calculating act for the owner's org (`require_acts_for`), reviews
    are a verifier's of another org (`require_verifier`), minting a PlatformMSP
    operator's (`require_platform_operator`); the table knows roles, so a PlatformMSP
    identity is asked for reviews and mints."""
    ctx = TxContext("tx-1", datetime(2026, 4, 1, tzinfo=UTC), Actor(msp, "x509::CN=u::CN=ca",
                                                                     {"role": role}))
    acts = _passes(lambda: require_acts_for(ctx, msp, "calculate"))
    assert allowed(role, "calculations.calculate") is acts
    assert allowed(role, "calculations.anchor") is acts
    if msp == "PlatformMSP":
        reviews = _passes(lambda: require_verifier(ctx, "approve", not_of="CustomerMSP"))
        assert allowed(role, "calculations.review") is reviews
        assert allowed(role, "calculations.mint") is _passes(
            lambda: require_platform_operator(ctx, "mint"))
    assert allowed(role, "calculations.view")


# -- REST API ---------------------------------------------------------------------------
def test_api_lists_calculations_scoped_with_state_and_tx(app: Flask, client: FlaskClient
                                                        ) -> None:
    world, ids = _fill(app)
    assert client.get("/api/v1/calculations").status_code == 401
    body = client.get("/api/v1/calculations", headers=bearer(app, CITY)).get_json()
    assert body["scope"] == "MunicipalityMSP"
    items = {c["calculation_id"]: c for c in body["items"]}
    assert set(items) == {ids["pv_may"], ids["pv_june_old"], ids["pv_june"]}
    minted = items[ids["pv_may"]]
    tx, block = tx_of(world, "EventMintReduction", calculation_id=ids["pv_may"])
    assert (minted["state"], minted["reduction_kg"], minted["tx_id"], minted["block_number"]) \
        == ("minted", 4338, tx, block)
    assert minted["lot_id"] == "lot-" + ids["pv_may"].removeprefix("calc-")
    assert minted["factor_versions"] == ["jp-grid/jp-grid-fy2024@2"]
    assert len(minted["batch_ids"]) == 2 and minted["review_comment"] == "checked"
    assert items[ids["pv_june_old"]]["superseded_by"] == ids["pv_june"]
    assert body["read_model"]["projected_blocks"] == len(world.records) + 1
    approved = client.get("/api/v1/calculations?state=approved",
                          headers=bearer(app, AUDITOR)).get_json()
    assert [c["calculation_id"] for c in approved["items"]] == [ids["boiler_june"]]
    resp = client.get("/api/v1/calculations?state=pending", headers=bearer(app, AUDITOR))
    assert resp.status_code == 400 and resp.get_json()["field"] == "state"


def test_api_pending_batches_and_anchoring(app: Flask, client: FlaskClient) -> None:
    world, _ = _fill(app)
    batch_ids = _store_boiler_upload(app)
    body = client.get("/api/v1/batches/pending", headers=bearer(app, CUSTOMER)).get_json()
    assert body["scope"] == "CustomerMSP" and body["more"] is False
    assert [(p["batch_id"], p["device_id"], p["meter_id"]) for p in body["items"]] == [
        (b, "pushlog-1", "m-oil-1") for b in batch_ids]
    first = body["items"][0]
    assert hashlib.sha256(first["header"].encode()).hexdigest() == first["header_sha256"]
    resp = client.get("/api/v1/batches/pending", headers=bearer(app, VERIFIER))
    assert resp.status_code == 403 and resp.get_json()["rule"] == "permission:calculations.anchor"
    signature = sign_header(world.devices["boiler"].key,  # type: ignore[attr-defined]
                            first["header"].encode())
    anchor = {"batch_id": batch_ids[0], "meter_id": "m-oil-1", "signature": signature}
    resp = client.post("/api/v1/batches/anchors", json={**anchor, "batch_id": "f" * 64},
                       headers=bearer(app, CUSTOMER))
    assert resp.status_code == 404 and resp.get_json()["rule"] == "stored"
    resp = client.post("/api/v1/batches/anchors", json={**anchor, "signature": ["ab"]},
                       headers=bearer(app, CUSTOMER))
    assert resp.status_code == 400 and resp.get_json()["field"] == "signature"
    assert ledger_audit(app) == []
    resp = client.post("/api/v1/batches/anchors", json=anchor, headers=bearer(app, CUSTOMER))
    assert resp.status_code == 503 and resp.get_json()["rule"] == "ledger_unavailable"
    [entry] = ledger_audit(app)
    assert (entry.action, entry.target) == ("ledger.measurement:anchor_batch", batch_ids[0])


def test_api_writes_need_a_token_and_the_permission(app: Flask, client: FlaskClient) -> None:
    period = {"equipment_id": "pv-1", "period_start": "2024-08-01T00:00:00+09:00",
              "period_end": "2024-09-01T00:00:00+09:00"}
    login(client, CITY)  # the session cookie does not authorise writes
    assert client.post("/api/v1/calculations", json=period).status_code == 401
    refusals = [("/api/v1/calculations", period, AUDITOR, "calculate"),
                (f"/api/v1/calculations/{CALC_ID}/approve", {}, CITY, "review"),
                (f"/api/v1/calculations/{CALC_ID}/reject", {"comment": "x"}, OPERATOR,
                 "review"),
                (f"/api/v1/calculations/{CALC_ID}/mint", {}, VERIFIER, "mint"),
                ("/api/v1/batches/anchors", {"batch_id": "b", "signature": "ab"}, VERIFIER,
                 "anchor")]
    for path, body, user, permission in refusals:
        resp = client.post(path, json=body, headers=bearer(app, user))
        assert resp.status_code == 403, path
        assert resp.get_json()["rule"] == f"permission:calculations.{permission}"
    resp = client.post("/api/v1/calculations", json={**period, "period_end": "2024-07-01"},
                       headers=bearer(app, CITY))
    problem = resp.get_json()
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
    assert (problem["field"], problem["value"], problem["rule"]) == (
        "period_end", "2024-07-01", "timestamp")
    resp = client.post(f"/api/v1/calculations/{CALC_ID}/reject", json={},
                       headers=bearer(app, VERIFIER))
    assert resp.status_code == 400 and resp.get_json()["field"] == "comment"
    assert ledger_audit(app) == []
    for path, body, user in [("/api/v1/calculations", period, CITY),
                             (f"/api/v1/calculations/{CALC_ID}/approve", None, VERIFIER),
                             (f"/api/v1/calculations/{CALC_ID}/mint", {"lot_id": "lot-x"},
                              OPERATOR)]:
        resp = client.post(path, json=body, headers=bearer(app, user)) if body is not None \
            else client.post(path, headers=bearer(app, user))
        assert resp.status_code == 503 and resp.get_json()["rule"] == "ledger_unavailable"
        assert REASON in resp.get_json()["detail"]
    assert [(e.action, e.outcome, e.target) for e in ledger_audit(app)] == [
        ("ledger.measurement:calculate", "failed", "pv-1"),
        ("ledger.measurement:approve_calculation", "failed", CALC_ID),
        ("ledger.measurement:mint", "failed", CALC_ID)]


def test_the_calculation_operations_are_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    ops = {(p, m) for p, o in paths.items()
           if p.startswith(("/api/v1/calculations", "/api/v1/batches")) for m in o}
    assert ops == {
        ("/api/v1/calculations", "get"), ("/api/v1/calculations", "post"),
        ("/api/v1/calculations/dry-run", "post"),
        ("/api/v1/calculations/{calculation_id}/approve", "post"),
        ("/api/v1/calculations/{calculation_id}/reject", "post"),
        ("/api/v1/calculations/{calculation_id}/mint", "post"),
        ("/api/v1/batches/pending", "get"), ("/api/v1/batches/anchors", "post")}
    anchor = paths["/api/v1/batches/anchors"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "422", "503"} == set(anchor["responses"])
    assert paths["/api/v1/calculations"]["post"]["tags"] == ["calculations"]
    state = paths["/api/v1/calculations"]["get"]["parameters"][0]
    assert state["name"] == "state" and "minted" in state["schema"]["enum"]

