"""The audit log: one helper that every state-changing route calls.

Why one helper: who (portal user and MSP), when, what (action and target) and the outcome
are written the same way for sign-ins, uploads, provisioning and ledger submissions, so an
auditor can read one table. Each entry commits on its own so a failed action is recorded
even when the action's own transaction rolls back.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import AuditEntry

__all__ = ["recent", "record"]


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


def recent(session: Session, limit: int = 200) -> list[AuditEntry]:
    """The newest entries first."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
