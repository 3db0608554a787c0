"""Fabric CA client: token format (offline) and the full lifecycle against fabric-ca-server."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from envalue.client import (
    AttributeRequest,
    CAClient,
    CAError,
    X509Identity,
    certificate_attributes,
    load_msp_identity,
    load_msp_signer,
)
from envalue.client.ca import ATTRIBUTES_OID, build_auth_token
from envalue.client.signers import is_low_s, sha256_digest


@pytest.mark.unit
def test_auth_token_matches_fabric_ca_format(test_identity) -> None:
    """token = b64(cert) '.' b64(sig over method.b64(uri).b64(body).b64(cert))."""
    ident = test_identity
    cert = ident.identity.cert_pem
    body = b'{"id":"x"}'
    token = build_auth_token(cert, ident.signer, "POST", "/api/v1/register", body)
    b64_cert, b64_sig = token.split(".")
    assert base64.b64decode(b64_cert) == cert
    signed = ".".join(["POST", base64.b64encode(b"/api/v1/register").decode(),
                       base64.b64encode(body).decode(), b64_cert]).encode()
    sig = base64.b64decode(b64_sig)
    assert is_low_s(sig)
    ident.key.public_key().verify(sig, signed, ec.ECDSA(hashes.SHA256()))
    assert sha256_digest(signed)  # the signer saw the SHA-256 digest of that message


@pytest.mark.unit
def test_certificate_attributes_absent(test_identity) -> None:
    assert certificate_attributes(test_identity.identity.cert_pem) == {}


@pytest.mark.integration
def test_ca_lifecycle_against_real_server(fabric_ca, tmp_path: Path) -> None:
    with CAClient(fabric_ca.url, tls_verify=fabric_ca.tls_root) as ca:
        info = ca.get_ca_info()
        assert info.version.startswith("1.5")
        root = x509.load_pem_x509_certificate(info.ca_chain_pem)

        admin = ca.enroll(*fabric_ca.admin)
        assert admin.certificate.issuer == root.subject
        assert admin.certificate.public_key().public_numbers() == \
            admin.private_key.public_key().public_numbers()

        secret = ca.register(admin, "verifier1", attrs={"role": "verifier"},
                             max_enrollments=-1)
        assert secret
        user = ca.enroll("verifier1", secret, csr_hosts=["verifier1.example", "127.0.0.1"])
        ext = user.certificate.extensions.get_extension_for_oid(ATTRIBUTES_OID)
        attrs = json.loads(ext.value.value)["attrs"]
        assert attrs["role"] == "verifier"
        assert attrs["hf.EnrollmentID"] == "verifier1"
        assert user.attributes["role"] == "verifier"
        san = user.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        assert "verifier1.example" in san.value.get_values_for_type(x509.DNSName)

        # Only the requested attributes when attr_reqs is given; a missing optional is fine.
        only_role = ca.enroll("verifier1", secret, attr_reqs=[
            AttributeRequest("role"), AttributeRequest("nonexistent", optional=True)])
        assert only_role.attributes == {"role": "verifier"}
        with pytest.raises(CAError):
            ca.enroll("verifier1", secret, attr_reqs=[AttributeRequest("nonexistent")])
        tls = ca.enroll("verifier1", secret, profile="tls", csr_hosts=["localhost"])
        eku = tls.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
        assert x509.ExtendedKeyUsageOID.SERVER_AUTH in eku.value

        # Default attributes land in the certificate too.
        op_secret = ca.register(admin, "operator1", secret="operator1pw",
                                attrs={"role": "operator"})
        assert op_secret == "operator1pw"
        assert ca.enroll("operator1", "operator1pw").attributes["role"] == "operator"

        renewed = ca.reenroll(user)
        assert renewed.certificate.serial_number != user.certificate.serial_number
        assert renewed.private_key.public_key().public_numbers() != \
            user.private_key.public_key().public_numbers()
        assert renewed.attributes["role"] == "verifier"

        # The MSP folder round-trips into an identity and a signer that match.
        identity = renewed.write_msp(tmp_path / "msp", "Org1MSP")
        assert isinstance(identity, X509Identity)
        key_mode = stat.S_IMODE((tmp_path / "msp/keystore/key.pem").stat().st_mode)
        assert key_mode == 0o600
        assert (tmp_path / "msp/cacerts/ca.pem").read_bytes().strip() == \
            info.ca_chain_pem.strip()
        assert "OrganizationalUnitIdentifier: client" in (tmp_path / "msp/config.yaml").read_text()
        loaded = load_msp_identity(tmp_path / "msp", "Org1MSP")
        assert loaded == identity
        signer = load_msp_signer(tmp_path / "msp")
        sig = signer.sign(sha256_digest(b"hello"))
        loaded.certificate.public_key().verify(sig, b"hello", ec.ECDSA(hashes.SHA256()))

        revoked, _ = ca.revoke(admin, "verifier1", reason="keycompromise")
        serials = {r.serial.lstrip("0").lower() for r in revoked}
        assert f"{renewed.certificate.serial_number:x}" in serials
        with pytest.raises(CAError) as excinfo:
            ca.enroll("verifier1", secret)
        assert excinfo.value.status_code in (401, 403)
        with pytest.raises(CAError):  # a revoked certificate cannot authenticate either
            ca.reenroll(renewed)


@pytest.mark.integration
def test_ca_rejects_wrong_secret(fabric_ca) -> None:
    with CAClient(fabric_ca.url, tls_verify=fabric_ca.tls_root.read_bytes()) as ca:
        with pytest.raises(CAError) as excinfo:
            ca.enroll("admin", "wrong")
        assert excinfo.value.status_code == 401
        assert excinfo.value.errors
