"""`registry`: sites, equipment, meters, edge devices, and methodology/factor governance.

Thin: each function parses one JSON message (`quantity.loads`: no binary floats), takes
the caller, tx id and timestamp from the proposal, calls the domain
(`envalue.chaincode.domain.registry`), sets the transaction's one event (all domain
events together, named after the function) and returns the event payload as JSON.
Queries return records as JSON.
"""

from __future__ import annotations

import json
from typing import Any

from fabric_chaincode_python.fabric_contract_api import Contract

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent, encode_events
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
from envalue.chaincode.domain.registry.state import (
    EdgeDevice,
    Equipment,
    FactorVersion,
    Meter,
    MethodologyVersion,
    Record,
    Site,
    load,
)
from envalue.chaincode.runtime.context import EnvalueContext

__all__ = ["RegistryContract", "dumps", "emit", "tx_context"]


def tx_context(ctx: EnvalueContext) -> TxContext:
    """The domain's view of the transaction: id, proposal timestamp, caller."""
    return TxContext(ctx.get_stub().get_txid(), ctx.timestamp, ctx.actor)


def emit(ctx: EnvalueContext, events: list[DomainEvent]) -> str:
    """Set the transaction's one chaincode event and return its payload."""
    name, payload = encode_events(ctx.function, events)
    ctx.set_event(name, payload)
    return payload.decode("utf-8")


def dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def _record(record: Record) -> str:
    return dumps(record.to_dict())


class RegistryContract(Contract):
    """Contract `registry`."""

    Name = "registry"
    TransactionContextHandler = EnvalueContext

    def get_evaluate_transactions(self) -> list[str]:
        return ["get_site", "get_equipment", "get_meter", "get_edge_device",
                "get_methodology", "get_factor"]

    async def bootstrap(self, ctx: EnvalueContext) -> str:
        msg = msg_bootstrap.MsgBootstrap()
        return emit(ctx, await msg_bootstrap.apply(ctx.store, tx_context(ctx), msg))

    async def register_site(self, ctx: EnvalueContext, msg: str) -> str:
        m = msg_register_site.MsgRegisterSite.from_dict(loads(msg))
        return emit(ctx, await msg_register_site.apply(ctx.store, tx_context(ctx), m))

    async def register_equipment(self, ctx: EnvalueContext, msg: str) -> str:
        m = msg_register_equipment.MsgRegisterEquipment.from_dict(loads(msg))
        return emit(ctx, await msg_register_equipment.apply(ctx.store, tx_context(ctx), m))

    async def register_meter(self, ctx: EnvalueContext, msg: str) -> str:
        m = msg_register_meter.MsgRegisterMeter.from_dict(loads(msg))
        return emit(ctx, await msg_register_meter.apply(ctx.store, tx_context(ctx), m))

    async def register_edge_device(self, ctx: EnvalueContext, msg: str) -> str:
        m = msg_register_edge_device.MsgRegisterEdgeDevice.from_dict(loads(msg))
        return emit(ctx, await msg_register_edge_device.apply(ctx.store, tx_context(ctx), m))

    async def propose_methodology(self, ctx: EnvalueContext, msg: str) -> str:
        m = msg_propose_methodology.MsgProposeMethodology.from_dict(loads(msg))
        return emit(ctx, await msg_propose_methodology.apply(ctx.store, tx_context(ctx), m))

    async def approve_methodology(self, ctx: EnvalueContext, msg: str) -> str:
        m = msg_approve_methodology.MsgApproveMethodology.from_dict(loads(msg))
        return emit(ctx, await msg_approve_methodology.apply(ctx.store, tx_context(ctx), m))

    async def propose_factor(self, ctx: EnvalueContext, msg: str) -> str:
        m = msg_propose_factor.MsgProposeFactor.from_dict(loads(msg))
        return emit(ctx, await msg_propose_factor.apply(ctx.store, tx_context(ctx), m))

    async def approve_factor(self, ctx: EnvalueContext, msg: str) -> str:
        m = msg_approve_factor.MsgApproveFactor.from_dict(loads(msg))
        return emit(ctx, await msg_approve_factor.apply(ctx.store, tx_context(ctx), m))

    async def get_site(self, ctx: EnvalueContext, site_id: str) -> str:
        return _record(await load(ctx.store, Site, site_id, field_name="site_id", what="site"))

    async def get_equipment(self, ctx: EnvalueContext, equipment_id: str) -> str:
        return _record(await load(ctx.store, Equipment, equipment_id,
                                  field_name="equipment_id", what="equipment"))

    async def get_meter(self, ctx: EnvalueContext, meter_id: str) -> str:
        return _record(await load(ctx.store, Meter, meter_id, field_name="meter_id",
                                  what="meter"))

    async def get_edge_device(self, ctx: EnvalueContext, device_id: str) -> str:
        return _record(await load(ctx.store, EdgeDevice, device_id, field_name="device_id",
                                  what="edge device"))

    async def get_methodology(self, ctx: EnvalueContext, name: str, version: str) -> str:
        return _record(await load(ctx.store, MethodologyVersion, name, version,
                                  field_name="version", what="methodology version"))

    async def get_factor(
        self, ctx: EnvalueContext, series: str, factor_id: str, version: str
    ) -> str:
        return _record(await load(ctx.store, FactorVersion, series, factor_id, version,
                                  field_name="version", what="factor version"))
