"""MsgBootstrap: the genesis transaction, registering the built-in rules as active v1.

Registers every built-in methodology (`envalue.chaincode.domain.methodologies`) and every
entry of the built-in factor sets (`envalue.chaincode.domain.factors`) as active version
1, marked ``genesis``: they are the rules the consortium agreed when it set up the
channel, so they need no further approval. Callable once, by a PlatformMSP operator.

Factor records from the sets: each fuel entry is its own series (``a_heavy_oil``, …) with
``hv`` and ``cef`` (the exact ``t-C/GJ × 44/12`` expression); each grid entry is a factor
of series ``jp-grid`` valid for its fiscal year, with no value when the reference has no
verified figure (governance must register version 2 with the supplier's value before a
calculation can use it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.factors import (
    BUILTIN_FACTOR_SETS,
    FuelFactor,
    GridFactor,
)
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.methodologies import list_methodologies
from envalue.chaincode.domain.store import Store

from .access import require_platform_operator
from .fields import message_from_dict
from .governance import ACTIVE
from .msg_propose_factor import value_units
from .state import FactorVersion, Genesis, MethodologyVersion, load_or_none, save

__all__ = ["GRID_SERIES", "MsgBootstrap", "apply", "genesis_factors", "genesis_methodologies",
           "validate"]

#: Series of the built-in grid factors.
GRID_SERIES = "jp-grid"
GENESIS_VERSION = "1"
GENESIS_SOURCE = "envalue built-in methodologies (methodologies.md), version 1"


@dataclass(frozen=True)
class MsgBootstrap:
    """No arguments: the genesis content is the chaincode's built-in data."""

    @classmethod
    def from_dict(cls, data: Any) -> MsgBootstrap:
        return message_from_dict(cls, data if data is not None else {})


def validate(msg: MsgBootstrap) -> None:
    """Nothing to check."""


def genesis_methodologies(ctx: TxContext) -> list[MethodologyVersion]:
    """The built-in methodologies as active ledger records."""
    return [
        MethodologyVersion(
            name=m.name, version=m.version, title=m.title, formula=m.formula,
            formula_hash=m.formula_hash, source=GENESIS_SOURCE, valid_from="", valid_until="",
            status=ACTIVE, proposed_by=ctx.owner_key, proposed_tx=ctx.tx_id,
            activated_tx=ctx.tx_id, genesis=True,
        )
        for m in list_methodologies()
    ]


def _factor(ctx: TxContext, entry: FuelFactor | GridFactor) -> FactorVersion:
    common = {"version": GENESIS_VERSION, "status": ACTIVE, "proposed_by": ctx.owner_key,
              "proposed_tx": ctx.tx_id, "activated_tx": ctx.tx_id, "genesis": True,
              "source": entry.source}
    if isinstance(entry, FuelFactor):
        return FactorVersion(
            series=entry.key, factor_id=entry.key, kind="fuel", unit=entry.unit,
            values={"hv": str(entry.hv_gj_per_unit), "cef": entry.cef_expression},
            value_units=value_units("fuel", entry.unit),
            valid_from=entry.valid_from.isoformat() if entry.valid_from else "",
            valid_until=entry.valid_to.isoformat() if entry.valid_to else "",
            note=entry.note, **common,
        )
    values = {} if entry.value_t_co2_per_kwh is None else {
        "ef_grid": str(entry.value_t_co2_per_kwh)}
    note = entry.note
    if entry.range_t_co2_per_kwh is not None:
        low, high = entry.range_t_co2_per_kwh
        note = f"{note} Published range: {low}-{high} t-CO2/kWh.".strip()
    return FactorVersion(
        series=GRID_SERIES, factor_id=entry.key, kind="grid", unit="kWh", values=values,
        value_units=value_units("grid", "kWh"), valid_from=entry.valid_from.isoformat(),
        valid_until=entry.valid_to.isoformat(), note=note, **common,
    )


def genesis_factors(ctx: TxContext) -> list[FactorVersion]:
    """Every entry of the built-in factor sets as an active ledger record."""
    return [_factor(ctx, e) for s in BUILTIN_FACTOR_SETS.values() for e in s.entries]


async def apply(store: Store, ctx: TxContext, msg: MsgBootstrap) -> list[DomainEvent]:
    """Write the genesis records once."""
    validate(msg)
    require_platform_operator(ctx, "bootstrap the registry")
    if await load_or_none(store, Genesis) is not None:
        raise ConflictError("", None, "once", "the registry was already bootstrapped")
    methodologies = genesis_methodologies(ctx)
    factors = genesis_factors(ctx)
    for record in (*methodologies, *factors):
        if await store.get(record.key()) is not None:
            raise ConflictError("", "/".join(record.key_parts()), "unique",
                                "a genesis version is already registered")
        await save(store, record)
    method_ids = [f"{m.name}@{m.version}" for m in methodologies]
    factor_ids = [f"{f.series}/{f.factor_id}@{f.version}" for f in factors]
    await save(store, Genesis(by=ctx.owner_key, at=format_timestamp(ctx.timestamp),
                              tx_id=ctx.tx_id, methodologies=method_ids, factors=factor_ids))
    return [DomainEvent("EventBootstrap", {"methodologies": method_ids, "factors": factor_ids})]
