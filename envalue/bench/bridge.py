"""Bridge round-trip latency and transfers per second between envalue and the partner
ledger, through the bridge relay (`envalue.bridge.relay.BridgeRelay`), on both real
networks.

Set-up (not timed): a fresh credit program's sites are registered, anchored, calculated,
approved and minted (`envalue.scenarios.credit_program`, up to its monitoring report:
one monthly lot per site, owned by the Customer or Municipality org); the bridge is
configured on both ledgers and each registers the other's MSP roots and endorsement
policy (`envalue.scenarios.bridge`). Then, timed:

1. ``round_trips`` sequential round trips of 1 kg on one lot, per leg: the owner pledges
   at home (owner-signed), the relay claims on the partner (home proof → wrapped units
   minted to ``member:trader1``), the trader burns them on the partner, the relay releases
   them at home to the owner (partner proof); p50/p95 per leg and of the whole trip;
2. ``transfers`` pledge + claim transfers of 1 kg (`BridgeRelay.create_pledge`),
   ``workers`` in flight, each worker on its own lots (no read conflicts by construction).

Last, the conservation check over the bench's lots (`bridge.conservation.LotBalance`):
issued = at home + in flight + wrapped live + burned unreleased, and the custody holding
holds exactly what is outside, from the committed state of both ledgers (home supply
audit, custody holding and pledges; the partner's wrapped audit and origin index). The
home contract has no query of its return index, so a burn counts as released when the
relay's journal recorded the release as committed. The lots are fresh, so only the
bench's own pledges touch them. With either network missing the bench says why and
exits 3, measuring nothing else instead.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from envalue.bench.base import BenchParam
from envalue.bench.bundle import NotMeasurable
from envalue.bridge.adapters import LedgerAdapter
from envalue.bridge.connections import RelayConnections, RelayLedgers, setting
from envalue.bridge.relay import BridgeRelay
from envalue.bridge.steps import HOME_GET_PLEDGE, HOME_PLEDGE, PARTNER_BURN
from envalue.bridge.store import BridgeStore
from envalue.bridge.transfers import CLAIMED, RELEASED, Transfer
from envalue.chaincode.domain.bridge import msg_pledge
from envalue.chaincode.domain.bridge.conservation import LotBalance
from envalue.chaincode.domain.bridge.msg_pledge import MsgPledge
from envalue.chaincode.domain.bridge.state import PLEDGED
from envalue.chaincode.domain.errors import DomainError
from envalue.chaincode.domain.proofs.view import decode_view
from envalue.chaincode.domain.tokens.bridge_hooks import custody_owner
from envalue.chaincode.domain.wrapped import msg_burn
from envalue.chaincode.domain.wrapped.msg_burn import MsgBurn
from envalue.chaincode.domain.wrapped.state import CLAIMED as ORIGIN_CLAIMED
from envalue.ledger import tokens
from envalue.ledger.errors import LedgerConflict, LedgerUnavailableError
from envalue.ledger.messages import query_call
from envalue.ledger.peers import LedgerPeers
from envalue.network.topology import PARTNER

__all__ = ["HELP", "LEGS", "PARAMS", "partner_peers", "print_table", "run"]

HELP = ("Bridge round-trip latency (pledge, claim, burn, release) and pledge+claim "
        "transfers/s to the partner ledger, then the conservation check (needs both "
        "networks).")

PARAMS: tuple[BenchParam, ...] = (
    BenchParam("network", str, "", "home network (default: ENVALUE_NETWORK or 'envalue')"),
    BenchParam("partner", str, "", "partner network (default: "
               "ENVALUE_BRIDGE_PARTNER_NETWORK or 'partner')"),
    BenchParam("round_trips", int, 20, "sequential pledge → claim → burn → release trips"),
    BenchParam("transfers", int, 200, "pledge + claim transfers to time"),
    BenchParam("workers", int, 8, "transfers in flight (each worker on its own lots)"),
)

LEGS = ("pledge", "claim", "burn", "release")
#: orgs whose Gateway peers the bench uses: operator, relay, lot owners; partner orgs
HOME_ORGS = ("platform", "market", "customer", "municipality")
#: the generated sites' monthly lots hold about 100 to 450 kg: transfers per lot planned
KG_PER_LOT_PLANNED = 90


def _require(peers: LedgerPeers, orgs: tuple[str, ...], side: str) -> None:
    if peers.settings is None:
        raise NotMeasurable(f"not measurable: {side} ledger: {peers.unavailable_reason}")
    for org in orgs:
        status = peers.status(org)
        if not status.available:
            raise NotMeasurable(f"not measurable: {side} ledger: {status.reason}")


def partner_peers(name: str) -> LedgerPeers:
    """The partner network's peers, found by its own home as the relay finds them."""
    from envalue.network.layout import NetworkLayout
    from envalue.network.settings import NetworkSettings

    try:
        settings = NetworkSettings.resolve(name=name, topology=PARTNER.name,
                                           home=NetworkLayout.named(name).home)
    except ValueError as exc:
        return LedgerPeers(None, unavailable_reason=f"network settings: {exc}")
    return LedgerPeers(settings)


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"p50_ms": round(1000 * statistics.median(ordered), 1),
            "p95_ms": round(1000 * p95, 1)}


