"""The portal's ledger operations: `envalue.ledger` with the portal user as the caller.

Why thin: the domain functions, their validation and the decoding of ledger errors live
in `envalue.ledger` (shared with the CLI). This adapter checks the portal permission,
turns a JSON body into the chaincode's own message dataclass (`decode_message`; the
owner defaults to the user's holder key), runs the domain function in a session signing
as the user, writes the audit entry of every submission, and returns JSON-ready data.
Input is validated before any connection, so a bad request is a 400 even while the
ledger is unavailable (503). No ledger data is ever made up here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from envalue.chaincode.domain.credits.msg_add_lots import MsgAddLots
from envalue.chaincode.domain.credits.msg_create_program import MsgCreateProgram
from envalue.chaincode.domain.credits.msg_enroll_site import MsgEnrollSite
from envalue.chaincode.domain.credits.msg_open_report import MsgOpenReport
from envalue.chaincode.domain.credits.msg_retire_credits import MsgRetireCredits
from envalue.chaincode.domain.credits.msg_settle_report import MsgSettleReport
from envalue.chaincode.domain.credits.msg_transfer_credits import MsgTransferCredits
from envalue.chaincode.domain.credits.msg_verify_report import MsgVerifyReport
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.tokens.msg_escrow import MsgEscrow
from envalue.chaincode.domain.tokens.msg_release import MsgRelease
from envalue.chaincode.domain.tokens.msg_request_cancel import MsgRequestCancel
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire
from envalue.chaincode.domain.tokens.msg_transfer import MsgTransfer
from envalue.ledger import credits, tokens
from envalue.ledger.messages import query_call
from envalue.ledger.quantities import parse_yen

from ..db import PortalUser
from ..gateway import LedgerStatus, gateway
from ..security import require_permission
from .ledger_calls import evaluate as _evaluate
from .ledger_calls import holder_of
from .ledger_calls import message as _message
from .ledger_calls import owner_key as _owner
from .ledger_calls import submit as _submit

__all__ = [
    "add_lots", "approve_cancel", "create_program", "credit_report", "distribution",
    "enroll_site", "escrow_tokens", "holder_of", "ledger_status", "lot_history",
    "lot_holding", "open_report", "release_escrow", "release_report", "request_cancel",
    "retire_credits", "retire_tokens", "settle_report", "submit_report", "supply_audit",
    "trace", "transfer_credits", "transfer_tokens", "verify_report",
]

def ledger_status(user: PortalUser) -> LedgerStatus:
    """Whether the user's org's Gateway peer answers, and why not."""
    return gateway().status(user.org_key)


# -- reads ------------------------------------------------------------------------------
def lot_holding(user: PortalUser | None, lot_id: str, owner: str = "") -> Any:
    """``tokens:holding`` for a lot and owner (default: the user's own identity)."""
    actor = require_permission(user, "wallet.view")
    key = holder_of(owner) if owner else _owner(actor)
    call = tokens.holding_call(lot_id.strip(), key)
    return _evaluate(actor, lambda s: s.evaluate(call)).to_dict()


def lot_history(user: PortalUser | None, lot_id: str, owner: str = "") -> Any:
    """``tokens:history`` of a lot (optionally one owner's entries)."""
    actor = require_permission(user, "wallet.view")
    call = tokens.history_call(lot_id.strip(), holder_of(owner) if owner else "")
    return [e.to_dict() for e in _evaluate(actor, lambda s: s.evaluate(call))]


def supply_audit(user: PortalUser | None, lot_id: str = "") -> Any:
    """``tokens:audit``: the supply equation of one lot or of the whole ledger."""
    actor = require_permission(user, "trace.view")
    call = tokens.audit_call(lot_id.strip())
    return _evaluate(actor, lambda s: s.evaluate(call)).to_dict()


def credit_report(user: PortalUser | None, report_id: str) -> Any:
    """``credits:report``: a monitoring report with its review state."""
    actor = require_permission(user, "credits.view")
    call = credits.report_call(report_id.strip())
    return _evaluate(actor, lambda s: s.evaluate(call)).to_dict()


def distribution(user: PortalUser | None, batch_id: str, proceeds_yen: Any) -> Any:
    """``credits:distribution``: the distribution statement of an issued batch."""
    actor = require_permission(user, "credits.view")
    call = credits.distribution_call(batch_id.strip(), parse_yen(proceeds_yen))
    return _evaluate(actor, lambda s: s.evaluate(call)).to_dict()


def trace(user: PortalUser | None, lot_id: str, calculation_id: str = "") -> Any:
    """``measurement:trace``: from a lot down to its calculation, batches and readings."""
    actor = require_permission(user, "trace.view")
    if not lot_id.strip():
        raise ValidationError("lot_id", lot_id, "required", "must be a non-empty string")
    call = query_call("measurement", "trace", lot_id.strip(), calculation_id)
    return _evaluate(actor, lambda s: s.evaluate(call))


# -- token writes -----------------------------------------------------------------------
def transfer_tokens(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "wallet.transfer")
    msg = _message(MsgTransfer, body, actor)
    if any(item.retire is not None for item in msg.items):  # transfer-and-retire
        require_permission(actor, "wallet.retire")
    return _submit(actor, "tokens:transfer", ",".join(i.lot_id for i in msg.items)[:255],
                   lambda s: tokens.transfer_tokens(s, msg.items, owner=msg.owner))


def retire_tokens(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "wallet.retire")
    msg = _message(MsgRetire, body, actor)
    return _submit(actor, "tokens:retire", msg.lot_id, lambda s: tokens.retire_tokens(
        s, msg.lot_id, msg.quantity_kg, msg.info, owner=msg.owner))


def escrow_tokens(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "wallet.escrow")
    msg = _message(MsgEscrow, body, actor)
    return _submit(actor, "tokens:escrow", msg.escrow_id, lambda s: tokens.escrow_tokens(
        s, msg.escrow_id, msg.lot_id, msg.counterparty, msg.quantity_kg, msg.expires_at,
        owner=msg.owner))


def release_escrow(user: PortalUser | None, escrow_id: str,
                   body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "wallet.escrow")
    msg = _message(MsgRelease, body, actor, escrow_id=escrow_id)
    call = tokens.release_call(msg.escrow_id, msg.action)  # the chaincode's rules check it
    return _submit(actor, "tokens:release", escrow_id, lambda s: s.submit(call))


def request_cancel(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "tokens.cancel.request")
    msg = _message(MsgRequestCancel, body, actor, default_owner=False)
    return _submit(actor, "tokens:request_cancel", msg.request_id, lambda s: tokens.request_cancel(
        s, msg.request_id, msg.lot_id, msg.owner, msg.quantity_kg, msg.reason))


def approve_cancel(user: PortalUser | None, request_id: str) -> dict[str, Any]:
    actor = require_permission(user, "tokens.cancel.approve")
    call = tokens.approve_cancel_call(request_id)
    return _submit(actor, "tokens:approve_cancel", request_id, lambda s: s.submit(call))


# -- credit writes ----------------------------------------------------------------------
def create_program(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "credits.program.manage")
    msg = _message(MsgCreateProgram, body, actor)
    return _submit(actor, "credits:create_program", msg.program_id,
                   lambda s: credits.create_program(s, msg.program_id, msg.name,
                                                    msg.methodologies))


def enroll_site(user: PortalUser | None, program_id: str,
                body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "credits.program.manage")
    msg = _message(MsgEnrollSite, body, actor, default_owner=False, program_id=program_id)
    return _submit(actor, "credits:enroll_site", f"{program_id}/{msg.site_id}",
                   lambda s: credits.enroll_site(s, msg.program_id, msg.site_id, msg.owner))


def open_report(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "credits.program.manage")
    msg = _message(MsgOpenReport, body, actor)
    return _submit(actor, "credits:open_report", msg.report_id, lambda s: credits.open_report(
        s, msg.report_id, msg.program_id, msg.period_start, msg.period_end))


def add_lots(user: PortalUser | None, report_id: str,
             body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "credits.program.manage")
    msg = _message(MsgAddLots, body, actor, report_id=report_id)
    return _submit(actor, "credits:add_lots", report_id,
                   lambda s: credits.add_lots(s, msg.report_id, msg.lots))


def submit_report(user: PortalUser | None, report_id: str) -> dict[str, Any]:
    actor = require_permission(user, "credits.program.manage")
    call = credits.submit_report_call(report_id)
    return _submit(actor, "credits:submit_report", report_id, lambda s: s.submit(call))


def verify_report(user: PortalUser | None, report_id: str,
                  body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "credits.review")
    msg = _message(MsgVerifyReport, body, actor, report_id=report_id)
    return _submit(actor, "credits:verify_report", report_id, lambda s: credits.verify_report(
        s, msg.report_id, msg.decision, msg.comments))


def settle_report(user: PortalUser | None, report_id: str,
                  body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "credits.issue")
    msg = _message(MsgSettleReport, body, actor, report_id=report_id)
    return _submit(actor, "credits:settle_report", report_id,
                   lambda s: credits.settle_report(s, msg.report_id, msg.limit))


def release_report(user: PortalUser | None, report_id: str,
                   body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "credits.program.manage")
    msg = _message(MsgSettleReport, body, actor, report_id=report_id)
    return _submit(actor, "credits:release_report", report_id,
                   lambda s: credits.release_report(s, msg.report_id, msg.limit))


def transfer_credits(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "credits.trade")
    msg = _message(MsgTransferCredits, body, actor)
    return _submit(actor, "credits:transfer", msg.batch_id, lambda s: credits.transfer_credits(
        s, msg.batch_id, msg.recipient, msg.quantity_t, owner=msg.owner))


def retire_credits(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    actor = require_permission(user, "credits.retire")
    msg = _message(MsgRetireCredits, body, actor)
    return _submit(actor, "credits:retire", msg.batch_id, lambda s: credits.retire_credits(
        s, msg.batch_id, msg.quantity_t, msg.user_name, msg.use, msg.purpose_detail,
        msg.reporting_year, owner=msg.owner))
