"""``envalue token``: move, retire, escrow and cancel reduction tokens; history and audit.

\b
    envalue token transfer --lot LOT --quantity 250 --to municipality:city1 --as customer:customer1
    envalue token transfer --items FILE.json --as customer:customer1     (batch, one transaction)
    envalue token retire --lot LOT --quantity 1.5t --beneficiary NAME --purpose voluntary \\
                         --year 2025 --as customer:customer1
    envalue token escrow|release|cancel request|cancel approve ...
    envalue token history LOT [--owner HOLDER] --as ORG:USER
    envalue token audit [LOT] --as ORG:USER
    envalue token holding LOT [--owner HOLDER] --as ORG:USER

Identities are ``ORG:USER`` of the network's enrolled identities (``--as``, the signer;
``--to``, ``--owner``, ``--counterparty``), or holder keys ``MSP/x509::...``. Quantities
are whole kg (``250``, ``250kg``) or tonnes (``1.5t``). ``--json`` prints one JSON object
(errors too: ``{"error": {...}}``). Everything goes through `envalue.ledger`, the API the
portal also uses.

Exit codes: 0 done; 2 invalid input (the message names field, value and rule); 3 the
ledger is unavailable (no network, peer down: the reason is printed); 4 refused by the
chaincode; 5 read conflict at commit (nothing written: run it again); ``audit`` exits 1
when the supply does not balance.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from envalue.chaincode.domain.errors import DomainError, ValidationError, format_value
from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.domain.tokens.msg_release import ACTIONS
from envalue.chaincode.domain.tokens.state import RETIREMENT_PURPOSES
from envalue.cli._output import print_json
from envalue.ledger import tokens
from envalue.ledger.errors import (
    LedgerConflict,
    LedgerError,
    LedgerRejection,
    LedgerUnavailableError,
)
from envalue.ledger.identities import enrolled_caller, holder_key
from envalue.ledger.messages import TxResult, decode_message
from envalue.ledger.peers import LedgerPeers
from envalue.ledger.quantities import parse_kg
from envalue.ledger.session import LedgerSession, open_session

__all__ = ["EXIT_CONFLICT", "EXIT_REJECTED", "EXIT_UNAVAILABLE", "EXIT_USAGE", "command",
           "holder", "ledger_options", "reporting", "session_as", "show_tx"]

EXIT_USAGE = 2
EXIT_UNAVAILABLE = LedgerUnavailableError.exit_code
EXIT_REJECTED = LedgerRejection.exit_code
EXIT_CONFLICT = LedgerConflict.exit_code

F = TypeVar("F", bound=Callable[..., Any])


# -- shared by `envalue token` and `envalue credit` -------------------------------------
def ledger_options(view: F) -> F:
    """``--as ORG:USER`` (who signs), ``--network NAME``, ``--json``."""
    view = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(view)
    view = click.option("--network", metavar="NAME",
                        help="Network name (default: ENVALUE_NETWORK or envalue).")(view)
    return click.option("--as", "identity", metavar="ORG:USER", required=True,
                        help="The enrolled identity that signs, e.g. customer:customer1.")(view)


def _fail(exc: DomainError, as_json: bool) -> NoReturn:
    code = exc.exit_code if isinstance(exc, LedgerError) else EXIT_USAGE
    facts = [f"field: {exc.field}"] if exc.field else []
    if exc.value is not None:
        facts.append(f"value: {format_value(exc.value)}")
    facts.append(f"rule: {exc.rule}")
    kind = {EXIT_UNAVAILABLE: "ledger unavailable", EXIT_CONFLICT: "conflict"}.get(code, "")
    if isinstance(exc, LedgerRejection):
        kind = f"rejected by the ledger ({exc.operation})" if exc.operation else "rejected"
    prefix = f"{kind}: " if kind else ""
    if as_json:
        print_json({"error": exc.to_dict(), "exit_code": code})
    click.echo(f"error: {prefix}{exc.message} ({', '.join(facts)})", err=True)
    raise SystemExit(code)


@contextmanager
def reporting(as_json: bool) -> Iterator[None]:
    """Domain and ledger errors become one message and the documented exit code."""
    try:
        yield
    except DomainError as exc:
        _fail(exc, as_json)


@contextmanager
def session_as(identity: str, network: str | None) -> Iterator[LedgerSession]:
    """A session signing as the enrolled identity `identity` of the network."""
    peers = LedgerPeers.resolve(network)
    if peers.settings is None:
        raise LedgerUnavailableError(peers.unavailable_reason)
    with open_session(enrolled_caller(peers.settings, identity), peers) as session:
        yield session


def holder(session: LedgerSession, ref: str | None, field: str) -> str | None:
    """``ORG:USER`` or a holder key as the holder key; None when not given."""
    return None if not ref else holder_key(session.peers.settings, ref, field)  # type: ignore[arg-type]


def show_tx(results: TxResult | list[TxResult], as_json: bool) -> None:
    """A committed transaction (or several): id, block and events."""
    many = results if isinstance(results, list) else [results]
    if as_json:
        print_json(results.to_dict() if isinstance(results, TxResult)
                   else {"transactions": [r.to_dict() for r in many]})
        return
    for r in many:
        click.echo(f"{r.operation}: committed transaction {r.transaction_id} "
                   f"in block {r.block_number}")
        for e in r.events:
            attrs = ", ".join(f"{k}={format_value(v) if not isinstance(v, str) else v}"
                              for k, v in sorted(e.attributes.items()))
            click.echo(f"  {e.name}: {attrs}")


def show_data(data: Any, as_json: bool) -> None:
    """A query's answer: JSON, or indented JSON text for people."""
    if as_json:
        print_json(data)
    else:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


