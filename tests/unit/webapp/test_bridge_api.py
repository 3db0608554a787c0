"""The bridge REST API: signed requests, idempotency by request id, problem+json, 503.

Identities are certificates from throwaway Fabric-like CAs carrying the ``role``
attribute the way Fabric CA writes it (`webapp_helpers.FakeFabricCA`). The ledger side
is the recording adapter of the bridge service's unit tests (`tests/unit/bridge/
relay_doubles.py`) where a test needs a ledger to answer, and the real Fabric connector
(no peer on this machine) where it must not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.testing import FlaskClient

from envalue.bridge.request_auth import Caller
from envalue.bridge.signing import (
    CERTIFICATE_HEADER,
    REQUEST_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign_request,
)
from envalue.chaincode.domain.errors import ConflictError
from envalue.webapp import create_app
from envalue.webapp.bridge_api.ledgers import LedgerSet
from tests.unit.bridge.relay_doubles import HOME, PARTNER, Ledgers

from .webapp_helpers import FakeFabricCA, portal_config

pytestmark = pytest.mark.unit

EXPIRES = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()


class Identity:
    """A certificate with a role, its key, and its holder key as chaincode computes it."""

    def __init__(self, ca: FakeFabricCA, msp: str, cn: str, role: str | None) -> None:
        self.msp = msp
        self.cert, self.key = ca.issue(cn, {"role": role} if role else {})
        from envalue.chaincode.identity import actor_from_certificate

        self.owner_key = f"{msp}/{actor_from_certificate(msp, self.cert).id}"

    def headers(self, method: str, url: str, body: bytes = b"", **kw: Any) -> dict[str, str]:
        return sign_request(self.key, self.cert, method, url, body, **kw)


class RecordingLedgers:
    """`BridgeLedgers` over the recording adapters; the owner's home adapter included."""

    def __init__(self, ledgers: Ledgers) -> None:
        self.ledgers = ledgers

    @contextmanager
    def open(self, caller: Caller) -> Iterator[LedgerSet]:
        yield LedgerSet(self.ledgers.adapter(HOME), self.ledgers.adapter(PARTNER),
                        owner_home=self.ledgers.adapter(HOME))


@pytest.fixture(scope="module")
def cas() -> dict[str, FakeFabricCA]:
    return {"customer": FakeFabricCA("ca.customer.envalue.local"),
            "exchange": FakeFabricCA("ca.exchange.partner.local"),
            "foreign": FakeFabricCA("ca.intruder.example")}


def _roots(cas: dict[str, FakeFabricCA]) -> dict[str, list[bytes]]:
    from cryptography.hazmat.primitives import serialization

    pem = {k: ca.cert.public_bytes(serialization.Encoding.PEM) for k, ca in cas.items()}
    return {"CustomerMSP": [pem["customer"]], "ExchangeMSP": [pem["exchange"]]}


@pytest.fixture
def ledgers() -> Ledgers:
    return Ledgers()


@pytest.fixture
def app(tmp_path: Path, cas: dict[str, FakeFabricCA], ledgers: Ledgers) -> Flask:
    return create_app(portal_config(tmp_path, BRIDGE_TRUST_ROOTS=_roots(cas),
                                    BRIDGE_LEDGERS=RecordingLedgers(ledgers)))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def alice(cas: dict[str, FakeFabricCA]) -> Identity:
    return Identity(cas["customer"], "CustomerMSP", "alice", "customer")


@pytest.fixture
def relay(cas: dict[str, FakeFabricCA]) -> Identity:
    return Identity(cas["exchange"], "ExchangeMSP", "relay", "bridge")


def pledge_body(owner: Identity, **changes: Any) -> bytes:
    fields = {"pledge_id": "P-1", "owner": owner.owner_key, "lot_id": "LOT-1",
              "quantity_kg": 500, "target_network": PARTNER,
              "recipient": "MemberMSP/x509::CN=dave::CN=ca.member", "expires_at": EXPIRES}
    return json.dumps({**fields, **changes}).encode()


def post(client: FlaskClient, who: Identity, path: str, body: bytes, **sign: Any) -> Any:
    headers = who.headers("POST", path, body, **sign)
    return client.post(path, data=body, headers=headers, content_type="application/json")


def problem(response: Any, status: int, rule: str, field: str | None = None
            ) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["rule"] == rule and body["status"] == status
    if field is not None:
        assert body["field"] == field
    return body


# -- signed requests -----------------------------------------------------------------------

def test_a_signed_request_is_accepted(client: FlaskClient, relay: Identity):
    response = client.get("/bridge/v1/events?after=0",
                          headers=relay.headers("GET", "/bridge/v1/events?after=0"))
    assert response.status_code == 200
    assert response.get_json() == {"events": [], "next": "0"}


