"""The chaincode servers `network up` starts: one per peer org, managed by pid file."""

from __future__ import annotations

import pytest

from envalue.network import chaincode_package, fabric_nodes, nodes, processes
from envalue.network.settings import NetworkSettings
from envalue.network.topology import PEER_ORGS

pytestmark = pytest.mark.integration


def test_each_org_runs_its_own_chaincode_server_and_down_stops_it(
        ca_tier: NetworkSettings) -> None:
    layout, ports = ca_tier.layout, ca_tier.ports
    names = []
    try:
        for org in PEER_ORGS:
            package = chaincode_package.org_package(ports, org, "envalue_1")
            proc = nodes.chaincode_server_process(layout, ports, org, package.package_id,
                                                  fabric_nodes.CHAINCODE_ARGV)
            processes.start(layout, proc, timeout=30)
            names.append(proc.name)
            assert processes.port_open(ports.chaincode_server(org))
            log = layout.log(proc.name).read_text()
            assert "chaincode server listening" in log
            assert package.package_id in log
    finally:
        for name in names:
            assert processes.stop(layout, name)
    for org in PEER_ORGS:
        assert not processes.port_open(ports.chaincode_server(org))
