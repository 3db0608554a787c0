"""``envalue scenario``: the case studies and a credit program as ledger steps.

\b
    envalue scenario list
    envalue scenario plan case-studies [--store-db URL] [--json]    (no ledger needed)
    envalue scenario plan credit-program [--sites 200] [--json]
    envalue scenario load case-studies [--store-db URL] [--keys DIR]
    envalue scenario load credit-program [--sites 200] [--workers 8]

``plan`` prints every step (identity, operation, message) without a ledger; holder keys
come from the network's enrolled identities, or stand symbolic (``CustomerMSP/<customer:
customer1>``) when none are enrolled. ``load`` runs the steps through `envalue.ledger`,
each signed by its identity; steps already on the ledger are reported as done, so a
second load changes nothing. The case studies read the off-chain store the demo fills
(``envalue simulate ena|boiler --store-db URL``) and sign batch headers with the device
keys in ``--keys`` (the simulator's ``--keys`` directory).

Exit codes (as the other ledger commands): 0 done; 2 invalid input or data; 3 the ledger
is unavailable (the reason is printed); 4 a step refused by the chaincode (step, identity,
field, value, rule); 5 a read conflict at commit (run it again).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from envalue.chaincode.domain.errors import ValidationError, format_value
from envalue.cli._output import print_json
from envalue.cli.token import reporting
from envalue.ledger.errors import LedgerUnavailableError
from envalue.ledger.peers import LedgerPeers
from envalue.ledger.quantities import parse_yen
from envalue.scenarios import (
    DEFAULT_GRID,
    SCENARIOS,
    GridValue,
    NetworkSessions,
    Scenario,
    case_studies,
    credit_program,
    describe_step,
    key_directory,
    network_holders,
    print_summary,
    run,
    symbolic_holders,
)
from envalue.scenarios.common import DEFAULT_GRID_YEARS
from envalue.scenarios.credit_program import DEFAULT_MONTH
from envalue.scenarios.identities import OPERATOR, Holders

__all__ = ["command"]


def _store_url(given: str | None) -> str:
    if given:
        return given
    from envalue.webapp.config import default_db_url

    return (os.environ.get("ENVALUE_PORTAL_INGEST_DB") or os.environ.get("ENVALUE_PORTAL_DB")
            or default_db_url())


def _keys(given: Path | None) -> Path:
    if given is not None:
        return given
    from envalue.webapp.config import VAR_DIR

    return VAR_DIR / "device-keys"


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationError("month", text, "month", f"{text!r} is not a month YYYY-MM"
                              ) from None


def _grid(value: str | None, source: str | None) -> GridValue | None:
    """The grid factor option: one value for every fiscal year the data need."""
    if value is None:
        return None
    if not source:
        raise ValidationError("grid_source", source, "required",
                              "--grid-source is required with --grid-factor (where the "
                              "value comes from)")
    return GridValue(value, source, "given to envalue scenario with --grid-factor")


def _build(name: str, holders: Holders, options: dict[str, Any]) -> Scenario:
    grid = _grid(options["grid_factor"], options["grid_source"])
    if name == "case-studies":
        return case_studies(_store_url(options["store_db"]), key_directory(
            _keys(options["keys"])), holders, grid=grid)
    return credit_program(options["sites"], keys=key_directory(_keys(options["keys"])),
                          holders=holders, month=_month(options["month"]),
                          price_yen_per_t=parse_yen(options["price"], "price"), grid=grid)


def _plan_holders(network: str | None) -> tuple[Holders, str]:
    """Network holder keys when identities are enrolled, else symbolic ones (and why)."""
    peers = LedgerPeers.resolve(network)
    if peers.settings is None:
        return symbolic_holders, f"symbolic ({peers.unavailable_reason})"
    holders = network_holders(peers.settings)
    try:
        holders(OPERATOR)
    except LedgerUnavailableError as exc:
        return symbolic_holders, f"symbolic ({exc.reason})"
    return holders, f"network {peers.settings.name!r}"


def scenario_options(view: Any) -> Any:
    """Options shared by ``plan`` and ``load``."""
    for option in reversed((
        click.argument("name", type=click.Choice(sorted(SCENARIOS))),
        click.option("--sites", type=click.IntRange(1, 100_000), default=200,
                     show_default=True, help="credit-program: number of small sites."),
        click.option("--month", default=f"{DEFAULT_MONTH:%Y-%m}", show_default=True,
                     help="credit-program: monitoring month YYYY-MM."),
        click.option("--price", default="3000", show_default=True,
                     help="credit-program: sale price, yen per t-CO2."),
        click.option("--store-db", metavar="URL", help="case-studies: the off-chain store "
                     "(default ENVALUE_PORTAL_INGEST_DB, ENVALUE_PORTAL_DB or the portal's)."),
        click.option("--keys", type=click.Path(file_okay=False, path_type=Path),
                     help="Edge device keys (default var/device-keys, created on first use)."),
        click.option("--grid-factor", metavar="T_CO2_PER_KWH", help="Grid factor value for "
                     "every fiscal year of the data (default: "
                     f"{DEFAULT_GRID.ef_grid} for FY{min(DEFAULT_GRID_YEARS)}-"
                     f"FY{max(DEFAULT_GRID_YEARS)}, the reference's lower bound)."),
        click.option("--grid-source", metavar="TEXT", help="Where --grid-factor comes from."),
        click.option("--network", metavar="NAME",
                     help="Network name (default: ENVALUE_NETWORK or envalue)."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
    )):
        view = option(view)
    return view


@click.group("scenario")
def command() -> None:
    """The case studies and a 200-site credit program as ledger steps."""


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def list_(as_json: bool) -> None:
    """The scenarios there are."""
    if as_json:
        print_json({"scenarios": SCENARIOS})
        return
    for name, text in SCENARIOS.items():
        click.echo(f"{name}: {text}")


@command.command("plan")
@scenario_options
def plan(name: str, network: str | None, as_json: bool, **options: Any) -> None:
    """Print the steps of NAME without touching a ledger."""
    with reporting(as_json):
        holders, where = _plan_holders(network)
        scenario = _build(name, holders, options)
    steps = [describe_step(i, s) for i, s in enumerate(scenario.steps, 1)]
    if as_json:
        print_json({"scenario": scenario.name, "holder_keys": where, "facts": scenario.facts,
                    "notes": list(scenario.notes), "steps": steps})
        return
    click.echo(f"scenario {scenario.name}: {len(steps)} steps; holder keys: {where}")
    for note in scenario.notes:
        click.echo(f"  note: {note}")
    for step in steps:
        click.echo(f"{step['index']:6d}  {step['identity']:<22} {step['operation']:<36} "
                   f"{step['title']}")


@command.command("load")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Sites loaded side by side (transactions in flight).")
@scenario_options
def load(name: str, network: str | None, as_json: bool, workers: int,
         **options: Any) -> None:
    """Run the steps of NAME on the ledger (steps already there are reported as done)."""
    console = Console(stderr=True)
    with reporting(as_json):
        peers = LedgerPeers.resolve(network)
        if peers.settings is None:
            raise LedgerUnavailableError(peers.unavailable_reason)
        status = peers.status("platform")
        if not status.available:
            raise LedgerUnavailableError(status.reason)
        scenario = _build(name, network_holders(peers.settings), options)
    with NetworkSessions(peers) as sessions:
        report = run(scenario.steps, sessions, workers=workers, console=console,
                     progress=not as_json)
    if as_json:
        print_json({"scenario": scenario.name, "facts": scenario.facts, **report.to_dict()})
    else:
        print_summary(scenario.name, report, console)
    if report.failure is not None:
        error = report.failure.error
        facts = [f"field: {error.field}"] if error.field else []
        if error.value is not None:
            facts.append(f"value: {format_value(error.value)}")
        facts.append(f"rule: {error.rule}")
        click.echo(f"error: {report.failure.message} ({', '.join(facts)})", err=True)
        raise SystemExit(report.failure.exit_code)
