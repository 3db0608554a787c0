"""Loading helpers shared by the credit messages (one transaction's handle)."""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.ledger import TokenLedger
from envalue.chaincode.domain.tokens.state import load

from .state import BATCH, PROGRAM, REPORT, Batch, Program, Report

__all__ = ["CreditLedger", "require_report_state"]


def require_report_state(report: Report, *states: str, action: str) -> None:
    if report.state not in states:
        raise ConflictError(
            "report_id", report.report_id, "report-state",
            f"report {report.report_id!r} is {report.state}; {action} needs it "
            f"{' or '.join(states)}",
        )


class CreditLedger(TokenLedger):
    """A `TokenLedger` that also loads programs, reports and batches."""

    def __init__(self, store: Store, ctx: TxContext) -> None:
        super().__init__(store, ctx)

    async def program(self, program_id: str, field: str = "program_id") -> Program:
        return await load(self.store, Program, composite_key(PROGRAM, program_id), field,
                          program_id)

    async def report(self, report_id: str, field: str = "report_id") -> Report:
        return await load(self.store, Report, composite_key(REPORT, report_id), field,
                          report_id)

    async def batch(self, batch_id: str, field: str = "batch_id") -> Batch:
        return await load(self.store, Batch, composite_key(BATCH, batch_id), field, batch_id)

    def note(self, report: Report, event: str, comments: str = "") -> None:
        """Append a step to the report's own history (who, when, tx)."""
        report.history.append({"event": event, "who": self.ctx.owner_key, "when": self.when,
                               "tx_id": self.ctx.tx_id, "comments": comments})
