"""The bridge service's journal of transfers: what it did, step by step, on both ledgers.

A transfer is one unit movement the relay drives across the two ledgers:

- outbound (``pledge:<pledge id>``): ``pledging`` → ``pledged`` → ``claimed``; when the
  partner refuses the claim it becomes ``refundable`` (the owner may reclaim after expiry);
  a reclaim takes ``pledged``/``refundable`` → ``voided`` → ``reclaimed``; ``failed`` when
  the pledge never committed (nothing moved).
- return (``burn:<partner>:<burn id>``): ``burning`` → ``burned`` → ``released``;
  ``failed`` when the burn never committed.

Each state is saved before the next ledger call, so after a crash `relay.resume_pending`
knows where to continue. The states in `PENDING` are the ones it continues; the ledgers
make every repeated step harmless (pledge and burn ids, the origin and return indexes).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "BURNED",
    "BURNING",
    "CLAIMED",
    "FAILED",
    "OUTBOUND",
    "PENDING",
    "PLEDGED",
    "PLEDGING",
    "RECLAIMED",
    "REFUNDABLE",
    "RELEASED",
    "RETURN",
    "VOIDED",
    "Transfer",
    "burn_transfer_id",
    "pledge_transfer_id",
]

OUTBOUND, RETURN = "outbound", "return"
PLEDGING, PLEDGED, CLAIMED, REFUNDABLE = "pledging", "pledged", "claimed", "refundable"
VOIDED, RECLAIMED = "voided", "reclaimed"
BURNING, BURNED, RELEASED = "burning", "burned", "released"
FAILED = "failed"
#: States `resume_pending` drives on; the others wait for a request or are final.
PENDING = frozenset({PLEDGING, PLEDGED, VOIDED, BURNING, BURNED})


def pledge_transfer_id(pledge_id: str) -> str:
    return f"pledge:{pledge_id}"


def burn_transfer_id(partner_network: str, burn_id: str) -> str:
    return f"burn:{partner_network}:{burn_id}"


@dataclass
class Transfer:
    """One journal entry. `message` holds the owner's message (MsgPledge / MsgBurn fields,
    or just the pledge id for a pledge made elsewhere); `steps` what each ledger answered;
    `error` the last refusal (`DomainError.to_dict()` plus ``status``)."""

    transfer_id: str
    kind: str
    state: str
    message: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    version: int = 0
    created_at: str = ""
    updated_at: str = ""

    @property
    def pending(self) -> bool:
        return self.state in PENDING

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
