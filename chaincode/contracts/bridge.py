"""`bridge`: the home side of the cross-chain bridge (envalue chaincode).

Thin like the other contracts: each function parses one JSON message, calls the domain
(`envalue.chaincode.domain.bridge`) with the caller, tx id and timestamp of the proposal,
and emits one event named after the function. `pledge_view` is the query partner
ledgers' relays endorse on enough envalue peers to build a proof; its return value is
exactly the view bytes (`proofs.view.encode_view`).
"""

from __future__ import annotations

from envalue.chaincode.contracts.common import EnvalueContract, dumps, execute, parse
from envalue.chaincode.domain.bridge import (
    msg_configure,
    msg_htlc_claim,
    msg_htlc_lock,
    msg_htlc_refund,
    msg_pledge,
    msg_reclaim,
    msg_register_network,
    msg_release,
    msg_report_retirement,
    queries,
    views,
)
from envalue.chaincode.runtime.context import EnvalueContext

__all__ = ["BridgeContract"]


class BridgeContract(EnvalueContract):
    """Contract `bridge`."""

    Name = "bridge"

    def get_evaluate_transactions(self) -> list[str]:
        return ["pledge_view", "get_pledge", "get_htlc"]

    async def configure(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_configure.apply, parse(msg_configure.MsgConfigure, msg))

    async def register_network(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_register_network.apply,
                             parse(msg_register_network.MsgRegisterNetwork, msg))

    async def pledge(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_pledge.apply, parse(msg_pledge.MsgPledge, msg))

    async def release(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_release.apply, parse(msg_release.MsgRelease, msg))

    async def reclaim(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_reclaim.apply, parse(msg_reclaim.MsgReclaim, msg))

    async def report_retirement(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_report_retirement.apply,
                             parse(msg_report_retirement.MsgReportRetirement, msg))

    async def htlc_lock(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_htlc_lock.apply, parse(msg_htlc_lock.MsgHtlcLock, msg))

    async def htlc_claim(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_htlc_claim.apply, parse(msg_htlc_claim.MsgHtlcClaim, msg))

    async def htlc_refund(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_htlc_refund.apply, parse(msg_htlc_refund.MsgHtlcRefund, msg))

    async def pledge_view(self, ctx: EnvalueContext, pledge_id: str) -> str:
        return (await views.pledge_view(ctx.store, pledge_id)).decode("utf-8")

    async def get_pledge(self, ctx: EnvalueContext, pledge_id: str) -> str:
        return dumps((await queries.get_pledge(ctx.store, pledge_id)).to_dict())

    async def get_htlc(self, ctx: EnvalueContext, htlc_id: str) -> str:
        return dumps((await queries.get_htlc(ctx.store, htlc_id)).to_dict())
