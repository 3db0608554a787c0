"""Proposal building matches Fabric's rules; offline signing gives identical bytes."""

from __future__ import annotations

import hashlib

import grpc
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2

from envalue.client import connect
from envalue.client.proposal import build_proposal
from envalue.client.signers import is_low_s

pytestmark = pytest.mark.unit


@pytest.fixture
def channel():
    ch = grpc.insecure_channel("127.0.0.1:1")  # never contacted: building is offline
    yield ch
    ch.close()


def _decode(proposed: gateway_pb2.ProposedTransaction):
    proposal = proposal_pb2.Proposal.FromString(proposed.proposal.proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    ch = common_pb2.ChannelHeader.FromString(header.channel_header)
    sh = common_pb2.SignatureHeader.FromString(header.signature_header)
    ext = proposal_pb2.ChaincodeHeaderExtension.FromString(ch.extension)
    payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
    return ch, sh, ext, payload, spec


def test_proposal_parses_back(test_identity, channel) -> None:
    gw = connect(test_identity.identity, client=channel, signer=test_identity.signer)
    contract = gw.get_network("envalue-channel").get_contract("envalue", "Credits")
    proposal = contract.new_proposal(
        "Retire", arguments=["batch-1", b"\x00\x01", "10.5"],
        transient_data={"secret": b"s3cr3t", "note": "text"},
        endorsing_organizations=["Org1MSP", "Org2MSP"],
    )
    proposed = gateway_pb2.ProposedTransaction.FromString(proposal.bytes())
    ch, sh, ext, payload, spec = _decode(proposed)

    assert ch.type == common_pb2.HeaderType.ENDORSER_TRANSACTION
    assert ch.channel_id == "envalue-channel"
    assert ch.tx_id == proposal.transaction_id == proposed.transaction_id
    assert ch.timestamp.seconds > 0
    assert ext.chaincode_id.name == "envalue"
    assert spec.chaincode_id.name == "envalue"
    assert list(spec.input.args) == [b"Credits:Retire", b"batch-1", b"\x00\x01", b"10.5"]
    assert dict(payload.TransientMap) == {"secret": b"s3cr3t", "note": b"text"}
    assert list(proposed.endorsing_organizations) == ["Org1MSP", "Org2MSP"]
    assert proposal.endorsing_organizations == ("Org1MSP", "Org2MSP")

    creator = identities_pb2.SerializedIdentity.FromString(sh.creator)
    assert creator.mspid == "Org1MSP"
    assert creator.id_bytes == test_identity.identity.cert_pem
    assert len(sh.nonce) == 24
    # tx_id recomputed independently: hex(sha256(nonce || creator))
    assert ch.tx_id == hashlib.sha256(sh.nonce + sh.creator).hexdigest()


def test_tx_id_pinned_inputs() -> None:
    nonce, creator = bytes(range(24)), b"creator-bytes"
    proposed = build_proposal(creator=creator, channel_name="c", chaincode_name="cc",
                              transaction_name="f", nonce=nonce)
    assert proposed.transaction_id == hashlib.sha256(nonce + creator).hexdigest()


def test_nonce_and_tx_id_unique(test_identity, channel) -> None:
    gw = connect(test_identity.identity, client=channel, signer=test_identity.signer)
    contract = gw.get_network("ch").get_contract("cc")
    ids = {contract.new_proposal("f").transaction_id for _ in range(200)}
    assert len(ids) == 200


def test_no_contract_name_and_no_transient(test_identity, channel) -> None:
    gw = connect(test_identity.identity, client=channel, signer=test_identity.signer)
    proposal = gw.get_network("ch").get_contract("cc").new_proposal("Query")
    *_, payload, spec = _decode(gateway_pb2.ProposedTransaction.FromString(proposal.bytes()))
    assert list(spec.input.args) == [b"Query"]
    assert len(payload.TransientMap) == 0


def test_signature_covers_proposal_bytes(test_identity, channel) -> None:
    gw = connect(test_identity.identity, client=channel, signer=test_identity.signer)
    proposal = gw.get_network("ch").get_contract("cc").new_proposal("f", arguments=["a"])
    assert not proposal.is_signed()
    proposal._sign()
    signed = proposal.signed_proposal
    assert is_low_s(signed.signature)
    test_identity.key.public_key().verify(signed.signature, signed.proposal_bytes,
                                          ec.ECDSA(hashes.SHA256()))
    assert proposal.digest() == hashlib.sha256(signed.proposal_bytes).digest()


def test_offline_signing_produces_identical_bytes(test_identity, identity_factory,
                                                  channel) -> None:
    """Build without a signer, sign the digest elsewhere, reattach: same bytes as online."""
    offline_gw = connect(test_identity.identity, client=channel)  # no signer
    contract = offline_gw.get_network("ch").get_contract("cc")
    unsigned = contract.new_proposal("Transfer", arguments=["a", "b"],
                                     transient_data={"k": b"v"})
    with pytest.raises(ValueError, match="no signer"):
        unsigned._sign()
    signature = test_identity.signer.sign(unsigned.digest())
    signed = offline_gw.new_signed_proposal(unsigned.bytes(), signature)

    assert signed.transaction_id == unsigned.transaction_id
    assert signed.channel_name == "ch"
    assert signed.signed_proposal.proposal_bytes == unsigned.signed_proposal.proposal_bytes
    assert signed.signed_proposal.signature == signature

    # Same proposal signed online by a gateway that holds the key: identical wire bytes.
    online_gw = connect(test_identity.identity, client=channel, signer=test_identity.signer)
    online = online_gw.new_proposal(unsigned.bytes())
    online._proposed.proposal.signature = signature  # deterministic comparison point
    assert online.bytes() == signed.bytes()
    # Signing is skipped when a signature is already attached.
    signed._sign()
    assert signed.signed_proposal.signature == signature


def test_arguments_must_be_str_or_bytes(test_identity, channel) -> None:
    gw = connect(test_identity.identity, client=channel, signer=test_identity.signer)
    with pytest.raises(TypeError):
        gw.get_network("ch").get_contract("cc").new_proposal("f", arguments=[1])  # type: ignore[list-item]
