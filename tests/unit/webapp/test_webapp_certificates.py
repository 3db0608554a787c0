"""Retirement certificates from committed retirements: chaincode operations run on the
in-memory world state, projected into the portal's read model as the listener projects
blocks, then downloaded as PDF and signed JSON, verified offline against the issuing CA,
and looked up by the QR code's URL without sign-in."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from envalue.certificates import verify_signed_certificate
from envalue.chaincode.domain.credits import msg_retire_credits, msg_transfer_credits
from envalue.chaincode.domain.credits.msg_retire_credits import MsgRetireCredits
from envalue.chaincode.domain.credits.msg_transfer_credits import MsgTransferCredits
from envalue.chaincode.domain.tokens import msg_retire
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire, RetirementInfo
from envalue.chaincode.identity import Actor, actor_from_certificate
from envalue.network.settings import NetworkSettings
from envalue.network.topology import org_by_key
from envalue.readmodel import Projector, ReadModelCheckpointer
from envalue.readmodel.status import record_status
from envalue.webapp import create_app
from envalue.webapp.audit import AuditEntry
from envalue.webapp.db import PortalUser, get_session
from envalue.webapp.extensions import limiter
from envalue.webapp.services.readmodel import sessions
from tests.unit.certificates.certificates_helpers import TestCA, write_msp

from .webapp_helpers import FakeFabricCA, add_user, csrf_token, login, portal_config

# the read model's world: real chaincode transactions recorded as the listener sees them
sys.path.insert(0, str(Path(__file__).parents[1] / "readmodel"))
from readmodel_world import RecordingHarness  # noqa: E402
from test_readmodel_projector import credit_world  # noqa: E402
from tokens_harness import OPERATOR, key  # noqa: E402

pytestmark = pytest.mark.unit

PORTAL = "https://portal.envalue.example"
BLOCKS = 4700  # the harness numbers blocks 1, 2, ...: shift them to tell blocks from counts
CREDIT_BLOCKS = 5700  # a second world's blocks come after the first's
INFO = RetirementInfo("Ena City", "japan_reporting_act", 2025, "FY2025 municipal disclosure")
SERIAL = "ENV-LOT-ENA-1-1-1250"
URL = f"/wallet/certificate?lot_id=LOT-ENA-1&serial={SERIAL}"


@dataclass
class World:
    """The portal, its issuing CA, and the committed retirement's ledger place."""

    app: Flask
    ca: TestCA
    tx_id: str
    block: int


@pytest.fixture(scope="module")
def issuer() -> TestCA:
    return TestCA.create()


def _enroll_signer(home: Path, ca: TestCA) -> None:
    """operator1 of Platform, as `envalue network up --only cas` leaves it on disk."""
    settings = NetworkSettings.resolve(home=home)
    identity, private_key = ca.issue_pair("operator1")
    write_msp(identity, private_key, settings.layout.user(org_by_key("platform"), "operator1")
              / "msp")


def _portal(tmp_path: Path, fabric_ca: FakeFabricCA, issuer: TestCA, **config: object) -> Flask:
    home = tmp_path / "net"
    _enroll_signer(home, issuer)
    app = create_app(portal_config(
        tmp_path, NETWORK_HOME=str(home), CERTIFICATE_SIGNER="platform:operator1",
        PORTAL_BASE_URL=PORTAL, TRUSTED_CA_PEMS={"PlatformMSP": [issuer.pem]}, **config))
    limiter.reset()
    for name, role, org in (("customer1", "customer", "customer"),
                            ("customer2", "customer", "customer"),
                            ("operator1", "operator", "platform"),
                            ("operator1", "operator", "market")):
        add_user(app, fabric_ca, name, role, org)
    return app


def _actor(app: Flask, username: str) -> Actor:
    with app.app_context():
        user = get_session().scalar(select(PortalUser).where(PortalUser.username == username))
        return actor_from_certificate(user.msp_id, user.cert_pem.encode())


def _project(app: Flask, h: RecordingHarness, *, offset: int = BLOCKS,
             height_ahead: int = 0) -> None:
    """Project every transaction as the listener does, one block each (numbered from
    `offset`), then record the checkpoint and the channel height the listener last saw."""
    records = [replace(r, block_number=r.block_number + offset) for r in h.records]
    with app.app_context():
        factory = sessions()
    with factory.begin() as session:
        projector = Projector()
        for record in records:
            projector.apply(session, record)
    last = records[-1].block_number
    ReadModelCheckpointer(factory).checkpoint_block(last)
    with factory.begin() as session:
        record_status(session, height=last + 1 + height_ahead, state="running")


