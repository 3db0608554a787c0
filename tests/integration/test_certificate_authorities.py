"""The consortium's Fabric CAs, run as real processes, and the identities they issue."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from envalue.network import cas, operations, processes
from envalue.network.errors import NetworkError
from envalue.network.settings import NetworkSettings
from envalue.network.topology import ALL_ORGS, PEER_ORGS, ROLES

pytestmark = pytest.mark.integration

ATTRS_OID = x509.ObjectIdentifier("1.2.3.4.5.6.7.8.1")


def _cert(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _signcert(folder) -> x509.Certificate:
    return _cert(next((folder / "msp" / "signcerts").glob("*.pem")))


def _ous(cert: x509.Certificate) -> set[str]:
    return {a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)}


def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    key = ca.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    return cert.issuer == ca.subject


def test_every_ca_is_healthy(ca_tier: NetworkSettings) -> None:
    status = operations.status(ca_tier)
    cas_up = {n["name"]: n["health"]["status"] for n in status["nodes"] if n["kind"] == "ca"}
    assert cas_up == {org.ca_name: "OK" for org in ALL_ORGS}


def test_users_carry_their_role_attribute_in_the_certificate(ca_tier: NetworkSettings) -> None:
    seen_roles = set()
    for org in PEER_ORGS:
        ca = _cert(ca_tier.layout.ca_cert(org))
        for user in org.users:
            cert = _signcert(ca_tier.layout.user(org, user.name))
            attrs = json.loads(cert.extensions.get_extension_for_oid(ATTRS_OID).value.value)
            assert attrs["attrs"]["role"] == user.role
            assert "client" in _ous(cert)
            assert _issued_by(cert, ca)
            seen_roles.add(user.role)
    assert seen_roles == set(ROLES)


def test_nodes_and_admins_have_node_ous_and_tls_for_their_hosts(ca_tier: NetworkSettings) -> None:
    for org in ALL_ORGS:
        ca = _cert(ca_tier.layout.ca_cert(org))
        admin = _signcert(ca_tier.layout.admin(org))
        assert "admin" in _ous(admin)
        hosts = [(org.peer_host(i), "peer") for i in range(org.peers)] + [
            (org.orderer_host(i), "orderer") for i in range(org.orderers)]
        assert hosts, org.key
        for host, ou in hosts:
            node = ca_tier.layout.node(org, host)
            assert ou in _ous(_signcert(node))
            tls = _cert(node / "tls" / "server.crt")
            san = tls.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            assert {host, "localhost"} <= set(san.get_values_for_type(x509.DNSName))
            assert _issued_by(tls, ca)
            assert (node / "tls" / "server.key").stat().st_mode & 0o077 == 0
        config = (ca_tier.layout.org_msp(org) / "config.yaml").read_text()
        assert "Enable: true" in config


def test_up_again_changes_nothing(ca_tier: NetworkSettings) -> None:
    org = PEER_ORGS[0]
    cert_path = next((ca_tier.layout.user(org, org.users[0].name) / "msp" / "signcerts").glob("*"))
    before_cert = cert_path.read_bytes()
    before_pids = {o.ca_name: processes.running_pid(ca_tier.layout, o.ca_name) for o in ALL_ORGS}
    operations.up(ca_tier, phase="cas")
    assert cert_path.read_bytes() == before_cert
    assert {o.ca_name: processes.running_pid(ca_tier.layout, o.ca_name)
            for o in ALL_ORGS} == before_pids


def test_a_pid_file_pointing_at_a_foreign_process_is_never_signalled(
        ca_tier: NetworkSettings) -> None:
    foreign = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        ca_tier.layout.pid("impostor").write_text(
            json.dumps({"pid": foreign.pid, "exe": "/usr/bin/not-the-same-program"}))
        assert processes.stop(ca_tier.layout, "impostor") is False
        assert foreign.poll() is None
    finally:
        foreign.kill()
        foreign.wait()


def test_a_port_taken_by_another_program_names_the_node(ca_tier: NetworkSettings) -> None:
    org = ALL_ORGS[1]
    taken = ca_tier.ports.ca(org)
    node = processes.NodeProcess(name="ca-clash", argv=["/bin/true"], env={},
                                 cwd=ca_tier.layout.home, port=taken)
    with pytest.raises(NetworkError, match=rf"ca-clash: port {taken} is already in use"):
        processes.start(ca_tier.layout, node)


def test_a_node_that_dies_at_start_names_itself_and_its_log(
        ca_tier: NetworkSettings, tmp_path) -> None:
    node = processes.NodeProcess(
        name="doomed", argv=[sys.executable, "-c", "import sys; print('bad config'); sys.exit(4)"],
        env={}, cwd=tmp_path, port=ca_tier.ports.base + 99)
    with pytest.raises(NetworkError) as caught:
        processes.start(ca_tier.layout, node, timeout=10)
    message = str(caught.value)
    assert message.startswith("doomed: exited with code 4")
    assert str(ca_tier.layout.log("doomed")) in message
    assert "bad config" in ca_tier.layout.log("doomed").read_text()


def test_ca_processes_run_the_built_fabric_ca(ca_tier: NetworkSettings) -> None:
    proc = cas.ca_process(ca_tier.layout, ca_tier.ports, ALL_ORGS[0])
    out = subprocess.run([proc.argv[0], "version"], capture_output=True, text=True, check=True)
    assert "Version: 1.5.21" in out.stdout


def test_down_then_up_restarts_the_cas_with_the_same_identities(
        ca_tier: NetworkSettings) -> None:
    org = PEER_ORGS[0]
    ca_cert = ca_tier.layout.ca_cert(org).read_bytes()
    stopped = operations.down(ca_tier)
    assert sorted(stopped) == sorted(o.ca_name for o in ALL_ORGS)
    assert all(processes.running_pid(ca_tier.layout, o.ca_name) is None for o in ALL_ORGS)
    status = operations.up(ca_tier, phase="cas")
    assert ca_tier.layout.ca_cert(org).read_bytes() == ca_cert
    assert {n["name"]: n["health"]["status"] for n in status["nodes"] if n["kind"] == "ca"} \
        == {o.ca_name: "OK" for o in ALL_ORGS}
