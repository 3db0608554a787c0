"""`python -m envalue.chaincode.partner`: the partner ledger's chaincode (wrapped tokens).

A separate chaincode from envalue's own (`envalue.chaincode.__main__`): the partner
network installs it under its own name and never serves envalue's contracts. Same
environment variables and runtime (`envalue.chaincode.runtime.launch`) as envalue's
chaincode.
"""

from __future__ import annotations

import logging
import sys

from fabric_chaincode_python.fabric_contract_api import Contract

from envalue.chaincode.contracts.probe import ProbeContract
from envalue.chaincode.contracts.wrapped import WrappedContract
from envalue.chaincode.runtime import ServerConfig
from envalue.chaincode.runtime.launch import STOP_GRACE_SECONDS, run_main, serve_contracts

__all__ = ["STOP_GRACE_SECONDS", "main", "partner_contracts", "serve"]

_log = logging.getLogger("envalue.chaincode.partner")
_LABEL = "partner chaincode"


def partner_contracts() -> list[Contract]:
    """Fresh instances of the partner chaincode's contracts; the first is the default."""
    return [ProbeContract(), WrappedContract()]


async def serve(config: ServerConfig) -> None:
    """Run the partner chaincode server until SIGTERM/SIGINT."""
    await serve_contracts(partner_contracts(), config, _log, _LABEL)


def main() -> int:
    return run_main(partner_contracts, _log, _LABEL)


if __name__ == "__main__":
    sys.exit(main())
