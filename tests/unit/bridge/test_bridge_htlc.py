"""HTLC atomic swaps: envalue tokens against wrapped units on the partner ledger."""

from __future__ import annotations

import hashlib
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
    Steps,
    World,
    key,
)

from envalue.chaincode.domain.bridge import queries  # noqa: E402
from envalue.chaincode.domain.errors import ConflictError, ForbiddenError  # noqa: E402
from envalue.chaincode.domain.tokens import queries as token_queries  # noqa: E402
from envalue.chaincode.domain.tokens.invariants import audit_supply  # noqa: E402
from envalue.chaincode.domain.wrapped import msg_htlc_lock, msg_htlc_settle  # noqa: E402
from envalue.chaincode.domain.wrapped import queries as wrapped_queries  # noqa: E402

pytestmark = pytest.mark.unit

SECRET = "11" * 32
HASH = hashlib.sha256(bytes.fromhex(SECRET)).hexdigest()


def setup() -> tuple[World, Steps]:
    """Alice holds LOT-1 at home; Dave holds 100 wrapped LOT-2 on the partner."""
    w = World()
    s = Steps(w)
    w.mint("LOT-1", ALICE, 100)
    w.mint("LOT-2", BOB, 100)
    s.pledge("P-2", BOB, "LOT-2", 100, recipient=DAVE)
    s.claim(s.pledge_proof("P-2"))
    return w, s


def lock_partner(w: World, htlc_id: str, seconds: float) -> None:
    msg = msg_htlc_lock.MsgHtlcLock(htlc_id, key(DAVE), HOME_ID, "LOT-2", 30, key(ERIN),
                                    HASH, w.expiry(seconds=seconds))
    w.partner.run(DAVE, msg_htlc_lock.apply, msg)


def test_swap_claimed_on_both_ledgers():
    w, s = setup()
    s.htlc_lock("H-1", ALICE, "LOT-1", 50, BOB, HASH, seconds=7200)
    lock_partner(w, "H-2", seconds=3600)
    assert w.home.query(token_queries.get_holding, "LOT-1", key(ALICE)).escrowed == 50
    w.assert_conserved()
    events = w.partner.run(ERIN, msg_htlc_settle.apply_claim,
                           msg_htlc_settle.MsgHtlcClaim("H-2", SECRET))
    revealed = events[0].attributes["preimage"]
    assert w.partner.query(wrapped_queries.get_holding, HOME_ID, "LOT-2",
                           key(ERIN)).tradable == 30
    w.assert_conserved()
    s.htlc_claim("H-1", revealed, who=BOB)
    assert w.home.query(token_queries.get_holding, "LOT-1", key(BOB)).tradable == 50
    assert w.home.query(queries.get_htlc, "H-1").status == "claimed"
    assert w.home.query(audit_supply).balanced
    w.assert_conserved()
    before = w.snapshots()
    with pytest.raises(ConflictError):
        s.htlc_claim("H-1", revealed, who=BOB)
    assert w.snapshots() == before


def test_swap_refunded_after_expiry():
    w, s = setup()
    s.htlc_lock("H-1", ALICE, "LOT-1", 50, BOB, HASH, seconds=7200)
    lock_partner(w, "H-2", seconds=3600)
    before = w.snapshots()
    with pytest.raises(ConflictError) as info:
        s.htlc_refund("H-1", who=ALICE)
    assert info.value.rule == "not-expired" and w.snapshots() == before
    w.advance(seconds=3601)
    with pytest.raises(ConflictError) as info:
        w.partner.run(ERIN, msg_htlc_settle.apply_claim,
                      msg_htlc_settle.MsgHtlcClaim("H-2", SECRET))
    assert info.value.rule == "expired" and w.snapshots() == before
    w.partner.run(DAVE, msg_htlc_settle.apply_refund, msg_htlc_settle.MsgHtlcRefund("H-2"))
    w.advance(seconds=3600)
    s.htlc_refund("H-1", who=BOB)  # anyone may refund; units go back to the owner
    assert w.home.query(token_queries.get_holding, "LOT-1", key(ALICE)).tradable == 100
    assert w.partner.query(wrapped_queries.get_holding, HOME_ID, "LOT-2",
                           key(DAVE)).tradable == 100
    w.assert_conserved()


def test_wrong_secret_and_locking_what_one_lacks():
    w, s = setup()
    s.htlc_lock("H-1", ALICE, "LOT-1", 50, BOB, HASH, seconds=600)
    before = w.snapshots()
    with pytest.raises(ForbiddenError):
        s.htlc_claim("H-1", "22" * 32, who=BOB)
    with pytest.raises(ConflictError) as info:
        s.htlc_lock("H-9", ALICE, "LOT-1", 51, BOB, HASH, seconds=600)
    assert info.value.rule == "not-locked"
    assert w.snapshots() == before
    w.assert_conserved()


def test_a_hash_time_lock_escrow_cannot_be_closed_by_tokens_release() -> None:
    from envalue.chaincode.domain.errors import ValidationError
    from envalue.chaincode.domain.tokens.msg_release import MsgRelease, validate

    with pytest.raises(ValidationError, match="escrow_id: .*closes only by htlc_claim"):
        validate(MsgRelease(escrow_id="htlc.swap-1", action="settle"))
