"""Token transfer and retirement throughput, and the time to bundle and issue a program of
many small lots, on the real network.

Set-up (not timed): a fresh credit program (`envalue.scenarios.credit_program`) of
``lots`` small daily lots, 25 per site from the Customer and Municipality orgs, is
registered, anchored, calculated, approved and minted, sites side by side (``workers``).
Then, timed:

1. ``transfers`` token transfers of 1 kg, each from another lot's holding to the buyer,
   ``workers`` in flight (distinct holdings: no read conflicts by construction);
2. ``retirements`` retirements of 1 kg from other holdings, the same way;
3. bundle and issue: open the monitoring report, bundle every lot page by page, submit,
   a verifier approves, settle page by page until the report is issued (the pages write
   the same report, so they go one after the other). Target: 10,000 lots within 60 s.

The write set of a transaction stays bounded by the chaincode's page sizes (printed):
``add_lots`` bundles at most `MAX_PAGE` holdings, each writing its holding, the lot's
supply, a history entry, the member record, the member index and the pending entry, plus
the report; ``settle_report`` settles at most `MAX_SETTLE_PAGE` members, each deleting a
pending entry and adding at most a share and a carry-forward, plus report, program and
batch. With no network the bench says why and exits 3, measuring nothing else instead.
"""

from __future__ import annotations

import math
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import click

from envalue.bench.base import BenchParam
from envalue.chaincode.domain.credits.msg_add_lots import MAX_PAGE
from envalue.chaincode.domain.credits.msg_settle_report import MAX_SETTLE_PAGE
from envalue.chaincode.domain.tokens.msg_retire import RetirementInfo
from envalue.chaincode.domain.tokens.msg_transfer import MAX_TRANSFER_ITEMS, TransferItem
from envalue.ledger import tokens
from envalue.ledger.errors import LedgerConflict, LedgerError
from envalue.ledger.messages import LedgerCall
from envalue.ledger.peers import LedgerPeers

__all__ = ["ADD_LOTS_WRITE_BOUND", "HELP", "NotMeasurable", "PARAMS",
           "SETTLE_WRITE_BOUND", "WRITES_PER_BUNDLED_HOLDING", "print_table", "run",
           "write_bounds"]

HELP = ("Token transfers/s, retirements/s and the time to bundle and issue a program of "
        "many small lots (needs the network).")

PARAMS: tuple[BenchParam, ...] = (
    BenchParam("network", str, "", "network name (default: ENVALUE_NETWORK or 'envalue')"),
    BenchParam("lots", int, 10_000, "small lots in the program (25 daily lots a site)"),
    BenchParam("transfers", int, 500, "1 kg token transfers to time"),
    BenchParam("retirements", int, 500, "1 kg retirements to time"),
    BenchParam("workers", int, 16, "transactions in flight (set-up and transfers)"),
)

#: writes of one bundled holding (see the module text); the scenario tests check it
#: against the write set the contract really produces
WRITES_PER_BUNDLED_HOLDING = 6
ADD_LOTS_WRITE_BOUND = WRITES_PER_BUNDLED_HOLDING * MAX_PAGE + 1
#: a pending entry deleted, a share and a carry-forward per settled member; report,
#: program, batch
SETTLE_WRITE_BOUND = 3 * MAX_SETTLE_PAGE + 3
LOTS_PER_SITE = 25
PAGE_OPERATIONS = ("credits:open_report", "credits:add_lots", "credits:submit_report",
                   "credits:verify_report", "credits:settle_report")


class NotMeasurable(click.ClickException):
    """The network is not there: nothing is measured (exit code 3, as ledger commands)."""

    exit_code = 3


def write_bounds() -> dict[str, Any]:
    """Per-transaction write-set bounds from the chaincode's page sizes."""
    return {"add_lots": {"max_holdings": MAX_PAGE, "max_keys": ADD_LOTS_WRITE_BOUND},
            "settle_report": {"max_members": MAX_SETTLE_PAGE, "max_keys": SETTLE_WRITE_BOUND},
            "transfer": {"max_items": MAX_TRANSFER_ITEMS}}


def _require_network(peers: LedgerPeers) -> None:
    if peers.settings is None:
        raise NotMeasurable(f"not measurable: {peers.unavailable_reason}")
    for org in ("platform", "customer", "municipality"):
        status = peers.status(org)
        if not status.available:
            raise NotMeasurable(f"not measurable: {status.reason}")


def _timed(calls: list[tuple[str, LedgerCall[Any]]], sessions: Any, workers: int
           ) -> dict[str, Any]:
    """Submit `calls` (identity, call) with `workers` in flight: counts and rate."""

    def one(item: tuple[str, LedgerCall[Any]]) -> str:
        try:
            sessions.get(item[0]).submit(item[1])
        except LedgerConflict:
            return "conflict"
        except LedgerError:
            return "refused"
        return "ok"

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = list(pool.map(one, calls))
    seconds = time.perf_counter() - started
    ok = outcomes.count("ok")
    return {"count": len(calls), "ok": ok, "conflicts": outcomes.count("conflict"),
            "refused": outcomes.count("refused"), "seconds": round(seconds, 2),
            "per_s": round(ok / seconds, 1) if seconds else 0.0}