class _Bench:
    """One run: sessions on both networks, the relay and the parties' adapters."""

    def __init__(self, home: LedgerPeers, partner_name: str, stack: ExitStack,
                 journal: Path) -> None:
        from envalue.ledger.identities import holder_key
        from envalue.scenarios import NetworkSessions
        from envalue.scenarios.bridge import PARTNER_TRADER
        from envalue.scenarios.identities import CITY, CUSTOMER, network_holders

        self.partner_peers = partner_peers(partner_name)
        self.home_sessions = stack.enter_context(NetworkSessions(home))
        self.partner_sessions = stack.enter_context(NetworkSessions(self.partner_peers))
        self.holders = network_holders(home.settings)  # type: ignore[arg-type]
        self.trader_key = holder_key(self.partner_peers.settings,  # type: ignore[arg-type]
                                     PARTNER_TRADER, "recipient")
        base = {"BRIDGE_PARTNER_NETWORK": partner_name}

        def as_(**config: str) -> RelayLedgers:
            connections = RelayConnections({**base, **config}, home_peers=lambda: home)
            ledgers, _ = stack.enter_context(connections.open_relay())
            return ledgers  # type: ignore[no-any-return]

        relay = RelayConnections(base, home_peers=lambda: home)
        self.home_id, self.partner_id = relay.home_id, relay.partner_id
        ledgers = as_()
        self.relay = BridgeRelay(ledgers.home, ledgers.partner,
                                 BridgeStore.from_url(f"sqlite:///{journal}"))
        self.owners: dict[str, LedgerAdapter] = {
            who: as_(BRIDGE_HOME_IDENTITY=who).home for who in (CUSTOMER, CITY)}
        self.trader = as_(BRIDGE_PARTNER_IDENTITY=PARTNER_TRADER).partner
        self.who = {self.holders(who): who for who in self.owners}
        self.pledges: list[MsgPledge] = []
        self.burns: list[MsgBurn] = []

    # -- set-up --------------------------------------------------------------------------
    def set_up(self, sites: int, workers: int, program_id: str) -> list[tuple[str, str, int]]:
        """Mint one lot a site and set the bridge up on both ledgers: (lot, owner, kg)."""
        from envalue.scenarios import credit_program, key_directory
        from envalue.scenarios import run as run_steps
        from envalue.scenarios.bridge import bridge_setup, network_trust
        from envalue.scenarios.identities import OPERATOR

        with tempfile.TemporaryDirectory(prefix="envalue-bench-keys-") as keys:
            scenario = credit_program(sites, keys=key_directory(Path(keys)),
                                      holders=self.holders, program_id=program_id)
        steps = list(scenario.steps)
        first = next(i for i, s in enumerate(steps) if s.operation == "credits:open_report")
        refs = [ref for s in steps[first:] if s.operation == "credits:add_lots"
                for ref in s.call.message.lots]  # type: ignore[union-attr]
        setup = bridge_setup(
            network_trust(self.home_sessions.peers.settings, self.home_id),  # type: ignore[arg-type]
            network_trust(self.partner_peers.settings, self.partner_id))  # type: ignore[arg-type]
        for part, sessions, lanes in ((steps[:first], self.home_sessions, workers),
                                      (setup.home.steps, self.home_sessions, 1),
                                      (setup.partner.steps, self.partner_sessions, 1)):
            report = run_steps(part, sessions, workers=lanes, progress=False)
            if report.failure is not None:
                raise click.ClickException(f"set-up failed: {report.failure.message}")
        operator = self.home_sessions.get(OPERATOR)
        return [(r.lot_id, r.owner, operator.evaluate(tokens.holding_call(r.lot_id, r.owner))
                 .tradable) for r in refs]

    def pledge(self, tag: str, lot_id: str, owner: str) -> MsgPledge:
        expires = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
        msg = MsgPledge(tag, owner, lot_id, 1, self.partner_id, self.trader_key, expires)
        msg_pledge.validate(msg)
        self.pledges.append(msg)
        return msg

    # -- timed ---------------------------------------------------------------------------
    async def round_trip(self, tag: str, lot_id: str, owner: str) -> dict[str, float]:
        """One 1 kg round trip; seconds per leg (ClickException at the first refusal)."""
        pledge = self.pledge(tag, lot_id, owner)
        burn = MsgBurn(tag, self.trader_key, self.home_id, lot_id, 1, owner)
        msg_burn.validate(burn)
        self.burns.append(burn)
        legs: list[tuple[str, Callable[[], Any], str]] = [
            ("pledge", lambda: self.owners[self.who[owner]].submit(HOME_PLEDGE,
                                                                   asdict(pledge)), ""),
            ("claim", lambda: self.relay.submit_claim(tag), CLAIMED),
            ("burn", lambda: self.trader.submit(PARTNER_BURN, asdict(burn)), ""),
            ("release", lambda: self.relay.submit_return(burn), RELEASED),
        ]
        seconds = {}
        for leg, call, expected in legs:
            started = time.perf_counter()
            try:
                answer = await call()
            except DomainError as exc:
                raise click.ClickException(f"round trip {tag}: {leg}: {exc.message}") from exc
            seconds[leg] = time.perf_counter() - started
            if expected and answer.state != expected:
                error = (answer.error or {}).get("message", "")
                raise click.ClickException(f"round trip {tag}: {leg}: the transfer is "
                                           f"{answer.state}, not {expected}: {error}")
        return seconds

    def transfer_lane(self, jobs: list[MsgPledge]) -> list[tuple[str, float]]:
        """One worker's pledge + claim transfers, in order: (outcome, seconds) each."""
        outcomes = []
        for msg in jobs:
            started = time.perf_counter()
            try:
                done: Transfer = asyncio.run(self.relay.create_pledge(
                    msg, self.owners[self.who[msg.owner]]))
                outcome = "ok" if done.state == CLAIMED else "refused"
            except LedgerConflict:
                outcome = "conflicts"
            except LedgerUnavailableError:
                outcome = "unavailable"
            except DomainError:
                outcome = "refused"
            outcomes.append((outcome, time.perf_counter() - started))
        return outcomes

    # -- after ---------------------------------------------------------------------------
    def conservation(self, lots: list[str]) -> dict[str, Any]:
        """The check of the module text over `lots` (LotBalance, as bridge.conservation)."""
        from envalue.scenarios.bridge import PARTNER_OPERATOR
        from envalue.scenarios.identities import OPERATOR

        home = self.home_sessions.get(OPERATOR)
        partner = self.partner_sessions.get(PARTNER_OPERATOR)
        wrapped = partner.evaluate(query_call("wrapped", "audit"))
        problems = [f"partner: {p}" for p in wrapped["problems"]]
        denoms = {d["lot_id"]: d for d in wrapped["denoms"].values()
                  if d["source_network"] == self.home_id}
        balances: dict[str, LotBalance] = {}
        for lot_id in lots:
            audit = home.evaluate(tokens.audit_call(lot_id)).lots[0]
            problems += [f"home {lot_id}: {p}" for p in audit.problems]
            custody = _absent_as(lambda lot=lot_id: home.evaluate(tokens.holding_call(
                lot, custody_owner(self.partner_id))).bridged_out, 0)
            bridged = audit.supply["bridged_out"]
            balance = balances[lot_id] = LotBalance(
                lot_id=lot_id, issued=audit.issued, at_home=audit.issued - bridged,
                bridged_elsewhere=bridged - custody, custody=custody)
            denom = denoms.get(lot_id, {})
            balance.wrapped_live = denom.get("tradable", 0) + denom.get("locked", 0)
            if denom.get("retired"):
                problems.append(f"lot {lot_id}: {denom['retired']} kg retired on the partner "
                                "(the bench never retires; reporting is not checked)")
        for msg in self.pledges:
            record = _absent_as(lambda m=msg: home.evaluate(query_call(
                "bridge", HOME_GET_PLEDGE, m.pledge_id)), {})
            if record.get("status") != PLEDGED:  # never committed, or reclaimed
                continue
            origin = _absent_as(lambda m=msg: decode_view(partner.evaluate(query_call(
                "wrapped", "origin_view", self.home_id, m.pledge_id, decode=bytes)))
                .record.get("status"), None)
            if origin != ORIGIN_CLAIMED:
                balances[msg.lot_id].pledged_in_flight += msg.quantity_kg
        for burn in self.burns:
            transfer = self.relay.store.get_transfer(f"burn:{self.partner_id}:{burn.burn_id}")
            if transfer is None or transfer.state != RELEASED:
                balances[burn.lot_id].burned_unreleased += burn.quantity_kg
        for b in balances.values():
            if b.accounted != b.issued:
                problems.append(f"lot {b.lot_id}: issued {b.issued} != accounted {b.accounted}")
            if b.outside != b.custody:
                problems.append(f"lot {b.lot_id}: custody {b.custody} != outside {b.outside}")
        rows = [{**asdict(b), "accounted": b.accounted} for b in balances.values()]
        totals = {k: sum(r[k] for r in rows) for k in (
            "issued", "at_home", "pledged_in_flight", "wrapped_live", "burned_unreleased",
            "custody")}
        return {"balanced": not problems, "problems": problems, "totals": totals,
                "lots": rows}


