"""The built-in methodologies (version 1) and their registry.

``get_methodology(name, version)`` returns a :class:`Methodology` whose ``calculate``
turns checked inputs into whole kg-CO2 plus a trace. The chaincode and the off-ledger dry
run (``envalue calc --dry-run``) both call it, so both compute the same figures.
Governance registers further versions on the ledger; this registry holds the genesis set.
"""

from __future__ import annotations

from ..errors import UnknownMethodologyError
from . import boiler_replacement, inventory, pv_battery, pv_self_consumption
from .base import (
    CalculationResult,
    InputKind,
    InputSpec,
    InventoryResult,
    Methodology,
    ReductionResult,
    formula_hash,
)

__all__ = [
    "BUILTIN_METHODOLOGIES",
    "CalculationResult",
    "InputKind",
    "InputSpec",
    "InventoryResult",
    "Methodology",
    "ReductionResult",
    "calculate",
    "formula_hash",
    "get_methodology",
    "list_methodologies",
]

#: (name, version) -> methodology, for the built-in genesis set.
BUILTIN_METHODOLOGIES: dict[tuple[str, str], Methodology] = {
    (m.name, m.version): m
    for m in (
        boiler_replacement.METHODOLOGY,
        pv_self_consumption.METHODOLOGY,
        pv_battery.METHODOLOGY,
        inventory.METHODOLOGY,
    )
}


def get_methodology(name: str, version: str = "1") -> Methodology:
    """The built-in methodology ``name`` at ``version``; UnknownMethodologyError otherwise."""
    key = (name, str(version))
    if key not in BUILTIN_METHODOLOGIES:
        known = ", ".join(f"{n}@{v}" for n, v in sorted(BUILTIN_METHODOLOGIES))
        field = "version" if any(n == name for n, _ in BUILTIN_METHODOLOGIES) else "methodology"
        shown = str(version) if field == "version" else name
        raise UnknownMethodologyError(
            field, shown, "registered-methodology", f"{shown!r} is not registered (known: {known})"
        )
    return BUILTIN_METHODOLOGIES[key]


def list_methodologies() -> list[Methodology]:
    """All built-in methodologies, sorted by name and version."""
    return [BUILTIN_METHODOLOGIES[key] for key in sorted(BUILTIN_METHODOLOGIES)]


def calculate(name: str, inputs: object, version: str = "1") -> CalculationResult:
    """Shorthand for ``get_methodology(name, version).calculate(inputs)``."""
    return get_methodology(name, version).calculate(inputs)  # type: ignore[arg-type]
