"""CSV exports of the read model's tables for programs (the portal's downloads, by token).

Same rows, permissions and audit entries as the portal's ``/exports/<table>.csv``
(`webapp.portal.exports`): a holder gets its own rows, an operator or auditor of
PlatformMSP every holder's (``owner=all``) or one holder's.
"""

from __future__ import annotations

from flask import Response, g, request

from ...portal.exports import TABLES, csv_download
from ...security import api_auth_required
from ..operation import READ_UNAUTHENTICATED, api_operation, response
from . import blueprint


@blueprint.get("/exports/<table>.csv")
@api_auth_required("dashboard.view")
@api_operation(
    "A table of the read model (holdings, transfers, retirements, credits) as CSV",
    description="Rows are the read model's copies of committed ledger records (filled by "
                "the block listener), never a ledger scan; integers are kg-CO2e or t-CO2, "
                "timestamps ISO 8601 UTC, and event rows carry their transaction id and "
                "block number. A holder gets its own rows; an operator or auditor of "
                "PlatformMSP gets every holder's rows (`owner=all`, the default for a role "
                "without a wallet) or one holder's. An empty read model answers the header "
                "row only.",
    tags=["exports"],
    parameters=[
        {"in": "path", "name": "table", "required": True,
         "schema": {"type": "string", "enum": list(TABLES)}},  # the exporter's own list
        {"in": "query", "name": "owner", "required": False,
         "schema": {"type": "string", "maxLength": 512},
         "description": "'all' or a holder key (default: the caller's own rows)"},
        {"in": "query", "name": "excel", "required": False, "schema": {"type": "boolean"},
         "description": "UTF-8 byte order mark and CRLF line ends for Excel"}],
    answers={200: response("the CSV file (header row first)", {"text/csv": {"type": "string"}})},
    problems={400: "invalid owner (field, value, rule)", 401: READ_UNAUTHENTICATED,
              403: "the caller may not export these rows", 404: "no such table",
              503: "a read-model row cannot be exported (rule read-model-incomplete)"})
def export_csv(table: str) -> Response:
    """One read-model table as CSV."""
    return csv_download(g.api_user, table, request.args)
