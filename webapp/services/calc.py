"""The methodology dry run: the very `calculate` the chaincode runs, off-ledger.

Why here: the calculator page and ``POST /api/v1/calculations/dry-run`` both call
`dry_run`, which parses inputs with the domain's exact-decimal JSON reader and returns the
same figures and trace as ``envalue calc --dry-run --json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from envalue.chaincode.domain.methodologies import (
    InputKind,
    InputSpec,
    get_methodology,
    list_methodologies,
)
from envalue.chaincode.domain.quantity import loads

from ..db import PortalUser

__all__ = ["dry_run", "input_skeleton", "methodologies"]


def methodologies() -> list[dict[str, Any]]:
    """Every built-in methodology's declaration (name, version, inputs, formula hash)."""
    return [m.describe() for m in list_methodologies()]


def _skeleton_value(spec: InputSpec) -> Any:
    if spec.kind is InputKind.LIST:
        return [{item.name: _skeleton_value(item) for item in spec.items}]
    if spec.kind is InputKind.TEXT:
        return ""
    if spec.kind is InputKind.EFFICIENCY:
        return "1"
    return spec.default if spec.default is not None else "0"


def input_skeleton(name: str, version: str = "1") -> str:
    """A JSON object naming every required input (and defaulted ones) to fill in."""
    methodology = get_methodology(name, version)
    data = {spec.name: _skeleton_value(spec) for spec in methodology.inputs
            if spec.required or spec.default is not None}
    return json.dumps(data, indent=2, ensure_ascii=False).replace('"0"', "0").replace(
        '"1"', "1")


def dry_run(user: PortalUser | None, name: str, version: str,
            inputs: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """Run methodology `name`@`version` on `inputs` (JSON text or parsed mapping).

    Returns ``result.to_dict()`` plus ``formula_hash`` and ``dry_run: true``; domain
    errors (field, value, rule) propagate to the caller's error handler.
    """
    del user  # any signed-in role may dry-run; kept for the services' uniform signature
    methodology = get_methodology(name, version)
    parsed = loads(inputs) if isinstance(inputs, str | bytes) else inputs
    result = methodology.calculate(parsed)
    return result.to_dict() | {"formula_hash": methodology.formula_hash,
                               "title": methodology.title, "dry_run": True}
