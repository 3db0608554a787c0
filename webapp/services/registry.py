"""The ledger registry in the portal: sites, equipment, meters and edge devices, and the
governance of methodology and factor versions.

Why two halves: lists come from the off-chain read model (`envalue.readmodel`, filled from
committed blocks; every row keeps its transaction id and block), never from a ledger
scan; writes are the chaincode's own registry messages
(``envalue.chaincode.domain.registry.msg_*``) built into calls by `envalue.ledger.registry`
and submitted as the portal user (`ledger_calls.submit`, which writes the audit entry).
A call is validated before any connection, so bad input is a 400 even while the ledger
is unavailable (503). Who may register or govern what is the chaincode's rule
(`registry.access`, `registry.governance`); the portal's permissions (`webapp.roles`)
only keep the forms away from roles the chaincode would refuse.

Org scoping of the lists: roles holding ``registry.view.all`` (operator, verifier,
auditor: onboarding, review and audit span the consortium) see every org's sites; the
others (customer, municipality, bridge) see the rows whose ``owner_msp`` is their org.
Methodology and factor versions are consortium rules: everyone sees all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from envalue.chaincode.domain.registry import (
    msg_approve_factor,
    msg_approve_methodology,
    msg_propose_factor,
    msg_propose_methodology,
    msg_register_edge_device,
    msg_register_equipment,
    msg_register_meter,
    msg_register_site,
)
from envalue.ledger import registry
from envalue.ledger.messages import LedgerCall
from envalue.readmodel.evidence import approval_progress
from envalue.readmodel.projection import listed
from envalue.readmodel.schema import (
    Device,
    Equipment,
    FactorVersion,
    Meter,
    MethodologyVersion,
    Site,
)

from ..db import PortalUser
from ..roles import allowed
from ..security import require_permission
from .ledger_calls import message, submit
from .readmodel import ReadModelView, read_view

__all__ = [
    "EquipmentView", "SiteView", "approve_factor", "approve_methodology", "governance_view",
    "version_dict",
    "propose_factor", "propose_methodology", "register_edge_device", "register_equipment",
    "register_meter", "register_site", "registry_view", "scope_of", "site_dict",
]

#: at most this many sites per list (ordered by id)
MAX_SITES = 500


# -- reads (read model) -----------------------------------------------------------------
@dataclass(frozen=True)
class EquipmentView:
    """One equipment with its meters and the edge devices reporting for them."""

    equipment: Equipment
    meters: tuple[Meter, ...]
    devices: tuple[Device, ...]


@dataclass(frozen=True)
class SiteView:
    """A site and its equipment; `site` is None for equipment of the org standing at a
    site the read model has not projected or that belongs to another org."""

    site_id: str
    site: Site | None
    equipment: tuple[EquipmentView, ...]


def scope_of(user: PortalUser) -> str:
    """The org whose registry `user` lists, or ``""`` for every org."""
    return "" if allowed(user.role, "registry.view.all") else user.msp_id


def _scoped(query: Any, model: Any, org: str) -> Any:
    return query.where(model.owner_msp == org) if org else query


def _sites(session: Session, org: str) -> dict[str, Any]:
    """Sites with their equipment, meters and devices; devices reporting for no listed
    meter come separately."""
    sites = session.scalars(_scoped(select(Site), Site, org).order_by(Site.site_id)
                            .limit(MAX_SITES)).all()
    equipment = session.scalars(_scoped(select(Equipment), Equipment, org)
                                .order_by(Equipment.equipment_id)).all()
    meters = session.scalars(_scoped(select(Meter), Meter, org).order_by(Meter.meter_id)).all()
    devices = session.scalars(_scoped(select(Device), Device, org)
                              .order_by(Device.device_id)).all()
    meters_of: dict[str, list[Meter]] = {}
    for meter in meters:
        meters_of.setdefault(meter.equipment_id, []).append(meter)
    devices_of: dict[str, list[Device]] = {}
    for device in devices:
        for meter_id in listed(device.meter_ids):
            devices_of.setdefault(meter_id, []).append(device)
    by_site: dict[str, list[EquipmentView]] = {}
    placed: set[str] = set()
    for item in equipment:
        own = meters_of.get(item.equipment_id, [])
        reporting = {d.device_id: d for m in own for d in devices_of.get(m.meter_id, [])}
        placed.update(reporting)
        by_site.setdefault(item.site_id, []).append(EquipmentView(
            item, tuple(own), tuple(reporting[k] for k in sorted(reporting))))
    views = [SiteView(s.site_id, s, tuple(by_site.pop(s.site_id, ()))) for s in sites]
    views += [SiteView(site_id, None, tuple(items)) for site_id, items in sorted(by_site.items())]
    return {"sites": views, "unplaced_devices": [d for d in devices if d.device_id not in placed]}


def _version_key(version: str) -> tuple[int, str]:
    return (int(version), version) if version.isdigit() else (0, version)


def version_dict(row: MethodologyVersion | FactorVersion) -> dict[str, Any]:
    """A governed version as JSON: its fields, the approvals it carries (role, actor, MSP,
    tx id, time) and the roles still missing before it activates."""
    fields = (("name", "version", "title") if isinstance(row, MethodologyVersion)
              else ("series", "factor_id", "version", "unit"))
    return {**{f: getattr(row, f) for f in fields}, "status": row.status,
            "genesis": row.genesis, **approval_progress(row).to_dict(), **_ref(row)}


def _governance(session: Session) -> dict[str, Any]:
    methodologies = session.scalars(select(MethodologyVersion)).all()
    factors = session.scalars(select(FactorVersion)).all()
    return {
        "methodologies": [version_dict(m) for m in sorted(
            methodologies, key=lambda m: (m.name, _version_key(m.version)))],
        "factors": [version_dict(f) for f in sorted(
            factors, key=lambda f: (f.series, f.factor_id, _version_key(f.version)))],
    }


def _view(user: PortalUser | None, read: Any) -> ReadModelView:
    org = scope_of(require_permission(user, "registry.view"))
    return read_view(org, lambda session: read(session, org))


def registry_view(user: PortalUser | None) -> ReadModelView:
    """The page's lists: the user's (or every) org's sites with equipment, meters and
    devices, and the methodology and factor versions with their governance state;
    `owner` is the org the sites are scoped to (``""``: all)."""
    return _view(user, lambda s, org: {**_sites(s, org), **_governance(s)})


def governance_view(user: PortalUser | None) -> ReadModelView:
    """Methodology and factor versions only."""
    return _view(user, lambda s, _org: _governance(s))


def _ref(row: Any) -> dict[str, Any]:
    return {"tx_id": row.tx_id, "block_number": row.block_number}


def site_dict(view: SiteView) -> dict[str, Any]:
    """A site as JSON: its rows' fields, each with its transaction id and block."""
    site = view.site
    return {
        "site_id": view.site_id, "projected": site is not None,
        **({"name": site.name, "owner_msp": site.owner_msp, **_ref(site)} if site else {}),
        "equipment": [{
            "equipment_id": e.equipment.equipment_id, "owner_msp": e.equipment.owner_msp,
            "owner": e.equipment.owner, "equipment_type": e.equipment.equipment_type,
            "methodology": e.equipment.methodology,
            "methodology_version": e.equipment.methodology_version, **_ref(e.equipment),
            "meters": [{"meter_id": m.meter_id, "serial": m.serial,
                        "quantities": listed(m.quantities),
                        "verification_valid_from": m.verification_valid_from,
                        "verification_valid_until": m.verification_valid_until, **_ref(m)}
                       for m in e.meters],
            "devices": [{"device_id": d.device_id, "kind": d.kind, "owner_msp": d.owner_msp,
                         "meter_ids": listed(d.meter_ids), **_ref(d)} for d in e.devices],
        } for e in view.equipment],
    }


