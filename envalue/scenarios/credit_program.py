"""A program-type credit project: many small PV sites bundled into J-Credit-style credits.

Steps, after the registry's genesis and the grid factor of the monitoring month's fiscal
year (`common.genesis_steps`):

1. the Platform operator creates the program (methodology ``pv-self-consumption``);
2. per site (one lane each, so sites may run side by side): its owner (Customer or
   Municipality org) registers site, equipment, meter and gateway, anchors the site's
   batch(es) and calculates; a Platform verifier approves; the operator mints the lot(s)
   and enrolls the site in the program with its owner;
3. the operator opens the monitoring report for the month, bundles every lot page by
   page (`credits.msg_add_lots.MAX_PAGE` holdings a transaction) and submits it; a
   verifier approves, which issues ``floor(pool / 1000)`` t-CO2; the operator settles the
   contributors' shares and carry-forwards page by page (`MAX_SETTLE_PAGE`);
4. the operator sells the whole batch to the buyer (a credit transfer), the buyer retires
   more than half of it (J-Credit invalidation fields), and the distribution statement
   splits the sale's proceeds (``price_yen_per_t`` × tonnes) among the contributors.

Re-runs: the sale and the retirement are recognised as done from the buyer's holding of
the batch (`credits.holding_call`): the sale when the buyer holds the whole batch
(tradable plus retired), the retirement when the buyer has retired its tonnes. Report
stages are recognised from the report's state (`credits.report_call`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from envalue.chaincode.domain.credits.msg_add_lots import MAX_PAGE, LotRef
from envalue.chaincode.domain.credits.msg_settle_report import MAX_SETTLE_PAGE
from envalue.chaincode.domain.credits.state import CreditHolding, Report
from envalue.chaincode.domain.registry.fields import parse_timestamp
from envalue.chaincode.domain.registry.state import VALIDITY_TZ
from envalue.ledger import credits, registry
from envalue.ledger.messages import TxResult
from envalue.ledger.registry import MsgRegisterEquipment

from .common import (
    DeviceKeys,
    GridValue,
    anchor_step,
    device_step,
    fiscal_year,
    genesis_steps,
    key_directory,
    lot_steps,
    meter_step,
    site_step,
)
from .identities import BUYER, CITY, CUSTOMER, OPERATOR, VERIFIER, Holders, msp_of
from .program_data import SmallSite, generated_sites, site_headers
from .steps import Deferred, Probe, Scenario, Step

__all__ = ["DEFAULT_MONTH", "METHODOLOGY", "credit_program", "retired_tonnes"]

METHODOLOGY = "pv-self-consumption"
DEFAULT_MONTH = date(2024, 5, 1)
SITE_OWNERS = (CUSTOMER, CITY)


def retired_tonnes(issued_t: int) -> int:
    """What the buyer retires: more than half of the batch."""
    return min(issued_t, issued_t // 2 + 1)


def _site_steps(site: SmallSite, month: date, keys: DeviceKeys, holders: Holders,
                program_id: str) -> tuple[list[Step], list[LotRef]]:
    lane, owner = site.site_id, site.owner
    headers = site_headers(site, month)
    equipment_id = f"{site.site_id}-pv"
    message = MsgRegisterEquipment(
        equipment_id=equipment_id, site_id=site.site_id, owner_msp=msp_of(owner),
        equipment_type="pv_array", rated_capacity=str(site.capacity_kw), capacity_unit="kW",
        commissioning_date=month.isoformat(), methodology=METHODOLOGY, methodology_version="1",
        factor_bindings={"grid": "jp-grid"})
    first = parse_timestamp(headers[0].period_start)
    key = keys(site.device_id)
    steps = [
        site_step(site.site_id, f"Small PV site {site.site_id}", owner, lane=lane),
        Step(f"{equipment_id}/equipment", owner, f"register equipment {equipment_id}",
             registry.register_equipment_call(message), exists=frozenset({"unique"}),
             lane=lane),
        meter_step(site.device_id, equipment_id, {"pv_generation": "kWh", "pv_export": "kWh"},
                   owner, first, lane=lane),
        device_step(site.device_id, "gateway", owner, key, [site.device_id], lane=lane),
        *(anchor_step(h, key, owner, lane=lane) for h in headers),
    ]
    lots: list[LotRef] = []
    for header in headers:
        start, end = parse_timestamp(header.period_start), parse_timestamp(header.period_end)
        day = start.astimezone(VALIDITY_TZ).date()
        name = f"{site.site_id}-{day:%Y%m%d}" if site.daily_lots else site.site_id
        lot_id = f"lot-{name}" if site.daily_lots else f"lot-{name}-{month:%Y%m}"
        steps += lot_steps(name, equipment_id, start, end, owner, holders(owner), lot_id,
                           lane=lane)
        lots.append(LotRef(lot_id, holders(owner)))
    steps.append(Step(f"{program_id}/enroll/{site.site_id}", OPERATOR,
                      f"enroll site {site.site_id} in {program_id}",
                      credits.enroll_site_call(program_id, site.site_id, holders(owner)),
                      exists=frozenset({"unique"}), lane=lane))
    return steps, lots


def _report_probe(report_id: str, *states: str, issued: bool = False) -> Probe:
    """Done when the report has reached one of `states` (outputs ``issued_t``)."""

    def done(report: Report, _out: Mapping[str, Any]) -> dict[str, Any] | None:
        if report.state not in states:
            return None
        return {"issued_t": report.issued_t} if issued else {}

    return Probe(lambda _out: credits.report_call(report_id), done)


def _buyer_probe(batch_id: str, buyer_key: str,
                 reached: Callable[[CreditHolding, int], bool]) -> Probe:
    """Done when the buyer's holding of the batch satisfies `reached(holding, issued_t)`
    (a holding never held answers zeros)."""

    def done(holding: CreditHolding, out: Mapping[str, Any]) -> dict[str, Any] | None:
        return {} if reached(holding, out["issued_t"]) else None

    return Probe(lambda _out: credits.holding_call(batch_id, buyer_key), done)


def _program_steps(program_id: str, report_id: str, month: date, lots: list[LotRef],
                   holders: Holders, buyer: str, price_yen_per_t: int) -> list[Step]:
    last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    operator, buyer_key = holders(OPERATOR), holders(buyer)
    pages = [lots[i:i + MAX_PAGE] for i in range(0, len(lots), MAX_PAGE)]
    steps = [Step(f"{report_id}/open", OPERATOR, f"open monitoring report {report_id}",
                  credits.open_report_call(report_id, program_id, month.isoformat(),
                                           last_day.isoformat()),
                  exists=frozenset({"unique"}))]
    collected = _report_probe(report_id, "submitted", "approved", "issued")
    for number, page in enumerate(pages, 1):
        steps.append(Step(f"{report_id}/bundle/{number}", OPERATOR,
                          f"bundle lots, page {number}/{len(pages)} ({len(page)} holdings)",
                          credits.add_lots_call(report_id, page),
                          exists=frozenset({"already-in-report"}), probe=collected))
    steps.append(Step(f"{report_id}/submit", OPERATOR, f"submit report {report_id}",
                      credits.submit_report_call(report_id), probe=collected))

    def issued(result: TxResult) -> dict[str, Any]:
        event = result.event("EventIssueCredits")
        return {} if event is None else {"issued_t": event.attributes["issued_t"]}

    steps.append(Step(f"{report_id}/verify", VERIFIER, f"verifier approves {report_id}",
                      credits.verify_report_call(report_id, "approve",
                                                 "monitoring data and lots checked"),
                      probe=_report_probe(report_id, "approved", "issued", issued=True),
                      produces=issued))
    settled = _report_probe(report_id, "issued")
    settle_pages = math.ceil(len(lots) / MAX_SETTLE_PAGE)
    for number in range(1, settle_pages + 1):
        steps.append(Step(f"{report_id}/settle/{number}", OPERATOR,
                          f"settle shares and carry-forwards, page {number}/{settle_pages}",
                          credits.settle_report_call(report_id), probe=settled))
    # the buyer holds this batch only through this sale, and retires only in the next step
    sold = _buyer_probe(report_id, buyer_key,
                        lambda h, issued_t: h.tradable_t + h.retired_t == issued_t)
    retired = _buyer_probe(report_id, buyer_key,
                           lambda h, issued_t: h.retired_t == retired_tonnes(issued_t))
    steps += [
        Step(f"{report_id}/sale", OPERATOR, f"sell the whole batch {report_id} to {buyer}",
             Deferred("credits:transfer", ("issued_t",), lambda out: credits.transfer_credits_call(
                 operator, report_id, buyer_key, out["issued_t"])), probe=sold),
        Step(f"{report_id}/retire", buyer, "the buyer retires more than half of the batch",
             Deferred("credits:retire", ("issued_t",), lambda out: credits.retire_credits_call(
                 buyer_key, report_id, retired_tonnes(out["issued_t"]), f"{buyer} (buyer)",
                 "carbon_offset_product", f"offsetting products with {program_id} credits",
                 fiscal_year(month))), probe=retired),
        Step(f"{report_id}/distribution", OPERATOR,
             f"distribution statement at {price_yen_per_t} yen/t",
             Deferred("credits:distribution", ("issued_t",), lambda out: credits.distribution_call(
                 report_id, price_yen_per_t * out["issued_t"])),
             produces=lambda statement: {"distribution": statement}),
    ]
    return steps


def credit_program(sites: int | Sequence[SmallSite] = 200, *, keys: DeviceKeys | Path,
                   holders: Holders, month: date = DEFAULT_MONTH, seed: int = 1,
                   lot_days: int = 0, program_id: str = "", buyer: str = BUYER,
                   price_yen_per_t: int = 3000,
                   grid: Mapping[int, GridValue] | GridValue | None = None) -> Scenario:
    """The program scenario for `sites` generated sites (owners alternate between
    ``customer:customer1`` and ``municipality:city1``) or the given sites.

    `lot_days` > 0 gives generated sites daily lots for the month's first days (the
    bundling benchmark's many small lots); ids derive from the program id (default
    ``SMALLPV-<sites>``), so a re-run names the same records."""
    if isinstance(sites, int):
        if sites < 1:
            raise ValueError("a program needs at least one site")
        program_id = program_id or f"SMALLPV-{sites}"
        sites = generated_sites(sites, SITE_OWNERS, prefix=program_id.lower(), month=month,
                                seed=seed, lot_days=lot_days)
    elif not program_id:
        raise ValueError("name the program (program_id) when giving the sites")
    keys = key_directory(keys) if isinstance(keys, Path) else keys
    month = month.replace(day=1)
    report_id = f"{program_id}-{month:%Y%m}"
    steps = [*genesis_steps({fiscal_year(month)}, grid),
             Step(f"{program_id}/create", OPERATOR, f"create program {program_id}",
                  credits.create_program_call(program_id, "Small rooftop PV program",
                                              [METHODOLOGY]),
                  exists=frozenset({"unique"}))]
    lots: list[LotRef] = []
    for site in sites:
        site_steps, site_lots = _site_steps(site, month, keys, holders, program_id)
        steps += site_steps
        lots += site_lots
    steps += _program_steps(program_id, report_id, month, lots, holders, buyer, price_yen_per_t)
    owners = sorted({s.owner for s in sites})
    notes = (
        "Site data are synthetic and seeded (envalue.scenarios.program_data): small rooftop "
        "PV systems, not measurements; meters as in the case studies (simulated).",
        "Re-runs recognise the sale and the retirement from the buyer's credit holding "
        "(credits:holding): the whole batch is sold and more than half of it retired.",
    )
    facts = {"program_id": program_id, "report_id": report_id, "sites": len(sites),
             "lots": len(lots), "owners": owners, "bundle_pages": math.ceil(len(lots) / MAX_PAGE),
             "settle_pages": math.ceil(len(lots) / MAX_SETTLE_PAGE), "buyer": buyer,
             "price_yen_per_t": price_yen_per_t, "month": f"{month:%Y-%m}"}
    return Scenario("credit-program", tuple(steps), notes, facts)
