"""Orderers, peers, chaincode servers, the channel and the chaincode definition.

The part of `network up` that needs the Fabric binaries. Every step is idempotent:
running nodes are left alone, joined channels are not joined again, a committed
definition of the same version is not approved again. `up` returns only once a
transaction endorsed by two orgs commits, because right after the channel join the
gateway cannot yet find the other orgs' peers (gossip needs tens of seconds).

Which nodes, channel and chaincode server run comes from `settings.topology`: the
consortium serves `python -m envalue.chaincode`, the partner ledger
`python -m envalue.chaincode.partner`.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from typing import Any

from . import channel, lifecycle, nodes, processes
from .connections import gateway_for
from .errors import NetworkError
from .settings import NetworkSettings
from .topology import CONSORTIUM

log = logging.getLogger(__name__)

#: The consortium's Python chaincode server (all envalue contracts) each peer org runs;
#: other topologies: `Topology.chaincode_argv()`.
CHAINCODE_ARGV: list[str] = CONSORTIUM.chaincode_argv()
READINESS_TIMEOUT_S = 120.0


def _runner(argv: list[str], env: dict[str, str]) -> str:
    return processes.run_tool(argv, {**os.environ, **env}, step="fabric-cli")


def _start_chaincode_servers(settings: NetworkSettings, package_ids: dict[str, str],
                             *, restart: bool = False) -> None:
    argv = settings.topology.chaincode_argv()
    for org in settings.topology.peer_orgs:
        name = nodes.chaincode_server_name(org)
        if restart:
            processes.stop(settings.layout, name)
        processes.start(settings.layout, nodes.chaincode_server_process(
            settings.layout, settings.ports, org, package_ids[org.key], argv))


def _committed_version(settings: NetworkSettings) -> lifecycle.Committed | None:
    return lifecycle.Lifecycle(_runner, settings.layout, settings.ports).committed()


def up(settings: NetworkSettings) -> None:
    layout, ports, topology = settings.layout, settings.ports, settings.topology
    nodes.write_configs(layout, ports)
    for index in range(topology.orderer_org.orderers):
        processes.start(layout, nodes.orderer_process(layout, ports, index))
    for org in topology.peer_orgs:
        for index in range(org.peers):
            processes.start(layout, nodes.peer_process(layout, ports, org, index))
    channel.create_channel(_runner, layout, ports)
    current = _committed_version(settings)
    version = current.version if current else "1"
    result = lifecycle.deploy(_runner, layout, ports, version=version)
    _start_chaincode_servers(settings, result.package_ids)
    wait_for_cross_org_endorsement(settings)


def deploy(settings: NetworkSettings) -> dict[str, Any]:
    """Commit the next sequence of the chaincode and move the servers to its package."""
    current = _committed_version(settings)
    if current is None:
        raise NetworkError("no chaincode is committed yet: run `envalue network up` first")
    version = str(current.sequence + 1)
    result = lifecycle.deploy(_runner, settings.layout, settings.ports, version=version)
    if result.changed:
        _start_chaincode_servers(settings, result.package_ids, restart=True)
    wait_for_cross_org_endorsement(settings)
    return {"chaincode": settings.topology.chaincode_name, "version": result.version,
            "sequence": result.sequence, "package_ids": result.package_ids}


def wait_for_cross_org_endorsement(settings: NetworkSettings,
                                   timeout: float = READINESS_TIMEOUT_S) -> None:
    """Submit a probe write endorsed by the first two peer orgs (Platform and Market;
    Exchange and Member) until it commits VALID."""
    topology = settings.topology
    org, other = topology.peer_orgs[0], topology.peer_orgs[1]
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    with gateway_for(settings, org, org.users[0].name) as gateway:
        contract = gateway.get_network(topology.channel).get_contract(
            topology.chaincode_name, "probe")
        while time.monotonic() < deadline:
            try:
                contract.submit("put", arguments=["readiness", uuid.uuid4().hex],
                                endorsing_organizations=[org.msp_id, other.msp_id])
                return
            except Exception as err:  # noqa: BLE001 (any failure means "not yet")
                last_error = err
                time.sleep(2.0)
    raise NetworkError(f"no cross-org endorsement within {timeout:.0f}s: {last_error}",
                       node=org.peer_host(0), log=settings.layout.log(org.peer_host(0)))


def add_status(settings: NetworkSettings, result: dict[str, Any]) -> None:
    """Add orderers, peers, chaincode servers, heights and the committed definition."""
    layout, ports, topology = settings.layout, settings.ports, settings.topology
    for index in range(topology.orderer_org.orderers):
        proc = nodes.orderer_process(layout, ports, index)
        result["nodes"].append(_node_status(settings, proc, "orderer",
                                            topology.orderer_org.msp_id))
    for org in topology.peer_orgs:
        result["nodes"].append(_node_status(
            settings, nodes.peer_process(layout, ports, org), "peer", org.msp_id))
        name = nodes.chaincode_server_name(org)
        pid = processes.running_pid(layout, name)
        port = ports.chaincode_server(org)
        result["nodes"].append({
            "name": name, "kind": "chaincode", "org": org.msp_id,
            "address": f"127.0.0.1:{port}", "pid": pid,
            "health": {"status": ("OK" if processes.port_open(port) else "DOWN")
                       if pid else "STOPPED"},
            "log": str(layout.log(name))})
        if processes.running_pid(layout, org.peer_host(0)):
            try:
                result["channel"]["heights"][org.peer_host(0)] = channel.peer_height(
                    _runner, layout, ports, org)
            except NetworkError as err:
                result["channel"]["heights"][org.peer_host(0)] = {"error": str(err)}
    if processes.running_pid(layout, topology.peer_orgs[0].peer_host(0)):
        committed = _committed_version(settings)
        if committed is not None:
            result["chaincode"]["committed"] = {"version": committed.version,
                                                "sequence": committed.sequence}


def _node_status(settings: NetworkSettings, proc: processes.NodeProcess, kind: str,
                 msp_id: str) -> dict[str, Any]:
    pid = processes.running_pid(settings.layout, proc.name)
    return {
        "name": proc.name, "kind": kind, "org": msp_id,
        "address": f"127.0.0.1:{proc.port}", "pid": pid,
        "health": (processes.health(proc.health_url) if pid and proc.health_url
                   else {"status": "STOPPED"}),
        "log": str(settings.layout.log(proc.name)),
    }
