"""`python -m envalue.chaincode`: serve all contracts as chaincode-as-a-service.

Environment: CHAINCODE_SERVER_ADDRESS (host:port), CHAINCODE_ID (package id),
optional CHAINCODE_TLS_CERT + CHAINCODE_TLS_KEY (PEM paths) and
CHAINCODE_CLIENT_CA_CERT (require peer client certificates), CHAINCODE_LOG_LEVEL.
SIGTERM or SIGINT stops the server, giving running transactions a grace period.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from envalue.chaincode.contracts import all_contracts
from envalue.chaincode.runtime import (
    ChaincodeServer,
    ConfigError,
    ServerConfig,
    build_chaincode,
    configure_logging,
)

_log = logging.getLogger("envalue.chaincode")
STOP_GRACE_SECONDS = 5.0


async def serve(config: ServerConfig) -> None:
    """Run the server until SIGTERM/SIGINT."""
    server = ChaincodeServer(build_chaincode(all_contracts()), config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await server.start()
    _log.info(
        "chaincode server listening address=%s chaincode_id=%s tls=%s mtls=%s",
        server.listen_address,
        config.chaincode_id,
        config.tls,
        config.mutual_tls,
    )
    await stop.wait()
    _log.info("stopping chaincode server")
    await server.stop(STOP_GRACE_SECONDS)
    _log.info("chaincode server stopped")


def main() -> int:
    configure_logging(os.environ.get("CHAINCODE_LOG_LEVEL", "INFO").upper())
    try:
        config = ServerConfig.from_env()
    except ConfigError as exc:
        _log.error("invalid configuration: %s", exc)
        return 2
    asyncio.run(serve(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
