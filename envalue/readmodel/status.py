"""How far the read model is, and how the listener is doing, for pages and the CLI.

``behind_blocks`` is the channel height the listener last learned (qscc GetChainInfo at
connect, then every block it receives) minus the blocks projected. It is a lower bound
while the listener is down: blocks committed since then are unknown until it reconnects,
which `state` and `detail` say.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .checkpoint import DEFAULT_NAME
from .schema import AppliedEvent, Checkpoint, ListenerStatus, UnprojectedEvent, utcnow

__all__ = ["LagStatus", "lag_status", "record_status"]


@dataclass(frozen=True)
class LagStatus:
    """The read model's position against the channel (see the module docstring)."""

    name: str
    projected_blocks: int  # blocks 0 .. projected_blocks-1 are fully projected
    resume_transaction: str | None
    channel_height: int | None
    behind_blocks: int | None
    state: str  # never-run | running | reconnecting | unavailable | stopped | failed
    detail: str
    peer: str
    applied_events: int | None  # counted only when asked (a scan of the event log)
    unprojected_events: int
    updated_at: datetime | None

    @property
    def empty(self) -> bool:
        """No block has been projected yet."""
        return self.projected_blocks == 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["updated_at"] = self.updated_at.isoformat() if self.updated_at else None
        data["empty"] = self.empty
        return data


def record_status(session: Session, name: str = DEFAULT_NAME, *,
                  height: int | None = None, **values: Any) -> None:
    """Update the listener's row; `height` only ever raises the known channel height."""
    row = session.get(ListenerStatus, name)
    if row is None:
        row = ListenerStatus(name=name)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    if height is not None and (row.channel_height is None or height > row.channel_height):
        row.channel_height, row.height_seen_at = height, utcnow()
    row.updated_at = utcnow()


def lag_status(session: Session, name: str = DEFAULT_NAME, *,
               count_applied: bool = False) -> LagStatus:
    """The read model's lag as recorded (no peer is contacted)."""
    checkpoint = session.get(Checkpoint, name)
    row = session.get(ListenerStatus, name)
    projected = checkpoint.block_number if checkpoint and checkpoint.block_number else 0
    height = row.channel_height if row else None
    behind = None if height is None else max(height - projected, 0)
    applied = (session.scalar(select(func.count()).select_from(AppliedEvent)) or 0
               if count_applied else None)
    unprojected = session.scalar(select(func.count()).select_from(UnprojectedEvent)) or 0
    return LagStatus(
        name=name, projected_blocks=projected,
        resume_transaction=checkpoint.transaction_id if checkpoint else None,
        channel_height=height, behind_blocks=behind,
        state=row.state if row else "never-run", detail=row.detail if row else "",
        peer=row.peer if row else "", applied_events=applied, unprojected_events=unprojected,
        updated_at=row.updated_at if row else None)
