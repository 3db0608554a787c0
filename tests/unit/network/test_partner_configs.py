"""The partner ledger renders its own configs and commands: its MSP ids, channel `partner`,
chaincode `wrapped`, its ports; nothing of the consortium leaks in.

Command checks run against a scripted runner (network_cli_script): they check argv and
environment, no transaction runs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from network_cli_script import FakeLifecycleCLI, Script, flag

from envalue.network import channel, nodes
from envalue.network.chaincode_package import org_package, read_package
from envalue.network.config import configtx, orderer_config, peer_core_config, write_configtx
from envalue.network.layout import NetworkLayout
from envalue.network.lifecycle import Lifecycle
from envalue.network.nodes import FabricBinaries
from envalue.network.ports import PortPlan
from envalue.network.topology import CONSORTIUM, PARTNER

pytestmark = pytest.mark.unit

BINS = FabricBinaries(Path("/opt/fabric/bin"))
PORTS = PortPlan(PARTNER.default_base_port, PARTNER)
ORDERER = PARTNER.orderer_org
EXCHANGE, MEMBER = PARTNER.peer_orgs
CONSORTIUM_MSPS = {o.msp_id for o in CONSORTIUM.all_orgs}


@pytest.fixture
def layout(tmp_path: Path) -> NetworkLayout:
    return NetworkLayout(tmp_path / "partner")


def _mentions_consortium(text: str) -> set[str]:
    """Consortium MSP ids (whole words: PartnerOrdererMSP is not OrdererMSP) and hosts."""
    found = {msp for msp in CONSORTIUM_MSPS if re.search(rf"\b{msp}\b", text)}
    return found | ({"envalue.local"} if "envalue.local" in text else set())


def test_configtx_has_the_partner_profile_orgs_and_ports(layout: NetworkLayout) -> None:
    folder = write_configtx(layout, PORTS)
    text = (folder / "configtx.yaml").read_text()
    data = yaml.safe_load(text)
    assert data == configtx(layout, PORTS)
    assert not _mentions_consortium(text)
    assert list(data["Profiles"]) == ["PartnerChannel"]
    profile = data["Profiles"]["PartnerChannel"]
    assert [o["ID"] for o in data["Organizations"]] == [
        "PartnerOrdererMSP", "ExchangeMSP", "MemberMSP"]
    apps = profile["Application"]["Organizations"]
    assert [o["ID"] for o in apps] == ["ExchangeMSP", "MemberMSP"]
    for org, section in zip(PARTNER.peer_orgs, apps, strict=True):
        assert section["MSPDir"] == str(layout.org_msp(org))
        assert section["AnchorPeers"] == [{"Host": "127.0.0.1", "Port": PORTS.peer(org)}]
        assert section["Policies"]["Endorsement"]["Rule"] == f"OR('{org.msp_id}.peer')"
    orderer = profile["Orderer"]
    (orderer_org,) = orderer["Organizations"]
    assert orderer_org["ID"] == "PartnerOrdererMSP"
    assert orderer_org["OrdererEndpoints"] == [f"127.0.0.1:{PORTS.orderer(0)}"]
    tls = layout.node(ORDERER, "orderer0.orderer.partner.local") / "tls" / "server.crt"
    assert orderer["EtcdRaft"]["Consenters"] == [
        {"Host": "127.0.0.1", "Port": 17220, "ClientTLSCert": str(tls),
         "ServerTLSCert": str(tls)}]


def test_partner_bft_layout_uses_the_partner_orderer_org(layout: NetworkLayout) -> None:
    orderer = configtx(layout, PORTS, consensus="BFT")["Profiles"]["PartnerChannel"]["Orderer"]
    assert [c["MSPID"] for c in orderer["ConsenterMapping"]] == ["PartnerOrdererMSP"] * 4
    assert orderer["ConsenterMapping"][3]["Identity"].endswith(
        "orgs/partner-ordering/nodes/orderer3.orderer.partner.local/msp/signcerts/cert.pem")


def test_orderer_and_peer_configs(layout: NetworkLayout) -> None:
    data = orderer_config(layout, PORTS, 0)
    general = data["General"]
    assert general["LocalMSPID"] == "PartnerOrdererMSP"
    assert general["ListenPort"] == 17220
    assert general["LocalMSPDir"] == str(
        layout.node(ORDERER, "orderer0.orderer.partner.local") / "msp")
    assert data["Admin"]["ListenAddress"] == "127.0.0.1:17230"
    assert data["Admin"]["TLS"]["ClientRootCAs"] == [str(layout.ca_cert(ORDERER))]
    assert data["Operations"]["ListenAddress"] == "127.0.0.1:17240"
    for org, slot in ((EXCHANGE, 0), (MEMBER, 1)):
        core = peer_core_config(layout, PORTS, org)
        assert core["peer"]["id"] == f"peer0.{org.key}.partner.local"
        assert core["peer"]["localMspId"] == org.msp_id
        assert core["peer"]["listenAddress"] == f"127.0.0.1:{17250 + slot}"
        assert core["peer"]["chaincodeListenAddress"] == f"127.0.0.1:{17260 + slot}"
        assert core["operations"]["listenAddress"] == f"127.0.0.1:{17270 + slot}"
        assert core["peer"]["networkId"] == "partner"


def test_write_configs_renders_exactly_the_partner_nodes(layout: NetworkLayout) -> None:
    nodes.write_configs(layout, PORTS)
    rendered = sorted(p.name for p in (layout.home / "config").iterdir())
    assert rendered == ["cli", "orderer0.orderer.partner.local", "peer0.exchange.partner.local",
                        "peer0.member.partner.local"]
    for folder in (layout.home / "config").iterdir():
        for file in folder.iterdir():
            assert not _mentions_consortium(file.read_text()), file


def test_node_processes(layout: NetworkLayout) -> None:
    orderer = nodes.orderer_process(layout, PORTS, 0, BINS)
    assert orderer.name == "orderer0.orderer.partner.local" and orderer.port == 17220
    peer = nodes.peer_process(layout, PORTS, MEMBER, 0, BINS)
    assert peer.name == "peer0.member.partner.local" and peer.port == 17251
    assert peer.health_url == "http://127.0.0.1:17271/healthz"
    server = nodes.chaincode_server_process(layout, PORTS, EXCHANGE, "wrapped_1:ab",
                                            PARTNER.chaincode_argv())
    assert server.argv[-2:] == ["-m", "envalue.chaincode.partner"]
    assert server.env["CHAINCODE_SERVER_ADDRESS"] == "127.0.0.1:17280"


def test_channel_partner_is_created_with_its_own_nodes(layout: NetworkLayout) -> None:
    def answer(argv: list[str], env: dict[str, str]) -> str:
        if argv[0].endswith("configtxgen"):
            Path(flag(argv, "-outputBlock")).write_bytes(b"block")
            return ""
        if argv[:3] == [BINS.osnadmin, "channel", "list"]:
            return 'Status: 200\n{"systemChannel": null, "channels": null}'
        if argv[1:3] == ["channel", "list"]:
            return "Channels peers has joined: \n"
        return ""

    run = Script(answer)
    result = channel.create_channel(run, layout, PORTS, BINS)
    block = channel.genesis_block_path(layout, "partner")
    (gen_argv, _), = run.commands(BINS.configtxgen)
    assert flag(gen_argv, "-profile") == "PartnerChannel"
    assert flag(gen_argv, "-channelID") == "partner"
    assert flag(gen_argv, "-outputBlock") == str(block)
    (join_argv, _), = run.commands(BINS.osnadmin, "join")
    tls = layout.node(ORDERER, "orderer0.orderer.partner.local") / "tls"
    assert flag(join_argv, "--channelID") == "partner"
    assert flag(join_argv, "-o") == "127.0.0.1:17230"
    assert flag(join_argv, "--client-cert") == str(tls / "server.crt")
    peer_joins = run.commands(BINS.peer, "join")
    assert [e["CORE_PEER_LOCALMSPID"] for _, e in peer_joins] == ["ExchangeMSP", "MemberMSP"]
    assert [e["CORE_PEER_ADDRESS"] for _, e in peer_joins] == [
        "127.0.0.1:17250", "127.0.0.1:17251"]
    assert result == {"orderers": ["orderer0.orderer.partner.local"],
                      "peers": ["peer0.exchange.partner.local", "peer0.member.partner.local"]}


def test_wrapped_chaincode_deploy(layout: NetworkLayout) -> None:
    cli = FakeLifecycleCLI(topology=PARTNER)
    run = Script(cli)
    result = Lifecycle(run, layout, PORTS, BINS).deploy("1")
    assert result.label == "wrapped_1" and result.sequence == 1 and result.committed
    assert set(result.package_ids) == {"exchange", "member"}
    for org in PARTNER.peer_orgs:
        package = org_package(PORTS, org, "wrapped_1")
        assert result.package_ids[org.key] == package.package_id
        _, connection = read_package(package.data)
        assert connection["address"] == f"127.0.0.1:{PORTS.chaincode_server(org)}"
    approvals = run.commands("approveformyorg")
    assert [e["CORE_PEER_LOCALMSPID"] for _, e in approvals] == ["ExchangeMSP", "MemberMSP"]
    orderer_ca = layout.node(ORDERER, "orderer0.orderer.partner.local") / "tls" / "ca.crt"
    for argv, _ in approvals:
        assert flag(argv, "--channelID") == "partner" and flag(argv, "--name") == "wrapped"
        assert flag(argv, "--signature-policy") == (
            "OutOf(2, 'ExchangeMSP.peer', 'MemberMSP.peer')")
        assert flag(argv, "-o") == "127.0.0.1:17220"
        assert flag(argv, "--cafile") == str(orderer_ca)
    (commit_argv, commit_env), = run.commands("commit")
    assert commit_env["CORE_PEER_LOCALMSPID"] == "ExchangeMSP"
    addresses = [commit_argv[i + 1] for i, a in enumerate(commit_argv) if a == "--peerAddresses"]
    assert addresses == ["127.0.0.1:17250", "127.0.0.1:17251"]
    assert cli.committed == ("1", 1)
    assert not _mentions_consortium(json.dumps(run.calls))
