"""The listener's checkpoint, stored in the read model's own database.

Why there: a checkpoint in a file and rows in a database can disagree after a crash
(rows committed, checkpoint not, or the reverse). Here both are written in one database
transaction (`ReadModelCheckpointer.unit_of_work`), so after any crash the read model is
exactly the projection of everything before the checkpoint: exactly-once.

`ReadModelCheckpointer` implements the client's `Checkpointer` protocol with the same
semantics as `envalue.client.FileCheckpointer` (``block_number`` is the block in which the
next event is expected, ``transaction_id`` the last processed transaction in it), so it is
passed as ``checkpoint=`` to ``Network.get_chaincode_events`` or ``get_block_events``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from envalue.client.checkpointers import CheckpointerBase

from .schema import Checkpoint, utcnow

__all__ = ["DEFAULT_NAME", "ReadModelCheckpointer"]

DEFAULT_NAME = "envalue"


class ReadModelCheckpointer(CheckpointerBase):
    """A checkpointer over ``rm_checkpoints`` (one row per listener `name`)."""

    def __init__(self, sessions: sessionmaker[Session], name: str = DEFAULT_NAME) -> None:
        self._sessions = sessions
        self.name = name
        self._session: Session | None = None

    # -- read side (Checkpoint protocol) ----------------------------------------------------
    def _row(self) -> Checkpoint | None:
        if self._session is not None:
            return self._session.get(Checkpoint, self.name)
        with self._sessions() as session:
            return session.get(Checkpoint, self.name)

    @property
    def block_number(self) -> int | None:
        row = self._row()
        return None if row is None else row.block_number

    @property
    def transaction_id(self) -> str | None:
        row = self._row()
        return None if row is None else (row.transaction_id or None)

    # -- write side (the client's checkpoint semantics, `CheckpointerBase`) ----------------
    def _store(self, block: int, tx: str | None) -> None:
        if self._session is not None:
            self._write(self._session, block, tx)
            return
        with self._sessions.begin() as session:
            self._write(session, block, tx)

    def _write(self, session: Session, block: int, tx: str | None) -> None:
        row = session.get(Checkpoint, self.name)
        if row is None:
            session.add(Checkpoint(name=self.name, block_number=block, transaction_id=tx,
                                   updated_at=utcnow()))
        else:
            row.block_number, row.transaction_id, row.updated_at = block, tx, utcnow()

    # -- one database transaction for rows and checkpoint -----------------------------------
    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session whose rows and checkpoint updates commit together, or not at all.

        Inside the block, `checkpoint_*` calls write through the yielded session; an
        exception rolls both back and propagates.
        """
        if self._session is not None:
            raise RuntimeError("unit_of_work is not re-entrant")
        with self._sessions.begin() as session:
            self._session = session
            try:
                yield session
            finally:
                self._session = None
