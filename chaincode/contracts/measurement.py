"""`measurement`: anchor signed batches, calculate, review, mint, and trace.

Thin, like `registry`: JSON message in, domain call
(`envalue.chaincode.domain.measurement`), one combined event out. `mint` also carries the
token ledger's events (from `tokens.mint.mint_lot`) in the same transaction event.
"""

from __future__ import annotations

from envalue.chaincode.contracts.common import EnvalueContract, dumps, execute
from envalue.chaincode.domain.measurement import (
    msg_anchor_batch,
    msg_approve_calculation,
    msg_calculate,
    msg_mint,
    msg_reject_calculation,
)
from envalue.chaincode.domain.measurement import trace as trace_query
from envalue.chaincode.domain.measurement.state import BatchRecord, CalculationRecord
from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.domain.registry.state import load
from envalue.chaincode.runtime.context import EnvalueContext

__all__ = ["MeasurementContract"]


class MeasurementContract(EnvalueContract):
    """Contract `measurement`."""

    Name = "measurement"

    def get_evaluate_transactions(self) -> list[str]:
        return ["get_batch", "get_calculation", "trace"]

    async def anchor_batch(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_anchor_batch.apply,
                             msg_anchor_batch.MsgAnchorBatch.from_dict(loads(msg)))

    async def calculate(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_calculate.apply,
                             msg_calculate.MsgCalculate.from_dict(loads(msg)))

    async def approve_calculation(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_approve_calculation.apply,
                             msg_approve_calculation.MsgApproveCalculation.from_dict(loads(msg)))

    async def reject_calculation(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_reject_calculation.apply,
                             msg_reject_calculation.MsgRejectCalculation.from_dict(loads(msg)))

    async def mint(self, ctx: EnvalueContext, msg: str) -> str:
        return await execute(ctx, msg_mint.apply, msg_mint.MsgMintReduction.from_dict(loads(msg)))

    async def get_batch(self, ctx: EnvalueContext, batch_id: str) -> str:
        record = await load(ctx.store, BatchRecord, batch_id, field_name="batch_id",
                            what="batch")
        return dumps(record.to_dict())

    async def get_calculation(self, ctx: EnvalueContext, calculation_id: str) -> str:
        record = await load(ctx.store, CalculationRecord, calculation_id,
                            field_name="calculation_id", what="calculation")
        return dumps(record.to_dict())

    async def trace(self, ctx: EnvalueContext, lot_id: str, calculation_id: str) -> str:
        """The full chain behind a lot or a calculation (give one, the other empty)."""
        return dumps(await trace_query.trace(ctx.store, lot_id=lot_id,
                                             calculation_id=calculation_id))
