"""Start-up of a chaincode-as-a-service process, whichever contracts it serves.

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
from collections.abc import Callable

from fabric_chaincode_python.fabric_contract_api import Contract

from envalue.chaincode.runtime.config import ConfigError, ServerConfig
from envalue.chaincode.runtime.server import ChaincodeServer, build_chaincode
from envalue.chaincode.runtime.tx_logging import configure_logging

__all__ = ["STOP_GRACE_SECONDS", "run_main", "serve_contracts"]

STOP_GRACE_SECONDS = 5.0


async def serve_contracts(contracts: list[Contract], config: ServerConfig,
                          log: logging.Logger, label: str = "chaincode server") -> None:
    """Serve `contracts` (the first is the default) until SIGTERM/SIGINT."""
    server = ChaincodeServer(build_chaincode(contracts), config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await server.start()
    log.info(
        "%s listening address=%s chaincode_id=%s tls=%s mtls=%s",
        label,
        server.listen_address,
        config.chaincode_id,
        config.tls,
        config.mutual_tls,
    )
    await stop.wait()
    log.info("stopping %s", label)
    await server.stop(STOP_GRACE_SECONDS)
    log.info("%s stopped", label)


def run_main(contracts: Callable[[], list[Contract]], log: logging.Logger,
             label: str = "chaincode server") -> int:
    """The process entry point: configure logging, read the environment, serve.

    Returns the exit status: 2 for an invalid configuration, 0 after a clean stop.
    """
    configure_logging(os.environ.get("CHAINCODE_LOG_LEVEL", "INFO").upper())
    try:
        config = ServerConfig.from_env()
    except ConfigError as exc:
        log.error("invalid configuration: %s", exc)
        return 2
    asyncio.run(serve_contracts(contracts(), config, log, label))
    return 0
