"""`envalue network …`: bring the consortium network up, inspect it, upgrade, take it down."""

from __future__ import annotations

from typing import Any

import click

from envalue.network import fabric_nodes, operations
from envalue.network.errors import NetworkError
from envalue.network.settings import NetworkSettings

from ._output import fail, print_json


def _settings(name: str | None, base_port: int | None) -> NetworkSettings:
    try:
        return NetworkSettings.resolve(name=name, base_port=base_port)
    except ValueError as err:
        fail(str(err), exit_code=2)
        raise  # unreachable: fail() exits


_name = click.option("--name", default=None,
                     help="Network name (default: ENVALUE_NETWORK or 'envalue').")
_base = click.option("--base-port", type=int, default=None,
                     help="First of the network's 100 ports (default 17000 or ENVALUE_BASE_PORT).")
_json = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@click.group(name="network")
def command() -> None:
    """Run the Fabric consortium network as native processes."""


@command.command()
@_name
@_base
@click.option("--only", "phase", type=click.Choice(["cas"]), default=None,
              help="Bring up only the certificate authorities and enroll identities.")
@_json
def up(name: str | None, base_port: int | None, phase: str | None, as_json: bool) -> None:
    """Build what is missing, start every node, create the channel, deploy the chaincode."""
    settings = _settings(name, base_port)
    try:
        result = operations.up(settings, phase=phase or "all")
    except NetworkError as err:
        fail(str(err), exit_code=err.exit_code)
    _report(result, as_json)


@command.command()
@_name
@_base
@click.option("--purge", is_flag=True, help="Also remove the network's data and certificates.")
@_json
def down(name: str | None, base_port: int | None, purge: bool, as_json: bool) -> None:
    """Stop only the processes this network started."""
    settings = _settings(name, base_port)
    stopped = operations.down(settings, purge=purge)
    if as_json:
        print_json({"network": settings.name, "stopped": stopped, "purged": purge})
    else:
        click.echo(f"stopped {len(stopped)} process(es)" + (", data removed" if purge else ""))


@command.command()
@_name
@_base
@_json
def status(name: str | None, base_port: int | None, as_json: bool) -> None:
    """Every node's health, the channel heights and the committed chaincode."""
    _report(operations.status(_settings(name, base_port)), as_json)


@command.command()
@_name
@_base
@_json
def deploy(name: str | None, base_port: int | None, as_json: bool) -> None:
    """Upgrade the chaincode to the next sequence without stopping the network."""
    settings = _settings(name, base_port)
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
