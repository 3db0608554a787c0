"""`tokens`: the token ledger's contract.

Each function takes one JSON message (parsed with `quantity.loads`, so ``1.5`` stays a
Decimal and is refused by the integer checks), takes the caller, tx id and timestamp from
the proposal, calls the domain and emits one event named after the function.

Minting is not exposed here: lots are minted by the measurement contract through
`envalue.chaincode.domain.tokens.mint.mint_lot` once a reduction is verified.
"""

from __future__ import annotations

from envalue.chaincode.contracts.common import EnvalueContract, dumps, execute, parse
from envalue.chaincode.domain.tokens import (
    msg_approve_cancel,
    msg_escrow,
    msg_release,
    msg_request_cancel,
    msg_retire,
    msg_transfer,
    queries,
)
from envalue.chaincode.domain.tokens.invariants import audit_supply
from envalue.chaincode.runtime.context import EnvalueContext

__all__ = ["TokensContract"]


class TokensContract(EnvalueContract):
    """Contract `tokens`."""

    Name = "tokens"

    def get_evaluate_transactions(self) -> list[str]:
        return ["audit", "history", "holding", "retirements"]

    async def transfer(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_transfer.apply, parse(msg_transfer.MsgTransfer, msg))

    async def retire(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_retire.apply, parse(msg_retire.MsgRetire, msg))

    async def escrow(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_escrow.apply, parse(msg_escrow.MsgEscrow, msg))

    async def release(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_release.apply, parse(msg_release.MsgRelease, msg))

    async def request_cancel(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_request_cancel.apply,
                             parse(msg_request_cancel.MsgRequestCancel, msg))

    async def approve_cancel(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_approve_cancel.apply,
                             parse(msg_approve_cancel.MsgApproveCancel, msg))

    async def audit(self, ctx: EnvalueContext, lot_id: str) -> str:
        """Supply audit of one lot, or of every lot when `lot_id` is empty."""
        return dumps((await audit_supply(ctx.store, lot_id or None)).to_dict())

    async def history(self, ctx: EnvalueContext, lot_id: str, owner: str) -> str:
        entries = await queries.history(ctx.store, lot_id, owner or None)
        return dumps([e.to_dict() for e in entries])

    async def holding(self, ctx: EnvalueContext, lot_id: str, owner: str) -> str:
        return dumps((await queries.get_holding(ctx.store, lot_id, owner)).to_dict())

    async def retirements(self, ctx: EnvalueContext, lot_id: str) -> str:
        return dumps([r.to_dict() for r in await queries.retirements(ctx.store, lot_id)])