@pytest.mark.parametrize("missing", [REQUEST_ID_HEADER, TIMESTAMP_HEADER, CERTIFICATE_HEADER,
                                     SIGNATURE_HEADER])
def test_missing_headers_are_refused(client: FlaskClient, relay: Identity, missing: str):
    headers = relay.headers("GET", "/bridge/v1/events")
    del headers[missing]
    problem(client.get("/bridge/v1/events", headers=headers), 401,
            "signature-header-missing", missing)


def test_a_bad_signature_is_refused(client: FlaskClient, relay: Identity):
    headers = relay.headers("GET", "/bridge/v1/events")
    other = ec.generate_private_key(ec.SECP256R1())
    forged = sign_request(other, relay.cert, "GET", "/bridge/v1/events",
                          request_id=headers[REQUEST_ID_HEADER])
    headers[SIGNATURE_HEADER] = forged[SIGNATURE_HEADER]
    problem(client.get("/bridge/v1/events", headers=headers), 401, "bad-signature",
            SIGNATURE_HEADER)


def test_a_certificate_from_a_foreign_ca_is_refused(client: FlaskClient,
                                                    cas: dict[str, FakeFabricCA]):
    intruder = Identity(cas["foreign"], "ExchangeMSP", "relay", "bridge")
    body = problem(client.get("/bridge/v1/events",
                              headers=intruder.headers("GET", "/bridge/v1/events")),
                   401, "untrusted-certificate", CERTIFICATE_HEADER)
    assert "not issued by a trusted CA" in body["detail"]


def test_a_stale_timestamp_is_refused(client: FlaskClient, relay: Identity):
    old = datetime.now(UTC) - timedelta(minutes=10)
    problem(client.get("/bridge/v1/events",
                       headers=relay.headers("GET", "/bridge/v1/events", timestamp=old)),
            401, "stale-timestamp", TIMESTAMP_HEADER)


def test_a_body_or_query_changed_after_signing_is_refused(client: FlaskClient,
                                                          alice: Identity, ledgers: Ledgers):
    signed = pledge_body(alice)
    headers = alice.headers("POST", "/bridge/v1/pledges", signed)
    tampered = pledge_body(alice, quantity_kg=5000)
    problem(client.post("/bridge/v1/pledges", data=tampered, headers=headers,
                        content_type="application/json"), 401, "bad-signature")
    headers = alice.headers("GET", "/bridge/v1/events?after=0")
    problem(client.get("/bridge/v1/events?after=7", headers=headers), 401, "bad-signature")
    assert ledgers.calls == []


def test_the_role_comes_from_the_certificate(client: FlaskClient, alice: Identity,
                                             ledgers: Ledgers):
    body = json.dumps({"pledge_id": "P-1"}).encode()
    refused = problem(post(client, alice, "/bridge/v1/claims", body), 403, "role", "role")
    assert refused["value"] == "customer"
    assert ledgers.calls == []


def test_only_the_owner_pledges(client: FlaskClient, alice: Identity, relay: Identity):
    problem(post(client, relay, "/bridge/v1/pledges", pledge_body(alice)), 403,
            "owner-only", "owner")


# -- idempotency -------------------------------------------------------------------------

def test_a_replay_gets_the_stored_answer_without_a_second_ledger_call(
        client: FlaskClient, alice: Identity, ledgers: Ledgers):
    body = pledge_body(alice)
    first = post(client, alice, "/bridge/v1/pledges", body, request_id="req-1")
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.get_json()["transfer"]["state"] == "claimed"
    calls = list(ledgers.calls)
    again = post(client, alice, "/bridge/v1/pledges", body, request_id="req-1")
    assert again.status_code == 201 and again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert ledgers.calls == calls
    assert ledgers.commits(HOME, "pledge") == ledgers.commits(PARTNER, "claim") == 1

    other = post(client, alice, "/bridge/v1/pledges", pledge_body(alice, quantity_kg=7),
                 request_id="req-1")
    body409 = problem(other, 409, "idempotency-key-reuse", REQUEST_ID_HEADER)
    assert body409["value"] == "req-1"
    assert ledgers.calls == calls


def test_a_refusal_is_problem_json_with_the_transfer(client: FlaskClient, relay: Identity,
                                                     alice: Identity, ledgers: Ledgers):
    ledgers.refuse[(PARTNER, "claim")] = ConflictError(
        "proof.view.record.expires_at", EXPIRES, "expired", "the pledge expired")
    created = post(client, alice, "/bridge/v1/pledges", pledge_body(alice))
    assert created.status_code == 201
    assert created.get_json()["transfer"]["state"] == "refundable"
    claim = post(client, relay, "/bridge/v1/claims", json.dumps({"pledge_id": "P-1"}).encode())
    body = problem(claim, 409, "expired", "proof.view.record.expires_at")
    assert body["transfer"]["state"] == "refundable"


