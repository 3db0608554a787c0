"""Turn one committed transaction (its chaincode event and write set) into row changes.

A transaction is projected all or nothing: every domain event it carries must be known
and find the records it needs in the write set, else none of its events changes a row and
each is kept in ``rm_unprojected_events`` with the reason (never dropped silently). When
it can be projected, the records it wrote are copied into their tables (`Mirror`s, in a
fixed order), the event rows are added (`EventRule.rows`), and each event is logged in
``rm_applied_events``.

Idempotent per (block, transaction, event index): an event already applied or already
kept unprojected is skipped, so replaying blocks after a crash changes nothing. The
caller owns the database transaction (`checkpoint.ReadModelCheckpointer.unit_of_work`
commits the rows together with the checkpoint).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from envalue.network.topology import CHANNEL

from . import project_bridge, project_credits, project_registry, project_tokens
from .projection import EventContext, EventRule, Mirror, Ref
from .records import ChaincodeEventRecord, DomainEventData, PayloadError, WriteSet
from .schema import AppliedEvent, UnprojectedEvent

__all__ = ["MIRRORS", "RULES", "Projection", "Projector"]

_AREAS = (project_registry, project_tokens, project_credits, project_bridge)
MIRRORS: tuple[Mirror, ...] = tuple(m for area in _AREAS for m in area.MIRRORS)
RULES: Mapping[str, EventRule] = {name: rule for area in _AREAS
                                  for name, rule in area.RULES.items()}


@dataclass(frozen=True)
class Projection:
    """What `Projector.apply` did with one transaction's events."""

    applied: int = 0
    unprojected: int = 0
    skipped: int = 0


class Projector:
    """Maps domain events to read-model rows (see the module docstring)."""

    def __init__(self, rules: Mapping[str, EventRule] | None = None,
                 mirrors: tuple[Mirror, ...] | None = None, *, channel: str = CHANNEL) -> None:
        self.rules = RULES if rules is None else rules
        self.mirrors = MIRRORS if mirrors is None else mirrors
        self.channel = channel  # stamped on rows (certificate ids are per channel)

    def apply(self, session: Session, record: ChaincodeEventRecord) -> Projection:
        """Project `record` inside the caller's transaction."""
        ref = Ref(record.transaction_id, record.block_number, self.channel, record.timestamp)
        try:
            events = record.domain_events()
        except PayloadError as exc:
            events = [DomainEventData(0, record.event_name, {})]
            return self._keep(session, record, events, {0: f"undecodable payload: {exc}"})
        seen = self._seen(session, ref)
        fresh = [e for e in events if e.index not in seen]
        if not fresh:
            return Projection(skipped=len(events))
        writes = WriteSet(record.writes)
        decoded, problem = self._decode(writes)
        reasons = self._reasons(fresh, writes.types(), problem)
        if reasons:
            result = self._keep(session, record, fresh, reasons)
            return Projection(unprojected=result.unprojected, skipped=len(events) - len(fresh))
        for mirror in self.mirrors:
            for item in decoded.get(mirror.object_type, ()):
                mirror.apply(session, item, ref)
        for event in fresh:
            rule = self.rules[event.name]
            if rule.rows is not None:
                rule.rows(session, EventContext(ref, event))
            session.add(AppliedEvent(block_number=ref.block_number, tx_id=ref.tx_id,
                                     event_index=event.index, chaincode_event=record.event_name,
                                     name=event.name, attributes=_json(event.attributes)))
        session.flush()
        return Projection(applied=len(fresh), skipped=len(events) - len(fresh))

    # -- steps -----------------------------------------------------------------------------
    @staticmethod
    def _seen(session: Session, ref: Ref) -> set[int]:
        seen: set[int] = set()
        for table in (AppliedEvent, UnprojectedEvent):
            seen.update(session.scalars(select(table.event_index).where(
                table.block_number == ref.block_number, table.tx_id == ref.tx_id)))
        return seen

    def _decode(self, writes: WriteSet) -> tuple[dict[str, list[Any]], str]:
        """Every mirrored record of the write set, decoded; or why one does not decode."""
        decoded: dict[str, list[Any]] = {}
        for mirror in self.mirrors:
            try:
                decoded[mirror.object_type] = writes.records(mirror.object_type, mirror.record)
            except (ValueError, TypeError, KeyError) as exc:
                return {}, f"a {mirror.object_type} record does not decode ({exc})"
        return decoded, ""

    def _reasons(self, events: list[DomainEventData], written: set[str],
                 problem: str) -> dict[int, str]:
        own: dict[int, str] = {}
        for event in events:
            rule = self.rules.get(event.name)
            if rule is None:
                own[event.index] = _unknown(event.name)
                continue
            problems = rule.problems(event.attributes, written)
            if problem:
                problems.append(problem)
            if problems:
                own[event.index] = "; ".join(problems)
        if not own:
            return {}
        summary = ", ".join(sorted({e.name for e in events if e.index in own}))
        return {e.index: own.get(e.index, f"not projected: its transaction also carries "
                                          f"{summary}, which cannot be projected")
                for e in events}

    @staticmethod
    def _keep(session: Session, record: ChaincodeEventRecord, events: list[DomainEventData],
              reasons: dict[int, str]) -> Projection:
        for event in events:
            session.merge(UnprojectedEvent(
                block_number=record.block_number, tx_id=record.transaction_id,
                event_index=event.index, chaincode_event=record.event_name, name=event.name,
                attributes=_json(event.attributes), reason=reasons[event.index]))
        session.flush()
        return Projection(unprojected=len(events))


def _unknown(name: str) -> str:
    if name in project_bridge.PARTNER_EVENTS:
        return (f"{name} is a partner-ledger (wrapped chaincode) event; envalue's read model "
                "projects envalue's own channel only")
    return f"no projection is defined for event {name!r}"


def _json(attributes: Mapping[str, Any]) -> str:
    return json.dumps(dict(attributes), sort_keys=True, separators=(",", ":"), default=str)
