"""The audit log: one helper that every state-changing route calls.

Why one helper: who (portal user and MSP), when, what (action and target) and the outcome
are written the same way for sign-ins, uploads, provisioning and ledger submissions, so an
auditor can read one table. Each entry commits on its own so a failed action is recorded
even when the action's own transaction rolls back. Reading the log (filters, pages) is
`webapp.services.audit_log`'s.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy.orm import Session

from .db import AuditEntry

__all__ = ["record"]


def record(session: Session, *, actor: str, action: str, outcome: str, target: str = "",
           detail: str = "", msp_id: str = "") -> AuditEntry:
    """Append one entry (`outcome`: ok, refused, failed) and commit it."""
    remote = request.remote_addr or "" if has_request_context() else "cli"
    entry = AuditEntry(actor=actor[:128], msp_id=msp_id[:64], action=action[:64],
                       target=target[:255], outcome=outcome[:16], detail=detail[:2000],
                       remote_addr=remote[:64])
    session.add(entry)
    session.commit()
    return entry
