"""How to start each Fabric process, and how to run the Fabric CLIs as an org admin.

This module only describes processes (processes.NodeProcess: argv, full environment,
working folder, port, health URL); network/processes.py starts, watches and stops them.
Peers and orderers get a clean environment (PATH, HOME and their own variables) so that
the rendered files are the whole truth; chaincode servers inherit the caller's (they are
Python or Go programs that may need a virtualenv's variables).

CLI commands go through a `Runner`; the environment passed to it holds only the
variables the command needs: the runner adds them on top of os.environ.

Node names are host names (`peer0.platform.envalue.local`, `orderer0.orderer...`) and,
for chaincode servers, `chaincode.<org key>`; logs and pid files use the same names.

Which orderer org and peer orgs exist comes from the port plan's topology
(`ports.topology`, the same object as NetworkSettings.topology).

Start order for `network up` (after the CA bootstrap has written every MSP and TLS
folder): `write_configs`, then `orderer_process` for each orderer, `peer_process` for
each peer, then channel.create_channel, then lifecycle.deploy, then
`chaincode_server_process` per peer org with the package ids that deploy returns.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import toolchain
from .config.common import NodeTLS, address, cli_config_dir, node_config_dir
from .config.orderer import write_orderer_config
from .config.peer import write_client_core, write_peer_core
from .errors import NetworkError
from .layout import NetworkLayout
from .ports import PortPlan
from .processes import NodeProcess
from .topology import Organization

#: Runs one command: argv and extra environment in, stdout out; raises NetworkError
#: (or OSError) when the command cannot run or exits non-zero.
Runner = Callable[[list[str], dict[str, str]], str]

DEFAULT_LOGGING_SPEC = "info"


@dataclass(frozen=True)
class FabricBinaries:
    """Where the Fabric executables are; network/toolchain.py decides the folder.

    Paths are built, not checked: command construction works (and is tested) without
    binaries; a missing binary surfaces when the runner executes it.
    """

    bin_dir: Path

    @classmethod
    def resolve(cls, bins: FabricBinaries | None = None) -> FabricBinaries:
        return bins if bins is not None else cls(toolchain.bin_dir())

    @property
    def peer(self) -> str:
        return str(self.bin_dir / "peer")

    @property
    def orderer(self) -> str:
        return str(self.bin_dir / "orderer")

    @property
    def osnadmin(self) -> str:
        return str(self.bin_dir / "osnadmin")

    @property
    def configtxgen(self) -> str:
        return str(self.bin_dir / "configtxgen")


def run_step(run: Runner, step: str, node: str, argv: list[str], env: dict[str, str]) -> str:
    """Run one CLI command; a failure becomes a NetworkError naming the step and the node."""
    try:
        return run(argv, env)
    except NetworkError as exc:
        detail = str(exc).removeprefix(f"{node}: ")
        raise NetworkError(f"{step} failed: {detail}", node=node, log=exc.log) from exc
    except OSError as exc:
        raise NetworkError(f"{step} failed: {argv[0]}: {exc}", node=node) from exc


def write_configs(layout: NetworkLayout, ports: PortPlan, orderers: int | None = None) -> None:
    """Render every node's config folder and the CLI's core.yaml (idempotent)."""
    topology = ports.topology
    for index in range(topology.orderer_org.orderers if orderers is None else orderers):
        write_orderer_config(layout, ports, index)
    for org in topology.peer_orgs:
        for index in range(org.peers):
            write_peer_core(layout, ports, org, index)
    write_client_core(layout)


def _base_env() -> dict[str, str]:
    """Fabric processes get a clean environment: a stray CORE_*/ORDERER_* variable in the
    caller's shell would silently override the rendered config files."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if "HOME" in os.environ:
        env["HOME"] = os.environ["HOME"]
    return env


def orderer_process(
    layout: NetworkLayout, ports: PortPlan, index: int, bins: FabricBinaries | None = None
) -> NodeProcess:
    """`orderer` with FABRIC_CFG_PATH at its rendered orderer.yaml (see write_configs)."""
    bins = FabricBinaries.resolve(bins)
    host = ports.topology.orderer_org.orderer_host(index)
    cfg = node_config_dir(layout, host)
    env = _base_env() | {"FABRIC_CFG_PATH": str(cfg), "FABRIC_LOGGING_SPEC": DEFAULT_LOGGING_SPEC}
    return NodeProcess(
        name=host,
        argv=[bins.orderer],
        env=env,
        cwd=cfg,
        port=ports.orderer(index),
        health_url=f"http://{address(ports.orderer_operations(index))}/healthz",
    )


