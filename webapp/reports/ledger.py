"""The reports' ledger section: reductions and retirements of a period from the read model.

Why the read model: these are ledger records, and the read model (`envalue.readmodel`)
holds them copied block by block with the transaction id and block of each, so a report
lists them without a peer and without scanning the ledger. The GHG inventory and the KPI
report take this one section (`read_ledger_section`), so their figures agree.

What counts: a calculation belongs to the period when its whole period lies inside the
report window (one straddling a bound is named apart, like straddling batches). Approved
and minted calculations are verified reductions and are totalled; calculated, rejected
and superseded ones are listed with their state but not totalled. Retirements belong to
the period by their transaction time (``retired_at``); credit retirements count
``quantity_t × KG_PER_T`` kg. Nothing is made up: an empty read model gives no totals
(None, not zero), and a lagging one says how far behind its figures are.

Scope: `org` (an MSP id, ``""`` every org) selects calculations by their equipment
owner's org and retirements by the retiring holder's org; `site_id` selects calculations
of that site and token retirements of lots minted for it. Credit retirements are not
attributed to a site (a credit batch bundles several sites' reductions).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from envalue.chaincode.domain.credits.allocation import KG_PER_T
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.registry.msg_bootstrap import GRID_SERIES
from envalue.readmodel import LagStatus
from envalue.readmodel.figures import VERIFIED_STATES
from envalue.readmodel.projection import listed
from envalue.readmodel.records import msp_of
from envalue.readmodel.schema import (
    Calculation,
    CreditRetirement,
    FactorVersion,
    Retirement,
    Site,
    TokenLot,
)

from .offchain import Window

__all__ = ["CREDIT_RULE", "MAX_SITES", "REDUCTIONS_RULE", "VERIFIED_STATES", "LedgerSection",
           "ReductionRow", "RetirementRow", "factor_versions", "grid_versions",
           "read_ledger_section", "scope_choices"]

#: at most this many sites offered on the report form
MAX_SITES = 500


@dataclass(frozen=True)
class ReductionRow:
    """One calculation as the read model holds it."""

    calculation_id: str
    equipment_id: str
    site_id: str
    owner_msp: str
    period_start: str
    period_end: str
    methodology: str
    methodology_version: str
    factor_versions: tuple[str, ...]
    state: str
    reduction_kg: int | None
    lot_id: str
    tx_id: str
    block_number: int

    @property
    def verified(self) -> bool:
        return self.state in VERIFIED_STATES

    def to_dict(self) -> dict[str, Any]:
        return {"calculation_id": self.calculation_id, "equipment_id": self.equipment_id,
                "site_id": self.site_id, "owner_msp": self.owner_msp,
                "period_start": self.period_start, "period_end": self.period_end,
                "methodology": self.methodology,
                "methodology_version": self.methodology_version,
                "factor_versions": list(self.factor_versions), "state": self.state,
                "verified": self.verified, "reduction_kg": self.reduction_kg,
                "lot_id": self.lot_id or None, "tx_id": self.tx_id,
                "block_number": self.block_number}


@dataclass(frozen=True)
class RetirementRow:
    """One token or credit retirement (a serial range) with its kg."""

    kind: str  # token | credit
    serial: str
    lot_id: str  # token retirements
    batch_id: str  # credit retirements
    owner_msp: str
    quantity_kg: int
    quantity_t: int | None  # credit retirements: the tonnes retired
    beneficiary: str
    purpose: str
    detail: str
    reporting_year: int
    retired_at: str
    certificate_id: str
    tx_id: str
    block_number: int

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "serial": self.serial, "lot_id": self.lot_id or None,
                "batch_id": self.batch_id or None, "owner_msp": self.owner_msp,
                "quantity_kg": self.quantity_kg, "quantity_t": self.quantity_t,
                "beneficiary": self.beneficiary, "purpose": self.purpose,
                "detail": self.detail, "reporting_year": self.reporting_year,
                "retired_at": self.retired_at, "certificate_id": self.certificate_id or None,
                "tx_id": self.tx_id, "block_number": self.block_number}


#: what the reductions total means, printed beside it
REDUCTIONS_RULE = ("approved and minted calculations are verified reductions and are "
                   "totalled; calculated, rejected and superseded ones are listed but not "
                   "totalled")
CREDIT_RULE = f"credit retirements count {KG_PER_T} kg per tonne"


@dataclass(frozen=True)
class LedgerSection:
    """Reductions and retirements of the report window, with the read model's position."""

    window: Window
    org: str  # "" = every organisation
    site_id: str  # "" = every site
    lag: LagStatus
    notices: tuple[Any, ...]  # `webapp.services.readmodel.ReadModelNotice`s
    read_model: Mapping[str, Any]  # the lag as API answers carry it (`lag_json`)
    ledger_reason: str  # the Gateway's reason while the ledger is unavailable, else ""
    reductions: tuple[ReductionRow, ...]
    straddling: tuple[ReductionRow, ...]
    retirements: tuple[RetirementRow, ...]
    notes: tuple[str, ...] = ()

    @property
    def verified_reduction_kg(self) -> int | None:
        """Exact sum of the verified reductions; None while the read model is empty."""
        if self.lag.empty:
            return None
        return sum(r.reduction_kg or 0 for r in self.reductions if r.verified)

    @property
    def retired_kg(self) -> int | None:
        """Exact sum of the retirements in kg; None while the read model is empty."""
        return None if self.lag.empty else sum(r.quantity_kg for r in self.retirements)

    def counts(self) -> dict[str, int]:
        """Calculations listed per state."""
        out: dict[str, int] = {}
        for r in self.reductions:
            out[r.state] = out.get(r.state, 0) + 1
        return dict(sorted(out.items()))

    def status_lines(self) -> list[str]:
        """The read model's position and what it means for the figures (English text for
        the CSV and PDF; the page words the same notices in the user's language)."""
        lag = self.lag
        if lag.channel_height is None:
            where = (f"read model: {lag.projected_blocks} block(s) projected; the channel "
                     "height is unknown (its listener has not reported)")
        else:
            where = (f"read model: {lag.projected_blocks} of the channel's "
                     f"{lag.channel_height} block(s) projected, behind by "
                     f"{lag.behind_blocks} block(s)")
        lines = [f"{where}; listener {lag.state}" + (f" ({lag.detail})" if lag.detail else "")]
        if lag.empty:
            lines.append("the read model is empty: no block has been projected, so no "
                         "reductions or retirements are reported (no figure, not zero)")
        elif lag.behind_blocks:
            lines.append(f"figures are as of the first {lag.projected_blocks} block(s) and "
                         "may miss records committed since")
        if lag.unprojected_events:
            lines.append(f"{lag.unprojected_events} ledger event(s) could not be projected; "
                         "`envalue readmodel status` says why")
        if self.ledger_reason:
            lines.append(f"ledger unavailable: {self.ledger_reason} — the figures are the "
                         "read model's copies and cannot be checked against a peer now")
        return lines + list(self.notes)

    def scope_label(self) -> str:
        return (f"organisation {self.org or 'all'}; site {self.site_id or 'all'}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the API's ``ledger`` member."""
        return {
            "source": "read-model",
            "scope": {"owner_msp": self.org or None, "site_id": self.site_id or None},
            "read_model": dict(self.read_model),
            "ledger_unavailable": self.ledger_reason or None,
            "status": self.status_lines(),
            "reductions": {
                "verified_kg": self.verified_reduction_kg,
                "verified_states": list(VERIFIED_STATES), "rule": REDUCTIONS_RULE,
                "count_by_state": self.counts(),
                "rows": [r.to_dict() for r in self.reductions],
                "straddling": [r.to_dict() for r in self.straddling]},
            "retirements": {
                "total_kg": self.retired_kg, "rule": CREDIT_RULE,
                "rows": [r.to_dict() for r in self.retirements]},
        }


# -- reads ------------------------------------------------------------------------------
def _reduction(row: Calculation) -> ReductionRow:
    return ReductionRow(
        row.calculation_id, row.equipment_id, row.site_id, row.owner_msp, row.period_start,
        row.period_end, row.methodology, row.methodology_version,
        tuple(listed(row.factor_versions)), row.state, row.reduction_kg,
        row.lot_id, row.tx_id, row.block_number)


def _reductions(session: Session, window: Window, org: str, site_id: str
                ) -> tuple[list[ReductionRow], list[ReductionRow]]:
    """Calculations inside the window, and those straddling one of its bounds."""
    start, end = format_timestamp(window.start), format_timestamp(window.end)
    query = select(Calculation).where(Calculation.period_start < end,
                                      Calculation.period_end > start)
    if org:
        query = query.where(Calculation.owner_msp == org)
    if site_id:
        query = query.where(Calculation.site_id == site_id)
    query = query.order_by(Calculation.period_start, Calculation.equipment_id,
                           Calculation.calculation_id)
    inside, straddling = [], []
    for row in session.scalars(query):
        whole = row.period_start >= start and row.period_end <= end
        (inside if whole else straddling).append(_reduction(row))
    return inside, straddling


def _in_window(text: str, window: Window) -> bool:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return False
    return when.tzinfo is not None and window.start <= when < window.end


def _day_bounds(window: Window) -> tuple[str, str]:
    """ISO day texts a day either side of the window: every ISO 8601 time inside it sorts
    between them whatever its offset, so SQL can pre-select before the exact check."""
    return ((window.start - timedelta(days=1)).date().isoformat(),
            (window.end + timedelta(days=2)).date().isoformat())


def _token_retirements(session: Session, window: Window, org: str, site_id: str
                       ) -> list[RetirementRow]:
    low, high = _day_bounds(window)
    query = select(Retirement).where(Retirement.retired_at >= low, Retirement.retired_at < high)
    if org:
        query = query.where(Retirement.owner_msp == org)
    if site_id:
        query = query.join(TokenLot, TokenLot.lot_id == Retirement.lot_id).where(
            TokenLot.site_id == site_id)
    return [RetirementRow("token", r.serial, r.lot_id, "", r.owner_msp, r.quantity_kg, None,
                          r.beneficiary, r.purpose, r.note, r.reporting_year, r.retired_at,
                          r.certificate_id, r.tx_id, r.block_number)
            for r in session.scalars(query) if _in_window(r.retired_at, window)]


def _credit_retirements(session: Session, window: Window, org: str) -> list[RetirementRow]:
    low, high = _day_bounds(window)
    query = select(CreditRetirement).where(CreditRetirement.retired_at >= low,
                                           CreditRetirement.retired_at < high)
    if org:
        query = query.where(CreditRetirement.owner.startswith(f"{org}/", autoescape=True))
    return [RetirementRow("credit", r.serial, "", r.batch_id, msp_of(r.owner),
                          r.quantity_t * KG_PER_T, r.quantity_t, r.user_name, r.use,
                          r.purpose_detail, r.reporting_year, r.retired_at, r.certificate_id,
                          r.tx_id, r.block_number)
            for r in session.scalars(query) if _in_window(r.retired_at, window)]


def read_ledger_section(session: Session, window: Window, *, org: str, site_id: str,
                        lag: LagStatus, notices: tuple[Any, ...],
                        read_model: Mapping[str, Any], ledger_reason: str = ""
                        ) -> LedgerSection:
    """The section for `window` and the scope (`org`, `site_id`; ``""`` = all)."""
    inside, straddling = _reductions(session, window, org, site_id)
    retirements = _token_retirements(session, window, org, site_id)
    notes = []
    if site_id:
        notes.append(f"credit retirements are not attributed to a site (a credit batch "
                     f"bundles several sites' reductions): none is listed for site "
                     f"{site_id}; choose every site to list them")
    else:
        retirements += _credit_retirements(session, window, org)
    retirements.sort(key=lambda r: (datetime.fromisoformat(r.retired_at), r.serial))
    unsummed = [r.calculation_id for r in inside if r.verified and r.reduction_kg is None]
    if unsummed:
        notes.append(f"verified calculation(s) without a recorded reduction: "
                     f"{', '.join(unsummed)} (not totalled)")
    return LedgerSection(window, org, site_id, lag, notices, read_model, ledger_reason,
                         tuple(inside),
                         tuple(straddling), tuple(retirements), tuple(notes))


def factor_versions(session: Session, series: Collection[str]) -> list[FactorVersion]:
    """Every version of the factor `series` the read model holds (any status)."""
    return list(session.scalars(
        select(FactorVersion).where(FactorVersion.series.in_(sorted(series)))
        .order_by(FactorVersion.series, FactorVersion.factor_id, FactorVersion.version)))


def grid_versions(session: Session, series: str = GRID_SERIES) -> list[FactorVersion]:
    """Every version of the grid factor series the read model holds (any status)."""
    return factor_versions(session, (series,))


def scope_choices(session: Session, org: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The report form's choices: organisations with registered sites or calculations
    (only `org` when the user is scoped to it) and the registered sites of that scope as
    ``(site_id, name, owner_msp)``."""
    sites = select(Site.site_id, Site.name, Site.owner_msp).order_by(Site.site_id)
    if org:
        sites = sites.where(Site.owner_msp == org)
    found = [(str(a), str(b), str(c)) for a, b, c in session.execute(sites.limit(MAX_SITES))]
    if org:
        return [org], found
    orgs = set(session.scalars(select(Site.owner_msp).distinct()))
    orgs |= set(session.scalars(select(Calculation.owner_msp).distinct()))
    return sorted(o for o in orgs if o), found
