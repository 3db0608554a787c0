"""Methodologies: the built-in calculation rules and their declared inputs."""

from __future__ import annotations

from typing import Any

from envalue.chaincode.domain.methodologies import get_methodology

from ...services.calc import methodologies
from . import blueprint


@blueprint.get("/methodologies")
def list_methodologies() -> dict[str, Any]:
    """List methodologies.
    ---
    get:
      summary: List the built-in methodologies
      tags: [calculations]
      responses:
        200:
          description: every methodology's declaration
          content:
            application/json:
              schema: {$ref: '#/components/schemas/MethodologyList'}
    """
    return {"items": methodologies()}


@blueprint.get("/methodologies/<name>/<version>")
def get_one(name: str, version: str) -> dict[str, Any]:
    """One methodology.
    ---
    get:
      summary: One methodology's declaration
      tags: [calculations]
      parameters:
        - {in: path, name: name, required: true, schema: {type: string}}
        - {in: path, name: version, required: true, schema: {type: string}}
      responses:
        200:
          description: the declaration (inputs, outputs, formula and its hash)
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Methodology'}
        404:
          description: not registered
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
    """
    return get_methodology(name, version).describe()
