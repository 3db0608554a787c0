"""Private state shared by the objects of one gateway connection."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from fabric_protos.gateway import gateway_pb2_grpc
from fabric_protos.peer import events_pb2_grpc

from .identity import Identity
from .signers import HashFunction, Signer

__all__ = ["CallTimeouts", "Context"]

logger = logging.getLogger("envalue.client")


@dataclass(frozen=True)
class CallTimeouts:
    """Deadline in seconds per Gateway call type; ``None`` means no deadline.

    Defaults follow the official client samples: evaluate 5 s, endorse 15 s, submit 5 s,
    commit status 60 s. Event streams are long-lived and take no default deadline.
    """

    evaluate: float | None = 5.0
    endorse: float | None = 15.0
    submit: float | None = 5.0
    commit_status: float | None = 60.0


@dataclass
class Context:
    """Identity, signing and stubs behind a Gateway; not part of the public API."""

    identity: Identity
    signer: Signer | None
    hash: HashFunction
    channel: Any
    timeouts: CallTimeouts
    tls_cert_hash: bytes | None = None
    gateway: Any = field(init=False)
    deliver: Any = field(init=False)
    _creator: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.gateway = gateway_pb2_grpc.GatewayStub(self.channel)
        self.deliver = events_pb2_grpc.DeliverStub(self.channel)
        self._creator = self.identity.serialize()

    @property
    def creator(self) -> bytes:
        """Serialized msp.SerializedIdentity of the client."""
        return self._creator

    def sign(self, message: bytes) -> bytes:
        """Hash then sign ``message`` with the configured signer."""
        if self.signer is None:
            raise ValueError(
                "no signer configured: pass signer= to connect() or sign offline and use "
                "the gateway's new_signed_* methods"
            )
        return self.signer.sign(self.hash(message))
