"""Where the bridge service keeps requests, transfers and its event feed (SQLAlchemy 2).

Three tables, in the portal database or any SQLAlchemy URL (SQLite, PostgreSQL):

- ``bridge_requests``: one row per (caller scope, request id) with the request's
  fingerprint and, once answered, the stored response (`idempotency.run_once`);
- ``bridge_transfers``: the journal (`transfers.Transfer`), one row per transfer with a
  version for optimistic locking, so two workers never advance the same transfer twice;
- ``bridge_events``: what the relay did, in commit order; the sequence number is the feed's
  cursor. A state change and its event are written in one database transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, create_engine, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from envalue.chaincode.domain.errors import ConflictError

from .transfers import PENDING, Transfer

__all__ = ["BridgeStore", "FeedEvent", "RequestEntry", "StoredResponse"]


def _now() -> datetime:
    return datetime.now(UTC)


class _Base(DeclarativeBase):
    pass


class _Request(_Base):
    __tablename__ = "bridge_requests"

    scope: Mapped[str] = mapped_column(String(1024), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: in progress
    content_type: Mapped[str] = mapped_column(String(64), default="")
    body: Mapped[str] = mapped_column(Text, default="")


class _Transfer(_Base):
    __tablename__ = "bridge_transfers"

    transfer_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    document: Mapped[str] = mapped_column(Text)  # message, steps, error as JSON
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _Event(_Base):
    __tablename__ = "bridge_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(32))
    transfer_id: Mapped[str] = mapped_column(String(300), index=True)
    data: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class StoredResponse:
    """An answer kept for a request id: HTTP status, media type and body text."""

    status: int
    body: str
    content_type: str = "application/json"


@dataclass(frozen=True)
class RequestEntry:
    """A request id seen before: its fingerprint, and its answer unless still running."""

    fingerprint: str
    response: StoredResponse | None


@dataclass(frozen=True)
class FeedEvent:
    cursor: int
    at: str
    kind: str
    transfer_id: str
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"cursor": str(self.cursor), "at": self.at, "kind": self.kind,
                "transfer_id": self.transfer_id, "data": self.data}


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # SQLite drops the zone


def _iso(when: datetime) -> str:
    return _aware(when).isoformat()


class BridgeStore:
    """The three tables over one engine (created when missing)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = _now) -> None:
        _Base.metadata.create_all(engine)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    @classmethod
    def from_url(cls, url: str) -> BridgeStore:
        return cls(create_engine(url))

    # -- requests --------------------------------------------------------------------------
    def begin_request(self, scope: str, request_id: str, fingerprint: str, *,
                      lease_seconds: float) -> RequestEntry | None:
        """Reserve `request_id` for `scope`; the existing row when it was used before
        (finished, or in progress within its lease), None when this caller may act."""
        now = self._clock()
        with self._sessions() as db:
            db.add(_Request(scope=scope, request_id=request_id, fingerprint=fingerprint,
                            started_at=now, status=None))
            try:
                db.commit()
                return None
            except IntegrityError:
                db.rollback()
            row = db.get(_Request, (scope, request_id))
            if row is None:  # abandoned meanwhile: try once more
                return self.begin_request(scope, request_id, fingerprint,
                                          lease_seconds=lease_seconds)
            expired = _aware(row.started_at) + timedelta(seconds=lease_seconds) < now
            if row.status is None and expired and row.fingerprint == fingerprint:
                taken = db.execute(update(_Request).where(
                    _Request.scope == scope, _Request.request_id == request_id,
                    _Request.started_at == row.started_at, _Request.status.is_(None),
                ).values(started_at=now))
                db.commit()
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    return None
                row = db.get(_Request, (scope, request_id), populate_existing=True)
                if row is None:
                    return self.begin_request(scope, request_id, fingerprint,
                                              lease_seconds=lease_seconds)
            answer = None if row.status is None else StoredResponse(
                row.status, row.body, row.content_type)
            return RequestEntry(row.fingerprint, answer)

    def finish_request(self, scope: str, request_id: str, response: StoredResponse) -> None:
        with self._sessions() as db:
            db.execute(update(_Request).where(
                _Request.scope == scope, _Request.request_id == request_id,
            ).values(status=response.status, body=response.body,
                     content_type=response.content_type))
            db.commit()

    def abandon_request(self, scope: str, request_id: str) -> None:
        """Forget an unanswered reservation so that the same id can be retried."""
        with self._sessions() as db:
            row = db.get(_Request, (scope, request_id))
            if row is not None and row.status is None:
                db.delete(row)
                db.commit()

    # -- transfers -------------------------------------------------------------------------
    @staticmethod
    def _to_transfer(row: _Transfer) -> Transfer:
        doc = json.loads(row.document)
        return Transfer(row.transfer_id, row.kind, row.state, doc["message"], doc["steps"],
                        doc["error"], row.version, _iso(row.created_at), _iso(row.updated_at))

    def get_transfer(self, transfer_id: str) -> Transfer | None:
        with self._sessions() as db:
            row = db.get(_Transfer, transfer_id)
            return None if row is None else self._to_transfer(row)

    def pending_transfers(self) -> list[Transfer]:
        with self._sessions() as db:
            rows = db.scalars(select(_Transfer).where(_Transfer.state.in_(sorted(PENDING)))
                              .order_by(_Transfer.created_at, _Transfer.transfer_id))
            return [self._to_transfer(r) for r in rows]

    def save_transfer(self, transfer: Transfer, *, event: dict[str, Any] | None = None
                      ) -> Transfer:
        """Write `transfer` if nobody changed it since it was read (its `version`), and
        append an event with its new state when `event` is given; the saved copy."""
        now = self._clock()
        document = json.dumps({"message": transfer.message, "steps": transfer.steps,
                               "error": transfer.error}, sort_keys=True)
        with self._sessions() as db:
            if transfer.version == 0:
                db.add(_Transfer(transfer_id=transfer.transfer_id, kind=transfer.kind,
                                 state=transfer.state, document=document, version=1,
                                 created_at=now, updated_at=now))
            else:
                done = db.execute(update(_Transfer).where(
                    _Transfer.transfer_id == transfer.transfer_id,
                    _Transfer.version == transfer.version,
                ).values(state=transfer.state, document=document,
                         version=transfer.version + 1, updated_at=now))
                if done.rowcount != 1:  # type: ignore[attr-defined]
                    db.rollback()
                    raise self._concurrent(transfer)
            if event is not None:
                db.add(_Event(at=now, kind=transfer.state, transfer_id=transfer.transfer_id,
                              data=json.dumps(event, sort_keys=True)))
            try:
                db.commit()
            except IntegrityError as exc:
                raise self._concurrent(transfer) from exc
            saved = db.get(_Transfer, transfer.transfer_id)
            assert saved is not None
            return self._to_transfer(saved)

    @staticmethod
    def _concurrent(transfer: Transfer) -> ConflictError:
        return ConflictError("transfer", transfer.transfer_id, "concurrent-update",
                             f"transfer {transfer.transfer_id!r} was changed by another "
                             "request meanwhile; retry")

    # -- events ----------------------------------------------------------------------------
    def events_after(self, cursor: int, limit: int) -> list[FeedEvent]:
        with self._sessions() as db:
            rows = db.scalars(select(_Event).where(_Event.seq > cursor)
                              .order_by(_Event.seq).limit(limit))
            return [FeedEvent(r.seq, _iso(r.at), r.kind, r.transfer_id, json.loads(r.data))
                    for r in rows]

