"""The read model's database on SQLite and on PostgreSQL (a schema per test), and the
portal fixtures (app with users per role, test client) of tests/unit/webapp."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from envalue.readmodel.schema import make_sessions
from tests.unit.webapp.conftest import app, client, fabric_ca  # noqa: F401 - fixtures


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    if request.param == "sqlite":
        yield make_sessions(f"sqlite:///{tmp_path}/readmodel.db")
        return
    url = os.environ.get("ENVALUE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("ENVALUE_TEST_POSTGRES_URL is not set: PostgreSQL read-model test skipped")
    schema = f"readmodel_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine = sa.create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield make_sessions(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
