"""The wallet's and credit pages' write forms: one ledger transaction per form.

Why the forms hold no rules of their own: each form only turns what a person typed into
the JSON body the REST API takes (`webapp.services.ledger` builds the chaincode's message
from it and runs the chaincode's own `validate`). Quantities are read exactly by
`envalue.ledger.quantities` (whole kg-CO2e, or ``1.5t``; credits in whole t-CO2), numbers
that are not digits are passed on as typed so the chaincode's rule refuses them by name.
So a form error carries the same field, value and rule as the API's problem+json; the
form maps the message's field path (``items[0].retire.purpose``) to its own input.

Each form has a `permission` (`webapp.roles`): pages show it only to roles holding it and
the POST routes check it again. Every form has a prefix, so several forms share a page
with distinct input names and ids.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from envalue.chaincode.domain.credits.msg_retire_credits import USES
from envalue.chaincode.domain.credits.msg_settle_report import MAX_SETTLE_PAGE
from envalue.chaincode.domain.credits.msg_verify_report import DECISIONS
from envalue.chaincode.domain.errors import DomainError, ValidationError
from envalue.chaincode.domain.tokens.msg_release import ACTIONS, MsgRelease
from envalue.chaincode.domain.tokens.msg_release import validate as validate_release
from envalue.chaincode.domain.tokens.state import RETIREMENT_PURPOSES
from envalue.ledger.quantities import parse_kg, parse_tonnes

__all__ = [
    "AddLotsForm", "CreateProgramForm", "EnrollSiteForm", "EscrowForm", "LedgerForm",
    "OpenReportForm", "ReleaseEscrowForm", "ReleaseReportForm", "RetireCreditsForm",
    "RetireForm", "SettleReportForm", "SubmitReportForm", "TransferCreditsForm",
    "TransferForm", "VerifyReportForm",
]

#: Labels of the chaincode's retirement purposes / credit uses (`RETIREMENT_PURPOSES`).
PURPOSE_LABELS = {
    "carbon_offset_product": _l("Carbon offset of a product or service"),
    "japan_reporting_act": _l("Disclosure under Japan's reporting act"),
    "voluntary": _l("Voluntary offsetting"),
    "other": _l("Other"),
}
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_LEADING_FIELD = re.compile(r"^[A-Za-z_]\w*")


def _text(field: StringField) -> str:
    return (field.data or "").strip()


def _int_or_text(text: str) -> Any:
    """Digits as an int; anything else as typed, for the chaincode's rule to refuse."""
    return int(text) if _INTEGER.match(text) else text


def _purpose_choices(values: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice(v, PURPOSE_LABELS.get(v, v)) for v in values]


class LedgerForm(FlaskForm):
    """A form submitted as one ledger transaction (see the module docstring)."""

    #: the `webapp.roles` permission a user needs to see and post this form
    permission: ClassVar[str] = ""
    #: message-path prefixes dropped when matching an error to an input (regexes)
    error_prefixes: ClassVar[tuple[str, ...]] = ()
    #: inputs naming the record the form creates (never prefilled from the page's context)
    new_ids: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: the refusal to show next to its field: field, path, value, rule, detail, status
        self.ledger_error: dict[str, Any] | None = None
        #: why the ledger could not be reached (the submission was not made)
        self.unavailable: str | None = None

    def body(self) -> dict[str, Any]:
        """The API body of this submission (raises `ValidationError` on bad numbers)."""
        raise NotImplementedError

    def text(self, name: str) -> str:
        """The stripped text of input `name` (ids that go into the path, not the body)."""
        return str(self.data.get(name) or "").strip()

    def field_for(self, path: str) -> str:
        """The input a message field path (``items[0].quantity_kg``) refers to, or ``""``."""
        name = path
        for prefix in self.error_prefixes:
            name = re.sub(f"^{prefix}", "", name)
        match = _LEADING_FIELD.match(name)
        name = match.group(0) if match else ""
        return name if name in self._fields and name != "csrf_token" else ""

    def refuse(self, exc: DomainError) -> None:
        """Keep `exc` (a validation error, rejection or conflict) to show by its field."""
        data = exc.to_dict()
        self.ledger_error = {
            "field": self.field_for(exc.field), "path": exc.field, "value": data["value"],
            "rule": exc.rule, "detail": exc.detail, "status": exc.http_status,
            "kind": type(exc).__name__}


