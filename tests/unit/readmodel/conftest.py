"""The read model's database on SQLite and on PostgreSQL (a schema per test), and the
portal fixtures (app with users per role, test client) of tests/unit/webapp."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from envalue.readmodel.schema import make_sessions
from tests.services import postgres_schema
from tests.unit.webapp.conftest import app, client, fabric_ca  # noqa: F401 - fixtures


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    if request.param == "sqlite":
        yield make_sessions(f"sqlite:///{tmp_path}/readmodel.db")
        return
    with postgres_schema("readmodel_test", "read-model test") as pg:
        yield make_sessions(pg.engine)
