"""Fabric CA client over the CA's REST API (``/api/v1``), for Fabric CA v1.5.

Authenticated calls (register, reenroll, revoke) carry the Fabric CA token in the
``Authorization`` header, as built by fabric-ca ``util.CreateToken``::

    b64(cert_pem) + "." + b64(signature)
    signature = ECDSA-SHA256 over  method + "." + b64(request_uri) + "." + b64(body) + "."
                                  + b64(cert_pem)

where ``request_uri`` is the path plus query (e.g. ``/api/v1/register``) and the signature is
DER with low S (the CA verifies through BCCSP, which rejects high-S signatures).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .identity import X509Identity
from .signers import EcdsaSigner, Signer, sha256_digest

__all__ = [
    "ATTRIBUTES_OID",
    "AttributeRequest",
    "CAClient",
    "CAError",
    "CAInfo",
    "Enrollment",
    "RevokedCertificate",
    "build_auth_token",
    "certificate_attributes",
]

logger = logging.getLogger("envalue.client.ca")

#: X.509 extension in which Fabric CA writes ecert attributes as JSON ``{"attrs": {...}}``.
ATTRIBUTES_OID = x509.ObjectIdentifier("1.2.3.4.5.6.7.8.1")


class CAError(Exception):
    """The CA answered with an error (or not at all)."""

    def __init__(self, message: str, *, status_code: int | None = None,
                 errors: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.errors = tuple(dict(e) for e in errors)

    def __str__(self) -> str:
        text = super().__str__()
        if self.errors:
            text += ": " + "; ".join(f"{e.get('code')}: {e.get('message')}" for e in self.errors)
        return text


@dataclass(frozen=True)
class CAInfo:
    ca_name: str
    ca_chain_pem: bytes
    version: str
    issuer_public_key: bytes = field(default=b"", repr=False)
    issuer_revocation_public_key: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class AttributeRequest:
    """Ask for an attribute in the enrollment certificate (``optional``: don't fail if
    the identity lacks it)."""

    name: str
    optional: bool = False


@dataclass(frozen=True)
class RevokedCertificate:
    serial: str
    aki: str


def certificate_attributes(cert_pem: bytes | x509.Certificate) -> dict[str, str]:
    """The Fabric CA attributes in a certificate (empty when it has none)."""
    cert = (cert_pem if isinstance(cert_pem, x509.Certificate)
            else x509.load_pem_x509_certificate(cert_pem))
    try:
        ext = cert.extensions.get_extension_for_oid(ATTRIBUTES_OID)
    except x509.ExtensionNotFound:
        return {}
    raw = ext.value.value if isinstance(ext.value, x509.UnrecognizedExtension) else b""
    return dict(json.loads(raw).get("attrs", {}))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def build_auth_token(cert_pem: bytes, signer: Signer, method: str, request_uri: str,
                     body: bytes) -> str:
    """Fabric CA v1.5 authorization token for one request (see module docstring)."""
    b64_cert = _b64(cert_pem)
    message = ".".join((method, _b64(request_uri.encode()), _b64(body), b64_cert))
    signature = signer.sign(sha256_digest(message.encode()))
    return f"{b64_cert}.{_b64(signature)}"


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _csr(enrollment_id: str, key: ec.EllipticCurvePrivateKey,
         hosts: Sequence[str] | None) -> str:
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, enrollment_id)])
    )
    if hosts:
        names: list[x509.GeneralName] = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def _split_pem_chain(chain_pem: bytes) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(chain_pem) if chain_pem.strip() else []


_NODE_OUS = """NodeOUs:
  Enable: true
  ClientOUIdentifier:
    Certificate: {ca}
    OrganizationalUnitIdentifier: client
  PeerOUIdentifier:
    Certificate: {ca}
    OrganizationalUnitIdentifier: peer
  AdminOUIdentifier:
    Certificate: {ca}
    OrganizationalUnitIdentifier: admin
  OrdererOUIdentifier:
    Certificate: {ca}
    OrganizationalUnitIdentifier: orderer
