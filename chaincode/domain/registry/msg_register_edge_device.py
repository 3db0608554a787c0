"""MsgRegisterEdgeDevice: a gateway or logger and the ECDSA P-256 key it signs batches with.

The caller must act for the owner organisation of every meter the device is allowed to
report for (a platform operator may do this for anyone, e.g. for ILIPS gateways the
platform runs on customers' boilers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.measurement.signature import load_public_key, public_key_fingerprint
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.store import Store

from .access import require_acts_for
from .fields import message_from_dict, require_id, require_list, require_msp
from .state import EdgeDevice, Equipment, Meter, load, load_or_none, save

__all__ = ["DEVICE_KINDS", "MsgRegisterEdgeDevice", "apply", "validate"]

#: ``gateway``: an ILIPS-style gateway on the equipment; ``logger``: a PUSHLOG-style
#: retrofit logger reading an existing meter.
DEVICE_KINDS: tuple[str, ...] = ("gateway", "logger")


@dataclass(frozen=True)
class MsgRegisterEdgeDevice:
    device_id: str
    kind: str
    owner_msp: str
    public_key_pem: str
    meter_ids: list[str]

    @classmethod
    def from_dict(cls, data: Any) -> MsgRegisterEdgeDevice:
        return message_from_dict(cls, data)


def validate(msg: MsgRegisterEdgeDevice) -> None:
    """Stateless checks, including that the key is an ECDSA P-256 public key."""
    require_id(msg.device_id, "device_id")
    if msg.kind not in DEVICE_KINDS:
        raise ValidationError("kind", msg.kind, "device-kind",
                              f"must be one of {', '.join(DEVICE_KINDS)}")
    require_msp(msg.owner_msp, "owner_msp")
    load_public_key(msg.public_key_pem, "public_key_pem")
    ids = require_list(msg.meter_ids, "meter_ids", min_items=1, max_items=64)
    for index, meter_id in enumerate(ids):
        require_id(meter_id, f"meter_ids[{index}]")
    if len(set(ids)) != len(ids):
        raise ValidationError("meter_ids", ids, "unique", "lists a meter twice")


async def apply(store: Store, ctx: TxContext, msg: MsgRegisterEdgeDevice) -> list[DomainEvent]:
    """Create the device record."""
    validate(msg)
    require_acts_for(ctx, msg.owner_msp, f"register edge device {msg.device_id!r}")
    if await load_or_none(store, EdgeDevice, msg.device_id) is not None:
        raise ConflictError("device_id", msg.device_id, "unique", "device is already registered")
    for index, meter_id in enumerate(msg.meter_ids):
        field_name = f"meter_ids[{index}]"
        meter = await load(store, Meter, meter_id, field_name=field_name, what="meter")
        equipment = await load(store, Equipment, meter.equipment_id, field_name=field_name,
                               what="equipment")
        require_acts_for(ctx, equipment.owner_msp,
                         f"let device {msg.device_id!r} report for meter {meter_id!r}", field_name)
    await save(store, EdgeDevice(
        device_id=msg.device_id, kind=msg.kind, owner_msp=msg.owner_msp,
        public_key_pem=msg.public_key_pem,
        key_fingerprint=public_key_fingerprint(msg.public_key_pem),
        meter_ids=list(msg.meter_ids),
        registered_by=ctx.owner_key, registered_at=format_timestamp(ctx.timestamp),
        tx_id=ctx.tx_id,
    ))
    return [DomainEvent("EventRegisterEdgeDevice", {
        "device_id": msg.device_id, "kind": msg.kind, "meter_ids": list(msg.meter_ids),
    })]
