"""The portal's audit log (who did what, when, and how it ended), filtered and paged as
the audit page shows it, by the same `webapp.services.audit_log.search`. Operators and
auditors only (``audit.view``)."""

from __future__ import annotations

from typing import Any

from flask import g, request

from ...db import AuditEntry
from ...security import api_auth_required
from ...services.audit_log import MAX_ID, MAX_LIMIT, OUTCOMES, entry_at, search
from ..operation import READ_UNAUTHENTICATED, api_operation, response
from . import blueprint

_STR = {"type": "string"}
_CURSOR = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
_ENTRY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
    "actor": {"type": "string", "description": "the portal user"}, "msp_id": _STR,
    "action": _STR, "target": _STR,
    "outcome": {"type": "string", "description": "ok, refused or failed"}, "detail": _STR,
    "remote_addr": {"type": "string", "description": "the client's address ('cli': a "
                                                      "command)"}}}
_MOMENT = ("a day YYYY-MM-DD (a local day in Asia/Tokyo) or a date-time "
           "YYYY-MM-DDTHH:MM[:SS[.ffffff]] with an optional offset (none: Asia/Tokyo)")


def _q(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"in": "query", "name": name, "required": False, "schema": schema,
            "description": description}


PARAMETERS = [
    _q("actor", {"type": "string", "maxLength": AuditEntry.actor.type.length},
       "entries of this portal user (the user name, exactly)"),
    _q("action", {"type": "string", "maxLength": AuditEntry.action.type.length + 1,
                  "example": "ledger."},
       "this action exactly (e.g. auth.login); ending in '.' or '*', every action starting "
       "so ('ledger.' or 'ledger.credits:*')"),
    _q("outcome", {"type": "string", "enum": list(OUTCOMES)}, "entries with this outcome"),
    _q("from", _STR, f"entries at or after: {_MOMENT}"),
    _q("to", _STR, f"entries at or before: {_MOMENT}; a day includes the whole day"),
    _q("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": MAX_LIMIT},
       "entries per page"),
    _q("before_id", _CURSOR, "the page of entries older than this id (an answer's "
                             "`next_before_id`)"),
    _q("after_id", _CURSOR, "the page of entries newer than this id (an answer's "
                            "`previous_after_id`); not with before_id"),
]
_CURSOR_ANSWER = {"type": "integer", "nullable": True}


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry_at(entry).isoformat(), "actor": entry.actor,
            "msp_id": entry.msp_id, "action": entry.action, "target": entry.target,
            "outcome": entry.outcome, "detail": entry.detail,
            "remote_addr": entry.remote_addr}


@blueprint.get("/audit")
@api_auth_required("audit.view")
@api_operation(
    "The audit log, newest first, filtered and paged (the audit page's entries)",
    tags=["audit"],
    description="Sign-ins, uploads, provisioning, ledger submissions and certificate "
                "downloads with their outcome; the same entries as the portal's audit page "
                "with the same filters. Pages go newest first by id: follow "
                "`next_before_id` (as `before_id`) for older entries and "
                "`previous_after_id` (as `after_id`) for newer ones, with the same "
                "filters; null when there is no such page.",
    parameters=PARAMETERS,
    answers={200: response("one page of entries", {"application/json": {
        "type": "object", "properties": {
            "items": {"type": "array", "items": _ENTRY}, "limit": {"type": "integer"},
            "next_before_id": {**_CURSOR_ANSWER, "description": "older entries: pass as "
                                                                  "before_id"},
            "previous_after_id": {**_CURSOR_ANSWER, "description": "newer entries: pass "
                                                                     "as after_id"}}}})},
    problems={400: "a bad filter or paging value (field, value, rule)",
              401: READ_UNAUTHENTICATED, 403: "only operators and auditors read the log"})
def audit_log() -> dict[str, Any]:
    """The audit log."""
    page = search(g.api_user, request.args)
    return {"items": [entry_dict(e) for e in page.entries], "limit": page.filter.limit,
            "next_before_id": page.next_before_id,
            "previous_after_id": page.previous_after_id}
