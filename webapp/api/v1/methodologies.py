"""Methodologies: the built-in calculation rules and their declared inputs."""

from __future__ import annotations

from typing import Any

from envalue.chaincode.domain.methodologies import get_methodology

from ...services.calc import methodologies
from ..operation import api_operation, response
from . import blueprint


@blueprint.get("/methodologies")
@api_operation(
    "List the built-in methodologies", tags=["calculations"], security=None,
    answers={200: response("every methodology's declaration", {
        "application/json": {"$ref": "#/components/schemas/MethodologyList"}})},
    problems={})
def list_methodologies() -> dict[str, Any]:
    """List methodologies."""
    return {"items": methodologies()}


@blueprint.get("/methodologies/<name>/<version>")
@api_operation(
    "One methodology's declaration", tags=["calculations"], security=None,
    parameters=[{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                for name in ("name", "version")],
    answers={200: response("the declaration (inputs, outputs, formula and its hash)", {
        "application/json": {"$ref": "#/components/schemas/Methodology"}})},
    problems={404: "not registered"})
def get_one(name: str, version: str) -> dict[str, Any]:
    """One methodology."""
    return get_methodology(name, version).describe()
