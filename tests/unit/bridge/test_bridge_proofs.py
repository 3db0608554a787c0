"""Proof structure and verification rules, against real Fabric protobufs and keys."""

from __future__ import annotations

import base64
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, utils
from fabric_protos.common import common_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import proposal_response_pb2, transaction_pb2

sys.path.insert(0, str(Path(__file__).parent))

from bridge_world import (  # noqa: E402
    CA,
    CERT_START,
    HOME_CC,
    HOME_ID,
    START,
    Network,
    Peer,
    response_payload,
)

from envalue.chaincode.domain.errors import ValidationError  # noqa: E402
from envalue.chaincode.domain.proofs import fabric, wire  # noqa: E402
from envalue.chaincode.domain.proofs.builder import (  # noqa: E402
    proof_from_endorsements,
    proof_from_envelope,
)
from envalue.chaincode.domain.proofs.msg_register_network import validate  # noqa: E402
from envalue.chaincode.domain.proofs.state import RemoteNetwork  # noqa: E402
from envalue.chaincode.domain.proofs.verify import P256_ORDER, verify_proof  # noqa: E402
from envalue.chaincode.domain.proofs.view import KIND_BURN, KIND_PLEDGE, encode_view  # noqa: E402

pytestmark = pytest.mark.unit

AT = START
VIEW = encode_view(KIND_PLEDGE, HOME_ID, "P-1", {"pledge_id": "P-1", "quantity_kg": 5})


@pytest.fixture(scope="module")
def net() -> Network:
    return Network(HOME_ID, HOME_CC, ("PlatformMSP", "MarketMSP", "CustomerMSP"), 2)


def remote(net: Network, **overrides: Any) -> RemoteNetwork:
    msg = net.registration(**overrides)
    return RemoteNetwork(network_id=msg.network_id, chaincode_name=msg.chaincode_name,
                         msps=validate(msg), threshold=msg.threshold, orgs=list(msg.orgs),
                         peer_only=msg.peer_only)


def rule_of(data: Any, network: RemoteNetwork, *, kind: str = KIND_PLEDGE, at=AT) -> str:
    with pytest.raises(ValidationError) as info:
        verify_proof(data, network, kind=kind, at=at)
    return info.value.rule


def test_valid_proof(net):
    verified = verify_proof(net.prove(VIEW), remote(net), kind=KIND_PLEDGE, at=AT)
    assert verified.endorsing_msps == ("MarketMSP", "PlatformMSP")
    assert verified.view.key == "P-1" and verified.record["quantity_kg"] == 5
    assert verified.chaincode_name == HOME_CC


def test_wire_reader_agrees_with_fabric_protos(net):
    payload = response_payload(VIEW, HOME_CC)
    result = fabric.decode_proposal_response_payload(payload)
    reference = proposal_response_pb2.ProposalResponsePayload.FromString(payload)
    assert result.proposal_hash == reference.proposal_hash
    assert (result.status, result.payload, result.chaincode_name) == (200, VIEW, HOME_CC)
    identity = fabric.decode_identity(net.peers["MarketMSP"].identity)
    assert identity.msp_id == "MarketMSP"
    assert identity.certificate_pem == net.peers["MarketMSP"].cert_pem
    parsed = identities_pb2.SerializedIdentity.FromString(net.peers["MarketMSP"].identity)
    assert parsed.mspid == identity.msp_id


@pytest.mark.parametrize("data", [b"\x0a\x05abc", b"\x08", b"\x0b", b"\x0a\x01a\x0a\x01b"])
def test_wire_reader_refuses_malformed_or_ambiguous(data):
    with pytest.raises(wire.WireError):
        fabric.decode_identity(data)


def test_duplicated_field_is_refused(net):
    payload = response_payload(VIEW, HOME_CC)
    doubled = payload + payload  # protobuf would merge; we refuse ambiguity
    proof = proof_from_endorsements(
        [(doubled, p.identity, p.sign(doubled + p.identity))
         for p in (net.peers["PlatformMSP"], net.peers["MarketMSP"])]).to_dict()
    assert rule_of(proof, remote(net)) == "proof-payload"


def test_proof_from_gateway_envelope(net):
    payload = response_payload(VIEW, HOME_CC)
    peers = [net.peers["PlatformMSP"], net.peers["CustomerMSP"]]
    endorsed = transaction_pb2.ChaincodeEndorsedAction(
        proposal_response_payload=payload,
        endorsements=[proposal_response_pb2.Endorsement(
            endorser=p.identity, signature=p.sign(payload + p.identity)) for p in peers])
    action = transaction_pb2.ChaincodeActionPayload(chaincode_proposal_payload=b"x",
                                                    action=endorsed)
    tx = transaction_pb2.Transaction(actions=[transaction_pb2.TransactionAction(
        header=b"h", payload=action.SerializeToString())])
    envelope = common_pb2.Envelope(payload=common_pb2.Payload(
        header=common_pb2.Header(channel_header=b"c"), data=tx.SerializeToString()
    ).SerializeToString(), signature=b"s").SerializeToString()
    proof = proof_from_envelope(envelope)
    verified = verify_proof(proof.to_dict(), remote(net), kind=KIND_PLEDGE, at=AT)
    assert verified.endorsing_msps == ("CustomerMSP", "PlatformMSP")
    only = proof_from_envelope(envelope, only_msps={"PlatformMSP"})
    assert len(only.endorsements) == 1


def test_high_s_signature_is_refused(net):
    proof = net.prove(VIEW)
    item = proof["endorsements"][0]
    r, s = utils.decode_dss_signature(base64.b64decode(item["signature"]))
    item["signature"] = base64.b64encode(
        utils.encode_dss_signature(r, P256_ORDER - s)).decode()
    assert rule_of(proof, remote(net)) == "proof-signature"


