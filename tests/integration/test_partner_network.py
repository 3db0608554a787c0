"""The partner ledger's CA tier (real fabric-ca-server processes) beside the consortium's.

Both run at once on their own base ports; the partner's users carry their role
attribute; and the two networks are distinct trust domains: no partner certificate
chains to a consortium CA, and the reverse.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from envalue.network import nodes, operations, processes
from envalue.network.config import write_configtx
from envalue.network.settings import NetworkSettings
from envalue.network.topology import CONSORTIUM, PARTNER

pytestmark = pytest.mark.integration

ATTRS_OID = x509.ObjectIdentifier("1.2.3.4.5.6.7.8.1")


def _cert(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _signcert(folder) -> x509.Certificate:
    return _cert(next((folder / "msp" / "signcerts").glob("*.pem")))


def _ous(cert: x509.Certificate) -> set[str]:
    return {a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)}


def _signed_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    key = ca.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    try:
        key.verify(cert.signature, cert.tbs_certificate_bytes,
                   ec.ECDSA(cert.signature_hash_algorithm))
    except InvalidSignature:
        return False
    return True


def _ca_health(settings: NetworkSettings) -> dict[str, str]:
    status = operations.status(settings)
    return {n["name"]: n["health"]["status"] for n in status["nodes"] if n["kind"] == "ca"}


def test_both_ca_tiers_run_side_by_side(ca_tier: NetworkSettings,
                                        partner_ca_tier: NetworkSettings) -> None:
    assert partner_ca_tier.topology is PARTNER and ca_tier.topology is CONSORTIUM
    assert _ca_health(partner_ca_tier) == {
        "ca-partner-ordering": "OK", "ca-exchange": "OK", "ca-member": "OK"}
    assert _ca_health(ca_tier) == {org.ca_name: "OK" for org in CONSORTIUM.all_orgs}
    partner_pids = {processes.running_pid(partner_ca_tier.layout, o.ca_name)
                    for o in PARTNER.all_orgs}
    consortium_pids = {processes.running_pid(ca_tier.layout, o.ca_name)
                       for o in CONSORTIUM.all_orgs}
    assert None not in partner_pids and not partner_pids & consortium_pids
    assert not set(partner_ca_tier.ports.node_ports()) & set(ca_tier.ports.node_ports())
    recorded = json.loads((partner_ca_tier.layout.home / "network.json").read_text())
    assert recorded == {"name": "test-partner-cas", "topology": "partner",
                        "base_port": partner_ca_tier.ports.base}


def test_partner_users_carry_their_role_attribute(partner_ca_tier: NetworkSettings) -> None:
    seen = {}
    for org in PARTNER.peer_orgs:
        ca = _cert(partner_ca_tier.layout.ca_cert(org))
        for user in org.users:
            cert = _signcert(partner_ca_tier.layout.user(org, user.name))
            attrs = json.loads(cert.extensions.get_extension_for_oid(ATTRS_OID).value.value)
            assert attrs["attrs"]["role"] == user.role
            assert "client" in _ous(cert) and org.key in _ous(cert)
            assert _signed_by(cert, ca) and cert.issuer == ca.subject
            seen[f"{user.name}@{org.key}"] = user.role
    assert seen == {"operator1@exchange": "operator", "bridge1@exchange": "bridge",
                    "trader1@member": "trader", "trader2@member": "trader"}


def test_partner_nodes_have_their_hosts_and_node_ous(partner_ca_tier: NetworkSettings) -> None:
    layout = partner_ca_tier.layout
    orderer = PARTNER.orderer_org
    hosts = [(orderer, orderer.orderer_host(0), "orderer")] + [
        (org, org.peer_host(0), "peer") for org in PARTNER.peer_orgs]
    for org, host, ou in hosts:
        node = layout.node(org, host)
        assert ou in _ous(_signcert(node))
        tls = _cert(node / "tls" / "server.crt")
        san = tls.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert host in san.get_values_for_type(x509.DNSName)
        assert _signed_by(tls, _cert(layout.ca_cert(org)))
    assert "admin" in _ous(_signcert(layout.admin(orderer)))


def test_the_two_networks_are_distinct_trust_roots(ca_tier: NetworkSettings,
                                                   partner_ca_tier: NetworkSettings) -> None:
    consortium_roots = [_cert(ca_tier.layout.ca_cert(o)) for o in CONSORTIUM.all_orgs]
    partner_roots = [_cert(partner_ca_tier.layout.ca_cert(o)) for o in PARTNER.all_orgs]
    assert not {c.public_key().public_numbers() for c in consortium_roots} & {
        c.public_key().public_numbers() for c in partner_roots}
    partner_users = [_signcert(partner_ca_tier.layout.user(org, user.name))
                     for org in PARTNER.peer_orgs for user in org.users]
    consortium_users = [_signcert(ca_tier.layout.user(org, user.name))
                        for org in CONSORTIUM.peer_orgs for user in org.users]
    for cert in partner_users:
        assert not any(_signed_by(cert, root) for root in consortium_roots)
    for cert in consortium_users:
        assert not any(_signed_by(cert, root) for root in partner_roots)
    # and the partner's verifying MSPs hold only partner roots
    for org in PARTNER.all_orgs:
        msp_root = _cert(partner_ca_tier.layout.org_msp(org) / "cacerts" / "ca.pem")
        assert msp_root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
            f"ca.{org.domain}")
        assert msp_root not in consortium_roots


def _absolute_paths(tree: Any, where: str = "") -> list[tuple[str, str]]:
    if isinstance(tree, dict):
        return [p for k, v in tree.items() for p in _absolute_paths(v, f"{where}.{k}")]
    if isinstance(tree, list):
        return [p for i, v in enumerate(tree) for p in _absolute_paths(v, f"{where}[{i}]")]
    return [(where, tree)] if isinstance(tree, str) and tree.startswith("/") else []


def test_partner_configs_point_at_its_enrolled_identities(
        partner_ca_tier: NetworkSettings) -> None:
    """Rendered with the real enrolled MSPs: every certificate, key and MSP folder named by
    the orderer, peer and channel configs exists (ledger folders are the nodes' own)."""
    layout = partner_ca_tier.layout
    nodes.write_configs(layout, partner_ca_tier.ports)
    write_configtx(layout, partner_ca_tier.ports)
    configs = sorted((layout.home / "config").rglob("*.yaml"))
    assert {c.parent.name for c in configs} == {
        "cli", "channel", "orderer0.orderer.partner.local", "peer0.exchange.partner.local",
        "peer0.member.partner.local"}
    missing = []
    for config in configs:
        for where, path in _absolute_paths(yaml.safe_load(config.read_text())):
            if not path.startswith(str(layout.data)) and not os.path.exists(path):
                missing.append(f"{config.parent.name}/{config.name}{where}: {path}")
    assert missing == []
