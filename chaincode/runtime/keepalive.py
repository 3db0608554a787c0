"""Fix for defect (b): accept the peer's HTTP/2 keepalive pings.

A Fabric peer dials a chaincode-as-a-service server with
`comm.DefaultKeepaliveOptions` (core/container/externalbuilder/instance.go):
client pings every 60 s with a 20 s timeout, also without active calls. A
default grpc.aio (C-core) server allows a ping without data only every 5 min and
sends GOAWAY `too_many_pings` after 2 strikes, so an idle peer connection is
dropped after a few minutes. fabric-chaincode-go's server allows pings every
minute without streams (shim/internal/server.go); here the server allows them
every 10 s and never counts strikes, so the peer's 60 s pings are always fine.
`core.yaml chaincode.keepalive` is a different mechanism (KEEPALIVE chaincode
messages, off by default); the session echoes those back.
"""

from __future__ import annotations

__all__ = ["MAX_MESSAGE_BYTES", "PEER_PING_INTERVAL_MS", "server_options"]

#: The peer's client keepalive interval (Fabric DefaultKeepaliveOptions.ClientInterval).
PEER_PING_INTERVAL_MS = 60_000
#: Fabric's gRPC message size limit on both sides (100 MiB).
MAX_MESSAGE_BYTES = 100 * 1024 * 1024

GrpcOption = tuple[str, int]


def server_options(
    *, min_ping_interval_ms: int = 10_000, max_message_bytes: int = MAX_MESSAGE_BYTES
) -> list[GrpcOption]:
    """gRPC server options for a chaincode server a Fabric peer connects to.

    `min_ping_interval_ms` must stay below the peer's ping interval; tests lower
    it to prove the mechanism in seconds instead of minutes.
    """
    return [
        # Pings are allowed while no call is active and with no data in between.
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", min_ping_interval_ms),
        ("grpc.http2.min_recv_ping_interval_without_data_ms", min_ping_interval_ms),
        # 0: a ping arriving early is never a strike, so no GOAWAY too_many_pings.
        ("grpc.http2.max_ping_strikes", 0),
        # Server-side pings as in Fabric: every 2 h, 20 s to answer.
        ("grpc.keepalive_time_ms", 2 * 60 * 60 * 1000),
        ("grpc.keepalive_timeout_ms", 20_000),
        ("grpc.max_send_message_length", max_message_bytes),
        ("grpc.max_receive_message_length", max_message_bytes),
    ]
