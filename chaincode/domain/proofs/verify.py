"""Verifying a proof in chaincode: the rules a view must pass before a ledger acts on it.

Given the carried proof, the registered `RemoteNetwork` of its source, the expected view
kind and the verifying transaction's timestamp, `verify_proof`:

1. parses the proof (1..16 endorsements, bounded sizes);
2. requires every endorsement to carry byte-identical ProposalResponsePayloads;
3. decodes the payload: chaincode response status 200 and chaincode name equal to the
   registered one;
4. for every endorsement: decodes the SerializedIdentity; its MSP must be registered for
   the network; its certificate must be ECDSA P-256, chain to a registered root (through
   registered intermediates) of *that* MSP and be valid at the transaction time, and, if
   the network is ``peer_only``, carry the NodeOU ``peer``; the signature must be DER,
   low-S (Fabric refuses high-S) and verify over SHA-256 of payload ‖ endorser bytes.
   One bad endorsement refuses the whole proof (a relay sends only good ones);
5. counts *distinct* MSPs among the policy's organisations: at least ``threshold``;
6. decodes the view: the expected kind, and ``network_id`` equal to the registered id.

The content (pledge id, amount, recipient, expiry, status) is checked by the message
that uses the view. Every refusal is a `ValidationError` with a ``proof-…`` rule.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.store import Store

from .fabric import decode_identity, decode_proposal_response_payload, signed_bytes
from .proof import Proof
from .state import RemoteNetwork, load_network
from .view import View, decode_view
from .wire import WireError
from .x509chain import ChainError, load_certificate, organizational_units, verify_chain

__all__ = [
    "P256_ORDER",
    "PEER_OU",
    "VerifiedView",
    "verify_proof",
    "verify_registered",
    "view_field",
]

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
PEER_OU = "peer"
_OK = 200


@dataclass(frozen=True)
class VerifiedView:
    """A view whose endorsements satisfied the source network's policy."""

    view: View
    chaincode_name: str
    endorsing_msps: tuple[str, ...]
    payload_sha256: str

    @property
    def record(self) -> dict[str, Any]:
        return dict(self.view.record)


def _fail(field: str, rule: str, detail: str) -> ValidationError:
    return ValidationError(field, None, rule, detail)


def _check_signature(key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes,
                     path: str) -> None:
    try:
        _, s = utils.decode_dss_signature(signature)
    except ValueError as exc:
        raise _fail(path, "proof-signature", "signature is not DER ECDSA") from exc
    if not 0 < s <= P256_ORDER // 2:
        raise _fail(path, "proof-signature", "signature is not low-S")
    try:
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise _fail(path, "proof-signature", "signature does not verify") from exc


def _check_endorser(endorser: bytes, network: RemoteNetwork, at: datetime,
                    path: str) -> tuple[str, ec.EllipticCurvePublicKey]:
    try:
        identity = decode_identity(endorser)
    except WireError as exc:
        raise _fail(path, "proof-endorser", f"endorser is not an identity ({exc})") from exc
    trust = network.msps.get(identity.msp_id)
    if trust is None:
        raise _fail(path, "proof-unknown-msp",
                    f"{identity.msp_id!r} is not an MSP of network {network.network_id!r}")
    try:
        certificate = load_certificate(identity.certificate_pem)
        roots = [load_certificate(p) for p in trust["root_certs"]]
        intermediates = [load_certificate(p) for p in trust.get("intermediate_certs", [])]
        verify_chain(certificate, roots, intermediates, at)
    except ChainError as exc:
        raise _fail(path, "proof-chain", f"{identity.msp_id}: {exc}") from exc
    if network.peer_only and PEER_OU not in organizational_units(certificate):
        raise _fail(path, "proof-peer-role",
                    f"{identity.msp_id} endorser is not a peer (no OU {PEER_OU!r})")
    key = certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)  # verify_chain checked P-256
    return identity.msp_id, key


def verify_proof(data: Any, network: RemoteNetwork, *, kind: str, at: datetime,
                 field: str = "proof") -> VerifiedView:
    """Check a carried proof against `network`; returns the verified view."""
    proof = Proof.from_dict(data, field)
    payload = proof.endorsements[0].payload
    if any(e.payload != payload for e in proof.endorsements[1:]):
        raise _fail(f"{field}.endorsements", "proof-payload-mismatch",
                    "endorsements carry different payloads")
    try:
        result = decode_proposal_response_payload(payload)
    except WireError as exc:
        raise _fail(f"{field}.payload", "proof-payload",
                    f"not a ProposalResponsePayload ({exc})") from exc
    if result.status != _OK:
        raise _fail(f"{field}.payload", "proof-response", f"response status {result.status}")
    if result.chaincode_name != network.chaincode_name:
        raise _fail(f"{field}.payload", "proof-chaincode",
                    f"chaincode {result.chaincode_name!r} is not "
                    f"{network.chaincode_name!r} of {network.network_id!r}")
    msps: set[str] = set()
    for i, endorsement in enumerate(proof.endorsements):
        path = f"{field}.endorsements[{i}]"
        msp_id, key = _check_endorser(endorsement.endorser, network, at, path)
        _check_signature(key, endorsement.signature,
                         signed_bytes(endorsement.payload, endorsement.endorser), path)
        msps.add(msp_id)
    satisfied = sorted(msps & set(network.orgs))
    if len(satisfied) < network.threshold:
        raise _fail(f"{field}.endorsements", "proof-policy",
                    f"endorsed by {len(satisfied)} of the required organisations "
                    f"({', '.join(satisfied) or 'none'}); policy is {network.policy_text()}")
    view = decode_view(result.payload, field)
    if view.kind != kind:
        raise _fail(f"{field}.view", "proof-view-kind", f"view is {view.kind!r}, not {kind!r}")
    if view.network_id != network.network_id:
        raise _fail(f"{field}.view", "proof-network",
                    f"view is from {view.network_id!r}, not {network.network_id!r}")
    return VerifiedView(view, result.chaincode_name, tuple(satisfied),
                        hashlib.sha256(payload).hexdigest())


async def verify_registered(store: Store, network_id: str, data: Any, *, kind: str,
                            at: datetime, field: str = "proof") -> VerifiedView:
    """Verify against the trust anchors this ledger registered for `network_id`."""
    network = await load_network(store, network_id)
    return verify_proof(data, network, kind=kind, at=at, field=field)


def view_field(view: VerifiedView, name: str, kind: type, field: str = "proof") -> Any:
    """A typed field of a verified view's record (ValidationError if missing or mistyped)."""
    value = view.view.record.get(name)
    if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
        raise _fail(f"{field}.view.record.{name}", "proof-view",
                    f"view record lacks a {kind.__name__} {name!r}")
    return value