# -- wallet -----------------------------------------------------------------------------
class _RetirementForm(LedgerForm):
    """Beneficiary, purpose, reporting year and note of a token retirement."""

    beneficiary = StringField(_l("Beneficiary"))
    purpose = SelectField(_l("Purpose"), choices=_purpose_choices(RETIREMENT_PURPOSES),
                          validate_choice=False)
    reporting_year = StringField(_l("Reporting year"), render_kw={"inputmode": "numeric"})
    note = TextAreaField(_l("Note (optional)"), render_kw={"rows": 2})

    def retirement_info(self) -> dict[str, Any]:
        return {"beneficiary": _text(self.beneficiary), "purpose": self.purpose.data or "",
                "reporting_year": _int_or_text(_text(self.reporting_year)),
                "note": (self.note.data or "").strip()}


class TransferForm(_RetirementForm):
    """Transfer part of a lot to another holder, optionally retiring it on receipt."""

    permission = "wallet.transfer"
    error_prefixes = (r"items\[\d+\]\.", r"retire\.")

    lot_id = StringField(_l("Token lot"))
    recipient = StringField(_l("Recipient (user@org or holder key)"))
    quantity_kg = StringField(_l("Quantity (kg-CO2e, or t with a 't' suffix)"))
    retire = BooleanField(_l("Retire on receipt (transfer-and-retire)"))

    def body(self) -> dict[str, Any]:
        item: dict[str, Any] = {"lot_id": _text(self.lot_id), "recipient": _text(self.recipient),
                                "quantity_kg": parse_kg(_text(self.quantity_kg))}
        if self.retire.data:
            item["retire"] = self.retirement_info()
        return {"items": [item]}


class RetireForm(_RetirementForm):
    """Retire part of one's holding for a beneficiary and a purpose."""

    permission = "wallet.retire"
    error_prefixes = (r"info\.",)

    lot_id = StringField(_l("Token lot"))
    quantity_kg = StringField(_l("Quantity (kg-CO2e, or t with a 't' suffix)"))

    def body(self) -> dict[str, Any]:
        return {"lot_id": _text(self.lot_id), "quantity_kg": parse_kg(_text(self.quantity_kg)),
                "info": self.retirement_info()}


class EscrowForm(LedgerForm):
    """Set units aside for a counterparty until an expiry (a pending trade)."""

    permission = "wallet.escrow"

    escrow_id = StringField(_l("Escrow id"))
    lot_id = StringField(_l("Token lot"))
    counterparty = StringField(_l("Counterparty (user@org or holder key)"))
    quantity_kg = StringField(_l("Quantity (kg-CO2e, or t with a 't' suffix)"))
    expires_at = StringField(_l("Expires at (Japan time unless an offset is given)"),
                             render_kw={"type": "datetime-local", "step": "1"})

    def body(self) -> dict[str, Any]:
        return {"escrow_id": _text(self.escrow_id), "lot_id": _text(self.lot_id),
                "counterparty": _text(self.counterparty),
                "quantity_kg": parse_kg(_text(self.quantity_kg)),
                "expires_at": _timestamp(_text(self.expires_at))}


