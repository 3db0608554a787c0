"""A network's certificate authorities: one Fabric CA per organisation of its topology.

Each CA issues both the enrollment (MSP) certificates and the TLS certificates of its
org (profile `tls`), so one root per org anchors both. Bootstrap admin tooling runs the
real `fabric-ca-client` binary, which writes MSP folders in the layout peers and orderers
read; applications use the Python CA client in `envalue.client.ca` instead.

Identities enrolled per org (secrets are random, kept 0600 beside each identity):
- the org admin (type admin) for channel and lifecycle administration;
- each peer or orderer node (type peer/orderer), with a TLS key pair for its host names;
- the org's users (type client) with the `role` attribute written into the certificate.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import processes, toolchain
from .errors import NetworkError
from .layout import NetworkLayout
from .ports import PortPlan
from .topology import ROLE_ATTRIBUTE, Organization

log = logging.getLogger(__name__)

NODE_OUS = ("client", "peer", "admin", "orderer")


@dataclass(frozen=True)
class Enrollee:
    """One identity to register and enroll at an org's CA."""

    name: str
    type: str  # client | peer | orderer | admin
    folder: Path
    attrs: dict[str, str]
    tls_hosts: tuple[str, ...] = ()


def _secret_file(folder: Path) -> Path:
    return folder / "enrollment.secret"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def ca_url(ports: PortPlan, org: Organization) -> str:
    return f"https://localhost:{ports.ca(org)}"


def ca_process(layout: NetworkLayout, ports: PortPlan, org: Organization) -> processes.NodeProcess:
    home = layout.ca_home(org)
    return processes.NodeProcess(
        name=org.ca_name,
        argv=[
            str(toolchain.binary("fabric-ca-server")), "start",
            "--home", str(home),
            "--port", str(ports.ca(org)),
            "--address", "127.0.0.1",
            "--ca.name", org.ca_name,
            "--tls.enabled",
            "--csr.cn", f"ca.{org.domain}",
            "--csr.hosts", f"localhost,127.0.0.1,ca.{org.domain}",
            "--operations.listenaddress", f"127.0.0.1:{ports.ca_operations(org)}",
            "--metrics.provider", "prometheus",
        ],
        env={"PATH": os.environ.get("PATH", ""), "FABRIC_CA_SERVER_HOME": str(home)},
        cwd=home,
        port=ports.ca(org),
        health_url=f"http://127.0.0.1:{ports.ca_operations(org)}/healthz",
    )


def _init_ca_home(layout: NetworkLayout, org: Organization) -> None:
    """Write the CA's config (subject names, bootstrap admin) once; later starts reuse it."""
    home = layout.ca_home(org)
    config = home / "fabric-ca-server-config.yaml"
    if config.exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    admin_secret = secrets.token_urlsafe(18)
    _write_private(home / "bootstrap-admin.secret", admin_secret)
    settings = {
        "registry": {
            "maxenrollments": -1,
            "identities": [{
                "name": "admin", "pass": admin_secret, "type": "client", "affiliation": "",
                "attrs": {"hf.Registrar.Roles": "*", "hf.Registrar.DelegateRoles": "*",
                          "hf.Revoker": True, "hf.IntermediateCA": True,
                          "hf.GenCRL": True, "hf.Registrar.Attributes": "*",
                          "hf.AffiliationMgr": True},
            }],
        },
        "affiliations": {org.key: ["operations"]},
        "csr": {
            "cn": f"ca.{org.domain}",
            "names": [{"C": "JP", "ST": "Tokyo", "L": "", "O": org.msp_id.removesuffix("MSP"),
                       "OU": ""}],
            "hosts": ["localhost", "127.0.0.1", f"ca.{org.domain}"],
            "ca": {"expiry": "131400h", "pathlength": 1},
        },
        "signing": {
            "default": {"usage": ["digital signature"], "expiry": "8760h"},
            "profiles": {
                "ca": {"usage": ["cert sign", "crl sign"], "expiry": "43800h",
                       "caconstraint": {"isca": True, "maxpathlen": 0}},
                "tls": {"usage": ["signing", "key encipherment", "server auth",
                                  "client auth", "key agreement"], "expiry": "8760h"},
            },
        },
    }
    config.write_text(yaml.safe_dump(settings, sort_keys=False))


def _client_env(home: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "FABRIC_CA_CLIENT_HOME": str(home)}


def _ca_client(layout: NetworkLayout, ports: PortPlan, org: Organization, args: list[str],
               *, home: Path, step: str) -> str:
    argv = [str(toolchain.binary("fabric-ca-client")), *args,
            "--caname", org.ca_name, "--tls.certfiles", str(layout.ca_cert(org)),
            "-u", ca_url(ports, org)]
    return processes.run_tool(argv, _client_env(home), step=step, node=org.ca_name)


def _enroll_url(ports: PortPlan, org: Organization, name: str, secret: str) -> str:
    return f"https://{name}:{secret}@localhost:{ports.ca(org)}"


def _enroll(layout: NetworkLayout, ports: PortPlan, org: Organization, name: str, secret: str,
            msp_dir: Path, *, extra: Iterable[str] = (), step: str) -> None:
    argv = [str(toolchain.binary("fabric-ca-client")), "enroll",
            "-u", _enroll_url(ports, org, name, secret), "--caname", org.ca_name,
            "--tls.certfiles", str(layout.ca_cert(org)), "-M", str(msp_dir),
            "--csr.names", f"C=JP,ST=Tokyo,O={org.msp_id.removesuffix('MSP')}", *extra]
    processes.run_tool(argv, _client_env(msp_dir.parent), step=step, node=org.ca_name)