def test_invalid_messages_name_field_value_and_rule(client: FlaskClient, alice: Identity):
    body = problem(post(client, alice, "/bridge/v1/pledges", pledge_body(alice,
                                                                          quantity_kg=1.5)),
                   400, "integer", "quantity_kg")
    assert body["value"] == "1.5"
    problem(post(client, alice, "/bridge/v1/pledges", pledge_body(alice, colour="red")),
            400, "unknown-field", "colour")


# -- no peer -------------------------------------------------------------------------------

def test_without_a_peer_the_api_answers_503_with_the_reason(
        tmp_path: Path, cas: dict[str, FakeFabricCA], alice: Identity, relay: Identity):
    app = create_app(portal_config(tmp_path, BRIDGE_TRUST_ROOTS=_roots(cas),
                                   BRIDGE_PARTNER_NETWORK_ID=PARTNER))
    client = app.test_client()
    status = client.get("/bridge/v1/pledges/P-1",
                        headers=relay.headers("GET", "/bridge/v1/pledges/P-1"))
    body = problem(status, 503, "ledger_unavailable")
    assert "the Fabric network is not running in unit tests" in body["detail"]

    created = post(client, alice, "/bridge/v1/pledges", pledge_body(alice), request_id="r-9")
    problem(created, 503, "ledger_unavailable")
    again = post(client, alice, "/bridge/v1/pledges", pledge_body(alice), request_id="r-9")
    problem(again, 503, "ledger_unavailable")  # not kept: the same id may be retried
    assert "Idempotent-Replayed" not in again.headers
    proof = client.get("/bridge/v1/pledges/P-1/proof",
                       headers=relay.headers("GET", "/bridge/v1/pledges/P-1/proof"))
    problem(proof, 503, "ledger_unavailable")


def test_openapi_document_lists_the_bridge_operations(client: FlaskClient):
    spec = client.get("/bridge/v1/openapi.json").get_json()
    assert spec["info"]["title"] == "envalue bridge API"
    assert set(spec["paths"]) == {
        "/bridge/v1/pledges", "/bridge/v1/pledges/{pledge_id}",
        "/bridge/v1/pledges/{pledge_id}/proof", "/bridge/v1/claims", "/bridge/v1/returns",
        "/bridge/v1/reclaims", "/bridge/v1/events"}
    post_op = spec["paths"]["/bridge/v1/pledges"]["post"]
    assert {"X-Envalue-Signature": [], "X-Envalue-Certificate": [],
            "X-Timestamp": []} in post_op["security"]


def test_openapi_document_loads_in_schemathesis(app: Flask):
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/bridge/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7


# -- flows and the feed ----------------------------------------------------------------------

def test_return_reclaim_and_the_event_feed(client: FlaskClient, alice: Identity,
                                           relay: Identity, ledgers: Ledgers):
    burn = {"burn_id": "B-1", "owner": "MemberMSP/x509::CN=dave::CN=ca.member",
            "source_network": HOME, "lot_id": "LOT-1", "quantity_kg": 200,
            "home_recipient": alice.owner_key}
    import asyncio

    asyncio.run(ledgers.adapter(PARTNER).submit("burn", burn))  # dave's own partner client
    returned = post(client, relay, "/bridge/v1/returns", json.dumps(burn).encode())
    assert returned.status_code == 200, returned.get_data(as_text=True)
    assert returned.get_json()["transfer"]["state"] == "released"

    ledgers.refuse[(PARTNER, "claim")] = ConflictError("proof", "P-1", "expired", "expired")
    assert post(client, alice, "/bridge/v1/pledges", pledge_body(alice)).status_code == 201
    reclaimed = post(client, alice, "/bridge/v1/reclaims",
                     json.dumps({"pledge_id": "P-1"}).encode())
    assert reclaimed.status_code == 200, reclaimed.get_data(as_text=True)
    assert reclaimed.get_json()["transfer"]["state"] == "reclaimed"

    page = client.get("/bridge/v1/events?limit=3",
                      headers=relay.headers("GET", "/bridge/v1/events?limit=3")).get_json()
    assert [e["kind"] for e in page["events"]] == ["burning", "burned", "released"]
    url = f"/bridge/v1/events?after={page['next']}"
    rest = client.get(url, headers=relay.headers("GET", url)).get_json()
    assert [e["kind"] for e in rest["events"]] == [
        "pledging", "pledged", "refundable", "voided", "reclaimed"]
    assert rest["events"][2]["data"]["error"]["rule"] == "expired"
    bad = client.get("/bridge/v1/events?after=-1",
                     headers=relay.headers("GET", "/bridge/v1/events?after=-1"))
    problem(bad, 400, "range", "after")