def _timestamp(text: str) -> str:
    """A browser's ``datetime-local`` (no offset) read in the portal's time zone; anything
    else as typed (the chaincode wants an ISO 8601 timestamp with an offset)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        return text
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Tokyo"))
    return moment.replace(tzinfo=zone).isoformat()


class ReleaseEscrowForm(LedgerForm):
    """Close an escrow: release (back to the owner) or settle (to the counterparty)."""

    permission = "wallet.escrow"

    escrow_id = StringField(_l("Escrow id"))
    action = SelectField(_l("Action"), validate_choice=False, choices=[
        SelectChoice(a, {"release": _l("Release (units return to the owner)"),
                         "settle": _l("Settle (units go to the counterparty)")}.get(a, a))
        for a in ACTIONS])

    def body(self) -> dict[str, Any]:
        # the service reads any action but "settle" as "release": check it here first
        action = self.action.data or ""
        validate_release(MsgRelease(_text(self.escrow_id), action))
        return {"action": action}


# -- credit programs --------------------------------------------------------------------
class CreateProgramForm(LedgerForm):
    permission = "credits.program.manage"
    new_ids = ("program_id",)

    program_id = StringField(_l("Program id"))
    name = StringField(_l("Name"))
    methodologies = StringField(_l("Allowed methodologies (comma separated, e.g. EN-R-002)"))

    def body(self) -> dict[str, Any]:
        names = [m.strip() for m in re.split(r"[,\s]+", self.methodologies.data or "")]
        return {"program_id": _text(self.program_id), "name": _text(self.name),
                "methodologies": [m for m in names if m]}


class EnrollSiteForm(LedgerForm):
    permission = "credits.program.manage"

    program_id = StringField(_l("Program id"))
    site_id = StringField(_l("Site id"))
    owner = StringField(_l("Site owner (user@org or holder key)"))

    def body(self) -> dict[str, Any]:
        return {"site_id": _text(self.site_id), "owner": _text(self.owner)}


class OpenReportForm(LedgerForm):
    permission = "credits.program.manage"
    new_ids = ("report_id",)

    report_id = StringField(_l("Monitoring report"))
    program_id = StringField(_l("Program id"))
    period_start = StringField(_l("Period start"), render_kw={"type": "date"})
    period_end = StringField(_l("Period end"), render_kw={"type": "date"})

    def body(self) -> dict[str, Any]:
        return {"report_id": _text(self.report_id), "program_id": _text(self.program_id),
                "period_start": _text(self.period_start), "period_end": _text(self.period_end)}


class AddLotsForm(LedgerForm):
    """One page of holdings: a line ``<lot id> <owner>`` per holding."""

    permission = "credits.program.manage"

    report_id = StringField(_l("Monitoring report"))
    lots = TextAreaField(_l("Holdings, one per line: lot id and owner (user@org or holder "
                            "key)"), render_kw={"rows": 6})

    def body(self) -> dict[str, Any]:
        lines = [line.strip() for line in (self.lots.data or "").splitlines() if line.strip()]
        lots = []
        for i, line in enumerate(lines):
            parts = [p for p in re.split(r"[,\s]+", line) if p]
            if len(parts) != 2:
                raise ValidationError(f"lots[{i}]", line, "lot-line",
                                      "write one holding per line: <lot id> <owner>")
            lots.append({"lot_id": parts[0], "owner": parts[1]})
        return {"lots": lots}


class SubmitReportForm(LedgerForm):
    permission = "credits.program.manage"

    report_id = StringField(_l("Monitoring report"))

    def body(self) -> dict[str, Any]:
        return {}


class _PageForm(LedgerForm):
    report_id = StringField(_l("Monitoring report"))
    limit = StringField(_l("Records per transaction"), default=str(MAX_SETTLE_PAGE),
                        render_kw={"inputmode": "numeric"})

    def body(self) -> dict[str, Any]:
        return {"limit": _int_or_text(_text(self.limit))}


class SettleReportForm(_PageForm):
    """Issue: write an approved report's contributor shares, one page per transaction."""

    permission = "credits.issue"


class ReleaseReportForm(_PageForm):
    """Return a rejected report's bundled holdings to their owners, one page at a time."""

    permission = "credits.program.manage"


class VerifyReportForm(LedgerForm):
    permission = "credits.review"

    report_id = StringField(_l("Monitoring report"))
    decision = SelectField(_l("Decision"), validate_choice=False, choices=[
        SelectChoice(d, {"approve": _l("Approve"), "reject": _l("Reject")}.get(d, d))
        for d in DECISIONS])
    comments = TextAreaField(_l("Comments (required to reject)"), render_kw={"rows": 3})

    def body(self) -> dict[str, Any]:
        return {"decision": self.decision.data or "", "comments": (self.comments.data or "")}


class TransferCreditsForm(LedgerForm):
    permission = "credits.trade"

    batch_id = StringField(_l("Credit batch"))
    recipient = StringField(_l("Recipient (user@org or holder key)"))
    quantity_t = StringField(_l("Quantity (whole t-CO2)"), render_kw={"inputmode": "numeric"})

    def body(self) -> dict[str, Any]:
        return {"batch_id": _text(self.batch_id), "recipient": _text(self.recipient),
                "quantity_t": parse_tonnes(_text(self.quantity_t))}


class RetireCreditsForm(LedgerForm):
    """Invalidate credits with the fields a J-Credit invalidation asks for."""

    permission = "credits.retire"

    batch_id = StringField(_l("Credit batch"))
    quantity_t = StringField(_l("Quantity (whole t-CO2)"), render_kw={"inputmode": "numeric"})
    user_name = StringField(_l("Credit user's name"))
    use = SelectField(_l("Use"), choices=_purpose_choices(USES), validate_choice=False)
    purpose_detail = TextAreaField(_l("Purpose detail"), render_kw={"rows": 2})
    reporting_year = StringField(_l("Reporting year"), render_kw={"inputmode": "numeric"})

    def body(self) -> dict[str, Any]:
        return {"batch_id": _text(self.batch_id),
                "quantity_t": parse_tonnes(_text(self.quantity_t)),
                "user_name": _text(self.user_name), "use": self.use.data or "",
                "purpose_detail": (self.purpose_detail.data or "").strip(),
                "reporting_year": _int_or_text(_text(self.reporting_year))}