def _node_ou_config(cacert_rel: str) -> str:
    ous = {
        f"{ou.capitalize()}OUIdentifier": {"Certificate": cacert_rel,
                                            "OrganizationalUnitIdentifier": ou}
        for ou in NODE_OUS
    }
    return yaml.safe_dump({"NodeOUs": {"Enable": True, **ous}}, sort_keys=False)


def _finish_msp(msp_dir: Path) -> None:
    """Name the CA file predictably and switch on NodeOUs (client/peer/admin/orderer)."""
    cacerts = sorted((msp_dir / "cacerts").glob("*.pem"))
    if not cacerts:
        raise NetworkError(f"no CA certificate was written to {msp_dir / 'cacerts'}")
    target = msp_dir / "cacerts" / "ca.pem"
    if cacerts[0] != target:
        cacerts[0].rename(target)
    (msp_dir / "config.yaml").write_text(_node_ou_config("cacerts/ca.pem"))


def _tls_layout(tls_msp: Path, tls_dir: Path) -> None:
    """Copy an enrolled TLS MSP into the server.crt/server.key/ca.crt form nodes read."""
    tls_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(next((tls_msp / "signcerts").glob("*.pem")), tls_dir / "server.crt")
    key = next((tls_msp / "keystore").iterdir())
    shutil.copyfile(key, tls_dir / "server.key")
    os.chmod(tls_dir / "server.key", 0o600)
    shutil.copyfile(next((tls_msp / "tlscacerts").glob("*.pem")), tls_dir / "ca.crt")


def enrollees(layout: NetworkLayout, org: Organization) -> list[Enrollee]:
    people = [Enrollee(org.admin_name, "admin", layout.admin(org), {})]
    for i in range(org.orderers):
        host = org.orderer_host(i)
        people.append(Enrollee(host, "orderer", layout.node(org, host), {},
                               (host, "localhost", "127.0.0.1")))
    for i in range(org.peers):
        host = org.peer_host(i)
        people.append(Enrollee(host, "peer", layout.node(org, host), {},
                               (host, "localhost", "127.0.0.1")))
    for user in org.users:
        people.append(Enrollee(user.name, "client", layout.user(org, user.name),
                               {ROLE_ATTRIBUTE: user.role}))
    return people


def _register_and_enroll(layout: NetworkLayout, ports: PortPlan, org: Organization,
                         person: Enrollee, registrar_home: Path) -> None:
    msp_dir = person.folder / "msp"
    if (msp_dir / "signcerts").is_dir() and (
        not person.tls_hosts or (person.folder / "tls" / "server.crt").is_file()
    ):
        return  # already enrolled: `network up` on a running network changes nothing
    secret_path = _secret_file(person.folder)
    if secret_path.exists():
        secret = secret_path.read_text().strip()
    else:
        secret = secrets.token_urlsafe(18)
        args = ["register", "--id.name", person.name, "--id.secret", secret,
                "--id.type", person.type, "--id.affiliation", org.key]
        if person.attrs:
            args += ["--id.attrs",
                     ",".join(f"{k}={v}:ecert" for k, v in sorted(person.attrs.items()))]
        _ca_client(layout, ports, org, args, home=registrar_home,
                   step=f"register {person.name}")
        _write_private(secret_path, secret)
    extra: list[str] = []
    if person.attrs:
        extra = ["--enrollment.attrs", ",".join(sorted(person.attrs))]
    _enroll(layout, ports, org, person.name, secret, msp_dir, extra=extra,
            step=f"enroll {person.name}")
    _finish_msp(msp_dir)
    if person.tls_hosts:
        tls_msp = person.folder / "tls-msp"
        _enroll(layout, ports, org, person.name, secret, tls_msp,
                extra=["--enrollment.profile", "tls", "--csr.hosts", ",".join(person.tls_hosts)],
                step=f"enroll TLS {person.name}")
        _tls_layout(tls_msp, person.folder / "tls")


def _org_msp(layout: NetworkLayout, org: Organization) -> None:
    """The org's verifying MSP that channel configuration points at."""
    msp = layout.org_msp(org)
    for sub in ("cacerts", "tlscacerts"):
        (msp / sub).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(layout.ca_cert(org), msp / sub / "ca.pem")
    (msp / "config.yaml").write_text(_node_ou_config("cacerts/ca.pem"))


def start_ca(layout: NetworkLayout, ports: PortPlan, org: Organization) -> int:
    _init_ca_home(layout, org)
    return processes.start(layout, ca_process(layout, ports, org))


def bootstrap_org(layout: NetworkLayout, ports: PortPlan, org: Organization) -> None:
    """Start the org's CA and enroll its admin, nodes and users (idempotent)."""
    start_ca(layout, ports, org)
    registrar_home = layout.org(org) / "ca-admin"
    if not (registrar_home / "msp" / "signcerts").is_dir():
        admin_secret = (layout.ca_home(org) / "bootstrap-admin.secret").read_text().strip()
        _enroll(layout, ports, org, "admin", admin_secret, registrar_home / "msp",
                step="enroll CA bootstrap admin")
    _org_msp(layout, org)
    for person in enrollees(layout, org):
        _register_and_enroll(layout, ports, org, person, registrar_home)


def bootstrap_all(layout: NetworkLayout, ports: PortPlan,
                  orgs: Iterable[Organization] | None = None) -> None:
    """Bootstrap `orgs` (default: every org of the port plan's topology)."""
    for org in ports.topology.all_orgs if orgs is None else orgs:
        bootstrap_org(layout, ports, org)
