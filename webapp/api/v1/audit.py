"""The portal's audit log (who did what, when, and how it ended), as the audit page shows
it: the newest entries first, by the page's own `webapp.audit.recent`. Operators and
auditors only (``audit.view``)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from ...audit import recent
from ...db import AuditEntry, get_session
from ...security import api_auth_required
from ..operation import READ_UNAUTHENTICATED, api_operation, response
from . import blueprint

_STR = {"type": "string"}
_ENTRY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
    "actor": {"type": "string", "description": "the portal user"}, "msp_id": _STR,
    "action": _STR, "target": _STR,
    "outcome": {"type": "string", "description": "ok, refused or failed"}, "detail": _STR,
    "remote_addr": {"type": "string", "description": "the client's address ('cli': a "
                                                      "command)"}}}


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    # SQLite hands the stored UTC time back without its zone
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    return {"id": entry.id, "at": at.isoformat(), "actor": entry.actor,
            "msp_id": entry.msp_id, "action": entry.action, "target": entry.target,
            "outcome": entry.outcome, "detail": entry.detail,
            "remote_addr": entry.remote_addr}


@blueprint.get("/audit")
@api_auth_required("audit.view")
@api_operation(
    "The audit log, newest first (the audit page's entries)", tags=["audit"],
    description="Sign-ins, uploads, provisioning, ledger submissions and certificate "
                "downloads with their outcome; the same entries as the portal's audit "
                "page (the newest 200).",
    answers={200: response("the entries", {"application/json": {
        "type": "object", "properties": {"items": {"type": "array", "items": _ENTRY}}}})},
    problems={401: READ_UNAUTHENTICATED, 403: "only operators and auditors read the log"})
def audit_log() -> dict[str, Any]:
    """The audit log."""
    return {"items": [entry_dict(e) for e in recent(get_session())]}
