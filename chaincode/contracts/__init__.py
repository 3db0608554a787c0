"""The contracts this chaincode serves. Add new contracts to `all_contracts` only."""

from __future__ import annotations

from fabric_chaincode_python.fabric_contract_api import Contract

from envalue.chaincode.contracts.probe import ProbeContract

__all__ = ["ProbeContract", "all_contracts"]


def all_contracts() -> list[Contract]:
    """Fresh instances of every contract; the first is the default contract."""
    return [ProbeContract()]