def test_client_certificate_is_not_a_peer(net):
    cert, key = net.cas["PlatformMSP"].issue("admin", "PlatformMSP", ou="client")
    proof = net.prove(VIEW, peers=[Peer("PlatformMSP", cert, key), net.peers["MarketMSP"]])
    assert rule_of(proof, remote(net)) == "proof-peer-role"
    verified = verify_proof(proof, remote(net, peer_only=False), kind=KIND_PLEDGE, at=AT)
    assert len(verified.endorsing_msps) == 2


def test_certificate_validity_is_checked_at_transaction_time(net):
    cert, key = net.cas["PlatformMSP"].issue("peer9", "PlatformMSP", days=30)
    proof = net.prove(VIEW, peers=[Peer("PlatformMSP", cert, key), net.peers["MarketMSP"]])
    assert rule_of(proof, remote(net)) == "proof-chain"
    verify_proof(proof, remote(net), kind=KIND_PLEDGE, at=CERT_START + timedelta(days=1))


def test_non_p256_endorser_key_is_refused(net):
    cert, key = net.cas["PlatformMSP"].issue("peer8", "PlatformMSP", curve=ec.SECP384R1())
    peer = Peer("PlatformMSP", cert, key)
    payload = response_payload(VIEW, HOME_CC)
    from cryptography.hazmat.primitives import hashes

    triples = [(payload, peer.identity,
                key.sign(payload + peer.identity, ec.ECDSA(hashes.SHA256())))]
    m = net.peers["MarketMSP"]
    triples.append((payload, m.identity, m.sign(payload + m.identity)))
    assert rule_of(proof_from_endorsements(triples).to_dict(), remote(net)) == "proof-chain"


def test_intermediate_ca_chain(net):
    intermediate = CA.create("PlatformMSP", parent=net.cas["PlatformMSP"])
    cert, key = intermediate.issue("peer2.platformmsp", "PlatformMSP")
    proof = net.prove(VIEW, peers=[Peer("PlatformMSP", cert, key), net.peers["MarketMSP"]])
    assert rule_of(proof, remote(net)) == "proof-chain"
    msps = {m: {"root_certs": [ca.pem]} for m, ca in net.cas.items()}
    msps["PlatformMSP"]["intermediate_certs"] = [intermediate.pem]
    verified = verify_proof(proof, remote(net, msps=msps), kind=KIND_PLEDGE, at=AT)
    assert "PlatformMSP" in verified.endorsing_msps


def test_unknown_msp_and_policy_outside_orgs(net):
    other = Network("x", HOME_CC, ("OtherMSP",), 1)
    proof = net.prove(VIEW, peers=[other.peers["OtherMSP"], net.peers["MarketMSP"]])
    assert rule_of(proof, remote(net)) == "proof-unknown-msp"
    # CustomerMSP is trusted but not in the policy's organisations: does not count
    narrowed = remote(net, orgs=("PlatformMSP", "MarketMSP"))
    proof = net.prove(VIEW, ["MarketMSP", "CustomerMSP"])
    assert rule_of(proof, narrowed) == "proof-policy"


def test_response_status_kind_and_network_checks(net):
    payload = response_payload(VIEW, HOME_CC, status=500)
    peers = [net.peers["PlatformMSP"], net.peers["MarketMSP"]]
    proof = proof_from_endorsements(
        [(payload, p.identity, p.sign(payload + p.identity)) for p in peers]).to_dict()
    assert rule_of(proof, remote(net)) == "proof-response"
    assert rule_of(net.prove(VIEW), remote(net), kind=KIND_BURN) == "proof-view-kind"
    foreign = encode_view(KIND_PLEDGE, "other-net", "P-1", {})
    assert rule_of(net.prove(foreign), remote(net)) == "proof-network"
    assert rule_of(net.prove(b'{"not":"a view"}'), remote(net)) == "proof-view"
    assert rule_of(net.prove(b'{"view":"k","network_id":"n","key":"k","record":{"x":1.5}}'),
                   remote(net)) == "proof-view"


@pytest.mark.parametrize("data, rule", [
    ("nope", "object"),
    ({"version": 2, "endorsements": []}, "version"),
    ({"version": 1, "endorsements": []}, "required"),
    ({"version": 1, "endorsements": [{"payload": "!!", "endorser": "a", "signature": "a"}]},
     "base64"),
    ({"version": 1, "endorsements": [{"payload": "YQ=="}]}, "shape"),
])
def test_malformed_proofs(net, data, rule):
    assert rule_of(data, remote(net)) == rule


@pytest.mark.parametrize("overrides, rule", [
    ({"threshold": 4}, "reachable"),
    ({"threshold": 0}, "positive"),
    ({"orgs": ("PlatformMSP", "PlatformMSP")}, "distinct"),
    ({"orgs": ("NopeMSP",)}, "known-msp"),
    ({"msps": {}}, "required"),
])
def test_registration_validation(net, overrides, rule):
    with pytest.raises(ValidationError) as info:
        validate(net.registration(**overrides))
    assert info.value.rule == rule


def test_registration_refuses_a_leaf_as_root(net):
    cert, _ = net.cas["PlatformMSP"].issue("peer", "PlatformMSP")
    msps = {"PlatformMSP": {"root_certs": [cert.decode()]}}
    with pytest.raises(ValidationError) as info:
        validate(net.registration(msps=msps, orgs=("PlatformMSP",), threshold=1))
    assert info.value.rule == "ca-certificate"
