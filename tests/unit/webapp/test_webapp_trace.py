"""The traceability explorer: a lot down to single readings from the read model and the
off-chain store, and the in-place Merkle-root and inclusion-proof checks.

The lineage is real: simulated boiler data ingested into a SQLite store, the device,
meter and batches registered/anchored, calculated, approved and minted with the
chaincode's domain functions (tests/unit/verify/verify_world.py); every transaction is
recorded as the listener sees it and projected into the read model.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "verify"))

from verify_world import Lineage, build_lineage, tamper_value  # noqa: E402

from envalue.chaincode.domain.events import DomainEvent  # noqa: E402
from envalue.chaincode.domain.measurement.signature import public_key_pem  # noqa: E402
from envalue.chaincode.identity import Actor  # noqa: E402
from envalue.ingest.store import IngestStore  # noqa: E402
from envalue.readmodel import ChaincodeEventRecord, Projector, make_sessions  # noqa: E402
from envalue.readmodel.schema import Calculation, UnprojectedEvent  # noqa: E402
from envalue.webapp import create_app  # noqa: E402
from envalue.webapp.db import PortalUser, get_session  # noqa: E402
from envalue.webapp.extensions import limiter  # noqa: E402
from tests.unit.readmodel.readmodel_world import record_submit  # noqa: E402

from .webapp_helpers import add_user, csrf_token, login, portal_config  # noqa: E402

pytestmark = pytest.mark.unit




@pytest.fixture(scope="module")
def lineage(tmp_path_factory: pytest.TempPathFactory) -> tuple[Lineage, str]:
    """The lineage, and the URL of a read model its transactions were projected into."""
    from registry_world import World as RegistryWorld

    records: list[ChaincodeEventRecord] = []
    original = RegistryWorld.submit

    def submit(self: Any, who: Actor, module: ModuleType, msg: Any) -> list[DomainEvent]:
        return record_submit(self, records, who, module, msg)[1]

    tmp = tmp_path_factory.mktemp("trace")
    RegistryWorld.submit = submit  # type: ignore[method-assign]
    try:
        built = build_lineage(tmp)
    finally:
        RegistryWorld.submit = original  # type: ignore[method-assign]
    url = f"sqlite:///{tmp / 'readmodel.db'}"
    sessions = make_sessions(url)
    projector = Projector()
    with sessions.begin() as session:
        for record in records:
            projector.apply(session, record)
    with sessions() as session:
        assert session.query(UnprojectedEvent).count() == 0
    return built, url


def _app(tmp: Path, fabric_ca: Any, readmodel: str, store_url: str) -> Flask:
    app = create_app(portal_config(tmp, READMODEL_URL=readmodel,
                                   INGEST_DATABASE_URL=store_url))
    limiter.reset()
    add_user(app, fabric_ca, "auditor1", "auditor", "platform")
    add_user(app, fabric_ca, "guest1", "customer", "customer")
    return app


@pytest.fixture
def store_copy(lineage: tuple[Lineage, str], tmp_path: Path) -> str:
    """A private copy of the off-chain database (tests tamper with it)."""
    dst = tmp_path / "offchain-copy.db"
    shutil.copy(Path(lineage[0].db_url.removeprefix("sqlite:///")), dst)
    return f"sqlite:///{dst}"


@pytest.fixture
def client(lineage: tuple[Lineage, str], store_copy: str, tmp_path: Path, fabric_ca: Any
           ) -> FlaskClient:
    c = _app(tmp_path, fabric_ca, lineage[1], store_copy).test_client()
    login(c, "auditor1@platform")
    return c


def _post(client: FlaskClient, path: str) -> Any:
    token = csrf_token(client, "/trace/")
    return client.post(path, headers={"X-CSRFToken": token, "Accept": "application/json"})


def test_the_tree_of_a_lot_reaches_the_readings(client: FlaskClient,
                                                lineage: tuple[Lineage, str]) -> None:
    built = lineage[0]
    resp = client.get(f"/trace/?q={built.lot_id}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200, page
    assert 'data-testid="trace-lot"' in page and built.calculation_id in page
    first = built.result.batches[0]
    assert first.merkle_root in page
    assert page.count('data-testid="trace-batch"') == len(built.result.batches)
    # readings of the first batch as stored, one verify button each (first page)
    readings = built.store.raw_readings_of(first.batch_id)
    assert f'data-row="{readings[0]["id"]}"' in page
    assert 'data-testid="check-reading"' in page and "js/trace.js" in page


def test_the_service_tree_names_tx_and_block_per_node(client: FlaskClient,
                                                       lineage: tuple[Lineage, str]) -> None:
    from envalue.webapp.services import trace as svc

    built = lineage[0]
    app = client.application
    with app.test_request_context():
        user = get_session().query(PortalUser).filter_by(username="auditor1@platform").one()
        tree = svc.trace_lot(user, built.lot_id)
    [lot] = tree["lots"]
    calc = lot["calculation"]
    assert calc["calculation_id"] == built.calculation_id
    assert calc["methodology"] == "boiler-replacement" and calc["factor_versions"]
    assert {b["batch_id"] for b in calc["batches"]} == {b.batch_id for b in
                                                        built.result.batches}
    batch = calc["batches"][0]
    assert batch["tx_id"] and batch["block_number"] > 0 and batch["device"]["tx_id"]
    assert batch["readings"]["found"] and batch["readings"]["rows"]
    assert batch["readings"]["total"] == batch["reading_count"]


def test_batch_check_passes_then_names_the_tampered_reading(
        client: FlaskClient, lineage: tuple[Lineage, str], store_copy: str) -> None:
    built = lineage[0]
    batch_id = built.result.batches[0].batch_id
    resp = _post(client, f"/trace/check/batch/{batch_id}")
    assert resp.status_code == 200 and resp.json["status"] == "pass", resp.json
    rows = built.store.raw_readings_of(batch_id)
    victim = rows[3]
    untouched = rows[5]
    ok = _post(client, f"/trace/check/reading/{batch_id}/{untouched['id']}").json
    assert ok["status"] == "pass" and ok["check"] == "reading.inclusion", ok

    tamper_value(IngestStore(store_copy), int(victim["id"]), "999999")
    answer = _post(client, f"/trace/check/batch/{batch_id}").json
    assert answer["status"] == "fail"
    [tampered] = answer["tampered"]
    assert (tampered["row_id"], tampered["change"]) == (victim["id"], "altered")
    assert f"row {victim['id']}" in answer["reason"] and "999999" in answer["reason"]
    bad = _post(client, f"/trace/check/reading/{batch_id}/{victim['id']}").json
    assert bad["status"] == "fail" and "this reading was altered" in bad["reason"]


def test_signature_check_runs_on_the_read_models_copy(client: FlaskClient,
                                                     lineage: tuple[Lineage, str]) -> None:
    built = lineage[0]
    batch = built.result.batches[0]
    answer = _post(client, f"/trace/check/signature/{batch.batch_id}").json
    assert answer["status"] == "pass", answer
    assert answer["check"] == "batch.signature" and "signed by edge device" in answer["reason"]
    assert answer["anchored"]["batch_id"] == batch.batch_id and answer["anchored"]["tx_id"]
    assert answer["device"]["key_fingerprint"] and answer["device"]["block_number"] > 0


def _tampered_read_model(lineage: tuple[Lineage, str], tmp_path: Path, sql: str,
                         **params: Any) -> str:
    """A copy of the projected read model with one row changed by `sql`."""
    dst = tmp_path / "readmodel-copy.db"
    shutil.copy(Path(lineage[1].removeprefix("sqlite:///")), dst)
    with sqlite3.connect(dst) as db:
        assert db.execute(sql, params).rowcount == 1
    return f"sqlite:///{dst}"


@pytest.mark.parametrize(("sql", "reason"), [
    ("UPDATE rm_measurement_batches SET reading_count = reading_count + 1 "
     "WHERE batch_id = :batch", "not what was anchored"),
    ("UPDATE rm_devices SET public_key_pem = :other WHERE device_id = :device",
     "is not the key the batch was anchored with"),
])
def test_signature_check_fails_on_an_altered_copy(
        lineage: tuple[Lineage, str], store_copy: str, tmp_path: Path, fabric_ca: Any,
        sql: str, reason: str) -> None:
    batch = lineage[0].result.batches[0]
    other = public_key_pem(ec.generate_private_key(ec.SECP256R1()))
    url = _tampered_read_model(lineage, tmp_path, sql, batch=batch.batch_id,
                               device=batch.device_id, other=other)
    client = _app(tmp_path, fabric_ca, url, store_copy).test_client()
    login(client, "auditor1@platform")
    answer = _post(client, f"/trace/check/signature/{batch.batch_id}").json
    assert answer["status"] == "fail" and reason in answer["reason"], answer


def test_unknown_ids_are_404_with_the_lag(client: FlaskClient) -> None:
    resp = client.get("/trace/?q=LOT-NOPE")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404
    assert "not in the read model" in page and "LOT-NOPE" in page
    resp = _post(client, "/trace/check/batch/nope")
    assert resp.status_code == 404 and resp.json["rule"] == "not_in_read_model"


def test_without_permission_is_refused(client: FlaskClient) -> None:
    app = client.application
    with app.app_context():
        db = get_session()
        user = db.query(PortalUser).filter_by(username="guest1@customer").one()
        user.role = "nobody"  # a role the permission table does not grant trace.view
        db.commit()
    other = app.test_client()
    login(other, "guest1@customer")
    assert other.get("/trace/?q=x").status_code == 403
    token = csrf_token(other, "/login")
    resp = other.post("/trace/check/batch/x", headers={"X-CSRFToken": token,
                                                       "Accept": "application/json"})
    assert resp.status_code == 403


def test_checks_need_the_csrf_token(client: FlaskClient, lineage: tuple[Lineage, str]) -> None:
    batch_id = lineage[0].result.batches[0].batch_id
    assert client.post(f"/trace/check/batch/{batch_id}").status_code == 400


def test_a_listed_input_batch_missing_from_the_read_model_is_named(
        lineage: tuple[Lineage, str], store_copy: str, tmp_path: Path, fabric_ca: Any) -> None:
    built = lineage[0]
    gone = built.result.batches[0].batch_id
    url = _tampered_read_model(lineage, tmp_path, "DELETE FROM rm_measurement_batches "
                               "WHERE batch_id = :batch", batch=gone)
    client = _app(tmp_path, fabric_ca, url, store_copy).test_client()
    login(client, "auditor1@platform")
    page = client.get(f"/trace/?q={built.lot_id}").get_data(as_text=True)
    assert page.count('data-testid="trace-batch"') == len(built.result.batches) - 1
    assert 'data-testid="trace-missing"' in page and gone in page
    assert f"read by calculation {built.calculation_id}" in page


def test_the_dashboard_sums_the_minted_reduction(client: FlaskClient,
                                                 lineage: tuple[Lineage, str]) -> None:
    with make_sessions(lineage[1])() as session:
        calc = session.get(Calculation, lineage[0].calculation_id)
        kg, site = calc.reduction_kg, calc.site_id
    page = client.get("/dashboard").get_data(as_text=True)  # auditor: every organisation
    assert f'data-testid="verified-reduction-kg">{kg:,} kg-CO2e<' in page
    assert re.search(rf'<tr data-site="{site}"><td>{site}</td><td class="num">{kg:,}</td>', page)
    body = client.get("/api/v1/dashboard/ledger-figures").get_json()
    assert (body["org"], body["verified_reduction_kg"]) == ("", kg)
    assert body["reductions"]["minted"] == {"count": 1, "kg": kg}
    assert body["tokens_kg"]["tradable"] == kg
