"""`python -m envalue.chaincode`: serve all contracts as chaincode-as-a-service.

Environment and signals: `envalue.chaincode.runtime.launch`.
"""

from __future__ import annotations

import logging
import sys

from envalue.chaincode.contracts import all_contracts
from envalue.chaincode.runtime import ServerConfig
from envalue.chaincode.runtime.launch import STOP_GRACE_SECONDS, run_main, serve_contracts

__all__ = ["STOP_GRACE_SECONDS", "main", "serve"]

_log = logging.getLogger("envalue.chaincode")


async def serve(config: ServerConfig) -> None:
    """Run the server until SIGTERM/SIGINT."""
    await serve_contracts(all_contracts(), config, _log)


def main() -> int:
    return run_main(all_contracts, _log)


if __name__ == "__main__":
    sys.exit(main())
