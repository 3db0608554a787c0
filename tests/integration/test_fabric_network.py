"""Issue 2 acceptance on the real network: SDK, endorsement, identity checks, events, faults.

These run against `fabric_network` (real orderers, peers and chaincode servers); the
fixture skips them with the exact toolchain error when Fabric cannot be built here.
"""

from __future__ import annotations

import concurrent.futures
import json
import uuid

import pytest

from envalue.client import EndorseError, FileCheckpointer
from envalue.network import nodes, operations, processes
from envalue.network.connections import gateway_for
from envalue.network.settings import NetworkSettings
from envalue.network.topology import CHAINCODE_NAME, CHANNEL, ORDERER_ORG, PEER_ORGS, org_by_key

pytestmark = pytest.mark.integration

PLATFORM, MARKET = org_by_key("platform"), org_by_key("market")
CUSTOMER = org_by_key("customer")
TWO_ORGS = [PLATFORM.msp_id, MARKET.msp_id]


def _probe(gateway):
    return gateway.get_network(CHANNEL).get_contract(CHAINCODE_NAME, "probe")


def test_status_reports_every_node_healthy_and_the_committed_chaincode(
        fabric_network: NetworkSettings) -> None:
    status = operations.status(fabric_network)
    unhealthy = [n["name"] for n in status["nodes"] if n["health"]["status"] != "OK"]
    assert unhealthy == []
    assert len(status["channel"]["heights"]) == len(PEER_ORGS)
    assert status["chaincode"]["committed"]["sequence"] >= 1


def test_submit_endorsed_by_two_orgs_commits_and_evaluates(
        fabric_network: NetworkSettings) -> None:
    key, value = f"k-{uuid.uuid4().hex}", uuid.uuid4().hex
    with gateway_for(fabric_network, PLATFORM, "operator1") as gateway:
        submitted = _probe(gateway).submit_async("put", arguments=[key, value],
                                                 endorsing_organizations=TWO_ORGS)
        status = submitted.get_status()
        assert status.successful, status.code_name
        assert _probe(gateway).evaluate_transaction("get", key).decode() == value


def test_a_role_the_function_does_not_allow_is_refused_by_chaincode(
        fabric_network: NetworkSettings) -> None:
    with gateway_for(fabric_network, PLATFORM, "verifier1") as gateway, \
            pytest.raises(EndorseError) as refused:
        _probe(gateway).submit("put_restricted", arguments=["r", "v"],
                               endorsing_organizations=TWO_ORGS)
    assert "requires role operator" in str(refused.value) + repr(refused.value.details)


def test_an_identity_of_the_wrong_msp_is_refused_by_chaincode(
        fabric_network: NetworkSettings) -> None:
    with gateway_for(fabric_network, CUSTOMER, "customer1") as gateway, \
            pytest.raises(EndorseError) as refused:
        _probe(gateway).submit("put_restricted", arguments=["r", "v"])
    assert "CustomerMSP" in str(refused.value) + repr(refused.value.details)


def test_chaincode_events_arrive_in_order_and_resume_from_a_checkpoint(
        fabric_network: NetworkSettings, tmp_path) -> None:
    checkpoint = FileCheckpointer(tmp_path / "events.checkpoint")
    keys = [f"ev-{i}-{uuid.uuid4().hex[:6]}" for i in range(6)]
    with gateway_for(fabric_network, PLATFORM, "operator1") as gateway:
        network = gateway.get_network(CHANNEL)
        first = _probe(gateway).submit_async("put", arguments=[keys[0], "v"])
        start = first.get_status().block_number
        for key in keys[1:]:
            _probe(gateway).submit("put", arguments=[key, "v"])
        seen: list[str] = []
        with network.get_chaincode_events(CHAINCODE_NAME, start_block=start,
                                          checkpoint=checkpoint) as events:
            for event in events:
                seen.append(json.loads(event.payload)["key"])
                checkpoint.checkpoint_chaincode_event(event)
                if len(seen) == 3:
                    break
        # a new listener resumes from the file checkpoint: nothing lost, nothing repeated
        resumed = FileCheckpointer(tmp_path / "events.checkpoint")
        with network.get_chaincode_events(CHAINCODE_NAME, checkpoint=resumed) as events:
            for event in events:
                seen.append(json.loads(event.payload)["key"])
                resumed.checkpoint_chaincode_event(event)
                if len(seen) == len(keys):
                    break
    assert seen == keys


def test_500_submits_at_50_in_flight_all_commit_valid(fabric_network: NetworkSettings) -> None:
    with gateway_for(fabric_network, PLATFORM, "operator1") as gateway:
        contract = _probe(gateway)

        def one(i: int) -> bool:
            return contract.submit_async(
                "put", arguments=[f"load-{i}", str(i)]).get_status().successful

        with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(one, range(500)))
        assert all(results)
        # the chaincode servers are still healthy and serving
        assert contract.evaluate_transaction("get", "load-499").decode() == "499"


def test_submits_survive_one_of_three_orderers_stopping(fabric_network: NetworkSettings) -> None:
    layout = fabric_network.layout
    victim = nodes.orderer_process(layout, fabric_network.ports, 2)
    with gateway_for(fabric_network, PLATFORM, "operator1") as gateway:
        contract = _probe(gateway)
        processes.stop(layout, victim.name)
        try:
            acknowledged = [contract.submit_async("put", arguments=[f"raft-{i}", "v"])
                            for i in range(30)]
            assert all(tx.get_status().successful for tx in acknowledged)
        finally:
            processes.start(layout, victim)
    assert ORDERER_ORG.orderers == 3


def test_a_restarted_peer_catches_up_to_the_channel_height(
        fabric_network: NetworkSettings) -> None:
    layout, ports = fabric_network.layout, fabric_network.ports
    peer = nodes.peer_process(layout, ports, CUSTOMER)
    processes.stop(layout, peer.name)
    with gateway_for(fabric_network, PLATFORM, "operator1") as gateway:
        for i in range(5):
            _probe(gateway).submit("put", arguments=[f"gap-{i}", "v"],
                                   endorsing_organizations=TWO_ORGS)
    processes.start(layout, peer)
    status = operations.status(fabric_network)
    heights = status["channel"]["heights"]
    assert len(set(heights.values())) == 1, heights


def test_a_killed_chaincode_server_fails_clearly_then_recovers(
        fabric_network: NetworkSettings) -> None:
    layout = fabric_network.layout
    name = nodes.chaincode_server_name(PLATFORM)
    with gateway_for(fabric_network, PLATFORM, "operator1") as gateway:
        contract = _probe(gateway)
        processes.stop(layout, name)
        with pytest.raises(EndorseError):
            contract.submit("put", arguments=["down", "v"],
                            endorsing_organizations=[PLATFORM.msp_id])
        operations.up(fabric_network)  # restarts what is missing, changes nothing else
        contract.submit("put", arguments=["up-again", "v"], endorsing_organizations=TWO_ORGS)
