"""``envalue credit``: program-type projects, monitoring reports, credits, distribution.

\b
    envalue credit program create --id P --name NAME --methodology EN-R-002 --as platform:operator1
    envalue credit program enroll --program P --site S --owner customer:customer1 --as ...
    envalue credit report open --id R --program P --start 2025-04-01 --end 2025-06-30 --as ...
    envalue credit report add-lots R --lot LOT-1=customer:customer1 [--lots FILE.json] --as ...
    envalue credit report submit|show|release R --as ...
    envalue credit approve R [--comment TEXT] --as platform:verifier1
    envalue credit reject R --comment TEXT --as platform:verifier1
    envalue credit issue R --as platform:operator1          (settles page after page)
    envalue credit distribute BATCH --proceeds 1000000 --as ...
    envalue credit transfer --batch B --quantity 3 --to market:operator1 --as ...
    envalue credit retire --batch B --quantity 2 --user-name NAME --use voluntary \\
                          --purpose-detail TEXT --year 2025 --as ...

Options, holder references, ``--json`` and exit codes as in ``envalue token`` (0 done,
2 invalid input, 3 ledger unavailable, 4 refused by the chaincode, 5 read conflict).
Credit quantities are whole tonnes (``3``, ``3t``, ``3000kg``); proceeds whole yen.
"""

from __future__ import annotations

from pathlib import Path

import click

from envalue.chaincode.domain.credits.msg_retire_credits import USES
from envalue.chaincode.domain.credits.msg_settle_report import MAX_SETTLE_PAGE
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.quantity import loads
from envalue.cli._output import print_json
from envalue.cli.token import holder, ledger_options, reporting, session_as, show_data, show_tx
from envalue.ledger import credits
from envalue.ledger.quantities import parse_tonnes, parse_yen
from envalue.ledger.session import LedgerSession

__all__ = ["command"]


@click.group("credit")
def command() -> None:
    """Credit programs: bundle many small reductions into J-Credit-style credits."""


# -- programs ---------------------------------------------------------------------------
@command.group("program")
def program() -> None:
    """Create a program and enroll sites (Platform operator)."""


@program.command("create")
@click.option("--id", "program_id", required=True)
@click.option("--name", required=True)
@click.option("--methodology", "methodologies", multiple=True, required=True,
              help="Allowed methodology, NAME or NAME:VERSION (repeatable).")
@ledger_options
def program_create(program_id: str, name: str, methodologies: tuple[str, ...], identity: str,
                   network: str | None, as_json: bool) -> None:
    """Open a program-type project."""
    with reporting(as_json), session_as(identity, network) as session:
        result = credits.create_program(session, program_id, name, methodologies)
    show_tx(result, as_json)


@program.command("enroll")
@click.option("--program", "program_id", required=True)
@click.option("--site", "site_id", required=True)
@click.option("--owner", required=True, metavar="HOLDER", help="The site's owner.")
@ledger_options
def program_enroll(program_id: str, site_id: str, owner: str, identity: str,
                   network: str | None, as_json: bool) -> None:
    """Enroll a site of any owner in the program."""
    with reporting(as_json), session_as(identity, network) as session:
        result = credits.enroll_site(session, program_id, site_id,
                                     holder(session, owner, "owner"))  # type: ignore[arg-type]
    show_tx(result, as_json)


# -- monitoring reports -----------------------------------------------------------------
@command.group("report")
def report() -> None:
    """Monitoring reports: open, bundle lots, submit, show, release after rejection."""


@report.command("open")
@click.option("--id", "report_id", required=True)
@click.option("--program", "program_id", required=True)
@click.option("--start", "period_start", required=True, metavar="YYYY-MM-DD")
@click.option("--end", "period_end", required=True, metavar="YYYY-MM-DD")
@ledger_options
def report_open(report_id: str, program_id: str, period_start: str, period_end: str,
                identity: str, network: str | None, as_json: bool) -> None:
    """Start collecting a report for one monitoring period."""
    with reporting(as_json), session_as(identity, network) as session:
        result = credits.open_report(session, report_id, program_id, period_start, period_end)
    show_tx(result, as_json)