"""


@dataclass(frozen=True)
class Enrollment:
    """Result of an enrollment: certificate, its private key, and the CA chain."""

    enrollment_id: str
    cert_pem: bytes
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    ca_chain_pem: bytes = field(repr=False)
    ca_name: str = ""

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    @property
    def attributes(self) -> dict[str, str]:
        return certificate_attributes(self.cert_pem)

    def signer(self) -> EcdsaSigner:
        return EcdsaSigner(self.private_key)

    def identity(self, msp_id: str) -> X509Identity:
        return X509Identity(msp_id, self.cert_pem)

    def private_key_pem(self) -> bytes:
        """PKCS#8 PEM, unencrypted: handle with care, never log."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())

    def write_msp(self, folder: str | os.PathLike[str], msp_id: str) -> X509Identity:
        """Write an MSP folder usable by peers, orderers and :func:`load_msp_identity`.

        signcerts/cert.pem, keystore/key.pem (0600), cacerts/ (self-signed CA certs),
        intermediatecerts/ (others), config.yaml enabling NodeOUs. Returns the identity.
        """
        root = Path(folder)
        for sub in ("signcerts", "keystore", "cacerts"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        (root / "signcerts" / "cert.pem").write_bytes(self.cert_pem)
        key_path = root / "keystore" / "key.pem"
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(self.private_key_pem())
        os.chmod(key_path, 0o600)
        roots: list[x509.Certificate] = []
        intermediates: list[x509.Certificate] = []
        for cert in _split_pem_chain(self.ca_chain_pem):
            (roots if cert.issuer == cert.subject else intermediates).append(cert)
        for index, cert in enumerate(roots):
            name = "ca.pem" if index == 0 else f"ca-{index}.pem"
            (root / "cacerts" / name).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        if intermediates:
            (root / "intermediatecerts").mkdir(exist_ok=True)
            for index, cert in enumerate(intermediates):
                (root / "intermediatecerts" / f"ca-{index}.pem").write_bytes(
                    cert.public_bytes(serialization.Encoding.PEM))
        ou_ca = ("intermediatecerts/ca-0.pem" if intermediates else "cacerts/ca.pem")
        (root / "config.yaml").write_text(f"# MSP for {msp_id}\n" + _NODE_OUS.format(ca=ou_ca))
        return self.identity(msp_id)


class CAClient:
    """Client of one Fabric CA server (optionally one named CA in it).

    ``tls_verify`` is the CA's TLS root (path or PEM bytes), ``True`` for the system store,
    or ``False`` (tests only).
    """

    def __init__(self, url: str, *, tls_verify: str | os.PathLike[str] | bytes | bool = True,
                 ca_name: str = "", timeout: float = 10.0,
                 session: requests.Session | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"CA url must be http(s)://host:port, got {url!r}")
        self._base = f"{parts.scheme}://{parts.netloc}"
        self._ca_name = ca_name
        self._timeout = timeout
        self._session = session or requests.Session()
        self._tmp_verify: str | None = None
        if isinstance(tls_verify, bytes):
            import tempfile
            fd, path = tempfile.mkstemp(suffix=".pem")
            with os.fdopen(fd, "wb") as handle:
                handle.write(tls_verify)
            self._tmp_verify = path
            self._verify: str | bool = path
        elif isinstance(tls_verify, bool):
            self._verify = tls_verify
        else:
            self._verify = os.fspath(tls_verify)

    def close(self) -> None:
        self._session.close()
        if self._tmp_verify:
            Path(self._tmp_verify).unlink(missing_ok=True)
            self._tmp_verify = None

    def __enter__(self) -> CAClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport --------------------------------------------------------------------
    def _send(self, method: str, endpoint: str, *, body: Mapping[str, Any] | None = None,
              auth: tuple[str, str] | None = None, token_of: Enrollment | None = None,
              query: str = "") -> Any:
        uri = f"/api/v1/{endpoint}" + (f"?{query}" if query else "")
        data = json.dumps(body).encode() if body is not None else b""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token_of is not None:
            headers["Authorization"] = build_auth_token(
                token_of.cert_pem, token_of.signer(), method, uri, data)
        try:
            response = self._session.request(
                method, self._base + uri, data=data or None, headers=headers, auth=auth,
                verify=self._verify, timeout=self._timeout)
        except requests.RequestException as err:
            raise CAError(f"{method} {uri} failed: {err}") from err
        try:
            payload = response.json()
        except ValueError:
            raise CAError(f"{method} {uri}: HTTP {response.status_code}, non-JSON answer",
                          status_code=response.status_code) from None
        if response.status_code >= 400 or not payload.get("success", False):
            logger.info("ca request failed", extra={
                "ca_endpoint": endpoint, "http_status": response.status_code})
            raise CAError(f"{method} {uri}: HTTP {response.status_code}",
                          status_code=response.status_code, errors=payload.get("errors") or ())
        return payload.get("result")

    def _with_ca(self, body: dict[str, Any]) -> dict[str, Any]:
        if self._ca_name:
            body["caname"] = self._ca_name
        return body

    def _enrollment(self, enrollment_id: str, key: ec.EllipticCurvePrivateKey,
                    result: Mapping[str, Any]) -> Enrollment:
        info = result.get("ServerInfo", {})
        return Enrollment(
            enrollment_id=enrollment_id,
            cert_pem=base64.b64decode(result["Cert"]),
            private_key=key,
            ca_chain_pem=base64.b64decode(info.get("CAChain", "")),
            ca_name=info.get("CAName", ""),
        )

    # -- API --------------------------------------------------------------------------
    def get_ca_info(self) -> CAInfo:
        query = f"ca={self._ca_name}" if self._ca_name else ""
        result = self._send("GET", "cainfo", query=query)
        return CAInfo(
            ca_name=result.get("CAName", ""),
            ca_chain_pem=base64.b64decode(result.get("CAChain", "")),
            version=result.get("Version", ""),
            issuer_public_key=base64.b64decode(result.get("IssuerPublicKey", "") or ""),
            issuer_revocation_public_key=base64.b64decode(
                result.get("IssuerRevocationPublicKey", "") or ""),
        )

    def enroll(self, enrollment_id: str, secret: str, *, csr_hosts: Sequence[str] | None = None,
               profile: str | None = None,
               attr_reqs: Sequence[AttributeRequest] | None = None) -> Enrollment:
        """Generate a P-256 key and CSR, and have the CA sign it (basic auth with secret)."""
        if not enrollment_id or not secret:
            raise ValueError("enrollment_id and secret are required")
        key = _new_key()
        body: dict[str, Any] = {"certificate_request": _csr(enrollment_id, key, csr_hosts)}
        if profile:
            body["profile"] = profile
        if attr_reqs is not None:
            body["attr_reqs"] = [{"name": a.name, "optional": a.optional} for a in attr_reqs]
        result = self._send("POST", "enroll", body=self._with_ca(body),
                            auth=(enrollment_id, secret))
        logger.info("enrolled", extra={"enrollment_id": enrollment_id})
        return self._enrollment(enrollment_id, key, result)

    def reenroll(self, enrollment: Enrollment, *, csr_hosts: Sequence[str] | None = None,
                 attr_reqs: Sequence[AttributeRequest] | None = None,
                 new_key: bool = True) -> Enrollment:
        """Renew the certificate (new key pair unless ``new_key=False``)."""
        key = _new_key() if new_key else enrollment.private_key
        body: dict[str, Any] = {
            "certificate_request": _csr(enrollment.enrollment_id, key, csr_hosts)}
        if attr_reqs is not None:
            body["attr_reqs"] = [{"name": a.name, "optional": a.optional} for a in attr_reqs]
        result = self._send("POST", "reenroll", body=self._with_ca(body), token_of=enrollment)
        logger.info("reenrolled", extra={"enrollment_id": enrollment.enrollment_id})
        return self._enrollment(enrollment.enrollment_id, key, result)

    def register(self, registrar: Enrollment, enrollment_id: str, *, secret: str | None = None,
                 type: str = "client", affiliation: str = "",
                 attrs: Mapping[str, str] | None = None,
                 max_enrollments: int | None = None) -> str:
        """Register an identity; returns its enrollment secret.

        Every attribute is registered with ``ecert: true`` so it lands in the enrollment
        certificate (e.g. ``{"role": "verifier"}``, which chaincode checks). No attribute is
        given unless asked for: a role is a grant, never a default.
        """
        if not enrollment_id:
            raise ValueError("enrollment_id is required")
        body: dict[str, Any] = {
            "id": enrollment_id, "type": type, "affiliation": affiliation,
            "attrs": [{"name": k, "value": v, "ecert": True} for k, v in (attrs or {}).items()],
        }
        if secret:
            body["secret"] = secret
        if max_enrollments is not None:
            body["max_enrollments"] = max_enrollments
        result = self._send("POST", "register", body=self._with_ca(body), token_of=registrar)
        logger.info("registered", extra={"enrollment_id": enrollment_id, "identity_type": type,
                                         "registrar": registrar.enrollment_id})
        return str(result["secret"])

    def revoke(self, registrar: Enrollment, enrollment_id: str | None = None, *,
               serial: str | None = None, aki: str | None = None, reason: str = "",
               gencrl: bool = False) -> tuple[list[RevokedCertificate], bytes]:
        """Revoke an identity (all its certificates) or one certificate (serial + aki).

        Returns the revoked certificates and, with ``gencrl=True``, the CRL (PEM) bytes.
        """
        if not enrollment_id and not (serial and aki):
            raise ValueError("give enrollment_id, or serial and aki")
        body: dict[str, Any] = {"id": enrollment_id or "", "serial": serial or "",
                                "aki": aki or "", "reason": reason, "gencrl": gencrl}
        result = self._send("POST", "revoke", body=self._with_ca(body), token_of=registrar)
        logger.info("revoked", extra={"enrollment_id": enrollment_id or "",
                                      "registrar": registrar.enrollment_id})
        revoked = [RevokedCertificate(serial=r.get("Serial", ""), aki=r.get("AKI", ""))
                   for r in (result or {}).get("RevokedCerts") or ()]
        crl = base64.b64decode((result or {}).get("CRL", "") or "")
        return revoked, crl
