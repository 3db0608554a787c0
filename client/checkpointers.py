"""Checkpointers: remember how far an event listener got so it resumes without gaps/repeats.

Semantics follow the official client: ``block_number`` is the block in which the next
event is expected and ``transaction_id`` the last processed transaction within it.
``checkpoint_block(n)`` means block *n* is fully processed (next is n + 1, no tx id);
``checkpoint_transaction(n, tx)`` means tx in block n is processed and replay must resume
after it. A checkpointer that has never been written has ``block_number is None``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Protocol, runtime_checkable

from .events import ChaincodeEvent

__all__ = ["Checkpoint", "Checkpointer", "CheckpointerBase", "FileCheckpointer",
           "InMemoryCheckpointer"]


@runtime_checkable
class Checkpoint(Protocol):
    """Read side of a checkpointer: where to resume."""

    @property
    def block_number(self) -> int | None: ...  # pragma: no cover - protocol

    @property
    def transaction_id(self) -> str | None: ...  # pragma: no cover - protocol


@runtime_checkable
class Checkpointer(Checkpoint, Protocol):
    """A checkpoint that can be advanced."""

    def checkpoint_block(self, block_number: int) -> None: ...  # pragma: no cover

    def checkpoint_transaction(self, block_number: int, transaction_id: str) -> None: ...

    def checkpoint_chaincode_event(self, event: ChaincodeEvent) -> None: ...


class CheckpointerBase:
    """The write side every checkpointer shares; subclasses say where `_store` keeps it."""

    def checkpoint_block(self, block_number: int) -> None:
        self._set(block_number + 1, None)

    def checkpoint_transaction(self, block_number: int, transaction_id: str) -> None:
        self._set(block_number, transaction_id or None)

    def checkpoint_chaincode_event(self, event: ChaincodeEvent) -> None:
        self.checkpoint_transaction(event.block_number, event.transaction_id)

    def _set(self, block: int, tx: str | None) -> None:
        if block < 0:
            raise ValueError("block number must be non-negative")
        self._store(block, tx)

    def _store(self, block: int, tx: str | None) -> None:
        raise NotImplementedError


class InMemoryCheckpointer(CheckpointerBase):
    """Checkpoint held in memory (survives reconnects, not process restarts)."""

    def __init__(self) -> None:
        self._block: int | None = None
        self._tx: str | None = None

    @property
    def block_number(self) -> int | None:
        return self._block

    @property
    def transaction_id(self) -> str | None:
        return self._tx

    def _store(self, block: int, tx: str | None) -> None:
        self._block, self._tx = block, tx


class FileCheckpointer(InMemoryCheckpointer):
    """Checkpoint persisted as JSON ``{"blockNumber": n, "transactionId": "..."}``.

    Every update writes a temporary file in the same folder, fsyncs it and renames it over
    the checkpoint file (atomic on POSIX), then fsyncs the folder: a crash leaves either the
    old or the new checkpoint, never a torn one.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self._path = Path(path)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        if self._path.exists() and self._path.stat().st_size > 0:
            state = json.loads(self._path.read_text(encoding="utf-8"))
            block = state.get("blockNumber")
            self._block = int(block) if block is not None else None
            self._tx = state.get("transactionId") or None

    @property
    def path(self) -> Path:
        return self._path

    def _store(self, block: int, tx: str | None) -> None:
        super()._store(block, tx)
        self._save()

    def _save(self) -> None:
        data = json.dumps({"blockNumber": self._block, "transactionId": self._tx or ""})
        fd, tmp = tempfile.mkstemp(prefix=f".{self._path.name}.", dir=self._path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self._path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(self._path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
