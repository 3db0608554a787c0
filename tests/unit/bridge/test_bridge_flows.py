"""Full bridge flows on two in-memory ledgers with real signed proofs; conservation is
checked after every step."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from bridge_world import (  # noqa: E402
    ALICE,
    BOB,
    DAVE,
    ERIN,
    HOME_ID,
    PARTNER_ID,
    Steps,
    World,
    key,
)

from envalue.chaincode.domain.bridge import queries  # noqa: E402
from envalue.chaincode.domain.tokens import queries as token_queries  # noqa: E402
from envalue.chaincode.domain.tokens.bridge_hooks import custody_owner  # noqa: E402
from envalue.chaincode.domain.wrapped import queries as wrapped_queries  # noqa: E402

pytestmark = pytest.mark.unit


def holding(w: World, lot: str, who: str):
    return w.home.query(token_queries.get_holding, lot, who)


def wrapped(w: World, lot: str, who: str):
    return w.partner.query(wrapped_queries.get_holding, HOME_ID, lot, who)


def test_pledge_claim_trade_burn_release_transfer():
    w = World()
    s = Steps(w)
    w.mint("LOT-1", ALICE, 1000)
    w.assert_conserved()

    events = s.pledge("P-1", ALICE, "LOT-1", 400)
    assert events[0].name == "EventPledge"
    alice = holding(w, "LOT-1", key(ALICE))
    custody = holding(w, "LOT-1", custody_owner(PARTNER_ID))
    assert (alice.tradable, custody.bridged_out) == (600, 400)
    report = w.assert_conserved()
    assert report.lots["LOT-1"].pledged_in_flight == 400

    events = s.claim(s.pledge_proof("P-1"))
    assert events[0].name == "EventClaim"
    assert events[0].attributes["endorsed_by"] == ["MarketMSP", "PlatformMSP"]
    assert wrapped(w, "LOT-1", key(DAVE)).tradable == 400
    report = w.assert_conserved()
    assert (report.lots["LOT-1"].pledged_in_flight, report.lots["LOT-1"].wrapped_live) == (
        0, 400)
    origin = w.partner.query(wrapped_queries.get_origin, HOME_ID, "P-1")
    assert origin.status == "claimed"

    s.transfer_wrapped(DAVE, ERIN, "LOT-1", 150)
    assert (wrapped(w, "LOT-1", key(DAVE)).tradable,
            wrapped(w, "LOT-1", key(ERIN)).tradable) == (250, 150)
    w.assert_conserved()

    s.burn("B-1", ERIN, "LOT-1", 100, BOB)
    report = w.assert_conserved()
    assert report.lots["LOT-1"].burned_unreleased == 100

    events = s.release(s.burn_proof("B-1"))
    assert events[0].name == "EventBridgeReturn"
    assert holding(w, "LOT-1", key(BOB)).tradable == 100
    assert holding(w, "LOT-1", custody_owner(PARTNER_ID)).bridged_out == 300
    report = w.assert_conserved()
    assert report.lots["LOT-1"].burned_unreleased == 0
    assert report.lots["LOT-1"].at_home == 700

    s.transfer_home(BOB, ALICE, "LOT-1", 60)
    assert holding(w, "LOT-1", key(ALICE)).tradable == 660
    w.assert_conserved()


def test_release_may_be_relayed_by_the_recipient_itself():
    w = World()
    s = Steps(w)
    w.mint("LOT-1", ALICE, 100)
    s.pledge("P-1", ALICE, "LOT-1", 100)
    s.claim(s.pledge_proof("P-1"), who=DAVE)
    s.burn("B-1", DAVE, "LOT-1", 100, ALICE)
    s.release(s.burn_proof("B-1"), who=ALICE)
    assert holding(w, "LOT-1", key(ALICE)).tradable == 100
    w.assert_conserved()


def test_reclaim_after_expiry_with_void_proof():
    w = World()
    s = Steps(w)
    w.mint("LOT-1", ALICE, 500)
    s.pledge("P-1", ALICE, "LOT-1", 200, seconds=600)
    pledge_proof = s.pledge_proof("P-1")
    w.advance(seconds=601)
    s.void(pledge_proof)
    report = w.assert_conserved()
    assert report.lots["LOT-1"].pledged_in_flight == 200
    events = s.reclaim("P-1", s.origin_proof("P-1"), who=ALICE)
    assert events[0].name == "EventReclaim"
    assert holding(w, "LOT-1", key(ALICE)).tradable == 500
    assert w.home.query(queries.get_pledge, "P-1").status == "reclaimed"
    report = w.assert_conserved()
    assert report.lots["LOT-1"].custody == 0


def test_retirement_on_partner_is_recorded_at_home_with_serials():
    w = World()
    s = Steps(w)
    w.mint("LOT-1", ALICE, 300)
    s.pledge("P-1", ALICE, "LOT-1", 300)
    s.claim(s.pledge_proof("P-1"))
    events = s.retire_wrapped("R-1", DAVE, "LOT-1", 120)
    assert events[0].name == "EventWrappedRetire"
    assert w.assert_conserved().lots["LOT-1"].retired_unreported == 120
    events = s.report_retirement(s.retirement_proof("R-1"))
    assert events[0].attributes["serial"] == "ENV-LOT-1-1-120"
    supply = w.home.query(token_queries.get_supply, "LOT-1")
    assert (supply.retired, supply.bridged_out) == (120, 180)
    retirement = w.home.query(token_queries.retirements, "LOT-1")[0]
    assert retirement.beneficiary == "Dave Trading Ltd"
    assert retirement.note == f"retired on {PARTNER_ID} as R-1"
    report = w.assert_conserved()
    assert report.lots["LOT-1"].retired_unreported == 0


def test_identical_pledge_resent_is_a_no_op():
    w = World()
    w.mint("LOT-1", ALICE, 100)
    expires = w.expiry(seconds=3600)
    from envalue.chaincode.domain.bridge import msg_pledge

    msg = msg_pledge.MsgPledge("P-1", key(ALICE), "LOT-1", 40, PARTNER_ID, key(DAVE), expires)
    assert w.home.run(ALICE, msg_pledge.apply, msg)
    before = w.home.snapshot()
    assert w.home.run(ALICE, msg_pledge.apply, msg) == []
    assert w.home.snapshot() == before
    w.assert_conserved()


def test_pledge_view_carries_the_origin():
    w = World()
    s = Steps(w)
    w.mint("LOT-1", ALICE, 100)
    s.pledge("P-1", ALICE, "LOT-1", 40)
    s.claim(s.pledge_proof("P-1"))
    from envalue.chaincode.domain.wrapped.invariants import audit_wrapped

    audit = w.partner.query(audit_wrapped)
    denom = audit.denoms[f"w:{HOME_ID}:LOT-1"]
    assert (denom.vintage_start, denom.methodology, denom.serial_range) == (
        "2025-04-01", "EN-R-002", "ENV-LOT-1-1-100")
    assert audit.balanced
