"""Test certificates made with `cryptography`, shaped like Fabric CA enrollment certs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

ATTRS_OID = ObjectIdentifier("1.2.3.4.5.6.7.8.1")

ISSUER = [
    (NameOID.COUNTRY_NAME, "US"),
    (NameOID.STATE_OR_PROVINCE_NAME, "North Carolina"),
    (NameOID.LOCALITY_NAME, "Durham"),
    (NameOID.ORGANIZATION_NAME, "platform.envalue.example"),
    (NameOID.COMMON_NAME, "ca.platform.envalue.example"),
]
ISSUER_DN = (
    "CN=ca.platform.envalue.example,O=platform.envalue.example,L=Durham,ST=North Carolina,C=US"
)


def subject(cn: str, *ous: str) -> list[tuple[ObjectIdentifier, str]]:
    """Fabric CA client subject: C, ST, O, OU..., CN."""
    return [
        (NameOID.COUNTRY_NAME, "US"),
        (NameOID.STATE_OR_PROVINCE_NAME, "North Carolina"),
        (NameOID.ORGANIZATION_NAME, "Hyperledger"),
        *((NameOID.ORGANIZATIONAL_UNIT_NAME, ou) for ou in ous),
        (NameOID.COMMON_NAME, cn),
    ]


def make_cert(
    subject_attrs: Sequence[tuple[ObjectIdentifier, str]],
    *,
    attrs: Mapping[str, str] | None = None,
    raw_extension: bytes | None = None,
    issuer_attrs: Sequence[tuple[ObjectIdentifier, str]] = ISSUER,
) -> bytes:
    """A PEM certificate; `attrs` go into the Fabric CA attribute extension as JSON."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime(2026, 1, 1, tzinfo=UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(o, v) for o, v in subject_attrs]))
        .issuer_name(x509.Name([x509.NameAttribute(o, v) for o, v in issuer_attrs]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365))
    )
    value = raw_extension
    if attrs is not None:
        value = json.dumps({"attrs": dict(attrs)}).encode()
    if value is not None:
        builder = builder.add_extension(x509.UnrecognizedExtension(ATTRS_OID, value), False)
    cert = builder.sign(key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM)


def operator_cert(cn: str = "alice", role: str = "operator") -> bytes:
    return make_cert(subject(cn, "client"), attrs={"role": role, "hf.EnrollmentID": cn})
