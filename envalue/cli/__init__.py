"""The `envalue` console script: one click group, one module per command area."""

from __future__ import annotations

import importlib

import click

# Each module named here defines a click command or group called `command`.
_COMMAND_MODULES: tuple[str, ...] = (
    "network",
    "setup",
    "calc",
    "ingest",
    "certificate",
    "simulate",
    "serve_ingest",
    "bench",
    "portal",
    "verify",
    "token",
    "credit",
    "readmodel",
    "export",
    "bridge",
    "scenario",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="envalue")
def main() -> None:
    """envalue: environmental values on a Hyperledger Fabric consortium."""


for _name in _COMMAND_MODULES:
    main.add_command(importlib.import_module(f"envalue.cli.{_name}").command)
