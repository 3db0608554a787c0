"""``envalue verify``: check a token's whole lineage, or prove a single reading.

\b
    envalue verify TOKEN_ID [--trace FILE] [--db URL] [--json]
    envalue verify reading --batch ID (--index N | --timestamp TS --quantity Q)
                           [--trace FILE] [--db URL] [--json]

The trace (and a batch's anchored root) comes from the ledger through the Gateway
(``measurement:trace``, ``measurement:get_batch``), or from ``--trace FILE`` for offline
audits: a trace document as the ledger returns it (``--save-trace`` writes one), or
``{"trace": …, "token_supply": …}``. Readings come from the off-chain store.

Exit codes: 0 every check passed; 1 a check failed (each failure is printed); 2 usage
or unreadable input; 69 the ledger is unavailable (no network, peer down).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from envalue.cli._output import fail, print_json
from envalue.cli.ingest import default_db_url

__all__ = ["EXIT_CHECK_FAILED", "EXIT_LEDGER_UNAVAILABLE", "EXIT_USAGE", "command"]

EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
#: sysexits EX_UNAVAILABLE, as `envalue calc` uses for the on-ledger form.
EXIT_LEDGER_UNAVAILABLE = 69


class _VerifyGroup(click.Group):
    """`envalue verify TOKEN_ID` runs the `lot` command; `envalue verify reading …` the
    proof. Any first argument that is not a subcommand is taken as a token id."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["lot", *args]
        return super().parse_args(ctx, args)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"--trace {path}: cannot read: {exc.strerror}", exit_code=EXIT_USAGE)
    except (UnicodeDecodeError, ValueError) as exc:
        fail(f"--trace {path}: not a JSON document ({exc})", exit_code=EXIT_USAGE)


