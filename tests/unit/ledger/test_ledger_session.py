"""Identities, peers and sessions without a peer: input is checked before any connection,
and the first ledger call says why there is no ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledger_world import cas_only_network, enroll, silent_peer

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.identity import actor_from_certificate
from envalue.ledger import tokens
from envalue.ledger.identities import enrolled_caller, holder_key, owner_key_of
from envalue.ledger.peers import LedgerPeers
from envalue.ledger.session import LedgerSession, open_session
from envalue.network.settings import NetworkSettings

pytestmark = pytest.mark.unit


def test_enrolled_caller_signs_with_the_holder_key_the_chaincode_computes(
        tmp_path: Path) -> None:
    settings = cas_only_network(tmp_path, 21200)
    caller = enrolled_caller(settings, "customer:customer1")
    cert = (tmp_path / "orgs/customer/users/customer1/msp/signcerts/cert.pem").read_bytes()
    actor = actor_from_certificate("CustomerMSP", cert)
    assert caller.owner_key == f"CustomerMSP/{actor.id}" == owner_key_of("CustomerMSP", cert)
    assert actor.role == "customer" and caller.org_key == "customer"
    assert enrolled_caller(settings, "customer1@customer").owner_key == caller.owner_key
    assert holder_key(settings, "customer:customer1", "recipient") == caller.owner_key
    assert holder_key(settings, caller.owner_key, "recipient") == caller.owner_key
    assert len(caller.signer.sign(b"\x00" * 32)) > 60  # a DER ECDSA signature


@pytest.mark.parametrize(("ref", "rule"), [
    ("customer1", "identity"),
    ("customer:", "identity"),
    ("mars:customer1", "organisation"),
    ("ordering:admin", "organisation"),
    ("customer:nobody", "enrolled"),
])
def test_bad_identities_are_the_callers_mistake(tmp_path: Path, ref: str, rule: str) -> None:
    settings = cas_only_network(tmp_path, 21200)
    with pytest.raises(ValidationError) as err:
        enrolled_caller(settings, ref)
    assert (err.value.field, err.value.value, err.value.rule) == ("as", ref, rule)
    if rule == "enrolled":
        assert "enrolled: customer1" in err.value.message


def test_a_network_that_was_never_created_is_unavailable(tmp_path: Path) -> None:
    from envalue.ledger.errors import LedgerUnavailableError

    settings = NetworkSettings.resolve(name="t", base_port=21200, home=tmp_path / "none")
    with pytest.raises(LedgerUnavailableError) as err:
        enrolled_caller(settings, "customer:customer1")
    assert "no enrolled identities" in err.value.reason
    assert "envalue network up" in err.value.reason
    with pytest.raises(LedgerUnavailableError):
        holder_key(settings, "municipality:city1", "recipient")
    with pytest.raises(ValidationError):  # a malformed holder key needs no network
        holder_key(settings, "CustomerMSP/", "recipient")


def test_session_validates_before_connecting_and_then_names_the_missing_peer(
        tmp_path: Path) -> None:
    from envalue.ledger.errors import LedgerUnavailableError

    settings = cas_only_network(tmp_path, 21200)
    peers = LedgerPeers(settings, connect_timeout=0.2)
    caller = enrolled_caller(settings, "customer:customer1")
    city = holder_key(settings, "municipality:city1", "recipient")
    with open_session(caller, peers) as session:
        assert session.owner_key == caller.owner_key  # known without a connection
        with pytest.raises(ValidationError) as err:
            tokens.transfer_tokens(session, [tokens.TransferItem("LOT-1", city, 0)])
        assert err.value.field == "items[0].quantity_kg"
        with pytest.raises(LedgerUnavailableError) as down:
            tokens.transfer_tokens(session, [tokens.TransferItem("LOT-1", city, 5)])
        assert "peer0.customer.envalue.local has not been created" in down.value.reason
        with pytest.raises(LedgerUnavailableError):
            tokens.supply_audit(session)


def test_a_silent_peer_is_diagnosed(tmp_path: Path) -> None:
    from envalue.ledger.errors import LedgerUnavailableError

    settings = cas_only_network(tmp_path, 21300)
    silent_peer(settings, "platform")
    peers = LedgerPeers(settings, connect_timeout=0.2)
    state = peers.status("platform")
    assert not state.available and state.peer == "localhost:21350"
    assert "did not answer within 0.2s" in state.reason
    assert "no peer0.platform.envalue.local process of network 't' is running" in state.reason
    assert peers.status("platform").reason == state.reason  # cached, no second wait
    session = LedgerSession(enrolled_caller(settings, "platform:operator1"), peers)
    with pytest.raises(LedgerUnavailableError) as err:
        tokens.approve_cancel(session, "C-1")
    assert err.value.reason == state.reason


def test_peers_without_settings_say_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    peers = LedgerPeers(None, unavailable_reason="the Fabric network is disabled here")
    assert peers.status("customer").reason == "the Fabric network is disabled here"
    assert "runs no Gateway peer" in LedgerPeers(
        NetworkSettings.resolve(name="t", base_port=21200, home=tmp_path)).endpoint(
        "ordering").problem
    home = tmp_path / "home"
    enroll(home, "customer", "customer1", "customer")
    NetworkSettings.resolve(name="t", base_port=21400, home=home).record()
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(home))
    resolved = LedgerPeers.resolve()  # the CLI's way: environment and recorded base port
    assert resolved.settings is not None and resolved.settings.ports.base == 21400
    assert resolved.endpoint("customer").target == "localhost:21453"


def test_the_partner_ledger_has_its_own_orgs_channel_and_chaincode(tmp_path: Path) -> None:
    """The same session code serves the partner network: identities are parsed against the
    partner topology and the Gateway targets its channel and chaincode."""
    from envalue.ledger.identities import parse_identity
    from envalue.network.topology import PARTNER

    settings = NetworkSettings.resolve(name="p", base_port=21600, home=tmp_path,
                                       topology=PARTNER.name)
    peers = LedgerPeers(settings)
    assert (peers.channel, peers.chaincode) == ("partner", "wrapped")
    org, user = parse_identity("exchange:bridge1", topology=settings.topology)
    assert (org.msp_id, user) == ("ExchangeMSP", "bridge1")
    with pytest.raises(ValidationError) as refused:
        parse_identity("exchange:bridge1")  # not an org of the consortium
    assert refused.value.rule == "organisation"
    assert "consortium network" in refused.value.message
    assert peers.endpoint("platform").problem.startswith("organisation 'platform' is not part")
    assert "has not been created" in peers.endpoint("member").problem
