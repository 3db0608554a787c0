"""Which network an admin command talks to: a name (its home folder), a topology, a base port.

Defaults come from the environment so that tests and the partner ledger can run beside
the main network: ENVALUE_NETWORK (name), ENVALUE_BASE_PORT, ENVALUE_NETWORK_HOME
(overrides the home folder). The first `up` records the topology and base port in
<home>/network.json; later commands reuse them, and asking for another one is an error
naming both (a network cannot change shape or ports under its running nodes).

The topology is, in order: the one asked for (`--topology`), the recorded one, the one
the network's name is (`ENVALUE_NETWORK=partner` or `--name partner`), or the consortium.
A network name left unset defaults to the topology's own (`envalue` or `partner`), so
`--topology partner` alone never lands in the consortium's home.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .layout import NetworkLayout
from .ports import PortPlan
from .topology import CONSORTIUM, TOPOLOGIES, Topology, topology_named


@dataclass(frozen=True)
class NetworkSettings:
    name: str
    layout: NetworkLayout
    ports: PortPlan

    @property
    def topology(self) -> Topology:
        """The network's shape (the port plan is built for it)."""
        return self.ports.topology

    @classmethod
    def resolve(cls, name: str | None = None, base_port: int | None = None,
                home: Path | None = None, topology: str | None = None) -> NetworkSettings:
        asked = topology_named(topology) if topology else None
        name = name or os.environ.get("ENVALUE_NETWORK")
        env_home = os.environ.get("ENVALUE_NETWORK_HOME")
        folder = home or (Path(env_home) if env_home else None)
        default_name = asked.network_name if asked else CONSORTIUM.network_name
        layout = NetworkLayout(folder) if folder else NetworkLayout.named(name or default_name)
        recorded = _recorded(layout)
        # a home given by path keeps the name it was created with
        name = name or (recorded or {}).get("name") or default_name
        recorded_topology = _recorded_topology(recorded, layout)
        if asked and recorded_topology and asked != recorded_topology:
            raise ValueError(
                f"topology: network {name!r} at {layout.home} was created with topology "
                f"{recorded_topology.name}, not {asked.name}; use another --name, or bring "
                "it down with --purge to change it")
        shape = asked or recorded_topology or _topology_of_name(name)
        recorded_base = _recorded_base(recorded)
        env_base = os.environ.get("ENVALUE_BASE_PORT")
        base = base_port or recorded_base or (
            int(env_base) if env_base else shape.default_base_port)
        if recorded_base and base != recorded_base:
            raise ValueError(
                f"base_port: network {name!r} at {layout.home} was created with base port "
                f"{recorded_base}, not {base}; bring it down with --purge to change it")
        return cls(name=str(name), layout=layout, ports=PortPlan(base, shape))

    def record(self) -> None:
        """Remember the topology and base port so later commands find the same network."""
        self.layout.home.mkdir(parents=True, exist_ok=True)
        _settings_file(self.layout).write_text(json.dumps({
            "name": self.name, "topology": self.topology.name,
            "base_port": self.ports.base}) + "\n")


def _settings_file(layout: NetworkLayout) -> Path:
    return layout.home / "network.json"


def _recorded(layout: NetworkLayout) -> dict | None:
    try:
        data = json.loads(_settings_file(layout).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _recorded_base(recorded: dict | None) -> int | None:
    try:
        return int(recorded["base_port"]) if recorded else None
    except (KeyError, TypeError, ValueError):
        return None


def _recorded_topology(recorded: dict | None, layout: NetworkLayout) -> Topology | None:
    if recorded is None:
        return None
    # network.json files written before topologies existed belong to the consortium
    name = recorded.get("topology", CONSORTIUM.name)
    try:
        return topology_named(str(name))
    except ValueError as err:
        raise ValueError(f"{err} (recorded in {_settings_file(layout)})") from None


def _topology_of_name(name: str) -> Topology:
    for shape in TOPOLOGIES.values():
        if name in (shape.name, shape.network_name):
            return shape
    return CONSORTIUM
