"""Attacks on the bridge are refused and leave both ledgers exactly as they were."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from bridge_world import (  # noqa: E402
    ALICE,
    BOB,
    CA,
    DAVE,
    ERIN,
    HOME_ID,
    PARTNER_ID,
    Peer,
    Steps,
    World,
    key,
    response_payload,
)

from envalue.chaincode.domain.errors import (  # noqa: E402
    ConflictError,
    DomainError,
    ForbiddenError,
    ValidationError,
)
from envalue.chaincode.domain.proofs.builder import proof_from_proposal_responses  # noqa: E402
from envalue.chaincode.domain.proofs.view import KIND_PLEDGE, encode_view  # noqa: E402
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire, RetirementInfo  # noqa: E402
from envalue.chaincode.domain.tokens.msg_retire import apply as retire_apply  # noqa: E402

pytestmark = pytest.mark.unit


def refused(w: World, error: type[DomainError], rule: str | None,
            action: Callable[[], Any]) -> DomainError:
    """Run `action`, expecting `error` (with `rule`), and both ledgers unchanged."""
    before = w.snapshots()
    with pytest.raises(error) as info:
        action()
    assert w.snapshots() == before
    if rule is not None:
        assert info.value.rule == rule, info.value
    w.assert_conserved()
    return info.value


@pytest.fixture
def pledged() -> tuple[World, Steps]:
    w = World()
    s = Steps(w)
    w.mint("LOT-1", ALICE, 1000)
    s.pledge("P-1", ALICE, "LOT-1", 400, seconds=600)
    return w, s


def test_replayed_claim(pledged):
    w, s = pledged
    proof = s.pledge_proof("P-1")
    s.claim(proof)
    refused(w, ConflictError, "already-claimed", lambda: s.claim(proof))
    refused(w, ConflictError, "already-claimed", lambda: s.claim(s.pledge_proof("P-1")))


def test_proof_signed_by_too_few_orgs(pledged):
    w, s = pledged
    proof = s.pledge_proof("P-1", ["PlatformMSP"])
    refused(w, ValidationError, "proof-policy", lambda: s.claim(proof))


def test_two_peers_of_one_org_are_one_org(pledged):
    w, s = pledged
    net = w.home_net
    cert, key_ = net.cas["PlatformMSP"].issue("peer1.platformmsp", "PlatformMSP")
    second = Peer("PlatformMSP", cert, key_)
    from envalue.chaincode.domain.bridge import views

    view = w.home.query(views.pledge_view, "P-1")
    proof = net.prove(view, peers=[net.peers["PlatformMSP"], second])
    refused(w, ValidationError, "proof-policy", lambda: s.claim(proof))


def test_proof_signed_by_a_foreign_ca(pledged):
    w, s = pledged
    rogue = CA.create("PlatformMSP")  # same names, not the registered root
    cert, key_ = rogue.issue("peer0.platformmsp", "PlatformMSP")
    from envalue.chaincode.domain.bridge import views

    view = w.home.query(views.pledge_view, "P-1")
    proof = w.home_net.prove(view, peers=[Peer("PlatformMSP", cert, key_),
                                          w.home_net.peers["MarketMSP"]])
    refused(w, ValidationError, "proof-chain", lambda: s.claim(proof))


def test_endorser_claiming_another_orgs_msp(pledged):
    w, s = pledged
    net = w.home_net
    market = net.peers["MarketMSP"]
    impostor = Peer("CustomerMSP", market.cert_pem, market.key)  # Market's cert as Customer
    from envalue.chaincode.domain.bridge import views

    proof = net.prove(w.home.query(views.pledge_view, "P-1"), peers=[market, impostor])
    refused(w, ValidationError, "proof-chain", lambda: s.claim(proof))


def _tamper(proof: dict[str, Any], old: bytes, new: bytes) -> dict[str, Any]:
    forged = json.loads(json.dumps(proof))
    for item in forged["endorsements"]:
        payload = base64.b64decode(item["payload"])
        assert old in payload
        item["payload"] = base64.b64encode(payload.replace(old, new)).decode()
    return forged


def test_tampered_proof_payload(pledged):
    w, s = pledged
    proof = s.pledge_proof("P-1")
    forged = _tamper(proof, b'"quantity_kg":400', b'"quantity_kg":900')
    refused(w, ValidationError, "proof-signature", lambda: s.claim(forged))


def test_tampered_signature_bytes(pledged):
    w, s = pledged
    proof = s.pledge_proof("P-1")
    signature = bytearray(base64.b64decode(proof["endorsements"][1]["signature"]))
    signature[-1] ^= 1
    proof["endorsements"][1]["signature"] = base64.b64encode(bytes(signature)).decode()
    refused(w, ValidationError, "proof-signature", lambda: s.claim(proof))


def test_mismatched_endorsement_payloads(pledged):
    w, s = pledged
    from envalue.chaincode.domain.bridge import views

    net = w.home_net
    view = w.home.query(views.pledge_view, "P-1")
    other = view.replace(b'"quantity_kg":400', b'"quantity_kg":401')
    responses = [net.peers["PlatformMSP"].respond(response_payload(view, net.chaincode)),
                 net.peers["MarketMSP"].respond(response_payload(other, net.chaincode))]
    proof = proof_from_proposal_responses(responses).to_dict()
    refused(w, ValidationError, "proof-payload-mismatch", lambda: s.claim(proof))


def test_forged_view_signed_by_real_peers_of_another_chaincode(pledged):
    w, s = pledged
    net = w.home_net
    record = {"pledge_id": "P-X"}
    view = encode_view(KIND_PLEDGE, HOME_ID, "P-X", record)
    payload = response_payload(view, "other-cc")
    proof = proof_from_proposal_responses(
        [net.peers[m].respond(payload) for m in ("PlatformMSP", "MarketMSP")]).to_dict()
    refused(w, ValidationError, "proof-chaincode", lambda: s.claim(proof))


def test_returning_more_than_wrapped(pledged):
    w, s = pledged
    s.claim(s.pledge_proof("P-1"))
    refused(w, ConflictError, "exceeds-wrapped",
            lambda: s.burn("B-1", DAVE, "LOT-1", 401, ALICE))
    s.transfer_wrapped(DAVE, ERIN, "LOT-1", 100)
    refused(w, ConflictError, "exceeds-wrapped",
            lambda: s.burn("B-1", DAVE, "LOT-1", 301, ALICE))


def test_replayed_release(pledged):
    w, s = pledged
    s.claim(s.pledge_proof("P-1"))
    s.burn("B-1", DAVE, "LOT-1", 100, BOB)
    proof = s.burn_proof("B-1")
    s.release(proof)
    refused(w, ConflictError, "already-released", lambda: s.release(proof))


def test_release_by_a_stranger(pledged):
    w, s = pledged
    s.claim(s.pledge_proof("P-1"))
    s.burn("B-1", DAVE, "LOT-1", 100, BOB)
    refused(w, ForbiddenError, "bridge-or-party",
            lambda: s.release(s.burn_proof("B-1"), who=ALICE))


def test_reclaiming_a_claimed_pledge(pledged):
    w, s = pledged
    s.claim(s.pledge_proof("P-1"))
    w.advance(seconds=601)
    origin = s.origin_proof("P-1")  # a genuine view: status claimed
    refused(w, ConflictError, "not-voided", lambda: s.reclaim("P-1", origin))
    refused(w, ConflictError, "already-claimed", lambda: s.void(s.pledge_proof("P-1")))


def test_void_before_expiry_and_reclaim_twice(pledged):
    w, s = pledged
    proof = s.pledge_proof("P-1")
    refused(w, ConflictError, "not-expired", lambda: s.void(proof))
    w.advance(seconds=601)
    s.void(proof)
    origin = s.origin_proof("P-1")
    s.reclaim("P-1", origin)
    refused(w, ConflictError, "pledged", lambda: s.reclaim("P-1", origin))


def test_reclaim_with_the_void_of_another_pledge(pledged):
    w, s = pledged
    s.pledge("P-2", ALICE, "LOT-1", 400, seconds=600)
    proof2 = s.pledge_proof("P-2")
    w.advance(seconds=601)
    s.void(proof2)
    refused(w, ValidationError, "proof-content",
            lambda: s.reclaim("P-1", s.origin_proof("P-2")))


def test_pledging_retired_units():
    w = World()
    s = Steps(w)
    w.mint("LOT-1", ALICE, 100)
    info = RetirementInfo("Alice Co", "voluntary", 2026)
    w.home.run(ALICE, retire_apply, MsgRetire(key(ALICE), "LOT-1", 100, info))
    err = refused(w, ConflictError, "not-pledged",
                  lambda: s.pledge("P-1", ALICE, "LOT-1", 1))
    assert "100 kg retired" in str(err)


def test_bridged_units_cannot_be_transferred_or_retired_at_home(pledged):
    w, s = pledged
    refused(w, ConflictError, "insufficient-balance",
            lambda: s.transfer_home(ALICE, BOB, "LOT-1", 601))
    info = RetirementInfo("Alice Co", "voluntary", 2026)
    refused(w, ConflictError, "insufficient-balance",
            lambda: w.home.run(ALICE, retire_apply,
                               MsgRetire(key(ALICE), "LOT-1", 601, info)))


def test_claiming_after_expiry(pledged):
    w, s = pledged
    proof = s.pledge_proof("P-1")
    w.advance(seconds=601)
    refused(w, ConflictError, "expired", lambda: s.claim(proof))


def test_pledge_by_someone_else_and_to_unknown_network():
    w = World()
    w.mint("LOT-1", ALICE, 100)
    from envalue.chaincode.domain.bridge import msg_pledge

    msg = msg_pledge.MsgPledge("P-1", key(ALICE), "LOT-1", 10, PARTNER_ID, key(DAVE),
                               w.expiry(seconds=60))
    refused(w, ForbiddenError, "owner-only", lambda: w.home.run(BOB, msg_pledge.apply, msg))
    from dataclasses import replace

    unknown = replace(msg, target_network="elsewhere")
    refused(w, DomainError, "exists", lambda: w.home.run(ALICE, msg_pledge.apply, unknown))
    past = replace(msg, expires_at=w.expiry(seconds=-1))
    refused(w, ValidationError, "future", lambda: w.home.run(ALICE, msg_pledge.apply, past))


def test_claim_of_a_pledge_for_another_network(pledged):
    w, s = pledged
    from bridge_world import OPERATOR, Network

    from envalue.chaincode.domain.bridge import msg_pledge, msg_register_network, views

    third = Network("thirdnet", "tcc", ("TMSP",), 1)
    w.home.run(OPERATOR, msg_register_network.apply, third.registration())
    msg = msg_pledge.MsgPledge("P-3", key(ALICE), "LOT-1", 10, "thirdnet", key(DAVE),
                               w.expiry(seconds=60))
    w.home.run(ALICE, msg_pledge.apply, msg)
    proof = w.home_net.prove(w.home.query(views.pledge_view, "P-3"))
    refused(w, ValidationError, "target", lambda: s.claim(proof))


def test_proof_from_the_partner_presented_as_home_proof(pledged):
    w, s = pledged
    s.claim(s.pledge_proof("P-1"))
    origin = s.origin_proof("P-1")  # signed by partner peers, not envalue's
    refused(w, ValidationError, "proof-chaincode", lambda: s.claim(origin))


def test_reclaim_before_expiry_even_with_a_void_proof(pledged):
    w, s = pledged
    s.pledge("P-2", ALICE, "LOT-1", 100, seconds=60)
    proof2 = s.pledge_proof("P-2")
    w.advance(seconds=61)
    s.void(proof2)
    # P-1 is not expired yet: its owner cannot reclaim, whatever proof is shown
    refused(w, ConflictError, "not-expired", lambda: s.reclaim("P-1", s.origin_proof("P-2")))


def test_replayed_partner_retirement_report(pledged):
    w, s = pledged
    s.claim(s.pledge_proof("P-1"))
    s.retire_wrapped("R-1", DAVE, "LOT-1", 50)
    proof = s.retirement_proof("R-1")
    s.report_retirement(proof)
    refused(w, ConflictError, "already-recorded", lambda: s.report_retirement(proof))
    refused(w, ForbiddenError, "bridge", lambda: s.report_retirement(proof, who=ALICE))


def test_retired_wrapped_units_cannot_be_burned(pledged):
    w, s = pledged
    s.claim(s.pledge_proof("P-1"))
    s.retire_wrapped("R-1", DAVE, "LOT-1", 400)
    refused(w, ConflictError, "exceeds-wrapped",
            lambda: s.burn("B-1", DAVE, "LOT-1", 1, ALICE))


def test_pledge_id_reused_with_other_terms(pledged):
    w, s = pledged
    refused(w, ConflictError, "unique", lambda: s.pledge("P-1", ALICE, "LOT-1", 401))


def test_stale_pledge_proof_after_reclaim_cannot_mint(pledged):
    w, s = pledged
    stale = s.pledge_proof("P-1")
    w.advance(seconds=601)
    s.void(stale)
    s.reclaim("P-1", s.origin_proof("P-1"))
    refused(w, ConflictError, "expired", lambda: s.claim(stale))
    # Fabric timestamps come from the client: even a backdated claim meets the void
    w.advance(seconds=-600)
    refused(w, ConflictError, "already-voided", lambda: s.claim(stale))
