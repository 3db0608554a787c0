"""The calculations page's write forms: one chaincode measurement message per form.

Same contract as `forms_ledger`: a form holds no rule of its own, it turns what a person
typed into the JSON body the REST API takes (`webapp.services.calculations` builds the
chaincode's message and runs its `validate`), so an error carries the message's field,
value and rule and is shown beside the input it came from. The calculation id of the
review and mint forms goes into the path, as in the API.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from .forms_ledger import LedgerForm, _text, _timestamp

__all__ = ["AnchorBatchForm", "ApproveCalculationForm", "CalculateForm", "MintForm",
           "RejectCalculationForm"]


class CalculateForm(LedgerForm):
    """Calculate one equipment over a period made of whole anchored batches."""

    permission = "calculations.calculate"

    equipment_id = StringField(_l("Equipment id"))
    period_start = StringField(_l("Period start (Japan time unless an offset is given)"),
                               render_kw={"type": "datetime-local", "step": "1"})
    period_end = StringField(_l("Period end (Japan time unless an offset is given)"),
                             render_kw={"type": "datetime-local", "step": "1"})
    supersedes = StringField(_l("Supersedes calculation (optional: a correction)"))
    reason = TextAreaField(_l("Reason for the correction (with supersedes)"),
                           render_kw={"rows": 2})

    def body(self) -> dict[str, Any]:
        return {"equipment_id": _text(self.equipment_id),
                "period_start": _timestamp(_text(self.period_start)),
                "period_end": _timestamp(_text(self.period_end)),
                "supersedes": _text(self.supersedes), "reason": (self.reason.data or "").strip()}


class _ReviewForm(LedgerForm):
    permission = "calculations.review"

    calculation_id = StringField(_l("Calculation"))
    comment = TextAreaField(_l("Comment (optional)"), render_kw={"rows": 2})

    def body(self) -> dict[str, Any]:
        return {"comment": (self.comment.data or "").strip()}


class ApproveCalculationForm(_ReviewForm):
    """A verifier approves a reduction, making it mintable."""


class RejectCalculationForm(_ReviewForm):
    """A verifier rejects a reduction; the owner corrects it by superseding it."""

    comment = TextAreaField(_l("Comment (required: why it is rejected)"), render_kw={"rows": 2})


class MintForm(LedgerForm):
    """Mint an approved reduction as a token lot of the equipment owner."""

    permission = "calculations.mint"
    new_ids = ("lot_id",)

    calculation_id = StringField(_l("Calculation"))
    lot_id = StringField(_l("Lot id (optional; default: lot- and the calculation id)"))

    def body(self) -> dict[str, Any]:
        return {"lot_id": _text(self.lot_id)}


class AnchorBatchForm(LedgerForm):
    """Anchor a stored batch with the signature its edge device made of the header."""

    permission = "calculations.anchor"

    batch_id = StringField(_l("Batch id"))
    meter_id = StringField(_l("Meter id (empty: the device id)"))
    signature = TextAreaField(_l("Device signature of the header (DER, hex)"),
                              render_kw={"rows": 3, "spellcheck": "false"})

    def body(self) -> dict[str, Any]:
        return {"batch_id": _text(self.batch_id), "meter_id": _text(self.meter_id),
                "signature": "".join((self.signature.data or "").split())}
