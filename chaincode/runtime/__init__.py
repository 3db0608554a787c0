"""Chaincode runtime over fabric-chaincode-python 2.5.4, with its defects fixed.

One module per fix: `stream_writer` (concurrent writes on the peer stream),
`keepalive` (peer pings rejected), `tx_logging` (noisy, leaking logs);
`envalue.chaincode.identity` parses the creator certificate. `peer_session`
speaks the shim protocol, `server` serves it as chaincode-as-a-service, `launch`
starts a server process for a list of contracts.
"""

from envalue.chaincode.runtime.config import ConfigError, ServerConfig
from envalue.chaincode.runtime.context import EnvalueContext
from envalue.chaincode.runtime.keepalive import server_options
from envalue.chaincode.runtime.peer_session import PeerRequestError, PeerSession
from envalue.chaincode.runtime.server import ChaincodeServer, ChaincodeServicer, build_chaincode
from envalue.chaincode.runtime.stream_writer import SerialStreamWriter, StreamClosedError
from envalue.chaincode.runtime.stub import EnvalueStub
from envalue.chaincode.runtime.stub_store import StubStore
from envalue.chaincode.runtime.tx_logging import configure_logging

__all__ = [
    "ChaincodeServer",
    "ChaincodeServicer",
    "ConfigError",
    "EnvalueContext",
    "EnvalueStub",
    "PeerRequestError",
    "PeerSession",
    "SerialStreamWriter",
    "ServerConfig",
    "StreamClosedError",
    "StubStore",
    "build_chaincode",
    "configure_logging",
    "server_options",
]
