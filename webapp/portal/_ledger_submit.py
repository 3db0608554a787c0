"""Posting a ledger form: run its service call and keep the outcome for the page.

Why one place: the wallet and credit pages answer every write the same way. A committed
transaction is flashed with its id and block, and remembered (with links to the lot's
history and to certificates of any retirement) for the page the browser is sent to next.
Anything else re-renders the page with the form still filled in and the reason next to
the field: 400 (input breaks a rule; nothing was sent), 422 (chaincode refused), 409
(read conflict at commit), 503 (ledger unavailable, the reason shown). Permission errors
(`PortalError` 401/403) are left to the app's error handler.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, g, session, url_for
from flask_babel import gettext as _

from envalue.chaincode.domain.errors import DomainError
from envalue.ledger.errors import LedgerUnavailableError

from ..roles import allowed
from .forms_ledger import LedgerForm

__all__ = ["certificate_links", "last_result", "page_forms", "remember", "retirement_serials",
           "submit"]

_RESULT_KEY = "ledger_result"
#: Events that record a retirement, and where their serial's source id is.
_RETIREMENT_EVENTS = {"EventRetire": "lot_id", "EventRetireCredits": "batch_id"}


def page_forms(forms: Mapping[str, type[LedgerForm]], bound: Mapping[str, LedgerForm],
               defaults: Mapping[str, str]) -> dict[str, LedgerForm | None]:
    """Each form of a page the user may post: the posted one as it was (bound), the others
    fresh (filled from `defaults`, except the ids of records they create); None for forms
    the user's role may not post, so the page does not show them."""
    out: dict[str, LedgerForm | None] = {}
    for name, cls in forms.items():
        if name in bound:
            out[name] = bound[name]
        elif allowed(g.user.role, cls.permission):
            data = {k: v for k, v in defaults.items() if v and k not in cls.new_ids}
            out[name] = cls(formdata=None, prefix=name, data=data)
        else:
            out[name] = None
    return out


def submit(form: LedgerForm, call: Callable[[], dict[str, Any]]
           ) -> tuple[dict[str, Any] | None, int]:
    """``(result, 200)`` once committed; ``(None, status)`` with the reason on `form`."""
    if not form.validate_on_submit():
        return None, 400
    try:
        return call(), 200
    except LedgerUnavailableError as exc:
        form.unavailable = exc.reason
        return None, exc.http_status
    except DomainError as exc:  # ValidationError 400, LedgerRejection 422, conflicts 409
        form.refuse(exc)
        return None, exc.http_status


def retirement_serials(result: Mapping[str, Any]) -> list[dict[str, str]]:
    """``{kind, source, serial}`` of each retirement a committed transaction recorded."""
    out = []
    for event in result.get("events", ()):
        source = _RETIREMENT_EVENTS.get(event.get("name", ""))
        attributes = event.get("attributes") or {}
        if source and attributes.get("serial"):
            out.append({"kind": source, "source": str(attributes.get(source, "")),
                        "serial": str(attributes["serial"])})
    return out


def certificate_links(result: Mapping[str, Any]) -> list[dict[str, str]]:
    """Links to the certificate of each retirement in `result` (see `wallet.certificate`)."""
    return [{"kind": "certificate", "label": r["serial"],
             "href": url_for("wallet.certificate", serial=r["serial"],
                             **{r["kind"]: r["source"]})}
            for r in retirement_serials(result)]


def remember(result: Mapping[str, Any], links: list[dict[str, str]]) -> None:
    """Flash the committed transaction and keep it, with `links`, for the next page."""
    block = result.get("block_number")
    flash(_("Committed on the ledger: %(operation)s, transaction %(tx)s, block %(block)s.",
            operation=result.get("operation", ""), tx=result.get("transaction_id", ""),
            block=_("unknown") if block is None else block), "ok")
    session[_RESULT_KEY] = {"operation": result.get("operation", ""),
                            "transaction_id": result.get("transaction_id", ""),
                            "block_number": block, "links": links}


def last_result() -> dict[str, Any] | None:
    """The transaction committed just before this page (shown once)."""
    value = session.pop(_RESULT_KEY, None)
    return value if isinstance(value, dict) else None
