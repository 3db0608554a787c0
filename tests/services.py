"""Throwaway service processes for the test session (PostgreSQL), started and stopped here.

PostgreSQL comes from Debian's packages (installed by scripts/setup.sh); a private
cluster runs in a temporary folder on its own port so it never touches a system one.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def _pg_bin(tool: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    return found[-1] if found else shutil.which(tool)


def _as_postgres(argv: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: drop to the Debian `postgres` user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def _checked(argv: list[str], *, step: str, log: Path | None) -> None:
    done = subprocess.run(_as_postgres(argv), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        if log is not None and log.exists():
            detail += "\n" + log.read_text()[-2000:]
        raise RuntimeError(f"test PostgreSQL: {step} failed (exit {done.returncode}): {detail}")


@contextmanager
def postgres_cluster(port: int) -> Iterator[str]:
    """Start a private PostgreSQL cluster; yield a SQLAlchemy URL for database `envalue`."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL server binaries are not installed (run scripts/setup.sh)")
    root = Path(tempfile.mkdtemp(prefix="envalue-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    _checked([initdb, "-D", str(data), "-U", "envalue", "--auth=trust", "-E", "UTF8"],
             step="initdb", log=None)
    _checked([pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w",
              "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"],
             step=f"start PostgreSQL on port {port}", log=root / "log")
    try:
        createdb = _pg_bin("createdb")
        for _ in range(50):
            done = subprocess.run(_as_postgres([createdb, "-h", "127.0.0.1", "-p", str(port),
                                                "-U", "envalue", "envalue"]),
                                  capture_output=True, check=False)
            if done.returncode == 0:
                break
            time.sleep(0.2)
        yield f"postgresql+psycopg://envalue@127.0.0.1:{port}/envalue"
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "fast", "stop"]),
                       capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class PostgresSchema:
    """A test's own schema in the session's PostgreSQL: its URL and an engine, both with
    the schema as search path."""

    url: str
    engine: Engine


@contextmanager
def postgres_schema(prefix: str, what: str) -> Iterator[PostgresSchema]:
    """A fresh schema ``<prefix>_<random>`` in ``ENVALUE_TEST_POSTGRES_URL`` (the test is
    skipped, naming `what`, when it is not set), dropped with its tables afterwards."""
    import pytest

    url = os.environ.get("ENVALUE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip(f"ENVALUE_TEST_POSTGRES_URL is not set: PostgreSQL {what} skipped")
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine = sa.create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield PostgresSchema(f"{url}?options=-csearch_path%3D{schema}", engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
