"""`wrapped`: the partner ledger's wrapped-token contract (served by `envalue.chaincode.partner`,
never by envalue's own chaincode).

Thin: JSON message in, domain call (`envalue.chaincode.domain.wrapped`), one event out.
`origin_view`, `burn_view` and `retirement_view` are the queries envalue's relay endorses
on enough partner peers to build the proofs envalue's `bridge` contract verifies.
"""

from __future__ import annotations

from envalue.chaincode.contracts.common import EnvalueContract, dumps, execute, parse
from envalue.chaincode.domain.wrapped import (
    msg_burn,
    msg_claim,
    msg_configure,
    msg_htlc_lock,
    msg_htlc_settle,
    msg_register_network,
    msg_retire,
    msg_transfer,
    msg_void,
    queries,
    views,
)
from envalue.chaincode.domain.wrapped.invariants import audit_wrapped
from envalue.chaincode.runtime.context import EnvalueContext

__all__ = ["WrappedContract"]


class WrappedContract(EnvalueContract):
    """Contract `wrapped`."""

    Name = "wrapped"

    def get_evaluate_transactions(self) -> list[str]:
        return ["origin_view", "burn_view", "retirement_view", "holding", "audit"]

    async def configure(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_configure.apply, parse(msg_configure.MsgConfigure, msg))

    async def register_network(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_register_network.apply,
                             parse(msg_register_network.MsgRegisterNetwork, msg))

    async def claim(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_claim.apply, parse(msg_claim.MsgClaim, msg))

    async def void(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_void.apply, parse(msg_void.MsgVoid, msg))

    async def transfer(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_transfer.apply, parse(msg_transfer.MsgTransfer, msg))

    async def burn(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_burn.apply, parse(msg_burn.MsgBurn, msg))

    async def retire(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_retire.apply, parse(msg_retire.MsgRetire, msg))

    async def htlc_lock(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_htlc_lock.apply, parse(msg_htlc_lock.MsgHtlcLock, msg))

    async def htlc_claim(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_htlc_settle.apply_claim,
                             parse(msg_htlc_settle.MsgHtlcClaim, msg))

    async def htlc_refund(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_htlc_settle.apply_refund,
                             parse(msg_htlc_settle.MsgHtlcRefund, msg))

    async def origin_view(self, ctx: EnvalueContext, source_network: str,
                          pledge_id: str) -> str:
        return (await views.origin_view(ctx.store, source_network, pledge_id)).decode()

    async def burn_view(self, ctx: EnvalueContext, burn_id: str) -> str:
        return (await views.burn_view(ctx.store, burn_id)).decode()

    async def retirement_view(self, ctx: EnvalueContext, retirement_id: str) -> str:
        return (await views.retirement_view(ctx.store, retirement_id)).decode()

    async def holding(self, ctx: EnvalueContext, source_network: str, lot_id: str,
                      owner: str) -> str:
        return dumps((await queries.get_holding(ctx.store, source_network, lot_id,
                                                owner)).to_dict())

    async def audit(self, ctx: EnvalueContext) -> str:
        audit = await audit_wrapped(ctx.store)
        return dumps({"balanced": audit.balanced, "problems": audit.problems,
                      "denoms": {k: d.to_dict() for k, d in audit.denoms.items()}})
