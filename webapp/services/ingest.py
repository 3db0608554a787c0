"""Operation-data upload from the portal, through the ingestion service's one path.

Why a wrapper: the device API (`envalue.ingest_service` blueprint) authenticates devices
by signature; a portal upload is authenticated by the signed-in user, so this function
checks the role, runs the same `IngestService.handle` and writes the audit entry.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from envalue.ingest.store import IngestStore
from envalue.ingest_service import IngestService, Problem

from .. import audit
from ..db import PortalUser, get_session
from ..security import require_permission

__all__ = ["EXTENSION", "ingest_service", "upload"]

EXTENSION = "envalue.ingest_service"  # the key the ingestion blueprint reads


def make_service(config: dict[str, Any]) -> IngestService:
    """The ingestion service over the configured off-chain store."""
    url = config.get("INGEST_DATABASE_URL") or config["DATABASE_URL"]
    return IngestService(IngestStore(url))


def ingest_service() -> IngestService:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def upload(user: PortalUser | None, *, body: bytes, filename: str, device: str,
           content_type: str | None, options: dict[str, str]) -> dict[str, Any]:
    """Ingest one file for `device` as `user`; the quality report, or `Problem`."""
    actor = require_permission(user, "ingest.upload")
    db = get_session()
    low = filename.casefold()
    ctype = content_type if content_type not in (None, "", "application/octet-stream") else (
        "application/json" if low.endswith(".json") else "text/csv")
    try:
        report = ingest_service().handle(
            device=device, body=body, content_type=ctype, signature=None,
            source=f"portal:{actor.username}:{filename}", options=options)
    except Problem as exc:
        audit.record(db, actor=actor.username, msp_id=actor.msp_id, action="ingest.upload",
                     target=f"{device}:{filename}", outcome="refused", detail=str(exc))
        raise
    quality = report["quality"]
    audit.record(db, actor=actor.username, msp_id=actor.msp_id, action="ingest.upload",
                 target=f"{device}:{filename}", outcome="ok",
                 detail=f"upload_hash={report['upload_hash']} accepted="
                        f"{quality.get('accepted')} rejected={quality.get('rejected')}")
    return report
