"""``envalue export``: a read-model table as CSV (holdings, transfers, retirements, credits).

\b
    envalue export holdings [--owner all|ORG:USER|HOLDER_KEY] [--db URL] [--out FILE|-] [--bom]
    envalue export transfers|retirements|credit-batches|credit-shares ...

Rows come from the portal's read model (what `envalue readmodel run` projected from the
channel's committed blocks), never from a ledger scan; the database is found as for
`envalue readmodel`. ``--owner`` limits the rows to one holder (an enrolled identity
``ORG:USER`` of ``--network``, or a holder key ``MSP/x509::…``); the default ``all``
exports every holder's rows. ``--out -`` (the default) writes to stdout; ``--bom`` writes
the UTF-8 byte order mark and CRLF line ends that Excel expects.

Exit codes: 0 written; 1 the read model cannot be exported (the message names the row);
2 invalid input; 3 ``ORG:USER`` needs enrolled identities that are not there.
"""

from __future__ import annotations

import sys

import click

from envalue.cli._output import fail
from envalue.cli.readmodel import _url as readmodel_db_url

__all__ = ["command"]

_TABLES = ("holdings", "transfers", "retirements", "credit-batches", "credit-shares")


def _owner(ref: str, network: str | None) -> str | None:
    """None for ``all``; else the holder key of `ref` (exits 2 or 3 when it is not one)."""
    from envalue.chaincode.domain.errors import DomainError
    from envalue.chaincode.domain.tokens.rules import require_owner_key
    from envalue.ledger.identities import holder_key
    from envalue.network.settings import NetworkSettings

    if ref == "all":
        return None
    try:
        if "/" in ref:
            return require_owner_key(ref, "owner")
        try:
            settings = NetworkSettings.resolve(name=network)
        except ValueError as exc:
            fail(f"network settings: {exc}", exit_code=2)
        return holder_key(settings, ref, "owner")
    except DomainError as exc:
        fail(str(exc), exit_code=exc.exit_code)


@click.command("export")
@click.argument("table", type=click.Choice(_TABLES))
@click.option("--owner", default="all", show_default=True, metavar="all|ORG:USER|HOLDER",
              help="Only this holder's rows (an enrolled identity or a holder key).")
@click.option("--db", metavar="URL", help="Read-model SQLAlchemy URL.")
@click.option("--out", "out", default="-", show_default=True, metavar="FILE|-",
              help="Where to write the CSV (- is stdout).")
@click.option("--bom", is_flag=True, help="UTF-8 BOM and CRLF, for Excel.")
@click.option("--network", metavar="NAME", help="Network whose identities ORG:USER names.")
def command(table: str, owner: str, db: str | None, out: str, bom: bool,
            network: str | None) -> None:
    """Export TABLE from the read model as CSV (header only when it has no rows)."""
    from envalue.exports import ExportError, csv_bytes
    from envalue.readmodel import make_sessions
    from envalue.readmodel.exports import export_frame

    holder = _owner(owner.strip(), network)
    url = readmodel_db_url(db)
    try:
        with make_sessions(url)() as session:
            frame = export_frame(session, table, holder)
    except ExportError as exc:
        fail(f"export {table}: {exc}")
    data = csv_bytes(frame, excel=bom)
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        with open(out, "wb") as handle:
            handle.write(data)
    click.echo(f"export {table}: {len(frame)} rows from {url}"
               f"{'' if out == '-' else f' to {out}'}", err=True)
