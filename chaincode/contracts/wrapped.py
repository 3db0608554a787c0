"""`wrapped`: the partner ledger's wrapped-token contract (served by `envalue.chaincode.partner`,
never by envalue's own chaincode).

Thin: JSON message in, domain call (`envalue.chaincode.domain.wrapped`), one event out.
`origin_view`, `burn_view` and `retirement_view` are the queries envalue's relay endorses
on enough partner peers to build the proofs envalue's `bridge` contract verifies.
"""

from __future__ import annotations

from fabric_chaincode_python.fabric_contract_api import Contract

from envalue.chaincode.contracts.tokens import dumps, emit, parse, tx_context
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


class WrappedContract(Contract):
    """Contract `wrapped`."""

    Name = "wrapped"
    TransactionContextHandler = EnvalueContext

    def get_evaluate_transactions(self) -> list[str]:
        return ["origin_view", "burn_view", "retirement_view", "holding", "audit"]

    async def configure(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_configure.MsgConfigure, msg)
        return emit(ctx, await msg_configure.apply(ctx.store, tx_context(ctx), message))

    async def register_network(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_register_network.MsgRegisterNetwork, msg)
        return emit(ctx, await msg_register_network.apply(ctx.store, tx_context(ctx), message))

    async def claim(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_claim.MsgClaim, msg)
        return emit(ctx, await msg_claim.apply(ctx.store, tx_context(ctx), message))

    async def void(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_void.MsgVoid, msg)
        return emit(ctx, await msg_void.apply(ctx.store, tx_context(ctx), message))

    async def transfer(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_transfer.MsgTransfer, msg)
        return emit(ctx, await msg_transfer.apply(ctx.store, tx_context(ctx), message))

    async def burn(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_burn.MsgBurn, msg)
        return emit(ctx, await msg_burn.apply(ctx.store, tx_context(ctx), message))

    async def retire(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_retire.MsgRetire, msg)
        return emit(ctx, await msg_retire.apply(ctx.store, tx_context(ctx), message))

    async def htlc_lock(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_htlc_lock.MsgHtlcLock, msg)
        return emit(ctx, await msg_htlc_lock.apply(ctx.store, tx_context(ctx), message))

    async def htlc_claim(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_htlc_settle.MsgHtlcClaim, msg)
        return emit(ctx, await msg_htlc_settle.apply_claim(ctx.store, tx_context(ctx),
                                                           message))

    async def htlc_refund(self, ctx: EnvalueContext, msg: str) -> str:
        message = parse(msg_htlc_settle.MsgHtlcRefund, msg)
        return emit(ctx, await msg_htlc_settle.apply_refund(ctx.store, tx_context(ctx),
                                                            message))

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
