"""A read model made by another version of the schema is rebuilt, not half-used."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text, update

from envalue.readmodel.schema import (
    Checkpoint,
    SchemaMark,
    ensure_schema,
    make_sessions,
    schema_fingerprint,
)

pytestmark = pytest.mark.unit


def _checkpoint_rows(engine) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return len(conn.execute(select(Checkpoint.name)).all())


def test_same_schema_keeps_the_rows_another_schema_is_dropped(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'rm.db'}")
    sessions = make_sessions(engine)
    with sessions.begin() as session:
        session.add(Checkpoint(name="main", block_number=7, transaction_id="tx"))
    ensure_schema(engine)  # this version again: nothing changes
    assert _checkpoint_rows(engine) == 1

    with engine.begin() as conn:  # as if written by an older version of the code
        conn.execute(update(SchemaMark).values(fingerprint="older"))
        conn.execute(text("ALTER TABLE rm_retirements DROP COLUMN note"))
    ensure_schema(engine)
    assert _checkpoint_rows(engine) == 0  # re-projected from block 0 by the listener
    columns = {c["name"] for c in inspect(engine).get_columns("rm_retirements")}
    assert "note" in columns
    with engine.connect() as conn:
        assert conn.execute(select(SchemaMark.fingerprint)).scalar() == schema_fingerprint()


def test_tables_without_a_mark_are_renewed(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'rm.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE rm_checkpoints (name VARCHAR(64) PRIMARY KEY)"))
    ensure_schema(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("rm_checkpoints")}
    assert "block_number" in columns
