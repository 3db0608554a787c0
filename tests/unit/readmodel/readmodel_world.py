"""Real chaincode transactions on the in-memory world state, recorded the way the listener
sees them: one `ChaincodeEventRecord` per transaction (the contract's event name and
`encode_events` payload, plus the keys the transaction wrote and its timestamp), one
block each."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parents[1] / "tokens"))

from tokens_harness import Harness  # noqa: E402

from envalue.chaincode.domain.events import DomainEvent, encode_events  # noqa: E402
from envalue.chaincode.identity import Actor  # noqa: E402
from envalue.readmodel import ChaincodeEventRecord  # noqa: E402
from envalue.readmodel.schema import Base  # noqa: E402

__all__ = ["RecordingHarness", "dump", "record_submit"]


def _function(apply: Callable[..., Any]) -> str:
    """The contract function a domain `apply` stands for (``msg_retire`` -> ``retire``)."""
    module = apply.__module__.rpartition(".")[2]
    return module.removeprefix("msg_") if module.startswith("msg_") else "mint"


class RecordingHarness(Harness):
    """`Harness` whose every committed transaction becomes a `ChaincodeEventRecord`."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[ChaincodeEventRecord] = []

    def run(self, who: Actor, apply: Callable[..., Awaitable[list[DomainEvent]]],
            *args: Any, **kwargs: Any) -> list[DomainEvent]:
        writes: dict[str, bytes | None] = {}
        ctx = self.ctx(who)

        async def go() -> list[DomainEvent]:
            async with self.ledger.transaction() as store:
                events = await apply(store, ctx, *args, **kwargs)
                writes.update(store.writes)
                return events

        events = asyncio.run(go())
        name, payload = encode_events(_function(apply), events)
        self.records.append(ChaincodeEventRecord(
            block_number=len(self.records) + 1, transaction_id=f"tx{self.tx:05d}",
            chaincode_name="envalue", event_name=name, payload=payload, writes=writes,
            timestamp=ctx.timestamp.isoformat()))  # as blocks.py reads the channel header
        return events


def record_submit(world: Any, records: list[ChaincodeEventRecord], who: Actor,
                  module: ModuleType, msg: Any
                  ) -> tuple[ChaincodeEventRecord, list[DomainEvent]]:
    """Run `module.apply(msg)` as `who` in the registry/measurement `world` (its
    ``context`` and ``ledger``) and append the transaction, as the listener sees it, to
    `records` (one block each)."""
    ctx = world.context(who)
    writes: dict[str, bytes | None] = {}

    async def run() -> list[DomainEvent]:
        async with world.ledger.transaction() as store:
            events = await module.apply(store, ctx, msg)
            writes.update(store.writes)
            return events

    events = asyncio.run(run())
    name, payload = encode_events(module.__name__.rpartition(".")[2].removeprefix("msg_"),
                                  events)
    record = ChaincodeEventRecord(len(records) + 1, ctx.tx_id, "envalue", name, payload,
                                  writes, timestamp=ctx.timestamp.isoformat())
    records.append(record)
    return record, events


def dump(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model table's rows, sorted: to compare two states of the database."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for mapper in Base.registry.mappers:
        model = mapper.class_
        columns = [c.key for c in inspect(model).columns if c.key not in ("updated_at",)]
        rows = session.scalars(select(model)).all()
        out[model.__tablename__] = sorted(tuple(getattr(r, c) for c in columns) for r in rows)
    return out
