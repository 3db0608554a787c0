"""The registry: sites with their equipment, meters and edge devices (listed from the read
model), their registration, and the two-party governance of methodology and factor
versions.

Bodies are the chaincode's registry messages (``envalue.chaincode.domain.registry.msg_*``)
as JSON, ``owner_msp`` defaulting to the caller's org and ``owner`` accepting a portal user
name; answers as in `tokens` (200 committed transaction, problem+json 400/401/403/409/
422/503). The list is scoped like the portal page (`webapp.services.registry`).
"""

from __future__ import annotations

from typing import Any

from flask import g

from envalue.chaincode.domain.measurement.quantities import FUEL_UNITS
from envalue.chaincode.domain.registry.msg_propose_factor import FACTOR_KINDS
from envalue.chaincode.domain.registry.msg_propose_methodology import MAX_FORMULA_LENGTH
from envalue.chaincode.domain.registry.msg_register_edge_device import DEVICE_KINDS
from envalue.chaincode.domain.registry.msg_register_equipment import EQUIPMENT_TYPES
from envalue.chaincode.identity import MSP_IDS

from ...security import api_auth_required
from ...services import registry
from ...services.readmodel import lag_json
from ..operation import closed_object
from . import blueprint
from ._body import json_body
from .tokens import ID, TEXT, holder_field, ledger_operation

_MSP = {"type": "string", "enum": sorted(MSP_IDS),
        "description": "owner organisation (default: yours)"}
_VERSION = {"type": "string", "pattern": "^[1-9][0-9]{0,5}$"}
_DATE = {"type": "string", "format": "date"}
_DECIMAL = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}
_TIMESTAMP = {"type": "string", "format": "date-time"}
_NAMED = {"type": "object", "additionalProperties": {"type": "string"}}
_REF = {"tx_id": {"type": "string"}, "block_number": {"type": "integer"}}
_SITES = {"type": "object", "properties": {
    "scope": {"type": "string", "description": "the org listed ('' = every org)"},
    "items": {"type": "array", "items": {"type": "object", "properties": {
        "site_id": {"type": "string"}, "name": {"type": "string"},
        "owner_msp": {"type": "string"}, "projected": {"type": "boolean"}, **_REF,
        "equipment": {"type": "array", "items": {"type": "object", "properties": {
            "equipment_id": {"type": "string"}, "equipment_type": {"type": "string"},
            "methodology": {"type": "string"}, "methodology_version": {"type": "string"},
            **_REF,
            "meters": {"type": "array", "items": {"type": "object"}},
            "devices": {"type": "array", "items": {"type": "object"}}}}}}}},
    "unplaced_devices": {"type": "array", "items": {"type": "object"}},
    "read_model": {"type": "object"}}}


_APPROVAL = {"type": "object", "properties": {
    "role": {"type": "string"}, "actor": {"type": "string"}, "msp_id": {"type": "string"},
    "tx_id": {"type": "string"}, "at": {"type": "string"}}}
_GOVERNED = {"status": {"type": "string", "enum": ["proposed", "active"]},
             "approvals": {"type": "array", "items": _APPROVAL},
             "missing_roles": {"type": "array", "items": {"type": "string"}},
             "genesis": {"type": "boolean", "description": "active from the bootstrap"},
             "complete": {"type": "boolean"}, **_REF}
_GOVERNANCE = {"type": "object", "properties": {
    "methodologies": {"type": "array", "items": {"type": "object", "properties": {
        "name": {"type": "string"}, "version": {"type": "string"},
        "title": {"type": "string"}, **_GOVERNED}}},
    "factors": {"type": "array", "items": {"type": "object", "properties": {
        "series": {"type": "string"}, "factor_id": {"type": "string"},
        "version": {"type": "string"}, "unit": {"type": "string"}, **_GOVERNED}}},
    "read_model": {"type": "object"}}}



@blueprint.get("/registry/sites")
@api_auth_required("registry.view")
@ledger_operation("Sites with their equipment, meters and edge devices, from the read model "
                  "(customers and municipalities: their org's; operators, verifiers and "
                  "auditors: every org's)", tag="registry", method="get", result=_SITES)
def sites() -> dict[str, Any]:
    view = registry.registry_view(g.api_user)
    lists = view.lists
    return {"scope": view.owner, "items": [registry.site_dict(s) for s in lists["sites"]],
            "unplaced_devices": [{"device_id": d.device_id, "kind": d.kind,
                                  "owner_msp": d.owner_msp, "meter_ids": d.meter_ids,
                                  "tx_id": d.tx_id, "block_number": d.block_number}
                                 for d in lists["unplaced_devices"]],
            "read_model": lag_json(view.lag)}


@blueprint.get("/registry/governance")
@api_auth_required("registry.view")
@ledger_operation("Methodology and factor versions with their governance progress: the "
                  "approvals each carries (role, actor, tx id, time) and the roles still "
                  "missing before it activates (a PlatformMSP operator and a verifier), from "
                  "the read model", tag="registry", method="get", result=_GOVERNANCE)
def governance() -> dict[str, Any]:
    view = registry.governance_view(g.api_user)
    return {**view.lists, "read_model": lag_json(view.lag)}


