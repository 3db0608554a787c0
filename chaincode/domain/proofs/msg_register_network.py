"""MsgRegisterNetwork: record (or rotate) another network's MSP roots and verification
policy on this ledger.

Shared by both sides: envalue registers the partner network, the partner registers
envalue. Who may register is each side's decision (`authorise` is the caller's check);
this module validates the trust material: every certificate parses and is a CA, the
policy's organisations all have roots, and the threshold is reachable. Re-registering
replaces the record and bumps its version (root rotation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.rules import require_bool, require_id, require_positive_int
from envalue.chaincode.domain.tokens.state import load_or_none, save

from .state import RemoteNetwork
from .x509chain import ChainError, is_ca, load_certificate

__all__ = [
    "MAX_CERTS_PER_MSP",
    "MAX_MSPS",
    "MsgRegisterNetwork",
    "register",
    "register_foreign",
    "validate",
]

MAX_MSPS = 16
MAX_CERTS_PER_MSP = 8
_CERT_LISTS = ("root_certs", "intermediate_certs")


@dataclass(frozen=True)
class MsgRegisterNetwork:
    network_id: str
    chaincode_name: str
    msps: Mapping[str, Any]
    threshold: int
    orgs: tuple[str, ...]
    peer_only: bool = True


def _validate_certs(value: Any, path: str, required: bool) -> list[str]:
    if value is None and not required:
        return []
    if not isinstance(value, list | tuple) or (required and not value):
        raise ValidationError(path, value, "required", "must be a non-empty array of PEM "
                              "certificates" if required else "must be an array")
    if len(value) > MAX_CERTS_PER_MSP:
        raise ValidationError(path, len(value), "max-items",
                              f"more than {MAX_CERTS_PER_MSP} certificates")
    for i, pem in enumerate(value):
        if not isinstance(pem, str) or len(pem) > 16384:
            raise ValidationError(f"{path}[{i}]", None, "certificate", "must be PEM text")
        try:
            certificate = load_certificate(pem)
        except ChainError as exc:
            raise ValidationError(f"{path}[{i}]", None, "certificate", str(exc)) from exc
        if not is_ca(certificate):
            raise ValidationError(f"{path}[{i}]", None, "ca-certificate",
                                  "is not a CA certificate (basicConstraints ca=true)")
    return list(value)


def validate(msg: MsgRegisterNetwork) -> dict[str, dict[str, list[str]]]:
    """Stateless checks; returns the normalised MSP trust map."""
    require_id(msg.network_id, "network_id")
    require_id(msg.chaincode_name, "chaincode_name")
    if not isinstance(msg.msps, Mapping) or not msg.msps:
        raise ValidationError("msps", msg.msps, "required", "must map MSP IDs to their roots")
    if len(msg.msps) > MAX_MSPS:
        raise ValidationError("msps", len(msg.msps), "max-items", f"more than {MAX_MSPS} MSPs")
    msps: dict[str, dict[str, list[str]]] = {}
    for msp_id, trust in msg.msps.items():
        require_id(msp_id, f"msps.{msp_id}")
        if not isinstance(trust, Mapping) or not set(trust) <= set(_CERT_LISTS):
            raise ValidationError(f"msps.{msp_id}", None, "shape",
                                  "must have root_certs and optional intermediate_certs")
        msps[msp_id] = {
            "root_certs": _validate_certs(trust.get("root_certs"),
                                          f"msps.{msp_id}.root_certs", True),
            "intermediate_certs": _validate_certs(trust.get("intermediate_certs"),
                                                  f"msps.{msp_id}.intermediate_certs", False),
        }
    orgs = list(msg.orgs)
    if not orgs or len(set(orgs)) != len(orgs):
        raise ValidationError("orgs", orgs, "distinct", "must list distinct MSP IDs")
    for i, org in enumerate(orgs):
        if org not in msps:
            raise ValidationError(f"orgs[{i}]", org, "known-msp",
                                  f"{org!r} has no root certificates in msps")
    require_positive_int(msg.threshold, "threshold", unit="organisations")
    if msg.threshold > len(orgs):
        raise ValidationError("threshold", msg.threshold, "reachable",
                              f"{msg.threshold} exceeds the {len(orgs)} listed organisations")
    require_bool(msg.peer_only, "peer_only")
    return msps


async def register(store: Store, ctx: TxContext, msg: MsgRegisterNetwork) -> list[DomainEvent]:
    """Validate and save; the caller has already authorised `ctx.actor`."""
    msps = validate(msg)
    record = RemoteNetwork(
        network_id=msg.network_id, chaincode_name=msg.chaincode_name, msps=msps,
        threshold=msg.threshold, orgs=list(msg.orgs), peer_only=msg.peer_only,
        registered_by=ctx.owner_key, registered_at=ctx.timestamp.isoformat(),
        tx_id=ctx.tx_id,
    )
    previous = await load_or_none(store, RemoteNetwork, record.key())
    if previous is not None:
        record.version = previous.version + 1
    await save(store, record)
    return [DomainEvent("EventRegisterNetwork", {
        "network_id": record.network_id, "chaincode_name": record.chaincode_name,
        "policy": record.policy_text(), "peer_only": record.peer_only,
        "msps": sorted(msps), "version": record.version,
    })]


async def register_foreign(store: Store, ctx: TxContext, msg: MsgRegisterNetwork,
                           local_network_id: str, relation: str) -> list[DomainEvent]:
    """`register`, refusing this ledger's own id (``a network cannot register itself as a
    <relation>``); the caller has already authorised `ctx.actor`."""
    if msg.network_id == local_network_id:
        raise ValidationError("network_id", msg.network_id, "foreign",
                              f"a network cannot register itself as a {relation}")
    return await register(store, ctx, msg)
