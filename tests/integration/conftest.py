"""One network per test session, on its own base port and home, torn down at the end.

Base ports: the consortium CA tier at TEST_BASE_PORT (17400), the whole consortium at
+100, the partner ledger's CA tier at +200 (its own 100 ports, beside the consortium's).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from envalue.network import operations
from envalue.network.errors import ToolchainError
from envalue.network.settings import NetworkSettings

TEST_BASE_PORT = int(os.environ.get("ENVALUE_TEST_BASE_PORT", "17400"))


@pytest.fixture(scope="session")
def ca_tier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkSettings]:
    """The consortium's five Fabric CAs with every identity enrolled (real fabric-ca-server)."""
    settings = NetworkSettings.resolve(name="test-cas", base_port=TEST_BASE_PORT,
                                       home=tmp_path_factory.mktemp("network-cas"))
    operations.up(settings, phase="cas")
    yield settings
    operations.down(settings, purge=True)


@pytest.fixture(scope="session")
def partner_ca_tier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkSettings]:
    """The partner ledger's three Fabric CAs with every identity enrolled (real processes)."""
    settings = NetworkSettings.resolve(name="test-partner-cas", topology="partner",
                                       base_port=TEST_BASE_PORT + 200,
                                       home=tmp_path_factory.mktemp("partner-cas"))
    operations.up(settings, phase="cas")
    yield settings
    operations.down(settings, purge=True)


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