def _from_file(path: Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(trace, token supply or None) from a trace file or a {trace, token_supply} bundle."""
    doc = _read_json(path)
    if isinstance(doc, dict) and "trace" in doc and "calculation" not in doc:
        return doc["trace"], doc.get("token_supply")
    return doc, None


def _store(db_url: str | None) -> Any:
    from sqlalchemy.exc import SQLAlchemyError

    from envalue.ingest.store import IngestStore

    url = db_url or default_db_url()
    try:
        return IngestStore(url)
    except (SQLAlchemyError, ValueError) as exc:
        fail(f"--db {url}: cannot open the off-chain store ({exc})", exit_code=EXIT_USAGE)


def _ledger_call(fn: Any, *args: str) -> Any:
    from envalue.verify.ledger import LedgerQueryError, LedgerUnavailableError

    try:
        return fn(*args)
    except LedgerUnavailableError as exc:
        fail(f"ledger unavailable: {exc}; or audit offline with --trace FILE",
             exit_code=EXIT_LEDGER_UNAVAILABLE)
    except LedgerQueryError as exc:
        fail(f"ledger query failed: {exc}", exit_code=EXIT_CHECK_FAILED)


def _print_report(report: Any, source: str) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    console.print(f"lineage of lot {report.lot_id or '-'} (calculation "
                  f"{report.calculation_id}); trace from {source}")
    table = Table()
    for column in ("", "check", "subject", "reason"):
        table.add_column(column)
    marks = {"pass": "[green]PASS[/green]", "fail": "[red]FAIL[/red]", "skip": "skip"}
    for c in report.checks:
        subject = c.subject if len(c.subject) <= 28 else c.subject[:27] + "…"
        table.add_row(marks[c.status], c.name, Text(subject), Text(c.reason))
    console.print(table)
    for t in report.tampered:
        console.print(Text(f"tampered reading in batch {t.batch_id[:16]}…: {t.describe()}"))
    s = report.summary()
    verdict = "[green]verified[/green]" if report.ok else "[red]NOT verified[/red]"
    console.print(f"{verdict}: {s['pass']} passed, {s['fail']} failed, {s['skip']} skipped")


@click.group("verify", cls=_VerifyGroup, invoke_without_command=False)
def command() -> None:
    """Verify a token's lineage (envalue verify TOKEN_ID) or prove one reading."""


@command.command("lot")
@click.argument("token_id")
@click.option("--trace", "trace_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the trace from FILE instead of the ledger (offline audit).")
@click.option("--save-trace", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the trace fetched from the ledger to FILE.")
@click.option("--db", "db_url", metavar="URL",
              help="Off-chain database (default sqlite:///<checkout>/var/envalue.db).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def lot_command(token_id: str, trace_file: Path | None, save_trace: Path | None,
                db_url: str | None, as_json: bool) -> None:
    """Check every link from token lot TOKEN_ID back to its meter readings."""
    from envalue.verify import TraceFormatError, verify_lineage
    from envalue.verify.ledger import fetch_token_supply, fetch_trace

    if trace_file and save_trace:
        raise click.UsageError("--save-trace saves a trace fetched from the ledger; "
                               "it cannot be used with --trace")
    if trace_file:
        trace, supply = _from_file(trace_file)
        source = f"file {trace_file} (not fetched from the ledger)"
    else:
        trace = _ledger_call(fetch_trace, token_id)
        supply = _ledger_call(fetch_token_supply, token_id)
        source = "the ledger (measurement:trace)"
        if save_trace:
            save_trace.write_text(json.dumps({"trace": trace, "token_supply": supply},
                                             indent=1, sort_keys=True) + "\n")
    lot = trace.get("lot") if isinstance(trace, dict) else None
    if not isinstance(lot, dict) or lot.get("lot_id") != token_id:
        found = lot.get("lot_id") if isinstance(lot, dict) else None
        fail(f"the trace is not of token lot {token_id!r} (it traces "
             f"{found or 'no lot'})", exit_code=EXIT_USAGE)
    try:
        report = verify_lineage(trace, _store(db_url), token_supply=supply)
    except TraceFormatError as exc:
        fail(f"--trace {trace_file}: {exc}", exit_code=EXIT_USAGE)
    if as_json:
        print_json(report.to_dict() | {"trace_source": source})
    else:
        _print_report(report, source)
    if not report.ok:
        if not as_json:
            for c in report.failures():
                click.echo(f"failed: {c.name} {c.subject}: {c.reason}", err=True)
        raise SystemExit(EXIT_CHECK_FAILED)


def _anchored_root(batch_id: str, trace_file: Path | None) -> tuple[str, str]:
    """(anchored root hex, where it came from)."""
    from envalue.verify.ledger import fetch_batch

    if trace_file is None:
        record = _ledger_call(fetch_batch, batch_id)
        return str(record.get("merkle_root", "")), "the ledger (measurement:get_batch)"
    trace, _ = _from_file(trace_file)
    batches = trace.get("batches", []) if isinstance(trace, dict) else []
    for b in batches if isinstance(batches, list) else []:
        if isinstance(b, dict) and b.get("batch_id") == batch_id:
            return str(b.get("merkle_root", "")), f"file {trace_file}"
    fail(f"--trace {trace_file}: batch {batch_id} is not in the trace", exit_code=EXIT_USAGE)


@command.command("reading")
@click.option("--batch", "batch_id", required=True, metavar="ID", help="Anchored batch id.")
@click.option("--index", type=click.IntRange(min=0), help="Leaf index (Merkle order).")
@click.option("--timestamp", metavar="TS", help="Reading timestamp (UTC, canonical form).")
@click.option("--quantity", metavar="Q", help="Reading quantity (with --timestamp).")
@click.option("--trace", "trace_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Take the anchored root from a trace FILE instead of the ledger.")
@click.option("--db", "db_url", metavar="URL",
              help="Off-chain database (default sqlite:///<checkout>/var/envalue.db).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def reading_command(batch_id: str, index: int | None, timestamp: str | None,
                    quantity: str | None, trace_file: Path | None, db_url: str | None,
                    as_json: bool) -> None:
    """Prove that one stored reading is included under its batch's anchored root."""
    from envalue.verify import ProofError, reading_proof, verify_inclusion

    if (index is None) == (timestamp is None and quantity is None) or (
            index is None and not (timestamp and quantity)):
        raise click.UsageError("give --index N, or --timestamp TS and --quantity Q")
    try:
        proof = reading_proof(_store(db_url), batch_id, index, timestamp=timestamp,
                              quantity=quantity)
    except ProofError as exc:
        fail(str(exc), exit_code=EXIT_USAGE)
    root, source = _anchored_root(batch_id, trace_file)
    ok = verify_inclusion(proof, root)
    out = {"verified": ok, "anchored_root": root, "root_source": source, **proof.to_dict()}
    if as_json:
        print_json(out)
    else:
        r = proof.reading
        click.echo(f"reading {r['device_id']} {r['timestamp']} {r['quantity']} = {r['value']} "
                   f"{r['unit']} (leaf {proof.leaf_index} of batch {batch_id})")
        click.echo(f"proof: {len(proof.steps)} steps to root {proof.root.hex()}")
        click.echo(f"anchored root ({source}): {root}")
        click.echo("included: the reading is part of the anchored batch" if ok else
                   "NOT included: the stored reading is not what was anchored")
    if not ok:
        raise SystemExit(EXIT_CHECK_FAILED)
