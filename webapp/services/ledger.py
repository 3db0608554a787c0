"""Ledger-backed reads for the wallet, credits and traceability pages.

Why thin: each function names the chaincode transaction it evaluates, as the acting
user, through `webapp.gateway`; when the Gateway cannot be reached the caller gets
`LedgerUnavailableError` and shows its reason. No ledger data is ever made up here.
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app

from ..db import PortalUser
from ..errors import PortalError
from ..gateway import LedgerStatus, gateway
from ..security import require_permission
from .users import key_secret

__all__ = ["credit_report", "distribution", "ledger_status", "lot_history", "lot_holding",
           "trace"]


def ledger_status(user: PortalUser) -> LedgerStatus:
    """Whether the user's org's Gateway peer answers, and why not."""
    return gateway().status(user.org_key)


def _evaluate(user: PortalUser, contract: str, function: str, *args: str) -> Any:
    with gateway().contract_for(user, contract,
                                key_secret=key_secret(current_app.config)) as handle:
        raw = handle.evaluate_transaction(function, *args)
    return json.loads(raw or b"null")


def _need(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise PortalError("required", field=field, value=value, rule="required")
    return value


def lot_holding(user: PortalUser | None, lot_id: str, owner: str = "") -> Any:
    """``tokens:holding`` for a lot and owner (default: the user's own identity)."""
    actor = require_permission(user, "wallet.view")
    return _evaluate(actor, "tokens", "holding", _need(lot_id, "lot_id"), owner)


def lot_history(user: PortalUser | None, lot_id: str, owner: str = "") -> Any:
    """``tokens:history`` of a lot (optionally one owner's entries)."""
    actor = require_permission(user, "wallet.view")
    return _evaluate(actor, "tokens", "history", _need(lot_id, "lot_id"), owner)


def credit_report(user: PortalUser | None, report_id: str) -> Any:
    """``credits:report``: a monitoring report with its review state."""
    actor = require_permission(user, "credits.view")
    return _evaluate(actor, "credits", "report", _need(report_id, "report_id"))


def distribution(user: PortalUser | None, batch_id: str, proceeds_yen: str) -> Any:
    """``credits:distribution``: the distribution statement of an issued batch."""
    actor = require_permission(user, "credits.view")
    return _evaluate(actor, "credits", "distribution", _need(batch_id, "batch_id"),
                     _need(proceeds_yen, "proceeds_yen"))


def trace(user: PortalUser | None, lot_id: str, calculation_id: str = "") -> Any:
    """``measurement:trace``: from a lot down to its calculation, batches and readings."""
    actor = require_permission(user, "trace.view")
    return _evaluate(actor, "measurement", "trace", _need(lot_id, "lot_id"), calculation_id)
