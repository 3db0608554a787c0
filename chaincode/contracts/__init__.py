"""The contracts this chaincode serves. Add new contracts to `all_contracts` only."""

from __future__ import annotations

from fabric_chaincode_python.fabric_contract_api import Contract

from envalue.chaincode.contracts.bridge import BridgeContract
from envalue.chaincode.contracts.credits import CreditsContract
from envalue.chaincode.contracts.measurement import MeasurementContract
from envalue.chaincode.contracts.probe import ProbeContract
from envalue.chaincode.contracts.registry import RegistryContract
from envalue.chaincode.contracts.tokens import TokensContract

__all__ = [
    "BridgeContract",
    "CreditsContract",
    "MeasurementContract",
    "ProbeContract",
    "RegistryContract",
    "TokensContract",
    "all_contracts",
]


def all_contracts() -> list[Contract]:
    """Fresh instances of every contract; the first is the default contract."""
    return [
        ProbeContract(), TokensContract(), CreditsContract(), RegistryContract(),
        MeasurementContract(), BridgeContract(),
    ]