# -- writes (ledger) --------------------------------------------------------------------
def _owned(body: Mapping[str, Any], user: PortalUser) -> dict[str, Any]:
    """`body` with ``owner_msp`` defaulting to the user's own org."""
    data = dict(body)
    if data.get("owner_msp") in (None, ""):
        data["owner_msp"] = user.msp_id
    return data


def _run(actor: PortalUser, call: LedgerCall[Any], target: str) -> dict[str, Any]:
    return submit(actor, call.operation, target[:255],
                  lambda s: registry.submit_registry(s, call))


def register_site(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "registry.manage")
    msg = message(msg_register_site.MsgRegisterSite, _owned(body, actor), actor)
    call = registry.register_site_call(msg.site_id, msg.name, msg.owner_msp, msg.address)
    return _run(actor, call, msg.site_id)


def register_equipment(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    """Equipment of ``owner_msp`` (default: the user's org); ``owner`` may name a portal
    user and defaults, on the ledger, to the caller when it registers for its own org."""
    actor = require_permission(user, "registry.manage")
    msg = message(msg_register_equipment.MsgRegisterEquipment, _owned(body, actor), actor,
                  default_owner=False)
    return _run(actor, registry.register_equipment_call(msg), msg.equipment_id)


def register_meter(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "registry.manage")
    msg = message(msg_register_meter.MsgRegisterMeter, body, actor)
    return _run(actor, registry.register_meter_call(msg), msg.meter_id)


def register_edge_device(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "registry.manage")
    msg = message(msg_register_edge_device.MsgRegisterEdgeDevice, _owned(body, actor), actor)
    msg_register_edge_device.validate(msg)  # shapes checked before the builder copies them
    call = registry.register_edge_device_call(msg.device_id, msg.kind, msg.owner_msp,
                                              msg.public_key_pem, msg.meter_ids)
    return _run(actor, call, msg.device_id)


def propose_methodology(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    """A proposal; a ``formula_hash`` given must match the formula (the ledger computes it)."""
    actor = require_permission(user, "registry.govern")
    msg = message(msg_propose_methodology.MsgProposeMethodology, body, actor)
    msg_propose_methodology.validate(msg)  # includes the hash, which the builder does not take
    call = registry.propose_methodology_call(msg.name, msg.version, msg.title, msg.formula,
                                             msg.source, msg.valid_from, msg.valid_until)
    return _run(actor, call, f"{msg.name}@{msg.version}")


def approve_methodology(user: PortalUser | None, name: str, version: str) -> dict[str, Any]:
    actor = require_permission(user, "registry.govern")
    msg = message(msg_approve_methodology.MsgApproveMethodology, {}, actor, name=name,
                  version=version)
    call = registry.approve_methodology_call(msg.name, msg.version)
    return _run(actor, call, f"{msg.name}@{msg.version}")


def propose_factor(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "registry.govern")
    msg = message(msg_propose_factor.MsgProposeFactor, body, actor)
    msg_propose_factor.validate(msg)  # shapes checked before the builder copies them
    call = registry.propose_factor_call(
        msg.series, msg.factor_id, msg.version, msg.kind, msg.unit, msg.values, msg.source,
        valid_from=msg.valid_from, valid_until=msg.valid_until, note=msg.note)
    return _run(actor, call, f"{msg.series}/{msg.factor_id}@{msg.version}")


def approve_factor(user: PortalUser | None, series: str, factor_id: str,
                   version: str) -> dict[str, Any]:
    actor = require_permission(user, "registry.govern")
    msg = message(msg_approve_factor.MsgApproveFactor, {}, actor, series=series,
                  factor_id=factor_id, version=version)
    call = registry.approve_factor_call(msg.series, msg.factor_id, msg.version)
    return _run(actor, call, f"{msg.series}/{msg.factor_id}@{msg.version}")
