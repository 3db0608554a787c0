"""Session-wide services for the suite: each is started once and stopped at the end.

PostgreSQL starts before collection so that tests can read ENVALUE_TEST_POSTGRES_URL
in skip conditions; set that variable to use an existing server instead. The Fabric
network (`fabric_network`) lives here because the integration tests and the browser
journeys share one network per session (tests/integration/conftest.py: the port plan).
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator

import pytest

from envalue.network import operations
from envalue.network.errors import ToolchainError
from envalue.network.settings import NetworkSettings
from tests.services import postgres_cluster

TEST_BASE_PORT = int(os.environ.get("ENVALUE_TEST_BASE_PORT", "17400"))


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


@pytest.fixture(scope="session")
def fabric_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkSettings]:
    """The whole network: CAs, 3 Raft orderers, 4 peers, chaincode, channel (real binaries)."""
    settings = NetworkSettings.resolve(name="test", base_port=TEST_BASE_PORT + 100,
                                       home=tmp_path_factory.mktemp("network"))
    try:
        operations.ensure_binaries()
    except ToolchainError as err:
        # the full error (every proxy answer) is printed by `envalue setup`; the reason
        # names the step and the registry's last answer
        lines = [line.strip() for line in str(err).splitlines()]
        pytest.skip(f"BLOCKED, Fabric network unavailable: {lines[0]} {' '.join(lines[-2:])}")
    operations.up(settings)
    yield settings
    operations.down(settings, purge=True)
