"""The admin operations behind `envalue network up|down|status|deploy`.

`up` checks every prerequisite before starting anything, so a missing binary leaves no
half-started network behind; each phase is idempotent, so `up` on a running network
changes nothing.
"""

from __future__ import annotations

import logging
import shutil
from typing import Any

from . import cas, fabric_nodes, processes, toolchain
from .errors import NetworkError, ToolchainError
from .settings import NetworkSettings

log = logging.getLogger(__name__)

PHASES = ("cas", "all")


def ensure_binaries(*, phase: str = "all") -> None:
    """Build what is missing (reusing earlier builds); fail before anything starts."""
    toolchain.build(toolchain.FABRIC_CA)
    if phase == "all":
        toolchain.build(toolchain.FABRIC)


def up(settings: NetworkSettings, *, phase: str = "all") -> dict[str, Any]:
    """Bring the network (or only its certificate authorities) up and return its status.

    Records the network's topology and base port first, so later commands find them."""
    if phase not in PHASES:
        raise NetworkError(f"phase: {phase!r} is not one of {', '.join(PHASES)}")
    ensure_binaries(phase=phase)
    settings.record()
    cas.bootstrap_all(settings.layout, settings.ports)
    if phase == "all":
        # orderers, peers, chaincode servers, channel and _lifecycle: needs the Fabric
        # binaries that ensure_binaries() built above
        fabric_nodes.up(settings)
    return status(settings)


def down(settings: NetworkSettings, *, purge: bool = False) -> list[str]:
    """Stop the processes this network started (by pid file); purge removes its data."""
    stopped = [name for name in processes.started_nodes(settings.layout)
               if processes.stop(settings.layout, name)]
    if purge and settings.layout.home.exists():
        shutil.rmtree(settings.layout.home)
    return stopped


def _ca_status(settings: NetworkSettings) -> list[dict[str, Any]]:
    nodes = []
    for org in settings.topology.all_orgs:
        pid = processes.running_pid(settings.layout, org.ca_name)
        url = f"http://127.0.0.1:{settings.ports.ca_operations(org)}/healthz"
        nodes.append({
            "name": org.ca_name, "kind": "ca", "org": org.msp_id,
            "address": f"localhost:{settings.ports.ca(org)}",
            "pid": pid,
            "health": processes.health(url) if pid else {"status": "STOPPED"},
            "log": str(settings.layout.log(org.ca_name)),
        })
    return nodes


def status(settings: NetworkSettings) -> dict[str, Any]:
    """One JSON-ready object: every node's health, channel heights, committed chaincode."""
    topology = settings.topology
    result: dict[str, Any] = {
        "network": settings.name,
        "topology": topology.name,
        "home": str(settings.layout.home),
        "base_port": settings.ports.base,
        "nodes": _ca_status(settings),
        "channel": {"name": topology.channel, "heights": {}},
        "chaincode": {"name": topology.chaincode_name, "committed": None},
        "binaries_missing": toolchain.missing(),
    }
    try:
        fabric_nodes.add_status(settings, result)
    except ToolchainError as err:
        result["fabric_nodes_error"] = str(err)
    return result
