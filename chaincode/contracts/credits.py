"""`credits`: programs, monitoring reports, credit batches. Thin: JSON message in, domain
call with the proposal's caller/tx id/timestamp, one event out."""

from __future__ import annotations

from envalue.chaincode.contracts.common import EnvalueContract, dumps, execute, parse
from envalue.chaincode.domain.credits import (
    msg_add_lots,
    msg_create_program,
    msg_enroll_site,
    msg_open_report,
    msg_release_report,
    msg_retire_credits,
    msg_settle_report,
    msg_submit_report,
    msg_transfer_credits,
    msg_verify_report,
    queries,
)
from envalue.chaincode.domain.credits.distribution import distribution_statement
from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.runtime.context import EnvalueContext

__all__ = ["CreditsContract"]

_MESSAGES = {
    "create_program": msg_create_program,
    "enroll_site": msg_enroll_site,
    "open_report": msg_open_report,
    "add_lots": msg_add_lots,
    "submit_report": msg_submit_report,
    "verify_report": msg_verify_report,
    "settle_report": msg_settle_report,
    "release_report": msg_release_report,
    "transfer": msg_transfer_credits,
    "retire": msg_retire_credits,
}


class CreditsContract(EnvalueContract):
    """Contract `credits`."""

    Name = "credits"

    def get_evaluate_transactions(self) -> list[str]:
        return ["report", "distribution", "holding"]

    async def _run(self, ctx: EnvalueContext, function: str, msg: str) -> str:
        module = _MESSAGES[function]
        message_class = next(getattr(module, n) for n in module.__all__ if n.startswith("Msg"))
        return await execute(ctx, module.apply, parse(message_class, msg))

    async def create_program(self, ctx: EnvalueContext, msg: str) -> str:
        return await self._run(ctx, "create_program", msg)

    async def enroll_site(self, ctx: EnvalueContext, msg: str) -> str:
        return await self._run(ctx, "enroll_site", msg)

    async def open_report(self, ctx: EnvalueContext, msg: str) -> str:
        return await self._run(ctx, "open_report", msg)

    async def add_lots(self, ctx: EnvalueContext, msg: str) -> str:
        return await self._run(ctx, "add_lots", msg)

    async def submit_report(self, ctx: EnvalueContext, msg: str) -> str:
        return await self._run(ctx, "submit_report", msg)

    async def verify_report(self, ctx: EnvalueContext, msg: str) -> str:
        return await self._run(ctx, "verify_report", msg)

    async def settle_report(self, ctx: EnvalueContext, msg: str) -> str:
        return await self._run(ctx, "settle_report", msg)

    async def release_report(self, ctx: EnvalueContext, msg: str) -> str:
        return await self._run(ctx, "release_report", msg)

    async def transfer(self, ctx: EnvalueContext, msg: str) -> str:
        return await self._run(ctx, "transfer", msg)

    async def retire(self, ctx: EnvalueContext, msg: str) -> str:
        return await self._run(ctx, "retire", msg)

    async def report(self, ctx: EnvalueContext, report_id: str) -> str:
        return dumps((await queries.get_report(ctx.store, report_id)).to_dict())

    async def holding(self, ctx: EnvalueContext, batch_id: str, owner: str) -> str:
        """One owner's tradable and retired tonnes of a batch (zeros if never held)."""
        return dumps((await queries.get_credit_holding(ctx.store, batch_id, owner)).to_dict())

    async def distribution(self, ctx: EnvalueContext, batch_id: str, proceeds_yen: str) -> str:
        statement = await distribution_statement(ctx.store, batch_id, loads(proceeds_yen))
        return dumps(statement.to_dict())
