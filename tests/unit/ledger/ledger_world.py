"""A network home with enrolled identities and no running node: what a machine without
the Fabric peer binaries has after `envalue network up --only cas`.

Identities are written as the CA bootstrap writes them (``<home>/orgs/<org>/users/<user>
/msp/signcerts/cert.pem`` and ``keystore/<x>_sk``), issued by a throwaway CA with the
role attribute in the certificate. Nothing here stands in for a peer.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization

from envalue.network.settings import NetworkSettings
from envalue.network.topology import org_by_key
from tests.unit.webapp.webapp_helpers import FakeFabricCA

CA = FakeFabricCA("ca.test.envalue.local")


def enroll(home: Path, org_key: str, user: str, role: str) -> bytes:
    """Write an enrolled identity into the network home; returns its certificate."""
    cert, key = CA.issue(user, {"role": role, "hf.EnrollmentID": user})
    msp = home / "orgs" / org_key / "users" / user / "msp"
    (msp / "signcerts").mkdir(parents=True)
    (msp / "keystore").mkdir(parents=True)
    (msp / "signcerts" / "cert.pem").write_bytes(cert)
    (msp / "keystore" / "priv_sk").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return cert


def cas_only_network(home: Path, base_port: int) -> NetworkSettings:
    """Identities for customer1, city1, operator1 and verifier1; no peer has been created."""
    enroll(home, "customer", "customer1", "customer")
    enroll(home, "municipality", "city1", "municipality")
    enroll(home, "platform", "operator1", "operator")
    enroll(home, "platform", "verifier1", "verifier")
    return NetworkSettings.resolve(name="t", base_port=base_port, home=home)


def silent_peer(settings: NetworkSettings, org_key: str) -> None:
    """The peer's folder and TLS root exist (enrolled by the CA tier) but nothing runs."""
    org = org_by_key(org_key)
    settings.layout.node(org, org.peer_host(0)).mkdir(parents=True, exist_ok=True)
    settings.layout.ca_cert(org).parent.mkdir(parents=True, exist_ok=True)
    settings.layout.ca_cert(org).write_bytes(CA.cert.public_bytes(serialization.Encoding.PEM))
