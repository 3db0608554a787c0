"""``envalue calc``: run a methodology off-ledger (``--dry-run``) or, later, on the ledger.

The dry run calls exactly the domain code the chaincode runs
(:mod:`envalue.chaincode.domain.methodologies`), so its figures are the figures a
calculation on the ledger would record. Output is one JSON object with ``--json``
(integers as JSON numbers, trace values as decimal strings) or a table otherwise.
Domain errors print one message naming field, value and rule on stderr and exit with
the error's ``exit_code`` (2 for invalid input); there is never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from envalue.chaincode.domain.errors import DomainError, ValidationError, format_value
from envalue.chaincode.domain.methodologies import (
    BUILTIN_METHODOLOGIES,
    CalculationResult,
    get_methodology,
)
from envalue.chaincode.domain.quantity import loads
from envalue.cli._output import fail, print_json

__all__ = ["EXIT_NETWORK_UNAVAILABLE", "command"]

#: sysexits EX_UNAVAILABLE: the on-ledger form needs a running Fabric network.
EXIT_NETWORK_UNAVAILABLE = 69
#: Unexpected failure (a bug), reported without a traceback.
EXIT_INTERNAL = 70

_METHODOLOGY_NAMES = sorted({name for name, _ in BUILTIN_METHODOLOGIES})


def _fail_domain(exc: DomainError) -> NoReturn:
    """One stderr line naming field, value and rule; exit with the error's code."""
    detail = exc.message
    if exc.value is not None and exc.field and format_value(exc.value) not in detail:
        detail += f" (value: {format_value(exc.value)})"
    fail(f"{detail} [rule: {exc.rule}]", exit_code=exc.exit_code)


def _read_inputs(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(
            "--inputs", path, "readable-file", f"cannot read: {exc.strerror}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ValidationError("--inputs", path, "utf-8", "is not UTF-8 text") from exc
    try:
        return loads(text)
    except ValidationError as exc:
        if exc.field:
            raise
        raise ValidationError("--inputs", path, exc.rule, exc.detail) from exc


def _print_table(result: CalculationResult, formula_hash: str) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text  # plain cells: "fuels[0].EM" is not markup

    console = Console()
    console.print(f"[bold]{result.methodology}[/bold] v{result.version} (dry run, off-ledger)")
    outputs = Table()
    outputs.add_column("output")
    outputs.add_column("kg-CO2", justify="right")
    for key, value in result.outputs().items():
        outputs.add_row(key, f"{value:,}")
    console.print(outputs)
    trace = Table()
    trace.add_column("trace")
    trace.add_column("value", justify="right")
    for key, value in result.trace.items():
        trace.add_row(Text(key), Text(value))
    console.print(trace)
    console.print(f"formula sha256: {formula_hash}")


@click.command("calc")
@click.option("--dry-run", is_flag=True, help="Calculate off-ledger from an inputs file.")
@click.option(
    "--methodology",
    "-m",
    metavar="NAME",
    help=f"Methodology name ({', '.join(_METHODOLOGY_NAMES)}).",
)
@click.option(
    "--version", "methodology_version", default="1", show_default=True, help="Methodology version."
)
@click.option(
    "--inputs",
    "inputs_path",
    metavar="FILE.json",
    help="JSON object with the methodology's inputs ('-' for stdin).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--equipment", metavar="ID", help="Equipment to calculate on the ledger.")
@click.option("--from", "period_from", metavar="DATE", help="Period start (on-ledger).")
@click.option("--to", "period_to", metavar="DATE", help="Period end (on-ledger).")
def command(
    dry_run: bool,
    methodology: str | None,
    methodology_version: str,
    inputs_path: str | None,
    as_json: bool,
    equipment: str | None,
    period_from: str | None,
    period_to: str | None,
) -> None:
    """Calculate emissions or reductions with a registered methodology.

    \b
    Off-ledger:  envalue calc --dry-run --methodology NAME --inputs FILE.json [--json]
    On-ledger:   envalue calc --equipment ID --from DATE --to DATE
    """
    if not dry_run:
        fail(
            "on-ledger calculation (--equipment/--from/--to) needs the running envalue Fabric "
            "network, which is not available from this command yet; use --dry-run with "
            "--methodology and --inputs to calculate off-ledger",
            exit_code=EXIT_NETWORK_UNAVAILABLE,
        )
    if equipment or period_from or period_to:
        raise click.UsageError(
            "--equipment/--from/--to are for on-ledger calculation, not --dry-run"
        )
    if not methodology:
        raise click.UsageError("--dry-run needs --methodology NAME")
    if not inputs_path:
        raise click.UsageError("--dry-run needs --inputs FILE.json")
    try:
        selected = get_methodology(methodology, methodology_version)
        result = selected.calculate(_read_inputs(inputs_path))
    except DomainError as exc:
        _fail_domain(exc)
    except Exception as exc:  # noqa: BLE001 - a bug must still not print a traceback
        fail(f"internal error: {type(exc).__name__}: {exc}", exit_code=EXIT_INTERNAL)
    if as_json:
        print_json(result.to_dict())
    else:
        _print_table(result, selected.formula_hash)
