"""POST /api/v1/ingest through the Flask test client."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from envalue.edge import DefectRates, DeviceKeys, simulate
from envalue.edge.signing import load_or_create_key, sign_body
from envalue.ingest.store import IngestStore
from envalue.ingest_service import IngestService, ServiceConfig
from envalue.ingest_service.app import create_app

pytestmark = pytest.mark.unit

URL = "/api/v1/ingest"
LONG = (b"timestamp,device_id,quantity,value,unit,kind\n"
        b"2024-04-01T00:30:00+09:00,dev-1,electricity,1.5,kWh,interval\n"
        b"2024-04-01T01:00:00+09:00,dev-1,electricity,2,kWh,interval\n"
        b"2024-04-01T01:30:00+09:00,dev-1,electricity\n"
        b"2024-04-01T02:00:00+09:00,dev-1,electricity,-3,kWh,interval\n"
        b"2024-04-01T02:30:00+09:00,dev-1,electricity,1200,Wh,interval\n")


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    load_or_create_key(tmp_path / "keys", "signed-1")
    return tmp_path / "keys"


@pytest.fixture
def store() -> IngestStore:
    return IngestStore("sqlite://")


def _client(store: IngestStore, keys_dir: Path, **config: object) -> FlaskClient:
    service = IngestService(store, DeviceKeys.from_directory(keys_dir),
                            ServiceConfig(**config))  # type: ignore[arg-type]
    return create_app(service, {"TESTING": True}).test_client()


@pytest.fixture
def client(store: IngestStore, keys_dir: Path) -> Iterator[FlaskClient]:
    yield _client(store, keys_dir)


def _problem(resp) -> dict:  # type: ignore[no-untyped-def]
    assert resp.mimetype == "application/problem+json", resp.data
    body = json.loads(resp.data)
    assert body["status"] == resp.status_code
    assert {"type", "title", "detail", "rule"} <= set(body)
    return body


def test_csv_upload_keeps_malformed_rows_as_rejected_with_reasons(
        client: FlaskClient, store: IngestStore) -> None:
    resp = client.post(URL, query_string={"device": "dev-1"}, data=LONG,
                       content_type="text/csv")
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert body["quality"]["accepted"] == 3 and body["quality"]["rejected"] == 2
    assert [(r["row"], r["rule"]) for r in body["rejected"]] == [
        (4, "malformed_row"), (5, "negative_value")]
    assert all(r["message"] and r["field"] for r in body["rejected"])
    assert body["totals"][0]["value"] == "4.7"  # 1.5 + 2 + 1.2 (Wh → kWh)
    assert body["anchored"] is False and "Fabric network" in body["note"]
    assert body["signature"] == "unsigned"
    stored = store.rejected_of(body["upload_id"])
    assert [r["rule"] for r in stored] == ["malformed_row", "negative_value"]
    assert len(store.batch_ids("dev-1")) == 1


def test_json_upload_and_idempotent_repeat(client: FlaskClient) -> None:
    data = json.dumps([{"timestamp": "2024-04-01T00:30:00+09:00", "quantity": "heat",
                        "value": 0.25, "unit": "GJ"},
                       {"timestamp": "2024-04-01T01:00:00+09:00", "quantity": "heat",
                        "value": "250", "unit": "MJ"},
                       "garbage"])
    first = client.post(URL, query_string={"device": "dev-2"}, data=data,
                        content_type="application/json")
    assert first.status_code == 201
    assert first.json["format"] == "json"
    assert first.json["quality"]["rejected"] == 1
    assert first.json["totals"][0]["value"] == "0.5"
    again = client.post(URL, query_string={"device": "dev-2"}, data=data,
                        content_type="application/json")
    assert again.status_code == 200
    assert [b["status"] for b in again.json["batches"]] == ["already stored"]


def test_multipart_upload(client: FlaskClient) -> None:
    resp = client.post(URL, data={"device": "dev-1",
                                  "file": (io.BytesIO(LONG), "meter.csv", "text/csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 201, resp.json
    assert resp.json["quality"]["accepted"] == 3
    assert resp.json["source"] == "http:meter.csv"


def test_multipart_by_file_name_and_dry_run(client: FlaskClient, store: IngestStore) -> None:
    resp = client.post(URL, query_string={"dry_run": "1"},
                       data={"device": "dev-1",
                             "file": (io.BytesIO(LONG), "meter.csv",
                                      "application/octet-stream")},
                       content_type="multipart/form-data")
    assert resp.status_code == 200
    assert resp.json["stored"] is False
    assert resp.json["batches"][0]["status"] == "not stored (dry run)"
    assert store.batch_ids() == []


def test_signed_device_verified_and_bad_signature_refused(client: FlaskClient,
                                                          keys_dir: Path) -> None:
    body = LONG.replace(b"dev-1", b"signed-1")
    key = load_or_create_key(keys_dir, "signed-1")
    ok = client.post(URL, query_string={"device": "signed-1"}, data=body,
                     headers={"Content-Type": "text/csv",
                              "X-Envalue-Signature": sign_body(key, body)})
    assert ok.status_code == 201 and ok.json["signature"] == "verified"

    forged = client.post(URL, query_string={"device": "signed-1"}, data=body + b"\n",
                         headers={"Content-Type": "text/csv",
                                  "X-Envalue-Signature": sign_body(key, body)})
    assert forged.status_code == 401
    p = _problem(forged)
    assert p["rule"] == "signature_invalid" and p["field"] == "X-Envalue-Signature"

    missing = client.post(URL, query_string={"device": "signed-1"}, data=body,
                          content_type="text/csv")
    assert missing.status_code == 401
    assert _problem(missing)["rule"] == "signature_required"


def test_unknown_device_refused_when_signatures_required(store: IngestStore,
                                                         keys_dir: Path) -> None:
    client = _client(store, keys_dir, require_signature=True)
    resp = client.post(URL, query_string={"device": "dev-1"}, data=LONG,
                       content_type="text/csv")
    assert resp.status_code == 401
    assert _problem(resp)["rule"] == "unknown_device"


def test_simulated_signed_uploads_with_batch_headers(store: IngestStore,
                                                     tmp_path: Path) -> None:
    keys = tmp_path / "sim-keys"
    sim = simulate("boiler", days=2, fmt="wide", kind="cumulative",
                   rates=DefectRates.field_like(seed=4), key_dir=keys)
    client = _client(store, keys, require_signature=True)
    for up in sim.uploads:
        resp = client.post(URL, query_string=up.query(), data=up.body, headers=up.headers())
        assert resp.status_code == 201, resp.json
        q = resp.json["quality"]
        assert q == up.report.expected_quality()
        assert resp.json["signature"] == "verified"
        assert {b["header_signature"] for b in resp.json["batches"]} == {"verified"}
        assert all(b["header"].startswith("envalue-batch-header-v1\n")
                   for b in resp.json["batches"])
    # a batch signature that does not match what the platform computes is refused
    up = sim.uploads[0]
    headers = up.headers()
    other = sim.uploads[1].headers()["X-Envalue-Batch-Signatures"]
    headers["X-Envalue-Batch-Signatures"] = other
    resp = client.post(URL, query_string=up.query() | {"dry_run": "1"}, data=up.body,
                       headers=headers)
    assert resp.status_code == 401
    assert _problem(resp)["rule"] == "batch_signature_invalid"


@pytest.mark.parametrize(("kwargs", "status", "rule", "field"), [
    ({"query_string": {}, "data": LONG, "content_type": "text/csv"}, 400,
     "missing_device", "device"),
    ({"query_string": {"device": "a/b"}, "data": LONG, "content_type": "text/csv"}, 400,
     "invalid_identifier", "device"),
    ({"query_string": {"device": "dev-1"}, "data": LONG, "content_type": "text/xml"}, 415,
     "unsupported_media_type", "Content-Type"),
    ({"query_string": {"device": "dev-1"}, "data": b"[1]", "content_type": "text/csv"}, 400,
     "content_type_mismatch", "Content-Type"),
    ({"query_string": {"device": "dev-1"}, "data": b"", "content_type": "text/csv"}, 400,
     "empty_body", "body"),
    ({"query_string": {"device": "dev-1"}, "data": b"{\"x\": ", "content_type":
      "application/json"}, 422, "invalid_json", None),
    ({"query_string": {"device": "dev-1", "interval": "soon"}, "data": LONG,
      "content_type": "text/csv"}, 400, "invalid_option", "interval"),
    ({"query_string": {"device": "dev-1"}, "data": LONG, "content_type": "text/csv",
      "headers": {"X-Envalue-Device": "dev-2"}}, 400, "device_mismatch", "X-Envalue-Device"),
])
def test_refusals_are_problem_json(client: FlaskClient, kwargs: dict, status: int, rule: str,
                                   field: str | None) -> None:
    resp = client.post(URL, **kwargs)
    assert resp.status_code == status
    p = _problem(resp)
    assert p["rule"] == rule
    assert p.get("field") == field


def test_body_size_is_bounded(store: IngestStore, keys_dir: Path) -> None:
    client = _client(store, keys_dir, max_body_bytes=100)
    resp = client.post(URL, query_string={"device": "dev-1"}, data=LONG,
                       content_type="text/csv")
    assert resp.status_code == 413 and _problem(resp)["rule"] == "body_too_large"
    resp = client.post(URL, data={"device": "dev-1",
                                  "file": (io.BytesIO(LONG * 2), "m.csv", "text/csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 413 and _problem(resp)["rule"] == "body_too_large"


def test_overlapping_batch_is_409(client: FlaskClient) -> None:
    assert client.post(URL, query_string={"device": "dev-1"}, data=LONG,
                       content_type="text/csv").status_code == 201
    changed = LONG.replace(b",2,kWh", b",3,kWh")
    resp = client.post(URL, query_string={"device": "dev-1"}, data=changed,
                       content_type="text/csv")
    assert resp.status_code == 409
    assert _problem(resp)["rule"] == "batch_overlap"


def test_routing_errors_are_problem_json(client: FlaskClient) -> None:
    assert _problem(client.get(URL))["status"] == 405
    assert _problem(client.get("/nowhere"))["status"] == 404
