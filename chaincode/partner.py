"""`python -m envalue.chaincode.partner`: the partner ledger's chaincode (wrapped tokens).

A separate chaincode from envalue's own (`envalue.chaincode.__main__`): the partner
network installs it under its own name and never serves envalue's contracts. Same
environment variables and runtime (`ServerConfig.from_env`) as envalue's chaincode.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from fabric_chaincode_python.fabric_contract_api import Contract

from envalue.chaincode.contracts.probe import ProbeContract
from envalue.chaincode.contracts.wrapped import WrappedContract
from envalue.chaincode.runtime import (
    ChaincodeServer,
    ConfigError,
    ServerConfig,
    build_chaincode,
    configure_logging,
)

__all__ = ["main", "partner_contracts", "serve"]

_log = logging.getLogger("envalue.chaincode.partner")
STOP_GRACE_SECONDS = 5.0


def partner_contracts() -> list[Contract]:
    """Fresh instances of the partner chaincode's contracts; the first is the default."""
    return [ProbeContract(), WrappedContract()]


async def serve(config: ServerConfig) -> None:
    """Run the partner chaincode server until SIGTERM/SIGINT."""
    server = ChaincodeServer(build_chaincode(partner_contracts()), config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await server.start()
    _log.info("partner chaincode listening address=%s chaincode_id=%s",
              server.listen_address, config.chaincode_id)
    await stop.wait()
    await server.stop(STOP_GRACE_SECONDS)


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