@pytest.fixture
def world(tmp_path: Path, fabric_ca: FakeFabricCA, issuer: TestCA) -> World:
    app = _portal(tmp_path, fabric_ca, issuer)
    customer = _actor(app, "customer1@customer")
    h = RecordingHarness()
    h.mint("LOT-ENA-1", customer, 2000, site="ena-pv-300kw",
           vintage=("2025-04-01", "2026-03-31"))
    h.run(customer, msg_retire.apply, MsgRetire(key(customer), "LOT-ENA-1", 1250, INFO))
    _project(app, h, height_ahead=2)
    return World(app, issuer, h.records[-1].transaction_id, h.records[-1].block_number + BLOCKS)


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_holder_downloads_the_pdf(world: World) -> None:
    client = world.app.test_client()
    login(client, "customer1@customer")
    resp = client.get(URL + "&format=pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="RC-')
    text = _pdf_text(resp.data)
    for expected in (SERIAL, "LOT-ENA-1: 1 – 1,250", "1,250 kg-CO2e", "Ena City",
                     "FY2025 municipal disclosure", "2025-04-01 – 2026-03-31",
                     "EN-R-002 Ver. 3.0", "ena-pv-300kw / EQ-1", world.tx_id, str(world.block),
                     "CustomerMSP", "Signed by: PlatformMSP", f"{PORTAL}/verify/RC-"):
        assert expected in text, expected
    with world.app.app_context():
        entry = get_session().scalar(select(AuditEntry).where(
            AuditEntry.action == "certificate.issue"))
        assert entry is not None and entry.actor == "customer1@customer"
        assert entry.target.startswith("RC-") and SERIAL in entry.detail


def test_the_signed_json_verifies_offline_and_names_tx_and_block(world: World) -> None:
    client = world.app.test_client()
    login(client, "customer1@customer")
    resp = client.get(URL + "&format=json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    doc = json.loads(resp.data)
    result = verify_signed_certificate(doc, {"PlatformMSP": [world.ca.pem]})
    assert result.valid, result.reasons
    cert = doc["certificate"]
    assert cert["ledger"] == {"channel": "envalue", "tx_id": world.tx_id,
                              "block_number": world.block}
    assert (cert["beneficiary"], cert["quantity_kg"], cert["serial_ranges"][0]["serial"]) == (
        "Ena City", 1250, SERIAL)
    assert cert["verification_url"] == f"{PORTAL}/verify/{cert['certificate_id']}"
    # another CA does not vouch for it
    assert not verify_signed_certificate(doc, {"PlatformMSP": [TestCA.create().pem]}).valid


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
                    reason="needs pdftoppm (poppler-utils) and zbarimg (zbar-tools)")
def test_the_qr_code_opens_the_public_page_without_sign_in(world: World,
                                                           tmp_path: Path) -> None:
    client = world.app.test_client()
    login(client, "customer1@customer")
    (tmp_path / "c.pdf").write_bytes(client.get(URL + "&format=pdf").data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "c.pdf"),
                    str(tmp_path / "page")], check=True, capture_output=True)
    scanned = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "page.png")],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert scanned.startswith(f"{PORTAL}/verify/RC-")
    public = world.app.test_client()  # nobody signed in
    resp = public.get(urlsplit(scanned).path)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'data-testid="lookup"' in page
    assert f'data-testid="summary-tx">{world.tx_id}<' in page
    assert f'data-testid="summary-block">{world.block}<' in page
    assert f'data-testid="summary-serial">{SERIAL}<' in page
    assert 'data-testid="summary-beneficiary">Ena City<' in page
    assert "<dt>Purpose</dt><dd>Disclosure under Japan's reporting act</dd>" in page
    assert "x509::" not in page  # the holder is shown by organisation only
    # the downloaded JSON uploaded on the same page: valid, and the same certificate
    signed = client.get(URL + "&format=json").data
    token = csrf_token(public, urlsplit(scanned).path)
    resp = public.post(urlsplit(scanned).path, content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(signed), "c.json", "application/json")})
    page = resp.get_data(as_text=True)
    assert 'data-testid="verdict">Valid<' in page and "This document is certificate" not in page


