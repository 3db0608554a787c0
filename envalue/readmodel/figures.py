"""Organisation-level sums of ledger figures for dashboards: reductions by calculation state
and by site, token kg by state, credit tonnes held and retired.

Why SQL sums here: the dashboard is the portal's busiest page and must not load every row.
The columns are integers (kg, t), and integer SUM is exact in SQLite and PostgreSQL
(PostgreSQL answers ``numeric`` for a ``bigint`` sum, turned back into ``int`` here).
A reduction counts as verified once a verifier approved it (`review.APPROVED`), and stays
verified when minted; calculated, rejected and superseded ones are counted apart.

`org` scopes every figure to one MSP id; ``""`` means every organisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from envalue.chaincode.domain.measurement.review import APPROVED

from .project_registry import MINTED
from .schema import Calculation, CreditHolding, Holding

__all__ = ["VERIFIED_STATES", "LedgerFigures", "StateTotal", "ledger_figures"]

#: calculation states whose reduction a verifier approved (minted ones were approved first)
VERIFIED_STATES: tuple[str, ...] = (APPROVED, MINTED)


@dataclass(frozen=True)
class StateTotal:
    """How many calculations are in a state, and their reductions in kg."""

    count: int
    kg: int


@dataclass(frozen=True)
class LedgerFigures:
    """The sums `ledger_figures` reads (module docstring)."""

    org: str
    reductions: Mapping[str, StateTotal] = field(default_factory=dict)
    verified_by_site: tuple[tuple[str, int], ...] = ()
    tokens_kg: Mapping[str, int] = field(default_factory=dict)
    credits_t: Mapping[str, int] = field(default_factory=dict)

    @property
    def verified_kg(self) -> int:
        return sum(self.reductions[s].kg for s in VERIFIED_STATES if s in self.reductions)

    def to_dict(self) -> dict[str, Any]:
        return {"org": self.org, "verified_reduction_kg": self.verified_kg,
                "reductions": {s: {"count": t.count, "kg": t.kg}
                               for s, t in self.reductions.items()},
                "verified_by_site": [{"site_id": s, "kg": kg}
                                     for s, kg in self.verified_by_site],
                "tokens_kg": dict(self.tokens_kg), "credits_t": dict(self.credits_t)}


def _scoped(query: Any, column: Any, org: str) -> Any:
    return query.where(column == org) if org else query


def ledger_figures(session: Session, org: str = "", *, sites: int = 20) -> LedgerFigures:
    """Sums for `org` (``""``: all): reductions per state, verified kg of the `sites`
    largest sites, token kg per state and credit tonnes tradable and retired."""
    reductions = {
        state: StateTotal(int(count), int(kg or 0))
        for state, count, kg in session.execute(_scoped(
            select(Calculation.state, func.count(), func.sum(Calculation.reduction_kg))
            .where(Calculation.reduction_kg.is_not(None)),
            Calculation.owner_msp, org).group_by(Calculation.state))}
    verified_kg = func.sum(Calculation.reduction_kg)
    by_site = tuple(
        (site_id, int(kg)) for site_id, kg in session.execute(_scoped(
            select(Calculation.site_id, verified_kg)
            .where(Calculation.state.in_(VERIFIED_STATES),
                   Calculation.reduction_kg.is_not(None)),
            Calculation.owner_msp, org)
            .group_by(Calculation.site_id)
            .order_by(verified_kg.desc(), Calculation.site_id).limit(sites)))
    tokens = {state: int(kg) for state, kg in session.execute(_scoped(
        select(Holding.state, func.sum(Holding.kg)), Holding.owner_msp, org)
        .group_by(Holding.state))}
    tradable, retired = session.execute(_scoped(
        select(func.sum(CreditHolding.tradable_t), func.sum(CreditHolding.retired_t)),
        CreditHolding.owner_msp, org)).one()
    return LedgerFigures(org, reductions, by_site, tokens,
                         {"tradable": int(tradable or 0), "retired": int(retired or 0)})