# -- envalue token ----------------------------------------------------------------------
@click.group("token")
def command() -> None:
    """Reduction tokens: transfer, retire, escrow, cancel, history, supply audit."""


def _retirement(beneficiary: str | None, purpose: str | None, year: int | None,
                note: str) -> tokens.RetirementInfo | None:
    if beneficiary is None and purpose is None and year is None:
        return None
    return tokens.RetirementInfo(beneficiary or "", purpose or "", year, note)  # type: ignore[arg-type]


def _batch_items(session: LedgerSession, path: Path) -> list[tokens.TransferItem]:
    try:
        data = loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError("items", str(path), "file", f"cannot read {path}: "
                              f"{exc.strerror}") from exc
    if not isinstance(data, list):
        raise ValidationError("items", str(path), "array",
                              "the file must hold a JSON array of transfer items")
    items = []
    for i, raw in enumerate(data):
        item = dict(raw) if isinstance(raw, dict) else raw
        if isinstance(item, dict):
            if isinstance(item.get("quantity_kg"), str):
                item["quantity_kg"] = parse_kg(item["quantity_kg"], f"items[{i}].quantity_kg")
            if isinstance(item.get("recipient"), str):
                item["recipient"] = holder(session, item["recipient"], f"items[{i}].recipient")
        items.append(decode_message(tokens.TransferItem, item, f"items[{i}]."))
    return items


@command.command("transfer")
@click.option("--lot", "lot_id", metavar="LOT", help="The lot to move units of.")
@click.option("--quantity", metavar="Q", help="Whole kg (250, 250kg) or tonnes (0.25t).")
@click.option("--to", "recipient", metavar="HOLDER", help="ORG:USER or a holder key.")
@click.option("--retire-for", "beneficiary", metavar="NAME",
              help="Transfer-and-retire: the units arrive retired for this beneficiary.")
@click.option("--purpose", type=click.Choice(RETIREMENT_PURPOSES), help="With --retire-for.")
@click.option("--year", type=int, help="Reporting year, with --retire-for.")
@click.option("--note", default="", help="Free note, with --retire-for.")
@click.option("--items", "items_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Batch: a JSON array of {lot_id, recipient, quantity_kg[, retire]}.")
@click.option("--owner", metavar="HOLDER", help="Whose holding moves (default: --as).")
@ledger_options
def transfer(lot_id: str | None, quantity: str | None, recipient: str | None,
             beneficiary: str | None, purpose: str | None, year: int | None, note: str,
             items_file: Path | None, owner: str | None, identity: str, network: str | None,
             as_json: bool) -> None:
    """Move tradable units to another holder (or several, with --items)."""
    single = (lot_id, quantity, recipient)
    if items_file is not None and any(single):
        raise click.UsageError("give either --items FILE or --lot/--quantity/--to")
    if items_file is None and not all(single):
        raise click.UsageError("--lot, --quantity and --to are required (or --items FILE)")
    with reporting(as_json):
        kg = parse_kg(quantity, "items[0].quantity_kg") if quantity else 0
        info = _retirement(beneficiary, purpose, year, note)
        with session_as(identity, network) as session:
            if items_file is not None:
                items = _batch_items(session, items_file)
            else:
                to = holder(session, recipient, "items[0].recipient")
                items = [tokens.TransferItem(lot_id, to, kg, info)]  # type: ignore[arg-type]
            result = tokens.transfer_tokens(session, items,
                                            owner=holder(session, owner, "owner"))
    show_tx(result, as_json)


@command.command("retire")
@click.option("--lot", "lot_id", required=True, metavar="LOT")
@click.option("--quantity", required=True, metavar="Q", help="Whole kg or tonnes (1.5t).")
@click.option("--beneficiary", required=True, help="For whom the units are retired.")
@click.option("--purpose", required=True, type=click.Choice(RETIREMENT_PURPOSES))
@click.option("--year", required=True, type=int, help="Reporting year.")
@click.option("--note", default="", help="Free note.")
@click.option("--owner", metavar="HOLDER", help="Whose holding (default: --as).")
@ledger_options
def retire(lot_id: str, quantity: str, beneficiary: str, purpose: str, year: int, note: str,
           owner: str | None, identity: str, network: str | None, as_json: bool) -> None:
    """Retire units for a beneficiary and purpose (they never move again)."""
    with reporting(as_json):
        kg = parse_kg(quantity)
        info = tokens.RetirementInfo(beneficiary, purpose, year, note)
        with session_as(identity, network) as session:
            result = tokens.retire_tokens(session, lot_id, kg, info,
                                          owner=holder(session, owner, "owner"))
    show_tx(result, as_json)