def _absent_as(read: Callable[[], Any], default: Any) -> Any:
    """`read()`, or `default` when the ledger says the record does not exist."""
    try:
        return read()
    except LedgerUnavailableError:
        raise
    except DomainError as exc:
        if exc.rule == "exists":
            return default
        raise


@contextmanager
def _bench(home: LedgerPeers, partner_name: str) -> Iterator[_Bench]:
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="envalue-bench-") as tmp:
        yield _Bench(home, partner_name, stack, Path(tmp) / "journal.db")


def run(network: str = "", partner: str = "", round_trips: int = 20, transfers: int = 200,
        workers: int = 8) -> dict[str, Any]:
    if round_trips < 0 or transfers < 0 or workers < 1:
        raise ValueError("round_trips and transfers must be >= 0, workers positive")
    home = LedgerPeers.resolve(network or None)
    _require(home, HOME_ORGS, "home")
    partner_name = partner or setting({}, "BRIDGE_PARTNER_NETWORK", PARTNER.network_name)
    _require(partner_peers(partner_name), tuple(o.key for o in PARTNER.peer_orgs), "partner")
    lanes = max(1, min(workers, transfers))
    per_lot = math.ceil(math.ceil(transfers / lanes) / KG_PER_LOT_PLANNED) or 1
    run_id = uuid.uuid4().hex[:8].upper()
    program_id = f"BRIDGE-{run_id}"
    with _bench(home, partner_name) as bench:
        lots = bench.set_up(1 + lanes * per_lot, lanes, program_id)
        trip_lot, trip_owner, _ = lots[0]
        trips = [asyncio.run(bench.round_trip(f"{program_id}-rt{i}", trip_lot, trip_owner))
                 for i in range(round_trips)]
        jobs = _lane_jobs(bench, lots[1:], lanes, per_lot, transfers, program_id)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=lanes) as pool:
            outcomes = [o for lane in pool.map(bench.transfer_lane, jobs) for o in lane]
        seconds = time.perf_counter() - started
        conservation = bench.conservation([lot for lot, _, _ in lots])
    ok = [s for outcome, s in outcomes if outcome == "ok"]
    legs = {leg: _ms([t[leg] for t in trips]) for leg in LEGS}
    return {
        "network": home.settings.name, "partner": partner_name,  # type: ignore[union-attr]
        "home_network_id": bench.home_id, "partner_network_id": bench.partner_id,
        "program_id": program_id, "lots": len(lots), "workers": lanes,
        "round_trips": {"count": len(trips), "legs": legs,
                        "total": _ms([sum(t.values()) for t in trips])},
        "transfers": {"count": len(outcomes), "ok": len(ok),
                      **{k: sum(1 for o, _ in outcomes if o == k)
                         for k in ("refused", "conflicts", "unavailable")},
                      "seconds": round(seconds, 2),
                      "per_s": round(len(ok) / seconds, 1) if seconds and ok else 0.0,
                      **_ms(ok)},
        "conservation": conservation,
    }


