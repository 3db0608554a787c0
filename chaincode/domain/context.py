"""Who does what, when, in which transaction: the facts every state change records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from envalue.chaincode.identity import Actor

__all__ = ["TxContext"]


@dataclass(frozen=True)
class TxContext:
    """One transaction's identity and time, taken from the proposal, never from the clock.

    `timestamp` is the proposal's timestamp (timezone-aware UTC), identical on every
    endorsing peer, so records that store it stay deterministic.
    """

    tx_id: str
    timestamp: datetime
    actor: Actor

    @property
    def owner_key(self) -> str:
        """The holder key of the calling identity: `<msp id>/<Go-style client id>`."""
        return self.actor.owner_key