@command.command("escrow")
@click.option("--id", "escrow_id", required=True, help="A new escrow id.")
@click.option("--lot", "lot_id", required=True, metavar="LOT")
@click.option("--quantity", required=True, metavar="Q")
@click.option("--counterparty", required=True, metavar="HOLDER")
@click.option("--expires", "expires_at", required=True, metavar="TIMESTAMP",
              help="ISO 8601 with a UTC offset, e.g. 2026-12-31T00:00:00+09:00.")
@ledger_options
def escrow(escrow_id: str, lot_id: str, quantity: str, counterparty: str, expires_at: str,
           identity: str, network: str | None, as_json: bool) -> None:
    """Set units aside for a counterparty until an expiry (a pending trade)."""
    with reporting(as_json):
        kg = parse_kg(quantity)
        with session_as(identity, network) as session:
            result = tokens.escrow_tokens(session, escrow_id, lot_id,
                                          holder(session, counterparty, "counterparty"),
                                          kg, expires_at)
    show_tx(result, as_json)


@command.command("release")
@click.argument("escrow_id")
@click.option("--action", type=click.Choice(ACTIONS), default="release", show_default=True,
              help="release: back to the owner; settle: deliver to the counterparty.")
@ledger_options
def release(escrow_id: str, action: str, identity: str, network: str | None,
            as_json: bool) -> None:
    """Close an open escrow."""
    with reporting(as_json), session_as(identity, network) as session:
        result = tokens.release_escrow(session, escrow_id, settle=action == "settle")
    show_tx(result, as_json)


@command.group("cancel")
def cancel() -> None:
    """Administrative cancellation: a Platform operator and a verifier, one each."""


@cancel.command("request")
@click.option("--id", "request_id", required=True, help="A new request id.")
@click.option("--lot", "lot_id", required=True, metavar="LOT")
@click.option("--owner", required=True, metavar="HOLDER")
@click.option("--quantity", required=True, metavar="Q")
@click.option("--reason", required=True)
@ledger_options
def cancel_request(request_id: str, lot_id: str, owner: str, quantity: str, reason: str,
                   identity: str, network: str | None, as_json: bool) -> None:
    """Request the cancellation of units of a holding."""
    with reporting(as_json):
        kg = parse_kg(quantity)
        with session_as(identity, network) as session:
            result = tokens.request_cancel(session, request_id, lot_id,
                                           holder(session, owner, "owner"), kg, reason)
    show_tx(result, as_json)


@cancel.command("approve")
@click.argument("request_id")
@ledger_options
def cancel_approve(request_id: str, identity: str, network: str | None,
                   as_json: bool) -> None:
    """Approve a cancellation requested by the other authority."""
    with reporting(as_json), session_as(identity, network) as session:
        result = tokens.approve_cancel(session, request_id)
    show_tx(result, as_json)


@command.command("history")
@click.argument("lot_id")
@click.option("--owner", metavar="HOLDER", help="Only this holder's entries.")
@ledger_options
def history(lot_id: str, owner: str | None, identity: str, network: str | None,
            as_json: bool) -> None:
    """Every change to a lot's holdings: who, when, which transaction."""
    with reporting(as_json), session_as(identity, network) as session:
        entries = tokens.token_history(session, lot_id, holder(session, owner, "owner") or "")
    if as_json:
        print_json([e.to_dict() for e in entries])
        return
    for e in entries:
        moves = ", ".join(f"{k} {v:+d}" for k, v in sorted(e.changes.items()))
        click.echo(f"{e.when}  {e.action:<22} {moves}  tx {e.tx_id}  owner {e.owner}")


@command.command("audit")
@click.argument("lot_id", required=False, default="")
@ledger_options
def audit(lot_id: str, identity: str, network: str | None, as_json: bool) -> None:
    """Check issued = tradable + escrowed + retired + bundled + bridged-out + cancelled."""
    with reporting(as_json), session_as(identity, network) as session:
        report = tokens.supply_audit(session, lot_id)
    if as_json:
        print_json(report.to_dict())
    else:
        totals = ", ".join(f"{k} {v}" for k, v in report.totals.items())
        click.echo(f"{'balanced' if report.balanced else 'NOT balanced'}: "
                   f"{len(report.lots)} lots; {totals} (kg-CO2e)")
        for lot in report.lots:
            for problem in lot.problems:
                click.echo(f"  {lot.lot_id}: {problem}")
    if not report.balanced:
        raise SystemExit(1)


@command.command("holding")
@click.argument("lot_id")
@click.option("--owner", metavar="HOLDER", help="Whose holding (default: --as).")
@ledger_options
def holding(lot_id: str, owner: str | None, identity: str, network: str | None,
            as_json: bool) -> None:
    """One holder's balances of a lot, by state."""
    with reporting(as_json), session_as(identity, network) as session:
        result = tokens.lot_holding(session, lot_id, holder(session, owner, "owner"))
    show_data(result.to_dict(), as_json)
