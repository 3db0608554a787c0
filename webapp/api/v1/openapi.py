"""The OpenAPI 3 document, generated with apispec from the API views' docstrings."""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.yaml_utils import load_operations_from_docstring
from flask import current_app

from ..operation import problem
from . import blueprint
from .reports import PARAMETERS as _PARAMETERS
from .reports import SCHEMAS as _REPORT_SCHEMAS

_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")
_PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "rule": {"type": "string", "description": "the rule that was broken"},
        "field": {"type": "string", "description": "path of the offending field"},
        "value": {"description": "the offending value as given"},
    },
}
_SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": _PROBLEM,
    "Methodology": {"type": "object", "properties": {
        "name": {"type": "string"}, "version": {"type": "string"},
        "title": {"type": "string"}, "formula": {"type": "string"},
        "formula_hash": {"type": "string"}, "inputs": {"type": "array", "items": {
            "type": "object"}}, "outputs": {"type": "array", "items": {"type": "string"}}}},
    "MethodologyList": {"type": "object", "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Methodology"}}}},
    "DryRunRequest": {"type": "object", "required": ["methodology", "inputs"], "properties": {
        "methodology": {"type": "string", "example": "pv-self-consumption"},
        "version": {"type": "string", "default": "1"},
        "inputs": {"type": "object", "description": "the methodology's inputs; give "
                   "decimals as JSON numbers or strings"}}},
    "DryRunResult": {"type": "object", "properties": {
        "methodology": {"type": "string"}, "version": {"type": "string"},
        "trace": {"type": "object", "additionalProperties": {"type": "string"}},
        "formula_hash": {"type": "string"}, "dry_run": {"type": "boolean"}},
        "additionalProperties": {"type": "integer"}},
    "Verification": {"type": "object", "properties": {
        "valid": {"type": "boolean"}, "certificate_id": {"type": "string", "nullable": True},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "checks": {"type": "array", "items": {"type": "object"}}}},
    "Me": {"type": "object", "properties": {
        "username": {"type": "string"}, "msp_id": {"type": "string"},
        "role": {"type": "string"}, "ledger": {"type": "object"}}},
}
_INGEST_OPERATION = {"post": {
    "summary": "Ingest operation data from a device (signed body; see envalue.ingest_service)",
    "tags": ["ingestion"], "security": [],
    "parameters": [{"in": "query", "name": "device", "required": True,
                    "schema": {"type": "string"}}],
    "requestBody": {"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "object"}}}},
    "responses": {
        "200": {"description": "quality report (nothing new stored)"},
        "201": {"description": "quality report (new batches stored)"},
        "400": problem("refused")}}}


def build_spec() -> dict[str, Any]:
    """Walk the app's URL map; every /api/v1 view with a YAML docstring is documented."""
    spec = APISpec(title="envalue portal API", version="1.0.0", openapi_version="3.0.3",
                   info={"description": "Environmental values on Hyperledger Fabric. "
                                        "Errors are application/problem+json with field, "
                                        "value and rule."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in (_SCHEMAS | _REPORT_SCHEMAS).items():
        spec.components.schema(name, schema)
    for name, parameter in _PARAMETERS.items():
        spec.components.parameter(name, parameter["in"], parameter)
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api_v1.openapi":
            continue
        view = current_app.view_functions[rule.endpoint]
        operations = load_operations_from_docstring(view.__doc__ or "")
        # ``<name>`` and ``<converter:name>`` (e.g. ``<int:row_id>``) become ``{name}``
        path = _VARIABLE.sub(r"{\1}", rule.rule)
        if rule.endpoint.startswith("envalue_ingest."):
            operations = _INGEST_OPERATION
        if operations:
            spec.path(path=path, operations=operations)
    return spec.to_dict()


@blueprint.get("/openapi.json")
def openapi() -> dict[str, Any]:
    """The OpenAPI document of this API."""
    return build_spec()
