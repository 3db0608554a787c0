"""`envalue network …`: bring a network up, inspect it, upgrade, take it down.

`--topology consortium|partner` picks the network's shape: envalue's consortium (the
default) or the partner ledger the bridge talks to. A new network records its topology
and base port; later commands reuse them, and a different `--topology` is refused with
an error naming both.
"""

from __future__ import annotations

from typing import Any

import click

from envalue.network import fabric_nodes, operations
from envalue.network.errors import NetworkError
from envalue.network.settings import NetworkSettings
from envalue.network.topology import TOPOLOGIES

from ._output import fail, print_json


def _settings(name: str | None, base_port: int | None, topology: str | None) -> NetworkSettings:
    try:
        return NetworkSettings.resolve(name=name, base_port=base_port, topology=topology)
    except ValueError as err:
        fail(str(err), exit_code=2)
        raise  # unreachable: fail() exits


_name = click.option("--name", default=None,
                     help="Network name (default: ENVALUE_NETWORK, else the topology's: "
                          "'envalue' or 'partner').")
_base = click.option("--base-port", type=int, default=None,
                     help="First of the network's 100 ports (default: the recorded one, "
                          "ENVALUE_BASE_PORT, else 17000 consortium / 17200 partner).")
_topology = click.option("--topology", type=click.Choice(sorted(TOPOLOGIES)), default=None,
                         help="Network shape (default: the recorded one, else the one the "
                              "network's name is, else consortium).")
_json = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@click.group(name="network")
def command() -> None:
    """Run a Fabric network (the consortium or the partner ledger) as native processes."""


@command.command()
@_name
@_base
@_topology
@click.option("--only", "phase", type=click.Choice(["cas"]), default=None,
              help="Bring up only the certificate authorities and enroll identities.")
@_json
def up(name: str | None, base_port: int | None, topology: str | None, phase: str | None,
       as_json: bool) -> None:
    """Build what is missing, start every node, create the channel, deploy the chaincode."""
    settings = _settings(name, base_port, topology)
    try:
        result = operations.up(settings, phase=phase or "all")
    except NetworkError as err:
        fail(str(err), exit_code=err.exit_code)
    _report(result, as_json)


@command.command()
@_name
@_base
@_topology
@click.option("--purge", is_flag=True, help="Also remove the network's data and certificates.")
@_json
def down(name: str | None, base_port: int | None, topology: str | None, purge: bool,
         as_json: bool) -> None:
    """Stop only the processes this network started."""
    settings = _settings(name, base_port, topology)
    stopped = operations.down(settings, purge=purge)
    if as_json:
        print_json({"network": settings.name, "topology": settings.topology.name,
                    "stopped": stopped, "purged": purge})
    else:
        click.echo(f"stopped {len(stopped)} process(es)" + (", data removed" if purge else ""))


@command.command()
@_name
@_base
@_topology
@_json
def status(name: str | None, base_port: int | None, topology: str | None,
           as_json: bool) -> None:
    """Every node's health, the channel heights and the committed chaincode."""
    _report(operations.status(_settings(name, base_port, topology)), as_json)


@command.command()
@_name
@_base
@_topology
@_json
def deploy(name: str | None, base_port: int | None, topology: str | None,
           as_json: bool) -> None:
    """Upgrade the chaincode to the next sequence without stopping the network."""
    settings = _settings(name, base_port, topology)
    try:
        operations.ensure_binaries()
        result = fabric_nodes.deploy(settings)
    except NetworkError as err:
        fail(str(err), exit_code=err.exit_code)
    _report(result, as_json)


def _report(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    for node in result.get("nodes", []):
        health = node.get("health", {}).get("status", "?")
        click.echo(f"{node['name']:<40} {node.get('address', ''):<22} {health}")
    if result.get("binaries_missing"):
        click.echo("missing binaries: " + ", ".join(result["binaries_missing"]), err=True)
    if result.get("fabric_nodes_error"):
        click.echo(result["fabric_nodes_error"], err=True)
