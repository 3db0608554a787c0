"""Databases for the bridge service's store: SQLite always, PostgreSQL when the suite's
server is up (ENVALUE_TEST_POSTGRES_URL, started by tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

BRIDGE_TABLES = ("bridge_events", "bridge_transfers", "bridge_requests")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL with no bridge tables yet."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bridge.db'}"
    url = os.environ.get("ENVALUE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("ENVALUE_TEST_POSTGRES_URL is not set: PostgreSQL store test skipped")
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in BRIDGE_TABLES:
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()
    return url
