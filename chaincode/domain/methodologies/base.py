"""What every methodology declares and returns, and the shared input checks.

A methodology is data plus one pure function: its name and version, the formula text
(hashed and recorded with every calculation on the ledger), the inputs it reads with their
units, and ``calculate(inputs)``. The checks here implement methodologies.md's rule for all
of them: a missing required key, a negative value or an efficiency outside (0, 1] is a
ValidationError naming the key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from ..errors import ValidationError
from ..quantity import ROUND_BASELINE, ROUND_PROJECT, decimal_str, to_exact, to_kg

__all__ = [
    "CalculationResult",
    "InputKind",
    "InputSpec",
    "InventoryResult",
    "Methodology",
    "ReductionResult",
    "Trace",
    "formula_hash",
    "read_inputs",
    "require_mapping",
]


class InputKind(Enum):
    """How an input is checked."""

    QUANTITY = "quantity"  # a monitored total or a factor: >= 0
    EFFICIENCY = "efficiency"  # a fraction in (0, 1]
    TEXT = "text"  # a non-empty label (e.g. a fuel name)
    LIST = "list"  # a list of records, each checked against ``items``


@dataclass(frozen=True)
class InputSpec:
    """One declared input: its JSON key, unit and how it is checked.

    ``required=False`` inputs take ``default`` when absent; a default of ``None`` means the
    methodology decides (e.g. ``ef_market`` falls back to ``ef_grid``).
    """

    name: str
    unit: str
    description: str
    kind: InputKind = InputKind.QUANTITY
    required: bool = True
    default: str | None = None
    items: tuple[InputSpec, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready declaration (for listing methodologies and registering them)."""
        data: dict[str, Any] = {
            "name": self.name,
            "unit": self.unit,
            "kind": self.kind.value,
            "required": self.required,
            "description": self.description,
        }
        if self.default is not None:
            data["default"] = self.default
        if self.items:
            data["items"] = [item.to_dict() for item in self.items]
        return data


#: Ordered mapping of every input and intermediate value, as decimal strings.
Trace = dict[str, str]


@dataclass(frozen=True)
class ReductionResult:
    """Result of a baseline-versus-project methodology, in whole kg-CO2."""

    methodology: str
    version: str
    baseline_kg: int
    project_kg: int
    reduction_kg: int
    trace: Trace = field(default_factory=dict)

    def outputs(self) -> dict[str, int]:
        """The integer outputs, in their documented order."""
        return {
            "baseline_kg": self.baseline_kg,
            "project_kg": self.project_kg,
            "reduction_kg": self.reduction_kg,
        }

    def to_dict(self) -> dict[str, Any]:
        """The dry-run JSON contract: methodology, version, outputs, trace."""
        return {
            "methodology": self.methodology,
            "version": self.version,
            **self.outputs(),
            "trace": dict(self.trace),
        }


@dataclass(frozen=True)
class InventoryResult:
    """Result of the scope 1/2 inventory, in whole kg-CO2."""

    methodology: str
    version: str
    scope1_kg: int
    scope2_location_kg: int
    scope2_market_kg: int
    emissions_kg: int
    trace: Trace = field(default_factory=dict)

    def outputs(self) -> dict[str, int]:
        """The integer outputs, in their documented order."""
        return {
            "scope1_kg": self.scope1_kg,
            "scope2_location_kg": self.scope2_location_kg,
            "scope2_market_kg": self.scope2_market_kg,
            "emissions_kg": self.emissions_kg,
        }

    def to_dict(self) -> dict[str, Any]:
        """The dry-run JSON contract: methodology, version, outputs, trace."""
        return {
            "methodology": self.methodology,
            "version": self.version,
            **self.outputs(),
            "trace": dict(self.trace),
        }


CalculationResult = ReductionResult | InventoryResult