def test_the_summary_page_links_both_downloads(world: World) -> None:
    client = world.app.test_client()
    login(client, "customer1@customer")
    resp = client.get(URL)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert f'data-testid="certificate-tx">{world.tx_id}<' in page
    assert f'data-testid="certificate-block">{world.block} (channel envalue)<' in page
    pdf_link = f"/wallet/certificate?serial={SERIAL}&amp;format=pdf&amp;lot_id=LOT-ENA-1"
    assert f'href="{pdf_link}" data-testid="download-pdf"' in page
    assert 'data-testid="download-json"' in page and 'data-testid="readmodel-status"' in page
    assert client.get(pdf_link.replace("&amp;", "&")).mimetype == "application/pdf"
    ja = client.get(URL, headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "署名付きJSONをダウンロード" in ja and "公開検証ページ" in ja


def test_someone_elses_retirement_is_forbidden(world: World) -> None:
    other = world.app.test_client()
    login(other, "customer2@customer")
    for suffix in ("", "&format=pdf"):
        resp = other.get(URL + suffix)
        assert resp.status_code == 403 and b"%PDF" not in resp.data
        assert "made by another holder" in resp.get_data(as_text=True)
    resp = other.get(URL + "&format=json")
    assert resp.status_code == 403 and resp.mimetype == "application/problem+json"
    assert resp.get_json()["rule"] == "not_owner"
    market = world.app.test_client()  # an operator, but not of the issuing Platform org
    login(market, "operator1@market")
    assert market.get(URL + "&format=json").status_code == 403
    platform = world.app.test_client()  # Platform operators run the certificate service
    login(platform, "operator1@platform")
    resp = platform.get(URL + "&format=json")
    assert resp.status_code == 200 and resp.get_json()["certificate"]["beneficiary"] == "Ena City"


def test_an_unknown_serial_is_not_found_and_the_lag_is_shown(world: World) -> None:
    client = world.app.test_client()
    login(client, "customer1@customer")
    resp = client.get("/wallet/certificate?lot_id=LOT-ENA-1&serial=ENV-LOT-ENA-1-1251-1300")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404
    assert ("no retirement ENV-LOT-ENA-1-1251-1300 of token lot LOT-ENA-1 is in the portal&#39;s "
            "read model; it may not be projected yet (the read model is 2 blocks behind") in page
    assert 'data-testid="readmodel-behind"' in page and "behind by 2 blocks" in page
    # the right serial under another lot is not it either; JSON callers get problem+json
    resp = client.get(f"/wallet/certificate?lot_id=LOT-OTHER&serial={SERIAL}&format=json")
    assert resp.status_code == 404 and resp.get_json()["field"] == "serial"
    assert client.get(URL + "&format=docx").status_code == 400
    assert world.app.test_client().get("/verify/RC-" + "0" * 20).status_code == 404


@pytest.mark.parametrize(("signer", "status", "says"), [
    ("", 503, "CERTIFICATE_SIGNER is not set"),
    ("platform:nobody", 503, "CERTIFICATE_SIGNER &#39;platform:nobody&#39;: no identity is "
                             "enrolled at "),
    ("nobody", 500, "&#39;nobody&#39; is not ORG:USER"),
])
def test_without_a_usable_signer_nothing_is_signed(world: World, signer: str, status: int,
                                                   says: str) -> None:
    world.app.config["CERTIFICATE_SIGNER"] = signer
    client = world.app.test_client()
    login(client, "customer1@customer")
    resp = client.get(URL + "&format=pdf")
    page = resp.get_data(as_text=True)
    assert resp.status_code == status and says in page and "%PDF" not in page
    resp = client.get(URL + "&format=json")
    problem = resp.get_json()
    assert resp.status_code == status and problem["field"] == "CERTIFICATE_SIGNER"
    assert "signature" not in problem
    page = client.get(URL).get_data(as_text=True)  # the summary, and why it cannot be signed
    assert 'data-testid="certificate-tx"' in page and says in page
    assert 'data-testid="download-pdf"' not in page


def test_a_credit_retirement_certificate(world: World) -> None:
    customer = _actor(world.app, "customer1@customer")
    h = credit_world()  # R1: 2 t issued to the operator, 1 t sold to Bob
    h.run(OPERATOR, msg_transfer_credits.apply,
          MsgTransferCredits(key(OPERATOR), "R1", key(customer), 1))
    [event] = h.run(customer, msg_retire_credits.apply, MsgRetireCredits(
        key(customer), "R1", 1, "Ena Foods K.K.", "carbon_offset_product",
        "offset of product A", 2026))
    serial = str(event.attributes["serial"])
    _project(world.app, h, offset=CREDIT_BLOCKS)
    client = world.app.test_client()
    login(client, "customer1@customer")
    resp = client.get(f"/wallet/certificate?batch_id=R1&serial={serial}&format=json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert verify_signed_certificate(doc, {"PlatformMSP": [world.ca.pem]}).valid
    cert = doc["certificate"]
    assert (cert["kind"], cert["beneficiary"], cert["quantity_kg"]) == (
        "credit", "Ena Foods K.K.", 1000)
    assert [s["site_id"] for s in cert["sites"]] == ["S-A", "S-B", "S-C"]
    assert cert["credit_use"]["purpose_detail"] == "offset of product A"
    assert (cert["ledger"]["tx_id"], cert["ledger"]["block_number"]) == (
        h.records[-1].transaction_id, h.records[-1].block_number + CREDIT_BLOCKS)
    text = _pdf_text(client.get(f"/wallet/certificate?batch_id=R1&serial={serial}"
                                "&format=pdf").data)
    assert serial in text and "Ena Foods K.K." in text and h.records[-1].transaction_id in text
