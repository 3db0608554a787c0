"""The dashboard's ledger figures: reductions, token and credit balances of the user's org.

Why from the read model: these are ledger records, and the read model holds them copied
block by block, so the dashboard shows them whether or not a peer answers right now, with
the read model's lag beside them. Users see their own organisation's figures; roles that
oversee every org (`registry.view.all`: operator, verifier, auditor) see the consortium's.
"""

from __future__ import annotations

from envalue.readmodel.figures import ledger_figures

from ..db import PortalUser
from ..security import require_permission
from .readmodel import ReadModelView, read_view
from .registry import scope_of

__all__ = ["ledger_figures_view"]


def ledger_figures_view(user: PortalUser | None) -> ReadModelView:
    """`LedgerFigures` of the user's scope as ``lists["figures"]``, with the lag notices."""
    actor = require_permission(user, "dashboard.view")
    org = scope_of(actor)
    return read_view(org, lambda s: {"figures": ledger_figures(s, org)})
