"""Command lines of the channel and lifecycle steps, checked against a scripted runner.

The runner answers by command (a few canned outputs, as the Fabric CLIs print them);
the tests check argv and environment, and that idempotent steps are skipped. This is a
command-construction test, not a fake ledger.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from network_cli_script import FakeLifecycleCLI, Script, flag

from envalue.network import channel
from envalue.network.chaincode_package import org_package
from envalue.network.errors import NetworkError
from envalue.network.layout import NetworkLayout
from envalue.network.lifecycle import Lifecycle, signature_policy
from envalue.network.nodes import FabricBinaries
from envalue.network.ports import PortPlan
from envalue.network.topology import ORDERER_ORG, PEER_ORGS

pytestmark = pytest.mark.unit

BINS = FabricBinaries(Path("/opt/fabric/bin"))
PORTS = PortPlan(19000)
POLICY = ("OutOf(2, 'PlatformMSP.peer', 'MarketMSP.peer', 'MunicipalityMSP.peer', "
          "'CustomerMSP.peer')")


@pytest.fixture
def layout(tmp_path: Path) -> NetworkLayout:
    return NetworkLayout(tmp_path / "net")


def test_signature_policy_text() -> None:
    assert signature_policy() == POLICY


# --- channel --------------------------------------------------------------------------


def test_parsers() -> None:
    out = ('Status: 200\n{\n "systemChannel": null,\n'
           ' "channels": [{"name": "envalue", "url": "/x"}]\n}\n')
    assert channel.parse_osnadmin_list(out) == ["envalue"]
    assert channel.parse_osnadmin_list('Status: 200\n{"systemChannel":null,"channels":null}') == []
    assert channel.parse_peer_channel_list("Channels peers has joined: \nenvalue\n") == ["envalue"]
    assert channel.parse_peer_channel_list("Channels peers has joined: \n") == []
    info = 'Blockchain info: {"height":7,"currentBlockHash":"abc","previousBlockHash":"def"}'
    assert channel.parse_getinfo_height(info) == 7


def test_create_channel_commands(layout: NetworkLayout) -> None:
    joined_orderers: set[str] = set()

    def answer(argv: list[str], env: dict[str, str]) -> str:
        if argv[0].endswith("configtxgen"):
            Path(flag(argv, "-outputBlock")).write_bytes(b"block")
            return ""
        if argv[:3] == [BINS.osnadmin, "channel", "list"]:
            names = [{"name": "envalue"}] if flag(argv, "-o") in joined_orderers else []
            return "Status: 200\n" + json.dumps({"systemChannel": None, "channels": names})
        if argv[:3] == [BINS.osnadmin, "channel", "join"]:
            joined_orderers.add(flag(argv, "-o"))
            return "Status: 201\n{}"
        if argv[1:3] == ["channel", "list"]:
            # the market peer joined earlier
            joined = env["CORE_PEER_LOCALMSPID"] == "MarketMSP"
            return "Channels peers has joined: \n" + ("envalue\n" if joined else "")
        return ""

    run = Script(answer)
    result = channel.create_channel(run, layout, PORTS, BINS)
    block = channel.genesis_block_path(layout)

    (gen_argv, gen_env), = run.commands(BINS.configtxgen)
    assert flag(gen_argv, "-profile") == "EnvalueChannel"
    assert flag(gen_argv, "-channelID") == "envalue"
    assert flag(gen_argv, "-outputBlock") == str(block)
    assert (Path(flag(gen_argv, "-configPath")) / "configtx.yaml").is_file()
    assert gen_env["FABRIC_CFG_PATH"] == flag(gen_argv, "-configPath")

    joins = run.commands(BINS.osnadmin, "join")
    assert len(joins) == ORDERER_ORG.orderers
    for i, (argv, _) in enumerate(joins):
        tls = layout.node(ORDERER_ORG, ORDERER_ORG.orderer_host(i)) / "tls"
        assert flag(argv, "--channelID") == "envalue"
        assert flag(argv, "--config-block") == str(block)
        assert flag(argv, "-o") == f"127.0.0.1:{PORTS.orderer_admin(i)}"
        assert flag(argv, "--ca-file") == str(tls / "ca.crt")
        assert flag(argv, "--client-cert") == str(tls / "server.crt")
        assert flag(argv, "--client-key") == str(tls / "server.key")

    peer_joins = run.commands(BINS.peer, "join")
    assert [e["CORE_PEER_LOCALMSPID"] for _, e in peer_joins] == [
        o.msp_id for o in PEER_ORGS if o.msp_id != "MarketMSP"]
    for argv, env in peer_joins:
        org = next(o for o in PEER_ORGS if o.msp_id == env["CORE_PEER_LOCALMSPID"])
        assert argv[1:] == ["channel", "join", "-b", str(block)]
        assert env["CORE_PEER_MSPCONFIGPATH"] == str(layout.admin(org) / "msp")
        assert env["CORE_PEER_ADDRESS"] == f"127.0.0.1:{PORTS.peer(org)}"
        assert env["CORE_PEER_TLS_ENABLED"] == "true"
        assert env["CORE_PEER_TLS_ROOTCERT_FILE"] == str(
            layout.node(org, org.peer_host(0)) / "tls" / "ca.crt")
        assert (Path(env["FABRIC_CFG_PATH"]) / "core.yaml").parent == Path(env["FABRIC_CFG_PATH"])
    assert len(result["orderers"]) == 3 and len(result["peers"]) == 3

    # Second run: block exists, everything joined -> no configtxgen, no joins.
    def all_joined(argv: list[str], env: dict[str, str]) -> str:
        assert "join" not in argv and not argv[0].endswith("configtxgen"), argv
        if argv[0] == BINS.osnadmin:
            return 'Status: 200\n{"systemChannel": null, "channels": [{"name": "envalue"}]}'
        return "Channels peers has joined: \nenvalue\n"

    again = channel.create_channel(Script(all_joined), layout, PORTS, BINS)
    assert again == {"orderers": [], "peers": []}


def test_failure_names_step_and_node(layout: NetworkLayout) -> None:
    def broken(argv: list[str], env: dict[str, str]) -> str:
        raise NetworkError("exit 1: connection refused")

    with pytest.raises(NetworkError) as err:
        channel.peer_channels(broken, layout, PORTS, PEER_ORGS[2], 0, BINS)
    assert err.value.node == PEER_ORGS[2].peer_host(0)
    assert "peer channel list" in str(err.value)


# --- lifecycle ------------------------------------------------------------------------


def test_first_deploy_commands(layout: NetworkLayout) -> None:
    cli = FakeLifecycleCLI()
    run = Script(cli)
    result = Lifecycle(run, layout, PORTS, BINS).deploy("1.0")

    assert result.sequence == 1 and result.committed and result.changed
    assert result.label == "envalue_1.0"
    for org in PEER_ORGS:
        assert result.package_ids[org.key] == org_package(PORTS, org, "envalue_1.0").package_id

    installs = run.commands("install")
    assert len(installs) == 4
    for argv, _env in installs:
        assert argv[:4] == [BINS.peer, "lifecycle", "chaincode", "install"]
        assert Path(argv[4]).is_file()

    approvals = run.commands("approveformyorg")
    assert [e["CORE_PEER_LOCALMSPID"] for _, e in approvals] == [o.msp_id for o in PEER_ORGS]
    orderer_ca = layout.node(ORDERER_ORG, ORDERER_ORG.orderer_host(0)) / "tls" / "ca.crt"
    for argv, env in approvals:
        org = next(o for o in PEER_ORGS if o.msp_id == env["CORE_PEER_LOCALMSPID"])
        assert flag(argv, "-o") == f"127.0.0.1:{PORTS.orderer(0)}"
        assert "--tls" in argv and flag(argv, "--cafile") == str(orderer_ca)
        assert flag(argv, "--channelID") == "envalue" and flag(argv, "--name") == "envalue"
        assert flag(argv, "--version") == "1.0" and flag(argv, "--sequence") == "1"
        assert flag(argv, "--signature-policy") == POLICY
        assert flag(argv, "--package-id") == result.package_ids[org.key]
        assert env["CORE_PEER_ADDRESS"] == f"127.0.0.1:{PORTS.peer(org)}"
        assert env["CORE_PEER_MSPCONFIGPATH"] == str(layout.admin(org) / "msp")

    (commit_argv, _), = run.commands("commit")
    addresses = [commit_argv[i + 1] for i, a in enumerate(commit_argv) if a == "--peerAddresses"]
    roots = [commit_argv[i + 1] for i, a in enumerate(commit_argv) if a == "--tlsRootCertFiles"]
    assert addresses == [f"127.0.0.1:{PORTS.peer(o)}" for o in PEER_ORGS]
    assert len(addresses) >= len(PEER_ORGS) // 2 + 1
    assert roots == [str(layout.node(o, o.peer_host(0)) / "tls" / "ca.crt") for o in PEER_ORGS]
    assert flag(commit_argv, "--signature-policy") == POLICY
    assert "--tls" in commit_argv and flag(commit_argv, "--cafile") == str(orderer_ca)

    readiness = run.commands("checkcommitreadiness")
    assert all(flag(a, "--output") == "json" for a, _ in readiness)


def test_redeploy_same_version_changes_nothing(layout: NetworkLayout) -> None:
    cli = FakeLifecycleCLI()
    Lifecycle(Script(cli), layout, PORTS, BINS).deploy("1.0")
    run = Script(cli)
    result = Lifecycle(run, layout, PORTS, BINS).deploy("1.0")
    assert not result.changed and result.sequence == 1
    assert not run.commands("install")
    assert not run.commands("approveformyorg")
    assert not run.commands("commit")


def test_upgrade_takes_next_sequence(layout: NetworkLayout) -> None:
    cli = FakeLifecycleCLI(committed=("1.0", 3))
    run = Script(cli)
    result = Lifecycle(run, layout, PORTS, BINS).deploy("1.1")
    assert result.sequence == 4 and result.label == "envalue_1.1"
    assert all(flag(a, "--sequence") == "4" for a, _ in run.commands("approveformyorg"))
    assert cli.committed == ("1.1", 4)


def test_partial_approval_is_completed(layout: NetworkLayout) -> None:
    cli = FakeLifecycleCLI()
    cli.approved = {"PlatformMSP", "MarketMSP"}
    run = Script(cli)
    result = Lifecycle(run, layout, PORTS, BINS).deploy("1.0")
    assert result.approved_by == ["MunicipalityMSP", "CustomerMSP"]


def test_lifecycle_failure_names_step_and_node(layout: NetworkLayout) -> None:
    def broken(argv: list[str], env: dict[str, str]) -> str:
        if argv[3] == "queryinstalled":
            return "{}"
        raise NetworkError("exit 1: boom")

    with pytest.raises(NetworkError) as err:
        Lifecycle(broken, layout, PORTS, BINS).deploy("1.0")
    assert err.value.node == PEER_ORGS[0].peer_host(0)
    assert "install" in str(err.value)
