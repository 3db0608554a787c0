"""`envalue bench NAME`: one subcommand per module named in `envalue.bench.BENCHES`,
built from its `PARAMS`; ``--json`` prints the `run` result as one JSON object."""

from __future__ import annotations

import importlib
import json
from types import ModuleType
from typing import Any

import click
from rich.console import Console

from envalue.bench import BENCHES

__all__ = ["command", "make_command"]


def make_command(name: str, module: ModuleType) -> click.Command:
    """A click command running `module.run` with its params."""

    def callback(as_json: bool, **opts: Any) -> None:
        try:
            result = module.run(**opts)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False, default=str))
        else:
            module.print_table(result, Console())

    params: list[click.Parameter] = [
        click.Option([p.flag, p.name], type=p.type, default=p.default, show_default=True,
                     help=p.help)
        for p in module.PARAMS
    ]
    params.append(click.Option(["--json", "as_json"], is_flag=True,
                               help="Print one JSON object."))
    return click.Command(name, callback=callback, params=params, help=module.HELP)


@click.group("bench")
def command() -> None:
    """Measure throughput (ingest, and more as they are added)."""


for _name in BENCHES:
    command.add_command(make_command(_name, importlib.import_module(f"envalue.bench.{_name}")))
