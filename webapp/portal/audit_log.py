"""The audit log, readable by operators and auditors: a GET filter form (actor, action,
outcome, from/to, page size) over `webapp.services.audit_log.search`, the API's query, with
links to the newer and older pages; a refused filter value is shown beside the form (400).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, g, render_template, request, url_for

from ..db import AuditEntry
from ..errors import PortalError
from ..reports.offchain import REPORT_TZ
from ..security import permission_required
from ..services.audit_log import FILTERS, OUTCOMES, AuditPage, entry_at, search

blueprint = Blueprint("audit", __name__, url_prefix="/audit")


def _local(entry: AuditEntry) -> datetime:
    """The entry's time in Japan, the zone the filters read."""
    return entry_at(entry).astimezone(REPORT_TZ)


def _links(page: AuditPage) -> dict[str, str | None]:
    """The newer and older pages' URLs, keeping the filters and the page size."""
    kept = {name: value for name in (*FILTERS, "limit") if (value := request.args.get(name))}
    return {
        "newer": None if page.previous_after_id is None else url_for(
            "audit.index", **kept, after_id=page.previous_after_id),
        "older": None if page.next_before_id is None else url_for(
            "audit.index", **kept, before_id=page.next_before_id),
    }


@blueprint.get("/")
@permission_required("audit.view")
def index() -> tuple[str, int]:
    context: dict[str, Any] = {"args": request.args, "outcomes": OUTCOMES, "local": _local,
                               "entries": [], "links": {}, "problem": None}
    status = 200
    try:
        page = search(g.user, request.args)
    except PortalError as exc:
        context["problem"], status = exc.to_problem(), exc.http_status
    else:
        context.update(entries=page.entries, links=_links(page))
    return render_template("audit/index.html", **context), status
