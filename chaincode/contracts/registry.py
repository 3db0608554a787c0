"""`registry`: sites, equipment, meters, edge devices, and methodology/factor governance.

Thin: each function parses one JSON message (`quantity.loads`: no binary floats), takes
the caller, tx id and timestamp from the proposal, calls the domain
(`envalue.chaincode.domain.registry`), sets the transaction's one event (all domain
events together, named after the function) and returns the event payload as JSON.
Queries return records as JSON.
"""

from __future__ import annotations

from envalue.chaincode.contracts.common import EnvalueContract, dumps, execute
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

__all__ = ["RegistryContract"]


def _record(record: Record) -> str:
    return dumps(record.to_dict())


class RegistryContract(EnvalueContract):
    """Contract `registry`."""

    Name = "registry"

    def get_evaluate_transactions(self) -> list[str]:
        return ["get_site", "get_equipment", "get_meter", "get_edge_device",
                "get_methodology", "get_factor"]

    async def bootstrap(self, ctx: EnvalueContext) -> str:
        return await execute(ctx, msg_bootstrap.apply, msg_bootstrap.MsgBootstrap())

    async def register_site(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_register_site.apply,
                             msg_register_site.MsgRegisterSite.from_dict(loads(msg)))

    async def register_equipment(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_register_equipment.apply,
                             msg_register_equipment.MsgRegisterEquipment.from_dict(loads(msg)))

    async def register_meter(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_register_meter.apply,
                             msg_register_meter.MsgRegisterMeter.from_dict(loads(msg)))

    async def register_edge_device(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_register_edge_device.apply,
                             msg_register_edge_device.MsgRegisterEdgeDevice.from_dict(loads(msg)))

    async def propose_methodology(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_propose_methodology.apply,
                             msg_propose_methodology.MsgProposeMethodology.from_dict(loads(msg)))

    async def approve_methodology(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_approve_methodology.apply,
                             msg_approve_methodology.MsgApproveMethodology.from_dict(loads(msg)))

    async def propose_factor(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_propose_factor.apply,
                             msg_propose_factor.MsgProposeFactor.from_dict(loads(msg)))

    async def approve_factor(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_approve_factor.apply,
                             msg_approve_factor.MsgApproveFactor.from_dict(loads(msg)))

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
