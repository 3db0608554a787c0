"""MsgRegisterEquipment: an owner organisation enrolls equipment in a methodology version.

The equipment's methodology version must be registered and active on the ledger, and its
factor bindings and parameters must be the ones that methodology's input mapping reads
(`envalue.chaincode.domain.measurement.mapping`), so that a calculation cannot later fail
for want of a binding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.store import Store

from .access import require_acts_for
from .fields import (
    message_from_dict,
    require_date,
    require_decimal,
    require_id,
    require_mapping,
    require_msp,
    require_owner_key,
    require_sha256,
    require_text,
)
from .governance import require_active_methodology
from .state import Equipment, Site, load, load_or_none, save

__all__ = ["EQUIPMENT_TYPES", "MsgRegisterEquipment", "apply", "validate"]

EQUIPMENT_TYPES: tuple[str, ...] = ("boiler", "pv_array", "battery", "compressor", "other")


@dataclass(frozen=True)
class MsgRegisterEquipment:
    equipment_id: str
    site_id: str
    owner_msp: str
    equipment_type: str
    rated_capacity: str
    capacity_unit: str
    commissioning_date: str
    methodology: str
    methodology_version: str
    owner: str = ""
    efficiency: str = ""
    factor_bindings: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    spec_documents: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Any) -> MsgRegisterEquipment:
        return message_from_dict(cls, data)


def validate(msg: MsgRegisterEquipment) -> None:
    """Stateless checks, including the methodology's binding and parameter needs."""
    # Imported here: measurement builds on registry, not the other way round at load time.
    from envalue.chaincode.domain.measurement.mapping import check_enrollment

    require_id(msg.equipment_id, "equipment_id")
    require_id(msg.site_id, "site_id")
    require_msp(msg.owner_msp, "owner_msp")
    if msg.owner:
        require_owner_key(msg.owner, "owner", msp=msg.owner_msp)
    if msg.equipment_type not in EQUIPMENT_TYPES:
        raise ValidationError(
            "equipment_type", msg.equipment_type, "equipment-type",
            f"must be one of {', '.join(EQUIPMENT_TYPES)}",
        )
    require_decimal(msg.rated_capacity, "rated_capacity", exclusive=True)
    require_text(msg.capacity_unit, "capacity_unit")
    if msg.efficiency != "":
        value = Decimal(require_decimal(msg.efficiency, "efficiency", exclusive=True))
        if value > 1:
            raise ValidationError(
                "efficiency", msg.efficiency, "efficiency-range", "must be a fraction in (0, 1]"
            )
    require_date(msg.commissioning_date, "commissioning_date")
    require_id(msg.methodology, "methodology")
    require_id(msg.methodology_version, "methodology_version")
    for name, raw in require_mapping(msg.factor_bindings, "factor_bindings").items():
        require_id(raw, f"factor_bindings.{name}")
    for name, raw in require_mapping(msg.parameters, "parameters").items():
        require_decimal(raw, f"parameters.{name}")
    for name, raw in require_mapping(msg.spec_documents, "spec_documents").items():
        require_text(name, "spec_documents")
        require_sha256(raw, f"spec_documents.{name}")
    check_enrollment(msg.methodology, msg.factor_bindings, msg.parameters)


async def apply(store: Store, ctx: TxContext, msg: MsgRegisterEquipment) -> list[DomainEvent]:
    """Create the equipment record (owner defaults to the caller when it registers its own)."""
    validate(msg)
    require_acts_for(ctx, msg.owner_msp, f"register equipment {msg.equipment_id!r}")
    if await load_or_none(store, Equipment, msg.equipment_id) is not None:
        raise ConflictError(
            "equipment_id", msg.equipment_id, "unique", "equipment is already registered"
        )
    await load(store, Site, msg.site_id, field_name="site_id", what="site")
    await require_active_methodology(store, msg.methodology, msg.methodology_version)
    owner = msg.owner
    if not owner:
        if ctx.actor.msp_id != msg.owner_msp:
            raise ValidationError(
                "owner", None, "required",
                "is required when registering for another organisation",
            )
        owner = ctx.owner_key
    await save(store, Equipment(
        equipment_id=msg.equipment_id, site_id=msg.site_id, owner_msp=msg.owner_msp,
        owner=owner, equipment_type=msg.equipment_type,
        rated_capacity=require_decimal(msg.rated_capacity, "rated_capacity"),
        capacity_unit=msg.capacity_unit,
        efficiency=require_decimal(msg.efficiency, "efficiency") if msg.efficiency else "",
        commissioning_date=msg.commissioning_date, methodology=msg.methodology,
        methodology_version=msg.methodology_version,
        factor_bindings=dict(msg.factor_bindings),
        parameters={k: require_decimal(v, k) for k, v in msg.parameters.items()},
        spec_documents=dict(msg.spec_documents),
        registered_by=ctx.owner_key, registered_at=format_timestamp(ctx.timestamp),
        tx_id=ctx.tx_id,
    ))
    return [DomainEvent("EventRegisterEquipment", {
        "equipment_id": msg.equipment_id, "site_id": msg.site_id, "owner_msp": msg.owner_msp,
        "methodology": msg.methodology, "methodology_version": msg.methodology_version,
    })]