@blueprint.post("/registry/sites")
@api_auth_required("registry.view")
@ledger_operation("Register a site (registry:register_site)", tag="registry", body=closed_object(
    {"site_id": ID, "name": TEXT, "owner_msp": _MSP, "address": TEXT}, ["site_id", "name"]))
def register_site() -> dict[str, Any]:
    return registry.register_site(g.api_user, json_body())


@blueprint.post("/registry/equipment")
@api_auth_required("registry.view")
@ledger_operation("Register equipment in an active methodology version "
                  "(registry:register_equipment)", tag="registry", body=closed_object({
                      "equipment_id": ID, "site_id": ID, "owner_msp": _MSP,
                      "owner": holder_field("owner (default: you, for your own org)"),
                      "equipment_type": {"type": "string", "enum": list(EQUIPMENT_TYPES)},
                      "rated_capacity": _DECIMAL, "capacity_unit": TEXT,
                      "efficiency": _DECIMAL, "commissioning_date": _DATE,
                      "methodology": ID, "methodology_version": _VERSION,
                      "factor_bindings": _NAMED, "parameters": _NAMED,
                      "spec_documents": _NAMED},
                      ["equipment_id", "site_id", "equipment_type", "rated_capacity",
                       "capacity_unit", "commissioning_date", "methodology",
                       "methodology_version"]))
def register_equipment() -> dict[str, Any]:
    return registry.register_equipment(g.api_user, json_body())


@blueprint.post("/registry/meters")
@api_auth_required("registry.view")
@ledger_operation("Register a meter of an equipment (registry:register_meter)",
                  tag="registry", body=closed_object({
                      "meter_id": ID, "equipment_id": ID, "serial": TEXT,
                      "quantities": {"type": "array", "minItems": 1, "maxItems": 16,
                                     "items": closed_object({"quantity": ID, "unit": TEXT},
                                                      ["quantity", "unit"])},
                      "accuracy_class": TEXT, "verification_valid_from": _TIMESTAMP,
                      "verification_valid_until": _TIMESTAMP,
                      "counter_capacity": {"type": "integer", "minimum": 1}},
                      ["meter_id", "equipment_id", "serial", "quantities", "accuracy_class",
                       "verification_valid_from", "verification_valid_until"]))
def register_meter() -> dict[str, Any]:
    return registry.register_meter(g.api_user, json_body())


@blueprint.post("/registry/devices")
@api_auth_required("registry.view")
@ledger_operation("Register an edge device and its ECDSA P-256 signing key "
                  "(registry:register_edge_device)", tag="registry", body=closed_object({
                      "device_id": ID, "kind": {"type": "string", "enum": list(DEVICE_KINDS)},
                      "owner_msp": _MSP, "public_key_pem": {"type": "string"},
                      "meter_ids": {"type": "array", "minItems": 1, "maxItems": 64,
                                    "items": ID}},
                      ["device_id", "kind", "public_key_pem", "meter_ids"]))
def register_device() -> dict[str, Any]:
    return registry.register_edge_device(g.api_user, json_body())


@blueprint.post("/registry/methodologies")
@api_auth_required("registry.view")
@ledger_operation("Propose a methodology version (PlatformMSP operator or verifier; "
                  "registry:propose_methodology)", tag="registry", body=closed_object({
                      "name": ID, "version": _VERSION, "title": TEXT,
                      "formula": {"type": "string", "minLength": 1,
                                  "maxLength": MAX_FORMULA_LENGTH},
                      "source": TEXT, "valid_from": _DATE, "valid_until": _DATE,
                      "formula_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
                      ["name", "version", "title", "formula", "source"]))
def propose_methodology() -> dict[str, Any]:
    return registry.propose_methodology(g.api_user, json_body())


@blueprint.post("/registry/methodologies/<name>/<version>/approve")
@api_auth_required("registry.view")
@ledger_operation("Approve a methodology version: a PlatformMSP operator and a verifier "
                  "activate it (registry:approve_methodology)", tag="registry",
                  path=("name", ("version", _VERSION)))
def approve_methodology(name: str, version: str) -> dict[str, Any]:
    return registry.approve_methodology(g.api_user, name, version)


@blueprint.post("/registry/factors")
@api_auth_required("registry.view")
@ledger_operation("Propose a factor version (PlatformMSP operator or verifier; "
                  "registry:propose_factor)", tag="registry", body=closed_object({
                      "series": ID, "factor_id": ID, "version": _VERSION,
                      "kind": {"type": "string", "enum": list(FACTOR_KINDS)},
                      "unit": {"type": "string", "enum": ["kWh", *FUEL_UNITS]},
                      "values": _NAMED, "source": TEXT, "valid_from": _DATE,
                      "valid_until": _DATE, "note": TEXT},
                      ["series", "factor_id", "version", "kind", "unit", "values", "source"]))
def propose_factor() -> dict[str, Any]:
    return registry.propose_factor(g.api_user, json_body())


@blueprint.post("/registry/factors/<series>/<factor_id>/<version>/approve")
@api_auth_required("registry.view")
@ledger_operation("Approve a factor version: a PlatformMSP operator and a verifier "
                  "activate it (registry:approve_factor)", tag="registry",
                  path=("series", "factor_id", ("version", _VERSION)))
def approve_factor(series: str, factor_id: str, version: str) -> dict[str, Any]:
    return registry.approve_factor(g.api_user, series, factor_id, version)
