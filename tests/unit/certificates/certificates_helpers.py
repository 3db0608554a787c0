"""Hand-made retirement records and a throwaway CA for the certificate tests."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from envalue.certificates import IssuingIdentity

PORTAL = "https://portal.envalue.example"
TX_ID = "3f2a" * 16
OWNER = "MunicipalityMSP/x509::CN=city1,OU=client::CN=ca.municipality"

TOKEN_RECORD: dict[str, Any] = {
    "retirement": {
        "serial": "ENV-LOT-ENA-2025-001-1-1250", "lot_id": "LOT-ENA-2025-001",
        "owner": OWNER, "quantity_kg": 1250, "serial_first": 1, "serial_last": 1250,
        "beneficiary": "恵那市", "purpose": "japan_reporting_act", "reporting_year": 2025,
        "note": "公共施設の太陽光自家消費分", "retired_by": OWNER,
        "retired_at": "2026-04-01T09:30:00+09:00", "tx_id": TX_ID,
    },
    "lot": {
        "lot_id": "LOT-ENA-2025-001", "issued_kg": 5000, "vintage_start": "2025-04-01",
        "vintage_end": "2026-03-31", "methodology": "EN-R-002", "methodology_version": "3.0",
        "site_id": "ena-pv-300kw", "equipment_id": "pcs-01", "calculation_id": "calc-1",
        "meters_valid": True, "first_owner": OWNER, "minted_by": "PlatformMSP/op",
        "minted_at": "2026-04-01T00:00:00Z", "mint_tx": "aa",
    },
    "ledger": {"tx_id": TX_ID, "block_number": 4711, "channel": "envalue",
               "timestamp": "2026-04-01T09:30:00+09:00"},
    "portal_base": PORTAL,
}

CREDIT_RECORD: dict[str, Any] = {
    "retirement": {
        "serial": "JCL-ER-PRG-1-R1-1-12", "batch_id": "PRG-1-R1", "owner": OWNER,
        "quantity_t": 12, "serial_first": 1, "serial_last": 12, "user_name": "株式会社恵那製作所",
        "use": "carbon_offset_product", "purpose_detail": "製品Aのカーボン・オフセット",
        "reporting_year": 2026, "retired_by": OWNER, "retired_at": "2026-06-01T00:00:00Z",
        "tx_id": "c0ffee",
    },
    "batch": {"batch_id": "PRG-1-R1", "program_id": "PRG-1", "report_id": "R1",
              "period_start": "2025-04-01", "period_end": "2026-03-31", "issued_t": 40,
              "serial": "JCL-ER-PRG-1-R1", "issued_to": "PlatformMSP/op",
              "issued_at": "2026-05-01T00:00:00Z", "tx_id": "b0", "credited_kg": 40000},
    "methodology": {"name": "EN-S-001", "version": "5.0"},
    "sites": [{"site_id": f"site-{i:03d}", "equipment_id": f"boiler-{i}"} for i in range(1, 21)],
    "ledger": {"tx_id": "c0ffee", "block_number": 9001},
    "portal_base": PORTAL,
}


def token_record() -> dict[str, Any]:
    return copy.deepcopy(TOKEN_RECORD)


def credit_record() -> dict[str, Any]:
    return copy.deepcopy(CREDIT_RECORD)


def _name(cn: str, org: str = "platform.envalue.example") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class TestCA:
    """A self-signed P-256 CA that issues leaf identities, like a Fabric CA."""

    __test__ = False
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @classmethod
    def create(cls, cn: str = "ca.platform.envalue.example", *, days: int = 3650) -> TestCA:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .sign(key, hashes.SHA256())
        )
        return cls(cert, key)

    @property
    def pem(self) -> bytes:
        return pem(self.cert)

    def issue(self, cn: str = "operator1", **options: Any) -> IssuingIdentity:
        return self.issue_pair(cn, **options)[0]

    def issue_pair(self, cn: str = "operator1", *, msp_id: str = "PlatformMSP",
                   not_before: datetime | None = None, not_after: datetime | None = None,
                   digital_signature: bool = True
                   ) -> tuple[IssuingIdentity, ec.EllipticCurvePrivateKey]:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(self.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - timedelta(hours=1))
            .not_valid_after(not_after or now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature, False, False, False, False, False,
                                         False, False, False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return IssuingIdentity.from_key(msp_id, pem(cert), key), key


def write_msp(identity: IssuingIdentity, key: ec.EllipticCurvePrivateKey, folder: Path) -> Path:
    """An MSP folder as fabric-ca-client writes it (signcerts/cert.pem, keystore/<x>_sk)."""
    (folder / "signcerts").mkdir(parents=True)
    (folder / "keystore").mkdir()
    (folder / "signcerts" / "cert.pem").write_bytes(identity.cert_pem)
    (folder / "keystore" / "abc_sk").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return folder
