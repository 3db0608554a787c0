"""Conservation across both ledgers over random sequences of bridge operations.

Every operation either commits or is refused with both ledgers unchanged; after each,
home units + wrapped units + units in flight equal the issued supply, and both ledgers'
own audits balance.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

from bridge_world import ALICE, BOB, DAVE, ERIN, HOME_ID, Steps, World  # noqa: E402

from envalue.chaincode.domain.errors import DomainError  # noqa: E402

pytestmark = pytest.mark.unit

HOME_PARTIES = (ALICE, BOB)
PARTNER_PARTIES = (DAVE, ERIN)

OPS = ("pledge", "pledge", "claim", "claim", "advance", "void", "reclaim", "transfer",
       "burn", "burn", "release", "release", "retire", "report")
op = st.tuples(st.sampled_from(OPS), st.integers(0, 3), st.integers(1, 250))


class Run:
    def __init__(self) -> None:
        self.w = World()
        self.s = Steps(self.w)
        self.w.mint("LOT-1", ALICE, 600)
        self.w.mint("LOT-2", BOB, 400)
        self.pledges: list[str] = []
        self.proofs: dict[str, dict] = {}
        self.burns: list[str] = []
        self.retirements: list[str] = []
        self.n = 0

    def lot(self, i: int) -> str:
        return "LOT-1" if i % 2 == 0 else "LOT-2"

    def step(self, name: str, i: int, kg: int) -> None:
        self.n += 1
        s, w = self.s, self.w
        if name == "pledge":
            pid = f"P-{self.n}"
            s.pledge(pid, HOME_PARTIES[i % 2], self.lot(i), kg,
                     recipient=PARTNER_PARTIES[i % 2], seconds=300 + 100 * i)
            self.pledges.append(pid)
            self.proofs[pid] = s.pledge_proof(pid)
        elif name == "claim" and self.pledges:
            s.claim(self.proofs[self.pledges[i % len(self.pledges)]])
        elif name == "advance":
            w.advance(seconds=kg)
        elif name == "void" and self.pledges:
            s.void(self.proofs[self.pledges[i % len(self.pledges)]])
        elif name == "reclaim" and self.pledges:
            pid = self.pledges[i % len(self.pledges)]
            s.reclaim(pid, s.origin_proof(pid))
        elif name == "transfer":
            s.transfer_wrapped(PARTNER_PARTIES[kg % 2], PARTNER_PARTIES[(kg + 1) % 2],
                               self.lot(i), kg)
        elif name == "burn":
            bid = f"B-{self.n}"
            s.burn(bid, PARTNER_PARTIES[kg % 2], self.lot(i), kg, HOME_PARTIES[i // 2 % 2])
            self.burns.append(bid)
        elif name == "release" and self.burns:
            s.release(s.burn_proof(self.burns[i % len(self.burns)]))
        elif name == "retire":
            rid = f"R-{self.n}"
            s.retire_wrapped(rid, PARTNER_PARTIES[kg % 2], self.lot(i), kg)
            self.retirements.append(rid)
        elif name == "report" and self.retirements:
            s.report_retirement(s.retirement_proof(self.retirements[i % len(self.retirements)]))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, min_size=1, max_size=30))
def test_conservation_over_random_sequences(ops):
    run = Run()
    for name, i, kg in ops:
        before = run.w.snapshots()
        try:
            run.step(name, i, kg)
        except DomainError:
            assert run.w.snapshots() == before
        report = run.w.assert_conserved()
        assert sum(b.issued for b in report.lots.values()) == 1000
    # everything still on the partner can come home: release every burn, burn the rest
    from envalue.chaincode.domain.wrapped import queries

    for bid in run.burns:
        try:
            run.s.release(run.s.burn_proof(bid))
        except DomainError as exc:
            assert exc.rule in ("already-released", "exists")

    for lot in ("LOT-1", "LOT-2"):
        for n, who in enumerate(PARTNER_PARTIES):
            held = run.w.partner.query(queries.get_holding, HOME_ID, lot,
                                       f"{who.msp_id}/{who.id}").tradable
            if held:
                bid = f"B-final-{lot}-{n}"
                run.s.burn(bid, who, lot, held, ALICE)
                run.s.release(run.s.burn_proof(bid))
    report = run.w.assert_conserved()
    for balance in report.lots.values():
        assert balance.wrapped_live == 0 and balance.burned_unreleased == 0
