"""`envalue ingest FILE`: validate operation data, total it per period, and store batches.

With --dry-run nothing is stored; with --json the output is exactly the dry-run contract
of methodologies.md (or, when storing, the list of batches). Errors name file, row, field,
value and rule, exit non-zero, and never show a traceback.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from envalue.chaincode.domain.merkle import text_problem
from envalue.ingest.config import FORMATS, IngestConfig
from envalue.ingest.decimals import parse_decimal
from envalue.ingest.model import IngestError
from envalue.ingest.periods import PERIODS
from envalue.ingest.pipeline import IngestResult, ingest

__all__ = ["command", "default_db_url"]

LONG_FILE_BYTES = 1_000_000  # show a progress display above this size
ANCHOR_NOTE = ("not anchored on the ledger: anchoring batch roots needs the Fabric network "
               "and comes later")


def default_db_url() -> str:
    """``sqlite:///<checkout>/var/envalue.db`` (var/ is git-ignored)."""
    checkout = Path(__file__).resolve().parents[2]
    return f"sqlite:///{checkout / 'var' / 'envalue.db'}"


def _decimal(text: str, what: str) -> Decimal:
    value, reason = parse_decimal(text)
    if value is None or value < 0:
        raise click.BadParameter(f"{what} {text!r}: {reason or 'must not be negative'}")
    return value


def _capacity(values: tuple[str, ...]) -> Decimal | dict[str, Decimal] | None:
    if not values:
        return None
    if len(values) == 1 and "=" not in values[0]:
        return _decimal(values[0], "counter capacity")
    out: dict[str, Decimal] = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter("use N for all quantities or QUANTITY=N per quantity",
                                     param_hint="--counter-capacity")
        q, n = v.split("=", 1)
        out[q.strip()] = _decimal(n, f"counter capacity of {q}")
    return out


def _rates(values: tuple[str, ...]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter("expected QUANTITY=AMOUNT_PER_HOUR",
                                     param_hint="--max-rate")
        q, n = v.split("=", 1)
        out[q.strip()] = _decimal(n, f"max rate of {q}")
    return out


def _interval(text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        value = pd.Timedelta(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a duration (e.g. 30min, 1h)",
                                 param_hint="--interval") from None
    if value <= pd.Timedelta(0):
        raise click.BadParameter("must be positive", param_hint="--interval")
    return value.to_pytimedelta()


def _report(console: Console, result: IngestResult) -> None:
    q = result.quality
    console.print(f"[bold]{result.source}[/] ({result.format}) device "
                  f"[bold]{result.device_id}[/]: {result.input_rows} rows — "
                  f"{q.accepted} accepted, {q.duplicate} duplicate, {q.rejected} rejected "
                  f"({q.conflict} conflict); {q.reset} reset, {q.gap} missing intervals, "
                  f"{q.out_of_order} out of order")
    for col in result.ignored_columns:
        console.print(f"column not read: {col}")
    if result.totals:
        table = Table("quantity", "period start", "period end", "total", "unit")
        for t in result.totals:
            c = t.contract()
            table.add_row(c["quantity"], c["period_start"], c["period_end"], c["value"],
                          c["unit"])
        console.print(table)
    if result.rejected:
        table = Table("row", "field", "value", "rule", "reason", title="rejected rows")
        for r in result.rejected[:50]:
            table.add_row(str(r.row), r.field, r.value[:40], r.rule.value, r.message[:60])
        console.print(table)
        if len(result.rejected) > 50:
            console.print(f"… and {len(result.rejected) - 50} more rejected rows")
    for r in result.resets[:20]:
        console.print(f"reset: {r.quantity} at {r.timestamp.isoformat()} (row {r.row}): "
                      f"{r.previous} → {r.value}, {r.rule.value}; interval not counted")


@click.command("ingest")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--device", "device_id", required=True, help="Device (meter) id of the data.")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Input format (default: detected from the content).")
@click.option("--dry-run", is_flag=True, help="Validate and total only; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--counter-capacity", multiple=True, metavar="N|QUANTITY=N",
              help="Largest counter value before it wraps (canonical unit).")
@click.option("--max-rate", multiple=True, metavar="QUANTITY=N",
              help="Largest plausible amount per hour (canonical unit).")
@click.option("--interval", metavar="DURATION",
              help="Expected reading interval for gap detection (default: inferred).")
@click.option("--period", type=click.Choice(PERIODS), default="day", show_default=True)
@click.option("--tz", default="Asia/Tokyo", show_default=True,
              help="Time zone of the periods.")
@click.option("--assume-tz", metavar="ZONE",
              help="Zone of wide-CSV timestamps that carry no offset.")
@click.option("--db", "db_url", metavar="URL",
              help="Off-chain database (default sqlite:///<checkout>/var/envalue.db).")
def command(file: Path, device_id: str, fmt: str | None, dry_run: bool, as_json: bool,
            counter_capacity: tuple[str, ...], max_rate: tuple[str, ...],
            interval: str | None, period: str, tz: str, assume_tz: str | None,
            db_url: str | None) -> None:
    """Ingest operation data FILE (long CSV, JSON or wide CSV) for one device."""
    if text_problem(device_id):
        raise click.BadParameter(f"{device_id!r} {text_problem(device_id)}",
                                 param_hint="--device")
    config = IngestConfig(
        device_id=device_id, format=fmt, period=period, tz=tz, interval=_interval(interval),
        counter_capacity=_capacity(counter_capacity), max_rate=_rates(max_rate),
        naive_tz=assume_tz,
    )
    err = Console(stderr=True)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{file}: cannot read: {exc.strerror or exc}") from None
    show = not as_json and len(data) > LONG_FILE_BYTES
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"),
                      TimeElapsedColumn(), console=err, disable=not show,
                      transient=True) as progress:
            task = progress.add_task(f"validating {file.name}", total=None)
            result = ingest(data, config, source=str(file))
            if dry_run:
                stored = None
            else:
                progress.update(task, description=f"storing {len(result.batches)} batches")
                from envalue.ingest.store import IngestStore

                url = db_url or default_db_url()
                if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
                    Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True,
                                                                      exist_ok=True)
                stored = IngestStore(url).add(result)
    except IngestError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # storage failures: message, no traceback
        raise click.ClickException(f"{file}: {type(exc).__name__}: {exc}") from None

    if dry_run:
        if as_json:
            click.echo(json.dumps(result.dry_run(), ensure_ascii=False))
        else:
            _report(Console(), result)
        return
    assert stored is not None
    summaries = [b.summary() | {"status": "stored" if b.batch_id in stored.created
                                else "already stored"} for b in result.batches]
    if as_json:
        click.echo(json.dumps({"device": result.device_id, "upload_id": stored.upload_id,
                               "quality": result.quality.contract(), "batches": summaries,
                               "anchored": False, "note": ANCHOR_NOTE}, ensure_ascii=False))
        return
    out = Console()
    _report(out, result)
    table = Table("batch id", "period start", "readings", "merkle root", "status")
    for s in summaries:
        table.add_row(str(s["batch_id"])[:16] + "…", str(s["period_start"]), str(s["count"]),
                      str(s["merkle_root"])[:16] + "…", str(s["status"]))
    out.print(table)
    out.print(f"upload {stored.upload_id}: {len(stored.created)} batches stored, "
              f"{len(stored.existing)} already stored; {ANCHOR_NOTE}")

