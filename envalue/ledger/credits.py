"""Credit programs from a client: programs, monitoring reports, issuance, credit moves.

Same shape as `tokens`: a pure ``*_call`` builder per chaincode message (validated with
the message module's ``validate``, encoded for ``contracts/credits.py``) and a domain
function running it in a `LedgerSession`. Bundling and settlement are paged on the
ledger (bounded write sets); `bundle_lots` and `issue_credits` build every page first
(so bad input fails before anything is written) and then submit them in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from envalue.chaincode.domain.credits import (
    msg_add_lots,
    msg_create_program,
    msg_enroll_site,
    msg_open_report,
    msg_retire_credits,
    msg_settle_report,
    msg_submit_report,
    msg_transfer_credits,
    msg_verify_report,
)
from envalue.chaincode.domain.credits.distribution import DistributionLine, DistributionStatement
from envalue.chaincode.domain.credits.msg_add_lots import MAX_PAGE, LotRef, MsgAddLots
from envalue.chaincode.domain.credits.msg_release_report import MsgReleaseReport
from envalue.chaincode.domain.credits.msg_settle_report import MAX_SETTLE_PAGE, MsgSettleReport
from envalue.chaincode.domain.credits.state import CreditHolding, Report
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.domain.tokens.rules import require_id, require_owner_key

from .messages import LedgerCall, TxResult, query_call, submit_call
from .session import LedgerSession

__all__ = [
    "LotRef",
    "add_lots",
    "add_lots_call",
    "bundle_lots",
    "create_program",
    "create_program_call",
    "credit_holding",
    "credit_report",
    "distribution_call",
    "distribution_statement",
    "enroll_site",
    "enroll_site_call",
    "holding_call",
    "issue_credits",
    "open_report",
    "open_report_call",
    "release_report",
    "release_report_call",
    "report_call",
    "retire_credits",
    "retire_credits_call",
    "settle_report",
    "settle_report_call",
    "submit_report",
    "submit_report_call",
    "transfer_credits",
    "transfer_credits_call",
    "verify_report",
    "verify_report_call",
]

CREDITS = "credits"


# -- builders ---------------------------------------------------------------------------
def create_program_call(program_id: str, name: str,
                        methodologies: Sequence[str]) -> LedgerCall[Any]:
    message = msg_create_program.MsgCreateProgram(program_id, name, tuple(methodologies))
    return submit_call(CREDITS, "create_program", message, msg_create_program.validate)


def enroll_site_call(program_id: str, site_id: str, owner: str) -> LedgerCall[Any]:
    return submit_call(CREDITS, "enroll_site",
                       msg_enroll_site.MsgEnrollSite(program_id, site_id, owner),
                       msg_enroll_site.validate)


def open_report_call(report_id: str, program_id: str, period_start: str,
                     period_end: str) -> LedgerCall[Any]:
    message = msg_open_report.MsgOpenReport(report_id, program_id, period_start, period_end)
    return submit_call(CREDITS, "open_report", message, msg_open_report.validate)


def add_lots_call(report_id: str, lots: Sequence[LotRef]) -> LedgerCall[Any]:
    """One page (at most `MAX_PAGE` holdings) of lots bundled into a collecting report."""
    return submit_call(CREDITS, "add_lots", MsgAddLots(report_id, tuple(lots)),
                       msg_add_lots.validate)


def submit_report_call(report_id: str) -> LedgerCall[Any]:
    return submit_call(CREDITS, "submit_report", msg_submit_report.MsgSubmitReport(report_id),
                       msg_submit_report.validate)


def verify_report_call(report_id: str, decision: str, comments: str = "") -> LedgerCall[Any]:
    message = msg_verify_report.MsgVerifyReport(report_id, decision, comments)
    return submit_call(CREDITS, "verify_report", message, msg_verify_report.validate)


def settle_report_call(report_id: str, limit: int = MAX_SETTLE_PAGE) -> LedgerCall[Any]:
    return submit_call(CREDITS, "settle_report", MsgSettleReport(report_id, limit),
                       msg_settle_report.validate)


def release_report_call(report_id: str, limit: int = MAX_SETTLE_PAGE) -> LedgerCall[Any]:
    # the chaincode checks a release page with the settlement page's validate
    return submit_call(CREDITS, "release_report", MsgReleaseReport(report_id, limit),
                       msg_settle_report.validate)


def transfer_credits_call(owner: str, batch_id: str, recipient: str,
                          quantity_t: int) -> LedgerCall[Any]:
    message = msg_transfer_credits.MsgTransferCredits(owner, batch_id, recipient, quantity_t)
    return submit_call(CREDITS, "transfer", message, msg_transfer_credits.validate)


def retire_credits_call(owner: str, batch_id: str, quantity_t: int, user_name: str, use: str,
                        purpose_detail: str, reporting_year: int) -> LedgerCall[Any]:
    message = msg_retire_credits.MsgRetireCredits(owner, batch_id, quantity_t, user_name, use,
                                                  purpose_detail, reporting_year)
    return submit_call(CREDITS, "retire", message, msg_retire_credits.validate)


def report_call(report_id: str) -> LedgerCall[Report]:
    require_id(report_id, "report_id")
    return query_call(CREDITS, "report", report_id,
                      decode=lambda raw: Report.from_dict(loads(raw)))


def holding_call(batch_id: str, owner: str) -> LedgerCall[CreditHolding]:
    """One owner's tradable and retired tonnes of a batch (zeros if never held)."""
    require_id(batch_id, "batch_id")
    require_owner_key(owner, "owner")
    return query_call(CREDITS, "holding", batch_id, owner,
                      decode=lambda raw: CreditHolding.from_dict(loads(raw)))


