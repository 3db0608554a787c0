"""Keepalive: the server accepts the peer's HTTP/2 pings instead of GOAWAY too_many_pings.

A real peer pings every 60 s; here the fake peer pings every 500 ms so that a
default grpc.aio server's GOAWAY (after 2 strikes) shows within seconds. The
shipped options survive the same ping storm, which is 120 times denser than a
real peer's.
"""

from __future__ import annotations

import asyncio

import grpc
import pytest
from chaincode_peer_harness import FakePeer
from fabric_protos.peer import chaincode_shim_pb2 as shim_pb2

from envalue.chaincode.contracts import all_contracts
from envalue.chaincode.runtime import ChaincodeServer, ServerConfig, build_chaincode
from envalue.chaincode.runtime.keepalive import PEER_PING_INTERVAL_MS, server_options

pytestmark = pytest.mark.unit

PINGING_PEER = [
    ("grpc.keepalive_time_ms", 500),
    ("grpc.keepalive_timeout_ms", 5_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
]


def make_server(options: list[tuple[str, int]] | None = None) -> ChaincodeServer:
    return ChaincodeServer(
        build_chaincode(all_contracts()), ServerConfig("127.0.0.1:0", "cc:1"), options=options
    )


def test_server_is_built_with_options_that_accept_peer_pings() -> None:
    async def build() -> ChaincodeServer:
        # grpc.aio servers belong to a running event loop (as in `python -m`)
        server = make_server()
        await server.stop(0)
        return server

    server = asyncio.run(build())
    options = dict(server.options)
    assert options["grpc.keepalive_permit_without_calls"] == 1
    assert options["grpc.http2.min_ping_interval_without_data_ms"] < PEER_PING_INTERVAL_MS
    assert options["grpc.http2.min_recv_ping_interval_without_data_ms"] < PEER_PING_INTERVAL_MS
    assert options["grpc.http2.max_ping_strikes"] == 0
    assert options["grpc.max_receive_message_length"] == 100 * 1024 * 1024
    assert server.options == tuple(server_options())


async def idle_then_invoke(options: list[tuple[str, int]], *,
                           wait_for_goaway: float = 0.0) -> tuple[bool, FakePeer]:
    server = make_server(options)
    await server.start()
    try:
        async with FakePeer(f"127.0.0.1:{server.port}", channel_options=PINGING_PEER) as peer:
            await asyncio.sleep(5)  # idle stream: only pings cross the connection
            # on a loaded machine the server's ping strikes can take longer to add up
            deadline = asyncio.get_running_loop().time() + wait_for_goaway
            while peer.stream_error is None and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.5)
            try:
                message = await peer.invoke("tx-after-idle", "probe:put", "k", "v", timeout=3)
            except (ConnectionError, TimeoutError):
                return False, peer
            return message.type == shim_pb2.ChaincodeMessage.COMPLETED, peer
    finally:
        await server.stop(0)


def test_shipped_options_keep_an_idle_pinged_stream_alive() -> None:
    alive, peer = asyncio.run(idle_then_invoke(server_options()))
    assert alive
    assert peer.stream_error is None


def test_default_grpc_server_options_drop_the_stream_with_too_many_pings() -> None:
    # Negative control: proves the test above exercises the defect.
    alive, peer = asyncio.run(idle_then_invoke([], wait_for_goaway=25.0))
    assert not alive
    assert isinstance(peer.stream_error, grpc.aio.AioRpcError)
    assert peer.stream_error.code() == grpc.StatusCode.UNAVAILABLE
    assert "too many pings" in (peer.stream_error.details() or "").lower()
