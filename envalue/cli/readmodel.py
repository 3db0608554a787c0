"""``envalue readmodel``: fill the portal's read model from the channel, and say how far it is.

    envalue readmodel run [--org platform] [--user auditor1] [--max-blocks N] [--attempts N]
    envalue readmodel status [--json]

The database is ``--db``, else ``ENVALUE_READMODEL_DB``, else ``readmodel.db`` beside the
portal's SQLite database (what the portal reads). `run` exits with code 3 and the reason
when the ledger cannot be reached (no peer on this machine), 2 for a reader identity
that is not enrolled, 1 on other failures.
"""

from __future__ import annotations

import os
import signal

import click

from envalue.cli._output import fail, print_json

__all__ = ["command"]

def _url(db: str | None) -> str:
    from envalue.webapp.config import default_db_url
    from envalue.webapp.services.readmodel import readmodel_url

    return db or readmodel_url(os.environ.get("ENVALUE_READMODEL_DB", ""),
                               os.environ.get("ENVALUE_PORTAL_DB") or default_db_url())


_DB = click.option("--db", metavar="URL", help="Read-model SQLAlchemy URL.")


@click.group("readmodel")
def command() -> None:
    """The portal's off-chain read model (projected from committed blocks)."""


@command.command("run")
@_DB
@click.option("--org", "org_key", default="platform", show_default=True,
              help="Org whose Gateway peer and reader identity to use.")
@click.option("--user", help="Reader identity (default: the org's auditor, else operator).")
@click.option("--network", "network_name", metavar="NAME", help="Network name.")
@click.option("--max-blocks", type=click.IntRange(1), help="Stop after this many blocks.")
@click.option("--attempts", type=click.IntRange(1),
              help="Give up after this many failed connections in a row (default: never).")
def run(db: str | None, org_key: str, user: str | None, network_name: str | None,
        max_blocks: int | None, attempts: int | None) -> None:
    """Follow the channel from the checkpoint until interrupted."""
    from envalue.chaincode.domain.errors import DomainError
    from envalue.ledger.errors import LedgerUnavailableError
    from envalue.network.settings import NetworkSettings
    from envalue.readmodel import ReadModelListener, make_sessions

    url = _url(db)
    try:
        settings, reason = NetworkSettings.resolve(name=network_name), ""
    except ValueError as exc:
        settings, reason = None, f"network settings: {exc}"
    try:
        listener = ReadModelListener(make_sessions(url), settings, org_key=org_key, user=user,
                                     unavailable_reason=reason, max_attempts=attempts)
    except KeyError as exc:
        fail(str(exc.args[0]), exit_code=2)
    except LedgerUnavailableError as exc:
        fail(f"ledger unavailable: {exc.reason}", exit_code=exc.exit_code)
    signal.signal(signal.SIGTERM, lambda *_: listener.stop())
    click.echo(f"readmodel: {url} from {org_key} as {listener.user}", err=True)
    try:
        blocks = listener.run(max_blocks=max_blocks)
    except KeyboardInterrupt:
        blocks = None
    except LedgerUnavailableError as exc:
        fail(f"ledger unavailable: {exc.reason}", exit_code=exc.exit_code)
    except DomainError as exc:
        fail(str(exc), exit_code=exc.exit_code)
    except Exception as exc:  # a refusal from the peer, reported as is
        fail(f"read model listener stopped: {exc}")
    click.echo(f"readmodel: stopped{'' if blocks is None else f' after {blocks} blocks'}",
               err=True)


@command.command("status")
@_DB
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.option("--unprojected", type=click.IntRange(0), default=10, show_default=True,
              help="How many unprojected events to list with their reasons.")
def status(db: str | None, as_json: bool, unprojected: int) -> None:
    """Projected blocks, channel height, lag, listener state, unprojected events."""
    from sqlalchemy import select

    from envalue.readmodel import lag_status, make_sessions
    from envalue.readmodel.schema import UnprojectedEvent

    url = _url(db)
    with make_sessions(url)() as session:
        lag = lag_status(session, count_applied=True)
        kept = session.scalars(select(UnprojectedEvent).order_by(
            UnprojectedEvent.block_number.desc()).limit(unprojected)).all()
    data = {"database": url, **lag.to_dict(),
            "unprojected": [{"block_number": e.block_number, "tx_id": e.tx_id,
                             "event_index": e.event_index, "name": e.name,
                             "reason": e.reason} for e in kept]}
    if as_json:
        print_json(data)
        return
    behind = "unknown" if lag.behind_blocks is None else str(lag.behind_blocks)
    click.echo(f"database        {url}")
    click.echo(f"projected       {lag.projected_blocks} blocks"
               f"{' (empty)' if lag.empty else ''}")
    click.echo(f"channel height  {lag.channel_height if lag.channel_height is not None else '?'}")
    click.echo(f"behind          {behind} blocks")
    click.echo(f"listener        {lag.state}{': ' + lag.detail if lag.detail else ''}")
    click.echo(f"events          {lag.applied_events} projected, "
               f"{lag.unprojected_events} unprojected")
    for item in data["unprojected"]:
        click.echo(f"  block {item['block_number']} {item['tx_id']}#{item['event_index']} "
                   f"{item['name']}: {item['reason']}")
