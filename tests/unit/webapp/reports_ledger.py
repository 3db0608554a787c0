"""Ledger records for the reports' ledger section, made by the chaincode's own domain
functions and projected into a read model the way the listener sees them.

One recorded world (`ledger_helpers.RecordingWorld`: one block per transaction),
with transaction times set so the report window 2024-04-01..2024-06-30 (JST) is known:

========================  =====================  ==========  ========================
calculation               period                 state       reduction_kg
========================  =====================  ==========  ========================
pv-1 (Municipality)       May 2024               minted      4 338 (`PV_MAY_KG`)
pv-1                      June 2024, first       superseded  1 832 (not totalled)
pv-1                      June 2024, corrected   approved    1 832 (`PV_JUNE_KG`)
boiler-1 (Customer)       May 2024               calculated  51 614 (not totalled)
boiler-1                  June 2024              rejected    (not totalled)
pv-1                      July 2024              approved    outside the window
========================  =====================  ==========  ========================

Retirements (retired_at, UTC): tokens of the May lot by the municipality, 1 000 kg on
06-10 and 338 kg on 06-12; the remaining 3 000 kg bundled into program ENA and issued as
3 t to the operator, who transfers 2 t to the municipality; the municipality retires 1 t
on 06-20, the operator 1 t on 06-25, and the municipality 1 t at 2024-06-30T15:00:00Z —
the window's end (2024-07-01T00:00+09:00), so outside it.

Grid factor: jp-grid-fy2024 version 2 (0.000464, active) and a version 3 approved by the
verifier only (proposed, so not chosen).

Fuel factor: after every calculation above (2024-08-10), governance corrects the genesis
A-heavy-oil factor: a_heavy_oil/a_heavy_oil version 2 (`FUEL_CORRECTION`: hv 39.0 GJ/kL,
cef 0.0192×44/12 t-CO2/GJ, valid from 2024-04-01) proposed and approved by an operator and
a verifier, so active. The recorded boiler calculations keep version 1; a calculation (and
a report) of a period from FY2024 takes version 2, and one of an earlier period finds no
valid active A-heavy-oil factor (the highest active version does not cover it).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "registry"))
sys.path.insert(0, str(Path(__file__).parents[1] / "measurement"))

from measurement_world import (  # noqa: E402
    CUSTOMER,
    MUNICIPALITY,
    VERIFIER_2,
    anchor_msg,
    calc_msg,
    jst,
    setup_boiler,
    setup_pv,
)
from measurement_world import OPERATOR as CC_OPERATOR  # noqa: E402
from measurement_world import VERIFIER as CC_VERIFIER  # noqa: E402

from envalue.chaincode.domain.credits import (  # noqa: E402
    msg_add_lots,
    msg_create_program,
    msg_enroll_site,
    msg_open_report,
    msg_retire_credits,
    msg_settle_report,
    msg_submit_report,
    msg_transfer_credits,
    msg_verify_report,
)
from envalue.chaincode.domain.credits.msg_add_lots import LotRef  # noqa: E402
from envalue.chaincode.domain.credits.queries import get_report  # noqa: E402
from envalue.chaincode.domain.measurement import (  # noqa: E402
    msg_anchor_batch,
    msg_approve_calculation,
    msg_calculate,
    msg_mint,
    msg_reject_calculation,
)
from envalue.chaincode.domain.registry import msg_approve_factor, msg_propose_factor  # noqa: E402
from envalue.chaincode.domain.tokens import msg_retire  # noqa: E402
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire, RetirementInfo  # noqa: E402
from envalue.chaincode.identity import Actor  # noqa: E402

from .ledger_helpers import RecordingWorld, tx_of  # noqa: E402

__all__ = ["BOILER_MAY_KG", "FUEL_CORRECTION", "MUNICIPALITY", "PV_JUNE_KG", "PV_MAY_KG",
           "REDUCTIONS_KG", "WINDOW", "LedgerWorld", "build"]

#: the report window of the tests (JST days, inclusive)
WINDOW = {"start": "2024-04-01", "end": "2024-06-30"}
# May: generation 10 000, export 500, aux 150 kWh at 0.000464 t/kWh:
#   baseline floor(9 500 × 0.464) = 4 408 kg, project ceil(150 × 0.464) = 70 kg → 4 338
PV_MAY_KG = 4338
# June: generation 5 000, export 1 000, aux 50 kWh:
#   baseline floor(4 000 × 0.464) = 1 856 kg, project ceil(50 × 0.464) = ceil(23.2) = 24
PV_JUNE_KG = 1832
REDUCTIONS_KG = PV_MAY_KG + PV_JUNE_KG  # approved + minted in the window: 6 170
BOILER_MAY_KG = 51614
#: the corrected A-heavy-oil factor version governance activates (module docstring)
FUEL_CORRECTION = {
    "series": "a_heavy_oil", "factor_id": "a_heavy_oil", "version": "2", "kind": "fuel",
    "unit": "kL", "values": {"hv": "39.0", "cef": "0.0192*44/12"},
    "source": "corrected ordinance table (test)", "valid_from": "2024-04-01"}


def jst_month(number: int) -> datetime:
    """The first instant of a 2024 month in Japan."""
    return jst(2024, number)


def utc(month: int, day: int, hour: int = 1) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=UTC)


def key(who: Actor) -> str:
    return f"{who.msp_id}/{who.id}"


class LedgerWorld(RecordingWorld):
    """The recorded world plus the ids the tests look for."""

    calcs: dict[str, str]
    lot_id: str
    credit_batch: str

    def at(self, when: datetime) -> LedgerWorld:
        self.now = when
        return self

    def tx_of(self, event: str, **attributes: Any) -> tuple[str, int]:
        """The transaction id and block of the record that emitted `event`."""
        return tx_of(self, event, **attributes)


def _calc(world: LedgerWorld, who: Actor, equipment: str, number: int, **extra: str) -> str:
    events = world.submit(who, msg_calculate,
                          calc_msg(equipment, jst_month(number), jst_month(number + 1), **extra))
    return str(events[0].attributes["calculation_id"])


def _anchor(world: LedgerWorld, who: Actor, device: Any, number: int,
            totals: dict[str, tuple[str, str]]) -> None:
    world.submit(who, msg_anchor_batch,
                 anchor_msg(device, jst_month(number), jst_month(number + 1), totals))


def _review(world: LedgerWorld, calc_id: str, approve: bool = True) -> None:
    if approve:
        world.submit(VERIFIER_2, msg_approve_calculation,
                     msg_approve_calculation.MsgApproveCalculation(calc_id, "meters checked"))
    else:
        world.submit(VERIFIER_2, msg_reject_calculation,
                     msg_reject_calculation.MsgRejectCalculation(calc_id, "fuel meter suspect"))


def build() -> LedgerWorld:
    """The world of the module docstring."""
    world = LedgerWorld().at(utc(6, 1))
    world.bootstrap()
    world.register_grid_fy2024()
    world.submit(CC_OPERATOR, msg_propose_factor, msg_propose_factor.MsgProposeFactor.from_dict({
        "series": "jp-grid", "factor_id": "jp-grid-fy2024", "version": "3", "kind": "grid",
        "unit": "kWh", "values": {"ef_grid": "0.000455"}, "source": "corrected disclosure",
        "valid_from": "2024-04-01", "valid_until": "2025-03-31"}))
    world.submit(CC_VERIFIER, msg_approve_factor, msg_approve_factor.MsgApproveFactor(
        "jp-grid", "jp-grid-fy2024", "3"))
    pv, boiler = setup_pv(world), setup_boiler(world)
    calcs: dict[str, str] = {}
    # May: PV calculated, approved, minted; the boiler calculated only
    _anchor(world, MUNICIPALITY, pv, 5, {"pv_generation": ("10000", "kWh"),
                                         "pv_export": ("500", "kWh"), "aux_grid": ("150", "kWh")})
    _anchor(world, CUSTOMER, boiler, 5, {"fuel": ("100000", "L")})
    calcs["pv-may"] = _calc(world, MUNICIPALITY, "pv-1", 5)
    calcs["boiler-may"] = _calc(world, CUSTOMER, "boiler-1", 5)
    _review(world, calcs["pv-may"])
    mint = world.submit(CC_OPERATOR, msg_mint, msg_mint.MsgMintReduction(calcs["pv-may"]))
    world.lot_id = str(mint[0].attributes["lot_id"])
    # tokens retired by the municipality in June
    for when, kg in ((utc(6, 10), 1000), (utc(6, 12), 338)):
        world.at(when).submit(MUNICIPALITY, msg_retire, MsgRetire(
            key(MUNICIPALITY), world.lot_id, kg,
            RetirementInfo("Ena City", "japan_reporting_act", 2024, f"FY2024 {kg} kg")))
    # the rest bundled into credits, issued to the operator; 2 t to the municipality
    world.at(utc(6, 15))
    world.submit(CC_OPERATOR, msg_create_program, msg_create_program.MsgCreateProgram(
        "ENA", "Ena PV", ("pv-self-consumption",)))
    world.submit(CC_OPERATOR, msg_enroll_site, msg_enroll_site.MsgEnrollSite(
        "ENA", "ena-city-hall", key(MUNICIPALITY)))
    world.submit(CC_OPERATOR, msg_open_report, msg_open_report.MsgOpenReport(
        "R1", "ENA", "2024-05-01", "2024-05-31"))
    world.submit(CC_OPERATOR, msg_add_lots, msg_add_lots.MsgAddLots(
        "R1", (LotRef(world.lot_id, key(MUNICIPALITY)),)))
    world.submit(CC_OPERATOR, msg_submit_report, msg_submit_report.MsgSubmitReport("R1"))
    world.submit(CC_VERIFIER, msg_verify_report, msg_verify_report.MsgVerifyReport(
        "R1", "approve", "meters ok"))
    while world.query(lambda s: get_report(s, "R1")).state != "issued":
        world.submit(CC_OPERATOR, msg_settle_report, msg_settle_report.MsgSettleReport("R1", 5))
    world.credit_batch = "R1"
    world.submit(CC_OPERATOR, msg_transfer_credits, msg_transfer_credits.MsgTransferCredits(
        key(CC_OPERATOR), "R1", key(MUNICIPALITY), 2))
    for when, who in ((utc(6, 20), MUNICIPALITY), (utc(6, 25), CC_OPERATOR),
                      (datetime(2024, 6, 30, 15, tzinfo=UTC), MUNICIPALITY)):
        world.at(when).submit(who, msg_retire_credits, msg_retire_credits.MsgRetireCredits(
            key(who), "R1", 1, who.msp_id, "japan_reporting_act", "FY2024 offset", 2024))
    # June: PV calculated, superseded by a corrected one that is approved; boiler rejected
    world.at(utc(7, 2))
    _anchor(world, MUNICIPALITY, pv, 6, {"pv_generation": ("5000", "kWh"),
                                         "pv_export": ("1000", "kWh"), "aux_grid": ("50", "kWh")})
    _anchor(world, CUSTOMER, boiler, 6, {"fuel": ("50000", "L")})
    calcs["pv-june-first"] = _calc(world, MUNICIPALITY, "pv-1", 6)
    calcs["pv-june"] = _calc(world, MUNICIPALITY, "pv-1", 6,
                             supersedes=calcs["pv-june-first"], reason="export meter re-read")
    _review(world, calcs["pv-june"])
    calcs["boiler-june"] = _calc(world, CUSTOMER, "boiler-1", 6)
    _review(world, calcs["boiler-june"], approve=False)
    # July (outside the window): approved
    world.at(utc(8, 2))
    _anchor(world, MUNICIPALITY, pv, 7, {"pv_generation": ("3000", "kWh"),
                                         "pv_export": ("100", "kWh"), "aux_grid": ("10", "kWh")})
    calcs["pv-july"] = _calc(world, MUNICIPALITY, "pv-1", 7)
    _review(world, calcs["pv-july"])
    world.calcs = calcs
    # the A-heavy-oil factor corrected through governance, after every calculation
    world.at(utc(8, 10))
    world.submit(CC_OPERATOR, msg_propose_factor,
                 msg_propose_factor.MsgProposeFactor.from_dict(FUEL_CORRECTION))
    ids = msg_approve_factor.MsgApproveFactor("a_heavy_oil", "a_heavy_oil", "2")
    world.submit(CC_OPERATOR, msg_approve_factor, ids)
    world.submit(CC_VERIFIER, msg_approve_factor, ids)
    return world
