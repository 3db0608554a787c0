"""The CA tiers per test session, on their own base ports and homes, torn down at the end.

Base ports: the consortium CA tier at TEST_BASE_PORT (17400), the whole consortium at
+100 (`fabric_network`, in tests/conftest.py: the browser journeys use it too), the
partner ledger's CA tier at +200 (its own 100 ports, beside the consortium's).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from envalue.network import operations
from envalue.network.settings import NetworkSettings
from tests.conftest import TEST_BASE_PORT


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