def peer_process(
    layout: NetworkLayout,
    ports: PortPlan,
    org: Organization,
    index: int = 0,
    bins: FabricBinaries | None = None,
) -> NodeProcess:
    """`peer node start` with FABRIC_CFG_PATH at its rendered core.yaml."""
    bins = FabricBinaries.resolve(bins)
    host = org.peer_host(index)
    cfg = node_config_dir(layout, host)
    env = _base_env() | {
        "FABRIC_CFG_PATH": str(cfg),
        "FABRIC_LOGGING_SPEC": DEFAULT_LOGGING_SPEC,
        "CORE_VM_ENDPOINT": "",  # as in core.yaml: no container engine, ever
    }
    return NodeProcess(
        name=host,
        argv=[bins.peer, "node", "start"],
        env=env,
        cwd=cfg,
        port=ports.peer(org, index),
        health_url=f"http://{address(ports.peer_operations(org, index))}/healthz",
    )


def chaincode_server_name(org: Organization) -> str:
    return f"chaincode.{org.key}"


def chaincode_server_process(
    layout: NetworkLayout,
    ports: PortPlan,
    org: Organization,
    package_id: str,
    argv: list[str],
    *,
    extra_env: Mapping[str, str] | None = None,
) -> NodeProcess:
    """`org`'s chaincode server: `argv` is the server command (Python contracts or gocc).

    CHAINCODE_ID must be the package id that `org` installed, or the peer refuses the
    server's registration; restart the server with the new id after an upgrade.
    """
    port = ports.chaincode_server(org)
    env = dict(os.environ) | {"CHAINCODE_SERVER_ADDRESS": address(port),
                              "CHAINCODE_ID": package_id}
    env.update(extra_env or {})
    return NodeProcess(
        name=chaincode_server_name(org),
        argv=list(argv),
        env=env,
        cwd=layout.home,
        port=port,
        health_url=None,  # gRPC only: an accepting port is the health check
    )


def gocc_argv(bins: FabricBinaries | None = None) -> list[str]:
    """The Go benchmark chaincode (network/bench/gocc), built next to the Fabric binaries."""
    return [str(FabricBinaries.resolve(bins).bin_dir / "envalue-bench-gocc")]


def peer_address(ports: PortPlan, org: Organization, index: int = 0) -> str:
    return address(ports.peer(org, index))


def peer_tls_root(layout: NetworkLayout, org: Organization, index: int = 0) -> Path:
    return NodeTLS.of(layout, org, org.peer_host(index)).ca


def orderer_tls_root(layout: NetworkLayout, orderer_org: Organization, index: int = 0) -> Path:
    return NodeTLS.of(layout, orderer_org, orderer_org.orderer_host(index)).ca


def admin_env(
    layout: NetworkLayout, ports: PortPlan, org: Organization, index: int = 0
) -> dict[str, str]:
    """Environment for the `peer` CLI acting as `org`'s admin against its peer `index`."""
    return {
        "FABRIC_CFG_PATH": str(cli_config_dir(layout)),
        "FABRIC_LOGGING_SPEC": "warning",
        "CORE_PEER_LOCALMSPID": org.msp_id,
        "CORE_PEER_MSPCONFIGPATH": str(layout.admin(org) / "msp"),
        "CORE_PEER_ADDRESS": peer_address(ports, org, index),
        "CORE_PEER_TLS_ENABLED": "true",
        "CORE_PEER_TLS_ROOTCERT_FILE": str(peer_tls_root(layout, org, index)),
    }


def osnadmin_tls_args(layout: NetworkLayout, orderer_org: Organization, index: int) -> list[str]:
    """mTLS material for osnadmin: the orderer's own TLS key pair, trusted by the Admin
    endpoint because the orderer org's CA issued it."""
    tls = NodeTLS.of(layout, orderer_org, orderer_org.orderer_host(index))
    return ["--ca-file", str(tls.ca), "--client-cert", str(tls.cert),
            "--client-key", str(tls.key)]
