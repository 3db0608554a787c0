"""configtx.yaml for channel `envalue`: organisations, policies, capabilities, consenters."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from envalue.network.config import PROFILE, configtx, write_configtx
from envalue.network.layout import NetworkLayout
from envalue.network.ports import PortPlan
from envalue.network.topology import ORDERER_ORG, PEER_ORGS

pytestmark = pytest.mark.unit


@pytest.fixture
def layout(tmp_path: Path) -> NetworkLayout:
    return NetworkLayout(tmp_path / "net")


def test_written_file_parses_to_the_same_data(layout: NetworkLayout) -> None:
    ports = PortPlan(21000)
    folder = write_configtx(layout, ports)
    text = (folder / "configtx.yaml").read_text()
    assert "&id" not in text and "*id" not in text  # no YAML aliases
    assert yaml.safe_load(text) == configtx(layout, ports)


def test_profile_shape_and_capabilities(layout: NetworkLayout) -> None:
    data = configtx(layout, PortPlan(21000))
    profile = data["Profiles"][PROFILE]
    assert profile["Capabilities"] == {"V3_0": True}
    assert profile["Orderer"]["Capabilities"] == {"V2_0": True}
    assert profile["Application"]["Capabilities"] == {"V2_5": True}
    assert set(profile["Policies"]) == {"Readers", "Writers", "Admins"}
    assert "Addresses" not in profile["Orderer"]  # refused with the V3_0 capability
    assert profile["Orderer"]["BatchTimeout"] == "250ms"
    assert profile["Orderer"]["Policies"]["BlockValidation"] == {
        "Type": "ImplicitMeta", "Rule": "ANY Writers"}
    app = profile["Application"]["Policies"]
    assert app["LifecycleEndorsement"]["Rule"] == "MAJORITY Endorsement"
    assert app["Endorsement"]["Rule"] == "MAJORITY Endorsement"


def test_organisations(layout: NetworkLayout) -> None:
    ports = PortPlan(21000)
    profile = configtx(layout, ports)["Profiles"][PROFILE]
    apps = profile["Application"]["Organizations"]
    assert [o["ID"] for o in apps] == [org.msp_id for org in PEER_ORGS]
    for org, section in zip(PEER_ORGS, apps, strict=True):
        assert section["MSPDir"] == str(layout.home / "orgs" / org.key / "msp")
        assert section["AnchorPeers"] == [{"Host": "127.0.0.1", "Port": ports.peer(org)}]
        policies = section["Policies"]
        assert set(policies) == {"Readers", "Writers", "Admins", "Endorsement"}
        assert policies["Endorsement"]["Rule"] == f"OR('{org.msp_id}.peer')"
        assert policies["Admins"]["Rule"] == f"OR('{org.msp_id}.admin')"
        assert f"'{org.msp_id}.client'" in policies["Writers"]["Rule"]
    (orderer_org,) = profile["Orderer"]["Organizations"]
    assert orderer_org["ID"] == ORDERER_ORG.msp_id
    assert orderer_org["OrdererEndpoints"] == [
        f"127.0.0.1:{ports.orderer(i)}" for i in range(ORDERER_ORG.orderers)]


def test_raft_consenters(layout: NetworkLayout) -> None:
    ports = PortPlan(21000)
    orderer = configtx(layout, ports)["Profiles"][PROFILE]["Orderer"]
    assert orderer["OrdererType"] == "etcdraft"
    consenters = orderer["EtcdRaft"]["Consenters"]
    assert len(consenters) == 3
    for i, consenter in enumerate(consenters):
        tls = layout.node(ORDERER_ORG, ORDERER_ORG.orderer_host(i)) / "tls" / "server.crt"
        assert consenter == {"Host": "127.0.0.1", "Port": ports.orderer(i),
                             "ClientTLSCert": str(tls), "ServerTLSCert": str(tls)}


def test_bft_consenter_mapping(layout: NetworkLayout) -> None:
    ports = PortPlan(21000)
    profile = configtx(layout, ports, consensus="BFT")["Profiles"][PROFILE]
    orderer = profile["Orderer"]
    assert orderer["OrdererType"] == "BFT"
    assert "EtcdRaft" not in orderer
    mapping = orderer["ConsenterMapping"]
    assert [c["ID"] for c in mapping] == [1, 2, 3, 4]
    for i, consenter in enumerate(mapping):
        node = layout.node(ORDERER_ORG, ORDERER_ORG.orderer_host(i))
        assert consenter["Port"] == ports.orderer(i)
        assert consenter["MSPID"] == ORDERER_ORG.msp_id
        assert consenter["Identity"] == str(node / "msp" / "signcerts" / "cert.pem")
        assert consenter["ServerTLSCert"] == str(node / "tls" / "server.crt")
    assert orderer["SmartBFT"]["RequestBatchMaxInterval"]
    assert len(orderer["Organizations"][0]["OrdererEndpoints"]) == 4


def test_unknown_consensus_is_refused(layout: NetworkLayout) -> None:
    with pytest.raises(ValueError, match="consensus"):
        configtx(layout, PortPlan(21000), consensus="solo")
