"""MsgRegisterMeter: a measuring device of an equipment, with its verification validity.

Each channel's quantity must be a platform quantity and its unit that quantity's
canonical unit (`measurement.quantities`), the unit batch totals are expressed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.measurement.quantities import check_quantity_unit
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.store import Store, composite_key

from .access import require_acts_for
from .fields import (
    message_from_dict,
    require_id,
    require_int,
    require_list,
    require_mapping,
    require_text,
    require_timestamp,
)
from .state import METER_OF, Equipment, Meter, load, load_or_none, save

__all__ = ["MsgRegisterMeter", "apply", "validate"]


@dataclass(frozen=True)
class MsgRegisterMeter:
    meter_id: str
    equipment_id: str
    serial: str
    quantities: list[dict[str, str]]
    accuracy_class: str
    verification_valid_from: str
    verification_valid_until: str
    counter_capacity: int | None = None

    @classmethod
    def from_dict(cls, data: Any) -> MsgRegisterMeter:
        return message_from_dict(cls, data)


def validate(msg: MsgRegisterMeter) -> None:
    """Stateless checks: ids, channels, validity span, counter capacity."""
    require_id(msg.meter_id, "meter_id")
    require_id(msg.equipment_id, "equipment_id")
    require_text(msg.serial, "serial")
    seen: set[str] = set()
    for index, channel in enumerate(require_list(msg.quantities, "quantities", min_items=1,
                                                 max_items=16)):
        path = f"quantities[{index}]"
        item = require_mapping(channel, path)
        if set(item) != {"quantity", "unit"}:
            raise ValidationError(
                path, dict(item), "channel", "must have exactly quantity and unit"
            )
        check_quantity_unit(item["quantity"], item["unit"], path)
        if item["quantity"] in seen:
            raise ValidationError(
                f"{path}.quantity", item["quantity"], "unique", "channel appears twice"
            )
        seen.add(item["quantity"])
    require_text(msg.accuracy_class, "accuracy_class")
    start = require_timestamp(msg.verification_valid_from, "verification_valid_from")
    end = require_timestamp(msg.verification_valid_until, "verification_valid_until")
    if end <= start:
        raise ValidationError(
            "verification_valid_until", msg.verification_valid_until, "after-start",
            "must be later than verification_valid_from",
        )
    if msg.counter_capacity is not None:
        require_int(msg.counter_capacity, "counter_capacity", minimum=1)


async def apply(store: Store, ctx: TxContext, msg: MsgRegisterMeter) -> list[DomainEvent]:
    """Create the meter and its equipment index entry."""
    validate(msg)
    equipment = await load(
        store, Equipment, msg.equipment_id, field_name="equipment_id", what="equipment"
    )
    require_acts_for(ctx, equipment.owner_msp, f"register meter {msg.meter_id!r}")
    if await load_or_none(store, Meter, msg.meter_id) is not None:
        raise ConflictError("meter_id", msg.meter_id, "unique", "meter is already registered")
    await save(store, Meter(
        meter_id=msg.meter_id, equipment_id=msg.equipment_id, serial=msg.serial,
        quantities=[{"quantity": c["quantity"], "unit": c["unit"]} for c in msg.quantities],
        accuracy_class=msg.accuracy_class,
        verification_valid_from=require_timestamp(msg.verification_valid_from, ""),
        verification_valid_until=require_timestamp(msg.verification_valid_until, ""),
        counter_capacity=msg.counter_capacity,
        registered_by=ctx.owner_key, registered_at=format_timestamp(ctx.timestamp),
        tx_id=ctx.tx_id,
    ))
    await store.put(composite_key(METER_OF, msg.equipment_id, msg.meter_id), b"{}")
    return [DomainEvent("EventRegisterMeter", {
        "meter_id": msg.meter_id, "equipment_id": msg.equipment_id,
        "quantities": [c["quantity"] for c in msg.quantities],
    })]
