"""Checkpointers: official semantics, file survives reopen, writes are atomic."""

from __future__ import annotations

import json
import os
import stat

import pytest

from envalue.client import ChaincodeEvent, FileCheckpointer, InMemoryCheckpointer
from envalue.client.checkpointers import Checkpointer

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("make", [lambda p: InMemoryCheckpointer(),
                                  lambda p: FileCheckpointer(p / "cp.json")])
def test_semantics(make, tmp_path) -> None:
    cp = make(tmp_path)
    assert isinstance(cp, Checkpointer)
    assert cp.block_number is None and cp.transaction_id is None
    cp.checkpoint_block(9)
    assert (cp.block_number, cp.transaction_id) == (10, None)  # next expected block
    cp.checkpoint_transaction(10, "tx-a")
    assert (cp.block_number, cp.transaction_id) == (10, "tx-a")
    cp.checkpoint_chaincode_event(ChaincodeEvent(11, "tx-b", "cc", "E", b"p"))
    assert (cp.block_number, cp.transaction_id) == (11, "tx-b")
    with pytest.raises(ValueError):
        cp.checkpoint_transaction(-1, "x")


def test_file_checkpointer_survives_reopen(tmp_path) -> None:
    path = tmp_path / "state" / "listener.json"
    cp = FileCheckpointer(path)
    assert not path.exists()  # nothing written until the first checkpoint
    cp.checkpoint_transaction(42, "abc")
    reopened = FileCheckpointer(path)
    assert (reopened.block_number, reopened.transaction_id) == (42, "abc")
    reopened.checkpoint_block(42)
    again = FileCheckpointer(path)
    assert (again.block_number, again.transaction_id) == (43, None)
    assert json.loads(path.read_text()) == {"blockNumber": 43, "transactionId": ""}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_file_checkpointer_write_is_atomic(tmp_path, monkeypatch) -> None:
    """A crash while writing leaves the previous checkpoint intact and no temp files."""
    path = tmp_path / "cp.json"
    cp = FileCheckpointer(path)
    cp.checkpoint_transaction(5, "good")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        cp.checkpoint_transaction(6, "lost")
    monkeypatch.undo()
    assert json.loads(path.read_text()) == {"blockNumber": 5, "transactionId": "good"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cp.json"]
    reopened = FileCheckpointer(path)
    assert (reopened.block_number, reopened.transaction_id) == (5, "good")


def test_file_checkpointer_reads_block_zero(tmp_path) -> None:
    path = tmp_path / "cp.json"
    path.write_text(json.dumps({"blockNumber": 0, "transactionId": ""}))
    cp = FileCheckpointer(path)
    assert cp.block_number == 0 and cp.transaction_id is None