def _lot_refs(session: LedgerSession, pairs: tuple[str, ...],
              path: Path | None) -> list[credits.LotRef]:
    raw: list[object] = []
    for i, pair in enumerate(pairs):
        lot_id, sep, owner = pair.partition("=")
        if not sep:
            raise ValidationError(f"lots[{i}]", pair, "lot-ref", f"{pair!r} is not LOT=HOLDER")
        raw.append({"lot_id": lot_id, "owner": owner})
    if path is not None:
        try:
            data = loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValidationError("lots", str(path), "file",
                                  f"cannot read {path}: {exc.strerror}") from exc
        if not isinstance(data, list):
            raise ValidationError("lots", str(path), "array",
                                  "the file must hold a JSON array of {lot_id, owner}")
        raw.extend(data)
    refs = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ValidationError(f"lots[{i}]", item, "object", "must be {lot_id, owner}")
        owner = item.get("owner")
        if isinstance(owner, str) and owner:
            owner = holder(session, owner, f"lots[{i}].owner")
        refs.append(credits.LotRef(item.get("lot_id"), owner))  # type: ignore[arg-type]
    return refs


@report.command("add-lots")
@click.argument("report_id")
@click.option("--lot", "pairs", multiple=True, metavar="LOT=HOLDER",
              help="A holding to bundle (repeatable).")
@click.option("--lots", "lots_file", type=click.Path(path_type=Path, dir_okay=False),
              help="A JSON array of {lot_id, owner}.")
@ledger_options
def report_add_lots(report_id: str, pairs: tuple[str, ...], lots_file: Path | None,
                    identity: str, network: str | None, as_json: bool) -> None:
    """Bundle eligible holdings into a collecting report (paged, every page checked first)."""
    if not pairs and lots_file is None:
        raise click.UsageError("give --lot LOT=HOLDER (repeatable) or --lots FILE")
    with reporting(as_json), session_as(identity, network) as session:
        results = credits.bundle_lots(session, report_id, _lot_refs(session, pairs, lots_file))
    show_tx(results, as_json)


@report.command("submit")
@click.argument("report_id")
@ledger_options
def report_submit(report_id: str, identity: str, network: str | None, as_json: bool) -> None:
    """Close collection and hand the report to verification."""
    with reporting(as_json), session_as(identity, network) as session:
        result = credits.submit_report(session, report_id)
    show_tx(result, as_json)


@report.command("show")
@click.argument("report_id")
@ledger_options
def report_show(report_id: str, identity: str, network: str | None, as_json: bool) -> None:
    """A report's state, pool, issued tonnes and review history."""
    with reporting(as_json), session_as(identity, network) as session:
        result = credits.credit_report(session, report_id)
    show_data(result.to_dict(), as_json)


@report.command("release")
@click.argument("report_id")
@click.option("--limit", type=int, default=MAX_SETTLE_PAGE, show_default=True,
              help="Holdings per transaction.")
@ledger_options
def report_release(report_id: str, limit: int, identity: str, network: str | None,
                   as_json: bool) -> None:
    """After a rejection, return one page of bundled holdings to tradable."""
    with reporting(as_json), session_as(identity, network) as session:
        result = credits.release_report(session, report_id, limit)
    show_tx(result, as_json)


# -- verification and issuance ----------------------------------------------------------
@command.command("approve")
@click.argument("report_id")
@click.option("--comment", "comments", default="", help="Verifier's comments.")
@ledger_options
def approve(report_id: str, comments: str, identity: str, network: str | None,
            as_json: bool) -> None:
    """Approve a submitted report (verifier): the credit batch is issued."""
    with reporting(as_json), session_as(identity, network) as session:
        result = credits.verify_report(session, report_id, "approve", comments)
    show_tx(result, as_json)