def _statement(raw: bytes) -> DistributionStatement:
    data = loads(raw)
    lines = tuple(DistributionLine(x["owner"], x["share_kg"], x["yen"]) for x in data["lines"])
    return DistributionStatement(data["batch_id"], data["proceeds_yen"], data["credited_kg"],
                                 lines, data["rounding_rule"])


def distribution_call(batch_id: str, proceeds_yen: int) -> LedgerCall[DistributionStatement]:
    """How `proceeds_yen` of a sale of the batch split among its contributors."""
    require_id(batch_id, "batch_id")
    if isinstance(proceeds_yen, bool) or not isinstance(proceeds_yen, int) or proceeds_yen < 0:
        raise ValidationError("proceeds_yen", proceeds_yen, "non-negative-integer",
                              f"{proceeds_yen!r} is not a whole, non-negative number of yen")
    return query_call(CREDITS, "distribution", batch_id, str(proceeds_yen), decode=_statement)


# -- domain functions -------------------------------------------------------------------
def create_program(session: LedgerSession, program_id: str, name: str,
                   methodologies: Sequence[str]) -> TxResult:
    """Open a program-type project (Platform operator) allowing `methodologies`."""
    return session.submit(create_program_call(program_id, name, methodologies))


def enroll_site(session: LedgerSession, program_id: str, site_id: str, owner: str) -> TxResult:
    """Enroll a site of `owner` in the program."""
    return session.submit(enroll_site_call(program_id, site_id, owner))


def open_report(session: LedgerSession, report_id: str, program_id: str, period_start: str,
                period_end: str) -> TxResult:
    """Start collecting a monitoring report for one period."""
    return session.submit(open_report_call(report_id, program_id, period_start, period_end))


def add_lots(session: LedgerSession, report_id: str, lots: Sequence[LotRef]) -> TxResult:
    """Bundle one page of eligible holdings into the report."""
    return session.submit(add_lots_call(report_id, lots))


def bundle_lots(session: LedgerSession, report_id: str,
                lots: Sequence[LotRef]) -> list[TxResult]:
    """Bundle any number of holdings, `MAX_PAGE` per transaction, all pages checked first."""
    calls = [add_lots_call(report_id, lots[i:i + MAX_PAGE])
             for i in range(0, max(len(lots), 1), MAX_PAGE)]
    return [session.submit(call) for call in calls]


def submit_report(session: LedgerSession, report_id: str) -> TxResult:
    """Close collection and hand the report to verification."""
    return session.submit(submit_report_call(report_id))


def verify_report(session: LedgerSession, report_id: str, decision: str,
                  comments: str = "") -> TxResult:
    """A verifier approves (issuing credits) or rejects (comments required) the report."""
    return session.submit(verify_report_call(report_id, decision, comments))


def settle_report(session: LedgerSession, report_id: str,
                  limit: int = MAX_SETTLE_PAGE) -> TxResult:
    """Write one page of contributors' shares and carry-forwards of an approved report."""
    return session.submit(settle_report_call(report_id, limit))


def issue_credits(session: LedgerSession, report_id: str,
                  limit: int = MAX_SETTLE_PAGE) -> list[TxResult]:
    """Settle page after page until the report is ``issued`` (or a page makes no progress)."""
    call = settle_report_call(report_id, limit)
    results: list[TxResult] = []
    settled = -1
    while True:
        result = session.submit(call)
        results.append(result)
        event = result.event("EventSettleReport")
        if event is None or event.attributes.get("complete"):
            return results
        if event.attributes.get("settled") == settled:
            return results
        settled = event.attributes.get("settled", settled)


def release_report(session: LedgerSession, report_id: str,
                   limit: int = MAX_SETTLE_PAGE) -> TxResult:
    """After a rejection, return one page of bundled holdings to tradable."""
    return session.submit(release_report_call(report_id, limit))


def transfer_credits(session: LedgerSession, batch_id: str, recipient: str, quantity_t: int,
                     *, owner: str | None = None) -> TxResult:
    """Move whole tonnes of a credit batch to another holder."""
    return session.submit(transfer_credits_call(owner or session.owner_key, batch_id,
                                                recipient, quantity_t))


def retire_credits(session: LedgerSession, batch_id: str, quantity_t: int, user_name: str,
                   use: str, purpose_detail: str, reporting_year: int, *,
                   owner: str | None = None) -> TxResult:
    """Invalidate whole tonnes with the J-Credit invalidation fields."""
    return session.submit(retire_credits_call(owner or session.owner_key, batch_id, quantity_t,
                                              user_name, use, purpose_detail, reporting_year))


def credit_report(session: LedgerSession, report_id: str) -> Report:
    """A monitoring report with its state, pool and review history."""
    return session.evaluate(report_call(report_id))


def credit_holding(session: LedgerSession, batch_id: str,
                   owner: str | None = None) -> CreditHolding:
    """One owner's tonnes of a credit batch, tradable and retired (default: the caller's)."""
    return session.evaluate(holding_call(batch_id, owner or session.owner_key))


def distribution_statement(session: LedgerSession, batch_id: str,
                           proceeds_yen: int) -> DistributionStatement:
    """The pro-rata split of a sale's proceeds among the batch's contributors."""
    return session.evaluate(distribution_call(batch_id, proceeds_yen))
