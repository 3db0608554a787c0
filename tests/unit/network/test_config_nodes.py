"""Rendered peer and orderer configs: they parse, hold the keys Fabric reads, and use
the ports and paths of the given PortPlan and NetworkLayout."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from envalue.network.config import (
    orderer_config,
    peer_core_config,
    write_client_core,
    write_orderer_config,
    write_peer_core,
)
from envalue.network.config.peer import CCAAS_BUILDER
from envalue.network.layout import NetworkLayout
from envalue.network.ports import PortPlan
from envalue.network.topology import ALL_ORGS, ORDERER_ORG, PEER_ORGS

pytestmark = pytest.mark.unit

BASE = 23000

#: Sections and keys of Fabric v3 sampleconfig/core.yaml that `peer node start` needs.
PEER_REQUIRED = [
    "peer.id", "peer.listenAddress", "peer.chaincodeListenAddress", "peer.address",
    "peer.gateway.enabled", "peer.keepalive.minInterval", "peer.keepalive.client.interval",
    "peer.keepalive.deliveryClient.interval", "peer.gossip.bootstrap",
    "peer.gossip.externalEndpoint", "peer.gossip.useLeaderElection", "peer.gossip.orgLeader",
    "peer.tls.enabled", "peer.tls.cert.file", "peer.tls.key.file", "peer.tls.rootcert.file",
    "peer.tls.clientAuthRequired", "peer.authentication.timewindow", "peer.fileSystemPath",
    "peer.BCCSP.Default", "peer.BCCSP.SW.Hash", "peer.mspConfigPath", "peer.localMspId",
    "peer.client.connTimeout", "peer.deliveryclient.connTimeout", "peer.localMspType",
    "peer.handlers.authFilters", "peer.handlers.decorators", "peer.handlers.endorsers.escc",
    "peer.handlers.validators.vscc", "peer.discovery.enabled",
    "peer.limits.concurrency.gatewayService", "vm.endpoint", "chaincode.externalBuilders",
    "chaincode.installTimeout", "chaincode.startuptimeout", "chaincode.executetimeout",
    "chaincode.keepalive", "chaincode.system._lifecycle", "chaincode.system.cscc",
    "chaincode.system.qscc", "chaincode.logging.level", "ledger.state.stateDatabase",
    "ledger.history.enableHistoryDatabase", "ledger.snapshots.rootDir",
    "operations.listenAddress", "operations.tls.enabled", "metrics.provider",
]

#: Keys that Fabric's orderer localconfig struct has (it rejects unknown keys).
ORDERER_ALLOWED = {
    "General": {"ListenAddress", "ListenPort", "TLS", "Keepalive", "Cluster", "BootstrapMethod",
                "LocalMSPDir", "LocalMSPID", "Profile", "BCCSP", "Authentication"},
    "FileLedger": {"Location"},
    "Operations": {"ListenAddress", "TLS"},
    "Metrics": {"Provider", "Statsd"},
    "Admin": {"ListenAddress", "TLS"},
    "ChannelParticipation": {"Enabled", "MaxRequestBodySize"},
    "Consensus": None,  # free-form map handed to the consensus plugin
}
ORDERER_TLS_KEYS = {"Enabled", "PrivateKey", "Certificate", "RootCAs", "ClientAuthRequired",
                    "ClientRootCAs"}
ORDERER_CLUSTER_KEYS = {"ClientCertificate", "ClientPrivateKey", "DialTimeout", "RPCTimeout",
                        "ReplicationBufferSize", "ReplicationPullTimeout",
                        "ReplicationRetryTimeout", "SendBufferSize"}


def lookup(data: dict, dotted: str):
    node = data
    for part in dotted.split("."):
        assert isinstance(node, dict) and part in node, f"missing {dotted}"
        node = node[part]
    return node


@pytest.fixture
def layout(tmp_path: Path) -> NetworkLayout:
    return NetworkLayout(tmp_path / "net")


def test_peer_core_parses_and_has_required_keys(layout: NetworkLayout) -> None:
    ports = PortPlan(BASE)
    for org in PEER_ORGS:
        folder = write_peer_core(layout, ports, org)
        data = yaml.safe_load((folder / "core.yaml").read_text())
        for key in PEER_REQUIRED:
            lookup(data, key)
        assert data == peer_core_config(layout, ports, org)


def test_peer_core_ports_paths_and_no_docker(layout: NetworkLayout) -> None:
    ports = PortPlan(BASE)
    org = PEER_ORGS[1]
    host = org.peer_host(0)
    data = peer_core_config(layout, ports, org)
    peer = data["peer"]
    assert peer["listenAddress"] == f"127.0.0.1:{ports.peer(org)}"
    assert peer["address"] == peer["gossip"]["externalEndpoint"] == peer["listenAddress"]
    assert peer["chaincodeListenAddress"] == f"127.0.0.1:{ports.peer_chaincode(org)}"
    assert data["operations"]["listenAddress"] == f"127.0.0.1:{ports.peer_operations(org)}"
    assert data["operations"]["tls"]["enabled"] is False
    assert data["metrics"]["provider"] == "prometheus"
    assert peer["gateway"]["enabled"] is True
    node = layout.node(org, host)
    assert peer["tls"]["enabled"] is True and peer["tls"]["clientAuthRequired"] is False
    assert peer["tls"]["cert"]["file"] == str(node / "tls" / "server.crt")
    assert peer["tls"]["key"]["file"] == str(node / "tls" / "server.key")
    assert peer["tls"]["rootcert"]["file"] == str(node / "tls" / "ca.crt")
    assert peer["mspConfigPath"] == str(node / "msp")
    assert peer["localMspId"] == org.msp_id
    assert peer["fileSystemPath"] == str(layout.data / host)
    assert data["ledger"]["state"]["stateDatabase"] == "goleveldb"
    assert data["ledger"]["snapshots"]["rootDir"].startswith(str(layout.data / host))
    assert data["vm"]["endpoint"] == ""
    builders = data["chaincode"]["externalBuilders"]
    assert builders == [{"name": "ccaas", "path": str(CCAAS_BUILDER)}]
    assert Path(builders[0]["path"]).is_absolute()
    assert (Path(builders[0]["path"]) / "bin" / "detect").is_file()


def test_client_core_has_tls_and_msp_settings(layout: NetworkLayout) -> None:
    folder = write_client_core(layout)
    data = yaml.safe_load((folder / "core.yaml").read_text())
    for key in ("peer.tls.enabled", "peer.BCCSP.Default", "peer.client.connTimeout",
                "peer.localMspType"):
        lookup(data, key)


def test_orderer_config_keys_are_known_to_fabric(layout: NetworkLayout) -> None:
    ports = PortPlan(BASE)
    for index in range(ORDERER_ORG.orderers):
        folder = write_orderer_config(layout, ports, index)
        data = yaml.safe_load((folder / "orderer.yaml").read_text())
        assert set(data) <= set(ORDERER_ALLOWED)
        for section, allowed in ORDERER_ALLOWED.items():
            assert section in data, section
            if allowed is not None:
                assert set(data[section]) <= allowed, section
        assert set(data["General"]["TLS"]) <= ORDERER_TLS_KEYS
        assert set(data["Admin"]["TLS"]) <= ORDERER_TLS_KEYS
        assert set(data["Operations"]["TLS"]) <= ORDERER_TLS_KEYS
        assert set(data["General"]["Cluster"]) <= ORDERER_CLUSTER_KEYS


def test_orderer_config_values(layout: NetworkLayout) -> None:
    ports = PortPlan(BASE)
    data = orderer_config(layout, ports, 2)
    host = ORDERER_ORG.orderer_host(2)
    tls = layout.node(ORDERER_ORG, host) / "tls"
    general = data["General"]
    assert general["ListenAddress"] == "127.0.0.1"
    assert general["ListenPort"] == ports.orderer(2)
    assert general["BootstrapMethod"] == "none"
    assert general["LocalMSPID"] == ORDERER_ORG.msp_id
    assert general["LocalMSPDir"] == str(layout.node(ORDERER_ORG, host) / "msp")
    assert general["TLS"]["Enabled"] is True
    assert general["Cluster"]["ClientCertificate"] == str(tls / "server.crt")
    assert general["Cluster"]["ClientPrivateKey"] == str(tls / "server.key")
    assert "ListenPort" not in general["Cluster"]
    admin = data["Admin"]
    assert admin["ListenAddress"] == f"127.0.0.1:{ports.orderer_admin(2)}"
    assert admin["TLS"]["ClientAuthRequired"] is True
    assert admin["TLS"]["ClientRootCAs"] == [str(layout.ca_cert(ORDERER_ORG))]
    assert data["ChannelParticipation"]["Enabled"] is True
    assert data["Operations"]["ListenAddress"] == f"127.0.0.1:{ports.orderer_operations(2)}"
    assert data["FileLedger"]["Location"].startswith(str(layout.data / host))
    assert data["Consensus"]["WALDir"].startswith(str(layout.data / host))
    assert data["Consensus"]["SnapDir"].startswith(str(layout.data / host))


def _all_ports(plan: PortPlan, layout: NetworkLayout) -> list[int]:
    found = []
    for org in PEER_ORGS:
        peer = peer_core_config(layout, plan, org)
        found += [int(peer["peer"][k].rsplit(":", 1)[1])
                  for k in ("listenAddress", "chaincodeListenAddress")]
        found.append(int(peer["operations"]["listenAddress"].rsplit(":", 1)[1]))
        found.append(plan.chaincode_server(org))
    for index in range(4):
        orderer = orderer_config(layout, plan, index)
        found.append(orderer["General"]["ListenPort"])
        for section in ("Admin", "Operations"):
            found.append(int(orderer[section]["ListenAddress"].rsplit(":", 1)[1]))
    found += [plan.ca(org) for org in ALL_ORGS] + [plan.ca_operations(org) for org in ALL_ORGS]
    return found


def test_ports_unique_within_and_disjoint_between_plans(layout: NetworkLayout) -> None:
    first = _all_ports(PortPlan(BASE), layout)
    second = _all_ports(PortPlan(BASE + 100), layout)
    assert len(first) == len(set(first))
    assert len(second) == len(set(second))
    assert not set(first) & set(second)
