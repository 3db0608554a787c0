"""The ledger registry from a client: sites, equipment, meters, edge devices, and the
two-party governance of methodology and factor versions.

Same shape as `tokens` and `credits`: a pure ``*_call`` builder per chaincode message
(the message dataclass of ``envalue.chaincode.domain.registry.msg_*``, checked with its
module's ``validate``, encoded for ``contracts/registry.py``), query builders decoding
the registry's own records, and a domain function running each in a `LedgerSession`.
Who may register what is the chaincode's rule (`registry.access`); a builder only
checks what can be checked without the ledger.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.domain.registry import (
    msg_approve_factor,
    msg_approve_methodology,
    msg_bootstrap,
    msg_propose_factor,
    msg_propose_methodology,
    msg_register_edge_device,
    msg_register_equipment,
    msg_register_meter,
    msg_register_site,
)
from envalue.chaincode.domain.registry.fields import require_id
from envalue.chaincode.domain.registry.governance import require_version
from envalue.chaincode.domain.registry.msg_register_equipment import MsgRegisterEquipment
from envalue.chaincode.domain.registry.msg_register_meter import MsgRegisterMeter
from envalue.chaincode.domain.registry.state import (
    EdgeDevice,
    Equipment,
    FactorVersion,
    Meter,
    MethodologyVersion,
    Record,
    Site,
)

from .messages import LedgerCall, TxResult, query_call, submit_call
from .session import LedgerSession

__all__ = [
    "MsgRegisterEquipment",
    "MsgRegisterMeter",
    "approve_factor_call",
    "approve_methodology_call",
    "bootstrap_call",
    "edge_device_call",
    "equipment_call",
    "factor_call",
    "meter_call",
    "methodology_call",
    "propose_factor_call",
    "propose_methodology_call",
    "register_edge_device_call",
    "register_equipment_call",
    "register_meter_call",
    "register_site_call",
    "site_call",
    "submit_registry",
]

REGISTRY = "registry"


# -- builders: message in, validated call out -------------------------------------------
def bootstrap_call() -> LedgerCall[Any]:
    """The genesis transaction (built-in methodologies and factors as active v1).

    The contract function takes no argument: the message is empty by definition."""
    message = msg_bootstrap.MsgBootstrap()
    msg_bootstrap.validate(message)
    return LedgerCall(REGISTRY, "bootstrap", (), True, message)


def register_site_call(site_id: str, name: str, owner_msp: str,
                       address: str = "") -> LedgerCall[Any]:
    message = msg_register_site.MsgRegisterSite(site_id, name, owner_msp, address)
    return submit_call(REGISTRY, "register_site", message, msg_register_site.validate)


def register_equipment_call(message: MsgRegisterEquipment) -> LedgerCall[Any]:
    """Equipment enrolled in a methodology version (bindings and parameters checked
    against the methodology's input mapping before anything is sent)."""
    return submit_call(REGISTRY, "register_equipment", message,
                       msg_register_equipment.validate)


def register_meter_call(message: MsgRegisterMeter) -> LedgerCall[Any]:
    return submit_call(REGISTRY, "register_meter", message, msg_register_meter.validate)


def register_edge_device_call(device_id: str, kind: str, owner_msp: str, public_key_pem: str,
                              meter_ids: Sequence[str]) -> LedgerCall[Any]:
    message = msg_register_edge_device.MsgRegisterEdgeDevice(
        device_id, kind, owner_msp, public_key_pem, list(meter_ids))
    return submit_call(REGISTRY, "register_edge_device", message,
                       msg_register_edge_device.validate)


def propose_methodology_call(name: str, version: str, title: str, formula: str, source: str,
                             valid_from: str = "", valid_until: str = "") -> LedgerCall[Any]:
    message = msg_propose_methodology.MsgProposeMethodology(
        name, version, title, formula, source, valid_from, valid_until)
    return submit_call(REGISTRY, "propose_methodology", message,
                       msg_propose_methodology.validate)


def approve_methodology_call(name: str, version: str) -> LedgerCall[Any]:
    message = msg_approve_methodology.MsgApproveMethodology(name, version)
    return submit_call(REGISTRY, "approve_methodology", message,
                       msg_approve_methodology.validate)


def propose_factor_call(series: str, factor_id: str, version: str, kind: str, unit: str,
                        values: Mapping[str, str], source: str, *, valid_from: str = "",
                        valid_until: str = "", note: str = "") -> LedgerCall[Any]:
    message = msg_propose_factor.MsgProposeFactor(
        series, factor_id, version, kind, unit, dict(values), source, valid_from,
        valid_until, note)
    return submit_call(REGISTRY, "propose_factor", message, msg_propose_factor.validate)


def approve_factor_call(series: str, factor_id: str, version: str) -> LedgerCall[Any]:
    message = msg_approve_factor.MsgApproveFactor(series, factor_id, version)
    return submit_call(REGISTRY, "approve_factor", message, msg_approve_factor.validate)


# -- queries: the registry's own records ------------------------------------------------
def _record(cls: type[Record]) -> Any:
    return lambda raw: cls.from_dict(loads(raw))


def site_call(site_id: str) -> LedgerCall[Site]:
    return query_call(REGISTRY, "get_site", require_id(site_id, "site_id"),
                      decode=_record(Site))


def equipment_call(equipment_id: str) -> LedgerCall[Equipment]:
    return query_call(REGISTRY, "get_equipment", require_id(equipment_id, "equipment_id"),
                      decode=_record(Equipment))


def meter_call(meter_id: str) -> LedgerCall[Meter]:
    return query_call(REGISTRY, "get_meter", require_id(meter_id, "meter_id"),
                      decode=_record(Meter))


def edge_device_call(device_id: str) -> LedgerCall[EdgeDevice]:
    return query_call(REGISTRY, "get_edge_device", require_id(device_id, "device_id"),
                      decode=_record(EdgeDevice))


def methodology_call(name: str, version: str) -> LedgerCall[MethodologyVersion]:
    return query_call(REGISTRY, "get_methodology", require_id(name, "name"),
                      require_version(version, "version"), decode=_record(MethodologyVersion))


def factor_call(series: str, factor_id: str, version: str) -> LedgerCall[FactorVersion]:
    return query_call(REGISTRY, "get_factor", require_id(series, "series"),
                      require_id(factor_id, "factor_id"), require_version(version, "version"),
                      decode=_record(FactorVersion))


# -- domain function: every registry write is one transaction ---------------------------
def submit_registry(session: LedgerSession, call: LedgerCall[Any]) -> TxResult:
    """Submit a registry call built above, signed by the session's identity (the
    chaincode checks that it acts for the owner organisation, or governs)."""
    if call.contract != REGISTRY or not call.submit:
        raise ValueError(f"{call.operation} is not a registry transaction")
    return session.submit(call)
