"""Building proofs from what peers return (off-ledger: the bridge service).

Three sources, all ending in the same `Proof`:

- `proof_from_endorsements`: (payload, endorser, signature) triples;
- `proof_from_proposal_responses`: serialized ``ProposalResponse`` messages, as a peer's
  ``Endorser/ProcessProposal`` returns them (one per peer queried);
- `proof_from_envelope`: the prepared transaction a Gateway ``Endorse`` returns for a
  query function (never submitted: its endorsements already attest the view).

`only_msps` keeps endorsements of the MSPs the verifying ledger knows (a foreign
endorsement would make the whole proof fail verification).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from .fabric import decode_endorsed_action, decode_identity, decode_proposal_response
from .proof import Endorsement, Proof

__all__ = ["proof_from_endorsements", "proof_from_envelope", "proof_from_proposal_responses"]


def proof_from_endorsements(triples: Iterable[tuple[bytes, bytes, bytes]], *,
                            only_msps: Collection[str] | None = None) -> Proof:
    endorsements = []
    seen: set[bytes] = set()
    for payload, endorser, signature in triples:
        if endorser in seen:
            continue
        if only_msps is not None and decode_identity(endorser).msp_id not in only_msps:
            continue
        seen.add(endorser)
        endorsements.append(Endorsement(bytes(payload), bytes(endorser), bytes(signature)))
    if not endorsements:
        raise ValueError("no usable endorsements")
    return Proof(tuple(endorsements))


def proof_from_proposal_responses(responses: Sequence[bytes], *,
                                  only_msps: Collection[str] | None = None) -> Proof:
    return proof_from_endorsements((decode_proposal_response(r) for r in responses),
                                   only_msps=only_msps)


def proof_from_envelope(envelope: bytes, *,
                        only_msps: Collection[str] | None = None) -> Proof:
    action = decode_endorsed_action(envelope)
    return proof_from_endorsements(
        ((action.payload, endorser, signature) for endorser, signature in action.endorsements),
        only_msps=only_msps,
    )
