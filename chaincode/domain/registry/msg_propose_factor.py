"""MsgProposeFactor: propose a factor version (values, unit, source, validity).

Kinds and their values (units are implied by the kind and recorded in `value_units`):

- ``fuel``: ``hv`` (GJ per fuel `unit`: ``kL``, ``thousand Nm3``, ``t``) and ``cef``
  (t-CO2/GJ; an exact expression such as ``"0.0193*44/12"`` is kept as written);
- ``grid``: ``ef_grid`` (t-CO2/kWh), `unit` ``kWh``.

Activation needs `msg_approve_factor` by a PlatformMSP operator and a verifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.measurement.quantities import FUEL_UNITS
from envalue.chaincode.domain.store import Store

from .fields import message_from_dict, require_id, require_mapping, require_text
from .governance import PROPOSED, normalise_factor_value, require_proposer, require_version
from .msg_propose_methodology import _check_validity
from .state import FactorVersion, load_or_none, save

__all__ = ["FACTOR_KINDS", "MsgProposeFactor", "apply", "validate", "value_units"]

#: kind -> the value names it requires.
FACTOR_KINDS: dict[str, tuple[str, ...]] = {"fuel": ("hv", "cef"), "grid": ("ef_grid",)}


def value_units(kind: str, unit: str) -> dict[str, str]:
    """The unit of each value of a factor of `kind` whose quantity unit is `unit`."""
    if kind == "fuel":
        return {"hv": f"GJ/{unit}", "cef": "t-CO2/GJ"}
    return {"ef_grid": "t-CO2/kWh"}


@dataclass(frozen=True)
class MsgProposeFactor:
    series: str
    factor_id: str
    version: str
    kind: str
    unit: str
    values: dict[str, str]
    source: str
    valid_from: str = ""
    valid_until: str = ""
    note: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> MsgProposeFactor:
        return message_from_dict(cls, data)


def validate(msg: MsgProposeFactor) -> None:
    """Stateless checks: kind, unit, exactly the values of the kind, validity."""
    require_id(msg.series, "series")
    require_id(msg.factor_id, "factor_id")
    require_version(msg.version, "version")
    if msg.kind not in FACTOR_KINDS:
        raise ValidationError("kind", msg.kind, "factor-kind",
                              f"must be one of {', '.join(FACTOR_KINDS)}")
    allowed_units = FUEL_UNITS if msg.kind == "fuel" else ("kWh",)
    if msg.unit not in allowed_units:
        raise ValidationError("unit", msg.unit, "factor-unit",
                              f"a {msg.kind} factor's unit is one of {', '.join(allowed_units)}")
    values = require_mapping(msg.values, "values")
    needed = FACTOR_KINDS[msg.kind]
    for name in values:
        if name not in needed:
            raise ValidationError(f"values.{name}", values[name], "unknown-value",
                                  f"is not a value of a {msg.kind} factor ({', '.join(needed)})")
    for name in needed:
        if name not in values:
            raise ValidationError(f"values.{name}", None, "required", "is required")
        normalise_factor_value(values[name], f"values.{name}")
    require_text(msg.source, "source")
    require_text(msg.note, "note", required=False)
    _check_validity(msg.valid_from, msg.valid_until)


async def apply(store: Store, ctx: TxContext, msg: MsgProposeFactor) -> list[DomainEvent]:
    """Record the proposal; an existing (series, factor_id, version) is a conflict."""
    validate(msg)
    label = f"{msg.series}/{msg.factor_id}@{msg.version}"
    require_proposer(ctx, f"propose factor {label}")
    if await load_or_none(store, FactorVersion, msg.series, msg.factor_id, msg.version):
        raise ConflictError("version", label, "unique", "this factor version already exists")
    await save(store, FactorVersion(
        series=msg.series, factor_id=msg.factor_id, version=msg.version, kind=msg.kind,
        unit=msg.unit,
        values={k: normalise_factor_value(v, k) for k, v in msg.values.items()},
        value_units=value_units(msg.kind, msg.unit), source=msg.source,
        valid_from=msg.valid_from, valid_until=msg.valid_until, note=msg.note,
        status=PROPOSED, proposed_by=ctx.owner_key, proposed_tx=ctx.tx_id,
    ))
    return [DomainEvent("EventProposeFactor", {
        "series": msg.series, "factor_id": msg.factor_id, "version": msg.version,
    })]
