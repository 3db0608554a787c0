"""CSV downloads of the read model's tables: ``/exports/<table>.csv`` (holdings, transfers,
retirements, credit-batches, credit-shares), also served by ``/api/v1/exports``.

Who gets which rows: a holder (a role with a wallet) downloads its own rows; an operator
or auditor of PlatformMSP (``exports.all``) may download every holder's rows
(``?owner=all``, the default for a role without a wallet) or one holder's
(``?owner=<holder key>``). Anything else is refused with 403. Each download, and each
refusal, is one audit-log entry. ``?excel=1`` adds the BOM Excel needs.

The rows are the read model's copies of committed ledger records (`envalue.readmodel
.exports`); no peer is contacted, and an empty read model gives a header-only file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, g, request, url_for

from envalue.chaincode.domain.tokens.access import PLATFORM_MSP
from envalue.chaincode.domain.tokens.rules import require_owner_key
from envalue.exports import ExportError, csv_bytes
from envalue.readmodel.exports import EXPORT_TABLES, export_frame
from envalue.readmodel.queries import READ_MODEL_INCOMPLETE

from .. import audit
from ..db import PortalUser, get_session
from ..errors import PortalError
from ..roles import allowed
from ..security import login_required
from ..services.readmodel import owner_key, sessions

__all__ = ["TABLES", "blueprint", "csv_download", "export_scope"]

blueprint = Blueprint("exports", __name__, url_prefix="/exports")

#: the exportable tables, as spelled in URLs and on the CLI
TABLES = tuple(EXPORT_TABLES)
_ALL = "all"


@dataclass(frozen=True)
class ExportScope:
    """Whose rows a download holds: ``owner`` None means every holder's."""

    owner: str | None

    @property
    def label(self) -> str:
        return self.owner or _ALL


def _may_export_all(user: PortalUser) -> bool:
    return allowed(user.role, "exports.all") and user.msp_id == PLATFORM_MSP


def _refuse(user: PortalUser, table: str, asked: str, why: str) -> PortalError:
    audit.record(get_session(), actor=user.username, msp_id=user.msp_id,
                 action="export.csv", target=table, outcome="refused",
                 detail=f"owner={asked or '(own)'}: {why}")
    return PortalError(why, field="owner", value=asked or None, rule="permission:exports",
                       http_status=403, title="Forbidden")


def export_scope(user: PortalUser | None, table: str, asked: str) -> ExportScope:
    """The rows `user` may download for ``owner=asked`` (see the module docstring)."""
    if user is None:
        raise PortalError("sign in first", rule="unauthenticated", http_status=401,
                          title="Unauthorized")
    if table not in EXPORT_TABLES:
        raise PortalError(f"one of {', '.join(TABLES)}", field="table", value=table,
                          rule="choice", http_status=404, title="Not found")
    has_wallet = allowed(user.role, "wallet.view")
    own = owner_key(user) if has_wallet else None
    if asked == "" and own is not None:
        return ExportScope(own)
    if asked and asked == own:
        return ExportScope(own)
    if not _may_export_all(user):
        why = (f"role {user.role!r} of {user.msp_id} may export only its own rows"
               if has_wallet else f"role {user.role!r} of {user.msp_id} may not export; "
               f"every holder's rows are for an operator or auditor of {PLATFORM_MSP}")
        raise _refuse(user, table, asked, why)
    if asked in ("", _ALL):
        return ExportScope(None)
    return ExportScope(require_owner_key(asked, "owner"))


def csv_download(user: PortalUser | None, table: str, args: Any) -> Response:
    """The CSV download of `table` for `user` and the query `args` (owner, excel)."""
    scope = export_scope(user, table, str(args.get("owner", "")).strip())
    assert user is not None
    excel = str(args.get("excel", "")).strip().lower() in ("1", "true", "yes")
    try:
        with sessions()() as session:
            frame = export_frame(session, table, scope.owner)
    except ExportError as exc:
        audit.record(get_session(), actor=user.username, msp_id=user.msp_id,
                     action="export.csv", target=table, outcome="failed", detail=str(exc))
        raise PortalError(str(exc), field="table", value=table, rule=READ_MODEL_INCOMPLETE,
                          http_status=503, title="Read model incomplete") from None
    audit.record(get_session(), actor=user.username, msp_id=user.msp_id,
                 action="export.csv", target=table, outcome="ok",
                 detail=f"owner={scope.label}, rows={len(frame)}")
    name = f"envalue-{table}{'' if scope.owner else '-all'}.csv"
    return Response(csv_bytes(frame, excel=excel), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@blueprint.get("/<table>.csv")
@login_required
def download(table: str) -> Response:
    return csv_download(g.user, table, request.args)


@blueprint.app_context_processor
def _export_links() -> dict[str, Any]:
    """``export_href(table)``: the page's download link, or None when the user gets 403."""

    def export_href(table: str) -> str | None:
        user = g.get("user")
        if user is None or table not in EXPORT_TABLES:
            return None
        if not (allowed(user.role, "wallet.view") or _may_export_all(user)):
            return None
        return url_for("exports.download", table=table)

    return {"export_href": export_href}