def _lane_jobs(bench: _Bench, lots: list[tuple[str, str, int]], lanes: int, per_lot: int,
               transfers: int, tag: str) -> list[list[MsgPledge]]:
    """Each lane's 1 kg pledges from its own `per_lot` lots (ClickException if short)."""
    jobs: list[list[MsgPledge]] = []
    for lane in range(lanes):
        wanted = transfers // lanes + (1 if lane < transfers % lanes else 0)
        own = lots[lane * per_lot:(lane + 1) * per_lot]
        if sum(kg for _, _, kg in own) < wanted:
            raise click.ClickException(
                f"set-up minted {sum(kg for _, _, kg in own)} kg on lane {lane}'s lots "
                f"{', '.join(lot for lot, _, _ in own)}; {wanted} 1 kg transfers need more")
        mine = []
        for lot_id, owner, kg in own:
            take = min(kg, wanted - len(mine))
            mine += [bench.pledge(f"{tag}-w{lane}-{len(mine)}", lot_id, owner)
                     for _ in range(take)]
        jobs.append(mine)
    return jobs


def print_table(result: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    trips = result["round_trips"]
    table = Table(title=f"bridge: {result['home_network_id']} ({result['network']}) ⇄ "
                        f"{result['partner_network_id']} ({result['partner']}), "
                        f"{trips['count']} round trips of 1 kg")
    for column in ("leg", "p50 ms", "p95 ms"):
        table.add_column(column, justify="right")
    for leg in LEGS:
        table.add_row(leg, str(trips["legs"][leg]["p50_ms"]), str(trips["legs"][leg]["p95_ms"]))
    table.add_row("round trip", str(trips["total"]["p50_ms"]), str(trips["total"]["p95_ms"]))
    console.print(table)
    t = result["transfers"]
    console.print(f"pledge + claim: {t['ok']} of {t['count']} claimed in {t['seconds']} s, "
                  f"{t['per_s']} transfers/s with {result['workers']} in flight "
                  f"(p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms; refused {t['refused']}, "
                  f"conflicts {t['conflicts']}, unavailable {t['unavailable']})")
    c = result["conservation"]
    totals = c["totals"]
    console.print(f"conservation over {len(c['lots'])} lots: issued {totals['issued']} kg = "
                  f"at home {totals['at_home']} + in flight {totals['pledged_in_flight']} + "
                  f"wrapped {totals['wrapped_live']} + burned unreleased "
                  f"{totals['burned_unreleased']}; custody {totals['custody']} kg: "
                  + ("balanced" if c["balanced"] else "NOT balanced"))
    for problem in c["problems"]:
        console.print(f"  {problem}")