def reduction_result(
    methodology: str,
    version: str,
    inputs: tuple[InputSpec, ...],
    values: Mapping[str, Any],
    *,
    em_bl: Fraction,
    em_pj: Fraction,
    intermediates: Mapping[str, Fraction],
) -> ReductionResult:
    """Round a baseline/project pair conservatively and trace every figure.

    Baseline floors and project ceils (methodologies.md), so the reduction is never
    overstated; the trace lists the inputs, the methodology's intermediates, then
    EM_BL, EM_PJ and ER in t-CO2.
    """
    baseline_kg = to_kg(em_bl, ROUND_BASELINE)
    project_kg = to_kg(em_pj, ROUND_PROJECT)
    trace = {spec.name: decimal_str(values[spec.name]) for spec in inputs if spec.name in values}
    trace.update({name: decimal_str(value) for name, value in intermediates.items()})
    trace.update({"EM_BL": decimal_str(em_bl), "EM_PJ": decimal_str(em_pj),
                  "ER": decimal_str(em_bl - em_pj)})
    return ReductionResult(
        methodology=methodology,
        version=version,
        baseline_kg=baseline_kg,
        project_kg=project_kg,
        reduction_kg=max(0, baseline_kg - project_kg),
        trace=trace,
    )


def formula_hash(formula: str) -> str:
    """Lower-case hex SHA-256 of the formula text's UTF-8 bytes."""
    return hashlib.sha256(formula.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Methodology:
    """A registered calculation rule: declaration plus the pure ``calculate`` function."""

    name: str
    version: str
    title: str
    formula: str
    inputs: tuple[InputSpec, ...]
    outputs: tuple[str, ...]
    calculate: Callable[[Mapping[str, Any]], CalculationResult]

    @property
    def formula_hash(self) -> str:
        """SHA-256 of :attr:`formula`, recorded with each on-ledger calculation."""
        return formula_hash(self.formula)

    def describe(self) -> dict[str, Any]:
        """JSON-ready declaration (without the function)."""
        return {
            "name": self.name,
            "version": self.version,
            "title": self.title,
            "formula": self.formula,
            "formula_hash": self.formula_hash,
            "inputs": [spec.to_dict() for spec in self.inputs],
            "outputs": list(self.outputs),
        }


def require_mapping(value: Any, path: str) -> Mapping[str, Any]:
    """The value must be a JSON object."""
    if not isinstance(value, Mapping):
        detail = "must be a JSON object" if path else "inputs must be a JSON object"
        raise ValidationError(path, value, "object", f"{detail}, got {_json_type(value)}")
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, str):
        return "string"
    return "number" if isinstance(value, int | float | Decimal | Fraction) else type(value).__name__


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _check_number(spec: InputSpec, raw: Any, path: str) -> Fraction:
    value = to_exact(raw, path)
    if value < 0:
        raise ValidationError(
            path, raw, "non-negative", f"{decimal_str(value)} is negative (must be >= 0)"
        )
    if spec.kind is InputKind.EFFICIENCY and not 0 < value <= 1:
        raise ValidationError(
            path, raw, "efficiency-range", f"{decimal_str(value)} is outside (0, 1]"
        )
    return value


def read_inputs(specs: tuple[InputSpec, ...], inputs: Any, prefix: str = "") -> dict[str, Any]:
    """Check ``inputs`` against ``specs`` and return the values in declaration order.

    Numbers come back as exact :class:`Fraction`; text as ``str``; lists as lists of
    checked dicts. Absent optional inputs are omitted unless they declare a default.
    Unknown keys are rejected so that a misspelt key (``heat_gi``) cannot silently change
    which formula applies. Checks run in declaration order; the first failure is raised.
    """
    mapping = require_mapping(inputs, prefix)
    known = {spec.name for spec in specs}
    for key in mapping:
        if key not in known:
            raise ValidationError(
                _join(prefix, str(key)),
                mapping[key],
                "unknown-input",
                f"is not an input here (expected one of: {', '.join(sorted(known))})",
            )
    values: dict[str, Any] = {}
    for spec in specs:
        path = _join(prefix, spec.name)
        if spec.name not in mapping or mapping[spec.name] is None:
            if spec.required:
                raise ValidationError(
                    path, None, "required", f"required input is missing ({spec.unit})"
                )
            if spec.default is not None:
                values[spec.name] = to_exact(spec.default, path)
            continue
        raw = mapping[spec.name]
        if spec.kind is InputKind.TEXT:
            if not isinstance(raw, str) or not raw.strip():
                raise ValidationError(path, raw, "text", "must be a non-empty string")
            values[spec.name] = raw
        elif spec.kind is InputKind.LIST:
            if not isinstance(raw, list):
                raise ValidationError(path, raw, "list", "must be a JSON array")
            values[spec.name] = [
                read_inputs(spec.items, item, f"{path}[{index}]") for index, item in enumerate(raw)
            ]
        else:
            values[spec.name] = _check_number(spec, raw, path)
    return values
