"""``envalue bridge``: the Market org's relay journal from the command line.

    envalue bridge pending [--db URL] [--json]          transfers a crash or outage left pending
    envalue bridge resume  [--db URL] [--json]          continue them (after a restart)
    envalue bridge events  [--after N] [--limit N]      the relay's event feed

The journal is the bridge API's database: ``--db``, else ``ENVALUE_BRIDGE_DATABASE_URL``,
else the portal's database (``ENVALUE_PORTAL_DB``), as the API uses it. `resume` talks to
the ledgers as the relay (settings in `envalue.bridge.connections`) and exits with code 3
when transfers stay pending because a ledger cannot be reached.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import click

from envalue.cli._output import print_json

__all__ = ["command"]


def _store(db: str | None) -> Any:
    from envalue.bridge.store import BridgeStore
    from envalue.webapp.config import default_db_url

    url = (db or os.environ.get("ENVALUE_BRIDGE_DATABASE_URL")
           or os.environ.get("ENVALUE_PORTAL_DB") or default_db_url())
    return BridgeStore.from_url(url)


_DB = click.option("--db", metavar="URL", help="The relay journal's SQLAlchemy URL.")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


def _table(title: str, rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in ("transfer", "kind", "state", "error"):
        table.add_column(column)
    for row in rows:
        error = row.get("error") or {}
        table.add_row(row["transfer_id"], row["kind"], row["state"],
                      f"{error.get('rule', '')}: {error.get('message', '')}" if error else "")
    Console().print(table)


@click.group("bridge")
def command() -> None:
    """The bridge relay's journal: pending transfers, resume after a crash, event feed."""


@command.command("pending")
@_DB
@_JSON
def pending(db: str | None, as_json: bool) -> None:
    """Transfers left between two ledger steps (read from the journal only)."""
    rows = [t.to_dict() for t in _store(db).pending_transfers()]
    if as_json:
        print_json({"pending": rows})
    else:
        _table(f"{len(rows)} pending bridge transfers", rows)


@command.command("resume")
@_DB
@_JSON
def resume(db: str | None, as_json: bool) -> None:
    """Continue every pending transfer once; each completes, becomes refundable or fails,
    or stays pending while its ledger is unreachable."""
    from envalue.bridge.connections import RelayConnections
    from envalue.bridge.relay import BridgeRelay

    store = _store(db)
    before = {t.transfer_id: t.state for t in store.pending_transfers()}
    with RelayConnections({}).open_relay() as (ledgers, _stack):
        asyncio.run(BridgeRelay(ledgers.home, ledgers.partner, store).resume_pending())
    rows, still = [], 0
    for transfer_id, state in before.items():
        now = store.get_transfer(transfer_id)
        if now is None or now.pending:
            still += 1
        row = now.to_dict() if now else {"transfer_id": transfer_id, "kind": "", "state": ""}
        rows.append({**row, "state_before": state})
    if as_json:
        print_json({"resumed": rows, "still_pending": still})
    else:
        _table(f"{len(rows)} transfers resumed, {still} still pending", rows)
    if still:
        raise SystemExit(3)


@command.command("events")
@_DB
@click.option("--after", default=0, show_default=True, help="Cursor of the last event seen.")
@click.option("--limit", default=100, show_default=True)
@_JSON
def events(db: str | None, after: int, limit: int, as_json: bool) -> None:
    """The relay's event feed after a cursor (what GET /bridge/v1/events serves)."""
    feed = [e.to_dict() for e in _store(db).events_after(after, limit)]
    if as_json:
        print_json({"events": feed})
        return
    for event in feed:
        click.echo(f"{event['cursor']}\t{event['at']}\t{event['kind']}\t{event['transfer_id']}")
