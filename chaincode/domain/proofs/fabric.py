"""Decoding the Fabric messages of a proof (over `wire`, no Fabric imports).

What a peer signs when it endorses (fabric core/handlers/endorsement/builtin):
``signature = Sign(proposal_response_payload_bytes ‖ serialized_endorser_identity)`` and
``Endorsement{endorser = SerializedIdentity bytes, signature}``; validators rebuild the same
``SignedData`` (data = payload ‖ endorser). The chaincode's return value sits in
``ProposalResponsePayload.extension`` → ``ChaincodeAction.response.payload``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .wire import Message, WireError, parse

__all__ = [
    "ChaincodeResult",
    "EndorsedAction",
    "Identity",
    "decode_endorsed_action",
    "decode_endorsement",
    "decode_identity",
    "decode_proposal_response",
    "decode_proposal_response_payload",
    "signed_bytes",
]


@dataclass(frozen=True)
class ChaincodeResult:
    """What a ProposalResponsePayload says the chaincode returned."""

    proposal_hash: bytes
    chaincode_name: str
    chaincode_version: str
    status: int
    message: str
    payload: bytes


@dataclass(frozen=True)
class Identity:
    """A serialized MSP identity: the MSP ID and the PEM certificate."""

    msp_id: str
    certificate_pem: bytes


@dataclass(frozen=True)
class EndorsedAction:
    """One proposal response payload with the endorsements over it."""

    payload: bytes
    endorsements: tuple[tuple[bytes, bytes], ...]  # (endorser, signature)


def decode_proposal_response_payload(data: bytes) -> ChaincodeResult:
    prp = parse(data, allowed=(1, 2))
    action = prp.message(2)
    response: Message = action.message(3)
    chaincode_id = action.message(4)
    return ChaincodeResult(
        proposal_hash=prp.bytes_(1),
        chaincode_name=chaincode_id.text(2),
        chaincode_version=chaincode_id.text(3),
        status=response.int_(1),
        message=response.text(2),
        payload=response.bytes_(3),
    )


def decode_identity(data: bytes) -> Identity:
    identity = parse(data, allowed=(1, 2))
    msp_id = identity.text(1)
    pem = identity.bytes_(2)
    if not msp_id or not pem:
        raise WireError("serialized identity lacks an MSP ID or certificate")
    return Identity(msp_id, pem)


def decode_endorsement(data: bytes) -> tuple[bytes, bytes]:
    """(endorser, signature) of an Endorsement message."""
    endorsement = parse(data, allowed=(1, 2))
    return endorsement.bytes_(1), endorsement.bytes_(2)


def decode_proposal_response(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(payload, endorser, signature) of a ProposalResponse from a peer's ProcessProposal."""
    response = parse(data)
    endorser, signature = decode_endorsement(response.bytes_(6))
    return response.bytes_(5), endorser, signature


def decode_endorsed_action(envelope: bytes) -> EndorsedAction:
    """The endorsed action of a prepared transaction envelope (Gateway ``Endorse`` result)."""
    payload = parse(envelope).message(1)
    transaction = payload.message(2)
    actions = transaction.repeated_bytes(1)
    if len(actions) != 1:
        raise WireError(f"transaction has {len(actions)} actions, expected 1")
    action_payload = parse(actions[0]).message(2)
    endorsed = action_payload.message(2)
    endorsements = tuple(decode_endorsement(e) for e in endorsed.repeated_bytes(2))
    return EndorsedAction(endorsed.bytes_(1), endorsements)


def signed_bytes(payload: bytes, endorser: bytes) -> bytes:
    """The bytes an endorser signs: the proposal response payload, then its identity."""
    return payload + endorser
