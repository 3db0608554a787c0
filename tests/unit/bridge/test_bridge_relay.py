"""The bridge service's relay: steps journaled, crashes resumed, each transfer once."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from relay_doubles import HOME, PARTNER, Crash, Ledgers  # noqa: E402

from envalue.bridge.relay import BridgeRelay  # noqa: E402
from envalue.bridge.store import BridgeStore  # noqa: E402
from envalue.chaincode.domain.bridge.msg_pledge import MsgPledge  # noqa: E402
from envalue.chaincode.domain.errors import ConflictError, ValidationError  # noqa: E402
from envalue.chaincode.domain.wrapped.msg_burn import MsgBurn  # noqa: E402
from envalue.ledger.errors import LedgerUnavailableError  # noqa: E402

pytestmark = pytest.mark.unit

OWNER = "CustomerMSP/x509::CN=alice,OU=client::CN=ca.customer"
DAVE = "MemberMSP/x509::CN=dave,OU=client::CN=ca.member"
PLEDGE = MsgPledge("P-1", OWNER, "LOT-1", 500, PARTNER, DAVE, "2026-05-01T00:00:00+00:00")
BURN = MsgBurn("B-1", DAVE, HOME, "LOT-1", 200, OWNER)


def relay(ledgers: Ledgers, url: str) -> BridgeRelay:
    """A fresh service process: new adapters and store objects over the same database."""
    return BridgeRelay(ledgers.adapter(HOME), ledgers.adapter(PARTNER),
                       BridgeStore.from_url(url))


def run(coro):  # noqa: ANN001, ANN201 - test shorthand
    return asyncio.run(coro)


def states(service: BridgeRelay) -> list[tuple[str, str]]:
    return [(e.transfer_id, e.kind) for e in service.events()]


def test_pledge_then_claim_in_one_request(store_url: str):
    ledgers = Ledgers()
    service = relay(ledgers, store_url)
    transfer = run(service.create_pledge(PLEDGE, ledgers.adapter(HOME)))
    assert transfer.state == "claimed" and transfer.error is None
    assert [s["step"] for s in transfer.steps] == ["pledge", "claim"]
    assert ledgers.commits(HOME, "pledge") == ledgers.commits(PARTNER, "claim") == 1
    assert states(service) == [("pledge:P-1", "pledging"), ("pledge:P-1", "pledged"),
                               ("pledge:P-1", "claimed")]
    assert run(service.resume_pending()) == []


@pytest.mark.parametrize("crash_after", [(HOME, "pledge"), (PARTNER, "claim")])
def test_crash_between_pledge_and_claim_completes_once(store_url: str, crash_after):
    ledgers = Ledgers(crash_after=crash_after)
    with pytest.raises(Crash):
        run(relay(ledgers, store_url).create_pledge(PLEDGE, ledgers.adapter(HOME)))
    ledgers.crash_after = None

    restarted = relay(ledgers, store_url)
    [done] = run(restarted.resume_pending())
    assert done.transfer_id == "pledge:P-1" and done.state == "claimed"
    assert ledgers.commits(HOME, "pledge") == 1 and ledgers.commits(PARTNER, "claim") == 1

    calls = len(ledgers.calls)
    assert run(relay(ledgers, store_url).resume_pending()) == []
    assert len(ledgers.calls) == calls  # nothing pending: no ledger call at all
    assert [k for _, k in states(restarted)].count("claimed") == 1


@pytest.mark.parametrize("crash_after", [(PARTNER, "burn"), (HOME, "release")])
def test_crash_between_burn_and_release_completes_once(store_url: str, crash_after):
    ledgers = Ledgers(crash_after=crash_after)
    with pytest.raises(Crash):
        run(relay(ledgers, store_url).submit_return(BURN, ledgers.adapter(PARTNER)))
    ledgers.crash_after = None

    [done] = run(relay(ledgers, store_url).resume_pending())
    assert done.transfer_id == "burn:greenx:B-1" and done.state == "released"
    assert ledgers.commits(PARTNER, "burn") == 1 and ledgers.commits(HOME, "release") == 1
    calls = len(ledgers.calls)
    assert run(relay(ledgers, store_url).resume_pending()) == []
    assert len(ledgers.calls) == calls


def test_refused_claim_is_marked_refundable_once_then_reclaimed(store_url: str):
    ledgers = Ledgers(crash_after=(HOME, "pledge"))
    with pytest.raises(Crash):
        run(relay(ledgers, store_url).create_pledge(PLEDGE, ledgers.adapter(HOME)))
    ledgers.crash_after = None
    ledgers.refuse[(PARTNER, "claim")] = ConflictError(
        "proof.view.record.expires_at", PLEDGE.expires_at, "expired", "pledge expired")

    [done] = run(relay(ledgers, store_url).resume_pending())
    assert done.state == "refundable"
    assert done.error is not None and done.error["rule"] == "expired"
    assert done.error["status"] == 409
    calls = len(ledgers.calls)
    assert run(relay(ledgers, store_url).resume_pending()) == []
    assert len(ledgers.calls) == calls
    assert ledgers.commits(PARTNER, "claim") == 0

    service = relay(ledgers, store_url)
    reclaimed = run(service.reclaim("P-1"))
    assert reclaimed.state == "reclaimed"
    assert ledgers.commits(PARTNER, "void") == ledgers.commits(HOME, "reclaim") == 1
    assert [k for _, k in states(service)].count("refundable") == 1
    again = run(service.reclaim("P-1"))  # a repeated request changes nothing
    assert again.state == "reclaimed" and ledgers.commits(HOME, "reclaim") == 1


def test_crash_after_void_is_resumed_to_reclaimed(store_url: str):
    ledgers = Ledgers()
    ledgers.refuse[(PARTNER, "claim")] = ConflictError("proof", "P-1", "expired", "expired")
    run(relay(ledgers, store_url).create_pledge(PLEDGE, ledgers.adapter(HOME)))
    ledgers.crash_after = (HOME, "reclaim")
    with pytest.raises(Crash):
        run(relay(ledgers, store_url).reclaim("P-1"))
    ledgers.crash_after = None
    [done] = run(relay(ledgers, store_url).resume_pending())
    assert done.state == "reclaimed" and ledgers.commits(HOME, "reclaim") == 1


def test_reclaim_of_a_claimed_pledge_is_refused(store_url: str):
    ledgers = Ledgers()
    service = relay(ledgers, store_url)
    run(service.create_pledge(PLEDGE, ledgers.adapter(HOME)))
    with pytest.raises(ConflictError) as err:
        run(service.reclaim("P-1"))
    assert err.value.rule == "already-claimed"
    assert ledgers.count(PARTNER, "void") == 0


def test_pledge_that_never_committed_fails_without_moving_anything(store_url: str):
    ledgers = Ledgers(unreachable={HOME})
    with pytest.raises(LedgerUnavailableError):
        run(relay(ledgers, store_url).create_pledge(PLEDGE, ledgers.adapter(HOME)))
    ledgers.unreachable.clear()
    [done] = run(relay(ledgers, store_url).resume_pending())
    assert done.state == "failed" and done.error["rule"] == "exists"
    assert ledgers.commits(HOME, "pledge") == 0 and ledgers.count(PARTNER, "claim") == 0
    retried = run(relay(ledgers, store_url).create_pledge(PLEDGE,
                                                                  ledgers.adapter(HOME)))
    assert retried.state == "claimed"  # the same request may be sent again


def test_unreachable_ledger_leaves_transfers_pending(store_url: str):
    ledgers = Ledgers(crash_after=(PARTNER, "burn"))
    with pytest.raises(Crash):
        run(relay(ledgers, store_url).submit_return(BURN, ledgers.adapter(PARTNER)))
    ledgers.crash_after = None
    ledgers.unreachable.add(HOME)
    service = relay(ledgers, store_url)
    assert run(service.resume_pending()) == []
    [pending] = service.store.pending_transfers()
    assert pending.state == "burned"  # the burn was confirmed; the release waits
    ledgers.unreachable.clear()
    [done] = run(service.resume_pending())
    assert done.state == "released" and ledgers.commits(HOME, "release") == 1


def test_return_picks_up_a_burn_the_owner_signed_elsewhere(store_url: str):
    ledgers = Ledgers()
    run(ledgers.adapter(PARTNER).submit("burn", BURN.__dict__))  # the owner's own client
    service = relay(ledgers, store_url)
    transfer = run(service.submit_return(BURN))
    assert transfer.state == "released"
    other = MsgBurn("B-1", DAVE, HOME, "LOT-1", 999, OWNER)
    with pytest.raises(ConflictError) as err:
        run(service.submit_return(other))
    assert err.value.rule == "unique"


def test_messages_are_validated_by_the_chaincode_rules(store_url: str):
    service = relay(Ledgers(), store_url)
    with pytest.raises(ValidationError) as err:
        run(service.create_pledge(MsgPledge("P-2", OWNER, "LOT-1", -5, PARTNER, DAVE,
                                            PLEDGE.expires_at)))
    assert (err.value.field, err.value.rule) == ("quantity_kg", "positive")
    with pytest.raises(ValidationError) as err:
        run(service.create_pledge(MsgPledge("P-2", OWNER, "LOT-1", 5, "othernet", DAVE,
                                            PLEDGE.expires_at)))
    assert err.value.rule == "relayed-network"


def test_an_ambiguous_answer_never_fails_a_transfer(store_url: str):
    """A refused query (not a NotFoundError) may hide a committed pledge: stay pending."""
    ledgers = Ledgers(crash_after=(HOME, "pledge"))
    with pytest.raises(Crash):
        run(relay(ledgers, store_url).create_pledge(PLEDGE, ledgers.adapter(HOME)))
    ledgers.crash_after = None
    service = relay(ledgers, store_url)
    original = service.home.evaluate

    async def refused(function: str, *args: str) -> bytes:
        raise ConflictError("pledge_id", args[0], "chaincode", "peer refused the query")

    service.home.evaluate = refused  # type: ignore[method-assign]
    assert run(service.resume_pending()) == []
    assert [t.state for t in service.store.pending_transfers()] == ["pledging"]
    service.home.evaluate = original  # type: ignore[method-assign]
    [done] = run(service.resume_pending())
    assert done.state == "claimed"


def test_a_pledge_made_with_the_owners_own_client_is_claimed(store_url: str):
    ledgers = Ledgers()
    run(ledgers.adapter(HOME).submit("pledge", PLEDGE.__dict__))  # not through the service
    service = relay(ledgers, store_url)
    assert run(service.submit_claim("P-1")).state == "claimed"
    assert run(service.submit_claim("P-1")).state == "claimed"  # once
    assert ledgers.commits(PARTNER, "claim") == 1
    status = run(service.status("P-1"))
    assert status["ledger"]["owner"] == OWNER and status["transfer"]["state"] == "claimed"
