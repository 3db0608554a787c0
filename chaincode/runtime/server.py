"""Chaincode-as-a-service gRPC server: the peer dials it and calls `Chaincode/Connect`.

In CCaaS the peer is the gRPC client (core/chaincode/extcc: `client.Connect()`),
and the chaincode still opens the conversation with REGISTER on that stream.
This server wires the fixed pieces together: keepalive options (defect b),
one `PeerSession` with its single stream writer per connection (defect a), and
(m)TLS from `ServerConfig`.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Sequence

import grpc
from fabric_chaincode_python.fabric_contract_api import Contract, ContractChaincode
from fabric_chaincode_python.fabric_shim.interfaces import Chaincode
from fabric_protos.peer import chaincode_shim_pb2 as shim_pb2
from fabric_protos.peer import chaincode_shim_pb2_grpc as shim_grpc

from envalue.chaincode.runtime.config import ServerConfig
from envalue.chaincode.runtime.keepalive import GrpcOption, server_options
from envalue.chaincode.runtime.peer_session import PeerSession

__all__ = ["ChaincodeServer", "ChaincodeServicer", "build_chaincode"]


def build_chaincode(contracts: Sequence[Contract]) -> ContractChaincode:
    """Contract-API chaincode dispatching `contract:function` (first contract is default)."""
    return ContractChaincode.new_chaincode(*contracts)


class ChaincodeServicer(shim_grpc.ChaincodeServicer):
    """The `Chaincode` gRPC service: one `PeerSession` per peer connection."""

    def __init__(self, chaincode_id: str, chaincode: Chaincode) -> None:
        self._chaincode_id = chaincode_id
        self._chaincode = chaincode

    async def Connect(  # noqa: N802 - gRPC method name
        self,
        request_iterator: AsyncIterable[shim_pb2.ChaincodeMessage],
        context: grpc.aio.ServicerContext,
    ) -> None:
        session = PeerSession(self._chaincode_id, self._chaincode, context.write)
        await session.run(request_iterator)


class ChaincodeServer:
    """Owns the grpc.aio server; `start()` binds, `stop()` drains and closes."""

    def __init__(
        self,
        chaincode: Chaincode,
        config: ServerConfig,
        *,
        options: Sequence[GrpcOption] | None = None,
    ) -> None:
        self.config = config
        self.options: tuple[GrpcOption, ...] = tuple(
            server_options() if options is None else options
        )
        self._server = grpc.aio.server(options=list(self.options))
        shim_grpc.add_ChaincodeServicer_to_server(
            ChaincodeServicer(config.chaincode_id, chaincode), self._server
        )
        self.port = self._bind()

    def _bind(self) -> int:
        if not self.config.tls:
            port = self._server.add_insecure_port(self.config.address)
        else:
            credentials = grpc.ssl_server_credentials(
                [(self.config.tls_key, self.config.tls_cert)],
                root_certificates=self.config.client_ca_cert,
                require_client_auth=self.config.mutual_tls,
            )
            port = self._server.add_secure_port(self.config.address, credentials)
        if port == 0:
            raise OSError(f"cannot listen on {self.config.address}")
        return port

    @property
    def listen_address(self) -> str:
        """host:port actually bound (resolves port 0)."""
        host = self.config.address.rpartition(":")[0]
        return f"{host}:{self.port}"

    async def start(self) -> None:
        await self._server.start()

    async def stop(self, grace: float | None = 5.0) -> None:
        """Stop accepting connections; let running calls finish within `grace` seconds."""
        await self._server.stop(grace)

    async def wait_for_termination(self) -> None:
        await self._server.wait_for_termination()
