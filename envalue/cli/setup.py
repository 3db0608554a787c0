"""`envalue setup`: build the pinned Fabric binaries that are missing (reusing earlier builds)."""

from __future__ import annotations

import click

from envalue.network import toolchain
from envalue.network.errors import ToolchainError

from ._output import print_json


@click.command(name="setup")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(as_json: bool) -> None:
    """Build Fabric CA and Fabric from the Go module proxy into .fabric/bin."""
    report: dict[str, dict[str, str]] = {}
    for group in toolchain.GROUPS:
        was_built = toolchain.is_built(group)
        try:
            toolchain.build(group)
            report[group.name] = {"status": "reused" if was_built else "built",
                                  "version": group.version}
        except ToolchainError as err:
            report[group.name] = {"status": "failed", "version": group.version,
                                  "error": str(err)}
    if as_json:
        print_json({"bin_dir": str(toolchain.bin_dir()), "groups": report})
    else:
        for name, entry in report.items():
            click.echo(f"{name:<10} {entry['version']:<45} {entry['status']}")
            if "error" in entry:
                click.echo(entry["error"], err=True)
    if any(e["status"] == "failed" for e in report.values()):
        raise SystemExit(3)