@command.command("reject")
@click.argument("report_id")
@click.option("--comment", "comments", required=True, help="Why (required).")
@ledger_options
def reject(report_id: str, comments: str, identity: str, network: str | None,
           as_json: bool) -> None:
    """Reject a submitted report (verifier)."""
    with reporting(as_json), session_as(identity, network) as session:
        result = credits.verify_report(session, report_id, "reject", comments)
    show_tx(result, as_json)


@command.command("issue")
@click.argument("report_id")
@click.option("--page-size", "limit", type=int, default=MAX_SETTLE_PAGE, show_default=True,
              help="Contributor records written per transaction.")
@ledger_options
def issue(report_id: str, limit: int, identity: str, network: str | None,
          as_json: bool) -> None:
    """Settle an approved report page by page: contributors' shares, carry-forwards."""
    with reporting(as_json), session_as(identity, network) as session:
        results = credits.issue_credits(session, report_id, limit)
    show_tx(results, as_json)


@command.command("distribute")
@click.argument("batch_id")
@click.option("--proceeds", required=True, metavar="YEN", help="Proceeds of a sale, in yen.")
@ledger_options
def distribute(batch_id: str, proceeds: str, identity: str, network: str | None,
               as_json: bool) -> None:
    """How a sale's proceeds split among the batch's contributors, to the yen."""
    with reporting(as_json):
        yen = parse_yen(proceeds)
        with session_as(identity, network) as session:
            statement = credits.distribution_statement(session, batch_id, yen)
    if as_json:
        print_json(statement.to_dict())
        return
    click.echo(f"batch {statement.batch_id}: {statement.proceeds_yen} yen over "
               f"{statement.credited_kg} kg credited")
    for line in statement.lines:
        click.echo(f"  {line.yen:>12} yen  {line.share_kg:>10} kg  {line.owner}")
    click.echo(f"rounding: {statement.rounding_rule}")


# -- credit moves -----------------------------------------------------------------------
@command.command("transfer")
@click.option("--batch", "batch_id", required=True)
@click.option("--quantity", required=True, metavar="T", help="Whole tonnes (3, 3t).")
@click.option("--to", "recipient", required=True, metavar="HOLDER")
@click.option("--owner", metavar="HOLDER", help="Whose credits (default: --as).")
@ledger_options
def transfer(batch_id: str, quantity: str, recipient: str, owner: str | None, identity: str,
             network: str | None, as_json: bool) -> None:
    """Transfer whole tonnes of a credit batch."""
    with reporting(as_json):
        tonnes = parse_tonnes(quantity)
        with session_as(identity, network) as session:
            result = credits.transfer_credits(
                session, batch_id, holder(session, recipient, "recipient"),  # type: ignore[arg-type]
                tonnes, owner=holder(session, owner, "owner"))
    show_tx(result, as_json)


@command.command("retire")
@click.option("--batch", "batch_id", required=True)
@click.option("--quantity", required=True, metavar="T", help="Whole tonnes.")
@click.option("--user-name", required=True, help="The credit user's name.")
@click.option("--use", required=True, type=click.Choice(USES))
@click.option("--purpose-detail", required=True)
@click.option("--year", "reporting_year", required=True, type=int)
@click.option("--owner", metavar="HOLDER", help="Whose credits (default: --as).")
@ledger_options
def retire(batch_id: str, quantity: str, user_name: str, use: str, purpose_detail: str,
           reporting_year: int, owner: str | None, identity: str, network: str | None,
           as_json: bool) -> None:
    """Retire (invalidate) whole tonnes with the J-Credit invalidation fields."""
    with reporting(as_json):
        tonnes = parse_tonnes(quantity)
        with session_as(identity, network) as session:
            result = credits.retire_credits(session, batch_id, tonnes, user_name, use,
                                            purpose_detail, reporting_year,
                                            owner=holder(session, owner, "owner"))
    show_tx(result, as_json)
