"""Session-wide services for the suite: each is started once and stopped at the end.

PostgreSQL starts before collection so that tests can read ENVALUE_TEST_POSTGRES_URL
in skip conditions; set that variable to use an existing server instead.
"""

from __future__ import annotations

import contextlib
import os
import socket

import pytest

from tests.services import postgres_cluster


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

_services = contextlib.ExitStack()


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("ENVALUE_TEST_POSTGRES_URL") or hasattr(config, "workerinput"):
        return
    port = int(os.environ.get("ENVALUE_TEST_POSTGRES_PORT") or _free_port())
    url = _services.enter_context(postgres_cluster(port))
    os.environ["ENVALUE_TEST_POSTGRES_URL"] = url
    _services.callback(os.environ.pop, "ENVALUE_TEST_POSTGRES_URL", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    _services.close()
