"""CSV exports of the read model's tables for programs (the portal's downloads, by token).

Same rows, permissions and audit entries as the portal's ``/exports/<table>.csv``
(`webapp.portal.exports`): a holder gets its own rows, an operator or auditor of
PlatformMSP every holder's (``owner=all``) or one holder's.
"""

from __future__ import annotations

from flask import Response, g, request

from ...portal.exports import TABLES, csv_download
from ...security import api_auth_required
from . import blueprint


@blueprint.get("/exports/<table>.csv")
@api_auth_required("dashboard.view")
def export_csv(table: str) -> Response:
    """One read-model table as CSV.
    ---
    get:
      summary: A table of the read model (holdings, transfers, retirements, credits) as CSV
      description: >-
        Rows are the read model's copies of committed ledger records (filled by the block
        listener), never a ledger scan; integers are kg-CO2e or t-CO2, timestamps ISO 8601
        UTC, and event rows carry their transaction id and block number. A holder gets its
        own rows; an operator or auditor of PlatformMSP gets every holder's rows
        (`owner=all`, the default for a role without a wallet) or one holder's. An empty
        read model answers the header row only.
      tags: [exports]
      security: [{bearer: []}]
      parameters:
        - {in: path, name: table, required: true,
           schema: {type: string, enum: [TABLES]}}
        - {in: query, name: owner, required: false, schema: {type: string, maxLength: 512},
           description: "'all' or a holder key (default: the caller's own rows)"}
        - {in: query, name: excel, required: false, schema: {type: boolean},
           description: UTF-8 byte order mark and CRLF line ends for Excel}
      responses:
        200:
          description: the CSV file (header row first)
          content:
            text/csv:
              schema: {type: string}
        400:
          description: invalid owner (field, value, rule)
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        401:
          description: no or bad bearer token
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        403:
          description: the caller may not export these rows
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        404:
          description: no such table
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        503:
          description: a read-model row cannot be exported (rule read-model-incomplete)
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
    """
    return csv_download(g.api_user, table, request.args)


# the enum is the exporter's own list of tables
export_csv.__doc__ = (export_csv.__doc__ or "").replace("[TABLES]", f"[{', '.join(TABLES)}]")