def measure(sessions: Any, holders: Any, *, lots: int, transfers: int, retirements: int,
            workers: int, console: Any = None) -> dict[str, Any]:
    """Set up a fresh program of `lots` small lots through `sessions` (an
    `envalue.scenarios.NetworkSessions`), then time transfers, retirements, and bundling
    and issuance (see the module text)."""
    from envalue.scenarios import credit_program, key_directory
    from envalue.scenarios import run as run_steps
    from envalue.scenarios.common import fiscal_year
    from envalue.scenarios.credit_program import DEFAULT_MONTH
    from envalue.scenarios.identities import BUYER, CITY, CUSTOMER

    per_site = min(LOTS_PER_SITE, lots)
    sites = math.ceil(lots / per_site)
    program_id = f"BENCH-{uuid.uuid4().hex[:8].upper()}"
    with tempfile.TemporaryDirectory(prefix="envalue-bench-keys-") as keys:
        scenario = credit_program(sites, keys=key_directory(Path(keys)), holders=holders,
                                  lot_days=per_site, program_id=program_id)
    steps = list(scenario.steps)
    first = next(i for i, s in enumerate(steps) if s.operation == "credits:open_report")
    last = max(i for i, s in enumerate(steps) if s.operation == "credits:settle_report")
    refs = [ref for s in steps[first:last] if s.operation == "credits:add_lots"
            for ref in s.call.message.lots]  # type: ignore[union-attr]
    who = {holders(CUSTOMER): CUSTOMER, holders(CITY): CITY}
    setup = run_steps(steps[:first], sessions, workers=workers, console=console,
                      progress=console is not None)
    if setup.failure is not None:
        raise click.ClickException(f"set-up failed: {setup.failure.message}")
    buyer = holders(BUYER)
    transfer_rate = _timed([(who[r.owner], tokens.transfer_call(
        r.owner, [TransferItem(r.lot_id, buyer, 1)])) for r in refs[:transfers]],
        sessions, workers)
    info = RetirementInfo("envalue bench", "voluntary", fiscal_year(DEFAULT_MONTH),
                          "envalue bench bundle")
    retire_rate = _timed([(who[r.owner], tokens.retire_call(r.owner, r.lot_id, 1, info))
                          for r in refs[transfers:transfers + retirements]], sessions, workers)
    started = time.perf_counter()
    issued = run_steps(steps[first:last + 1], sessions, progress=False)
    seconds = time.perf_counter() - started
    if issued.failure is not None:
        raise click.ClickException(f"bundle and issue failed: {issued.failure.message}")
    return {"program_id": program_id, "sites": sites, "lots": len(refs), "workers": workers,
            "transfers": transfer_rate, "retirements": retire_rate,
            "bundle_and_issue": {"seconds": round(seconds, 2), "target_seconds": 60,
                                 "bundle_pages": scenario.facts["bundle_pages"],
                                 "settle_pages": scenario.facts["settle_pages"],
                                 "issued_t": issued.outputs.get("issued_t")},
            "write_set_bound": write_bounds()}


def run(network: str = "", lots: int = 10_000, transfers: int = 500, retirements: int = 500,
        workers: int = 16) -> dict[str, Any]:
    if lots < 1 or transfers < 0 or retirements < 0 or workers < 1:
        raise ValueError("lots and workers must be positive, transfers and retirements >= 0")
    if transfers + retirements > lots:
        raise ValueError("transfers and retirements each take their own lot: "
                         f"{transfers} + {retirements} exceed {lots} lots")
    peers = LedgerPeers.resolve(network or None)
    _require_network(peers)
    from rich.console import Console

    from envalue.scenarios import NetworkSessions
    from envalue.scenarios.identities import network_holders

    holders = network_holders(peers.settings)  # type: ignore[arg-type]
    with NetworkSessions(peers) as sessions:
        result = measure(sessions, holders, lots=lots, transfers=transfers,
                         retirements=retirements, workers=workers,
                         console=Console(stderr=True))
    return {"network": peers.settings.name, **result}  # type: ignore[union-attr]


def print_table(result: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    table = Table(title=f"bundle: program {result['program_id']} on {result['network']} "
                        f"({result['lots']} lots, {result['sites']} sites)")
    for column in ("measure", "count", "ok", "conflicts", "seconds", "per s"):
        table.add_column(column, justify="right")
    for name in ("transfers", "retirements"):
        row = result[name]
        table.add_row(name, *(str(row[k]) for k in ("count", "ok", "conflicts", "seconds",
                                                      "per_s")))
    console.print(table)
    issue = result["bundle_and_issue"]
    console.print(f"bundle and issue {result['lots']} lots: {issue['seconds']} s (target "
                  f"{issue['target_seconds']} s), {issue['bundle_pages']} bundling and "
                  f"{issue['settle_pages']} settlement pages, {issue['issued_t']} t issued")
    bounds = result["write_set_bound"]
    console.print(f"write set per transaction: add_lots <= {bounds['add_lots']['max_keys']} keys "
                  f"({bounds['add_lots']['max_holdings']} holdings), settle_report <= "
                  f"{bounds['settle_report']['max_keys']} keys "
                  f"({bounds['settle_report']['max_members']} members)")
