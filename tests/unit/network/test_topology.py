"""Topologies: the consortium and the partner ledger, their checks, and their port plans."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from envalue.chaincode.domain.bridge.access import BRIDGE_ROLE
from envalue.chaincode.domain.wrapped.access import OPERATOR_ROLE
from envalue.network import topology
from envalue.network.ports import DEFAULT_BASE_PORT, SPAN, PortPlan
from envalue.network.topology import (
    CONSORTIUM,
    PARTNER,
    ROLES,
    TOPOLOGIES,
    Organization,
    Topology,
    User,
    topology_named,
)

pytestmark = pytest.mark.unit


def test_module_level_names_stay_the_consortiums() -> None:
    assert topology.CHANNEL == "envalue" == CONSORTIUM.channel
    assert topology.CHAINCODE_NAME == "envalue" == CONSORTIUM.chaincode_name
    assert topology.ORDERER_ORG is CONSORTIUM.orderer_org
    assert CONSORTIUM.peer_orgs == topology.PEER_ORGS
    assert CONSORTIUM.all_orgs == topology.ALL_ORGS
    assert [o.msp_id for o in topology.ALL_ORGS] == [
        "OrdererMSP", "PlatformMSP", "MarketMSP", "MunicipalityMSP", "CustomerMSP"]
    assert topology.org_by_key("market").msp_id == "MarketMSP"
    with pytest.raises(KeyError, match="exchange"):
        topology.org_by_key("exchange")  # a partner org is not a consortium member
    assert CONSORTIUM.roles == ROLES


def test_partner_shape() -> None:
    assert PARTNER.channel == "partner" and PARTNER.chaincode_name == "wrapped"
    assert PARTNER.orderer_org.msp_id == "PartnerOrdererMSP"
    assert PARTNER.orderer_org.orderers == 1
    assert [o.msp_id for o in PARTNER.peer_orgs] == ["ExchangeMSP", "MemberMSP"]
    assert all(o.domain.endswith(".partner.local") for o in PARTNER.all_orgs)
    exchange, member = PARTNER.peer_orgs
    assert {u.role for u in exchange.users} == {"operator", "bridge"}
    assert {u.role for u in member.users} == {"trader"}
    assert PARTNER.org_by_key("member") is member
    assert PARTNER.endorsement_policy == "OutOf(2, 'ExchangeMSP.peer', 'MemberMSP.peer')"
    assert CONSORTIUM.endorsement_policy.startswith("OutOf(2, 'PlatformMSP.peer'")
    # no MSP id, CA name or host is shared with the consortium
    for attr in ("msp_id", "ca_name", "domain"):
        assert not {getattr(o, attr) for o in PARTNER.all_orgs} & {
            getattr(o, attr) for o in CONSORTIUM.all_orgs}, attr


def test_partner_roles_are_the_ones_its_chaincode_checks() -> None:
    # operator configures the wrapped ledger; bridge relays claims with proofs
    assert {OPERATOR_ROLE, BRIDGE_ROLE} <= set(PARTNER.roles)
    # trader is the partner's own, never an envalue portal role
    assert "trader" not in ROLES


def test_chaincode_commands_are_the_right_modules() -> None:
    assert CONSORTIUM.chaincode_argv() == [sys.executable, "-m", "envalue.chaincode"]
    assert PARTNER.chaincode_argv() == [sys.executable, "-m", "envalue.chaincode.partner"]
    for shape in TOPOLOGIES.values():
        assert importlib.util.find_spec(shape.chaincode_module) is not None


def test_topology_named() -> None:
    assert topology_named("partner") is PARTNER
    assert topology_named("consortium") is CONSORTIUM
    with pytest.raises(ValueError, match="topology: 'mars' is not one of consortium, partner"):
        topology_named("mars")


def _org(key: str, msp: str, peers: int = 1, orderers: int = 0,
         users: tuple[User, ...] = ()) -> Organization:
    return Organization(key, msp, f"{key}.x.local", key, peers=peers, orderers=orderers,
                        users=users)


def _shape(**changes: object) -> Topology:
    fields: dict[str, object] = dict(
        name="t", network_name="t", default_base_port=20000,
        orderer_org=_org("ord", "OrdMSP", peers=0, orderers=1),
        peer_orgs=(_org("a", "AMSP"), _org("b", "BMSP")),
        channel="c", profile="CChannel", chaincode_name="cc", chaincode_module="m",
        roles=("operator",), endorsing_orgs=2)
    fields.update(changes)
    return Topology(**fields)  # type: ignore[arg-type]


def test_topology_checks_its_shape() -> None:
    _shape()  # valid
    with pytest.raises(ValueError, match="msp_ids repeat"):
        _shape(peer_orgs=(_org("a", "AMSP"), _org("b", "AMSP")))
    with pytest.raises(ValueError, match="at least 2 peer orgs"):
        _shape(peer_orgs=(_org("a", "AMSP"),), endorsing_orgs=1)
    with pytest.raises(ValueError, match="user t1@a has role 'trader', not one of operator"):
        _shape(peer_orgs=(_org("a", "AMSP", users=(User("t1", "trader"),)),
                          _org("b", "BMSP")))
    with pytest.raises(ValueError, match="endorsing_orgs 3"):
        _shape(endorsing_orgs=3)
    with pytest.raises(ValueError, match="must run orderers"):
        _shape(orderer_org=_org("ord", "OrdMSP", peers=0, orderers=0))


# --- port plans -----------------------------------------------------------------------


def test_default_bases_do_not_overlap() -> None:
    consortium = PortPlan(CONSORTIUM.default_base_port, CONSORTIUM)
    partner = PortPlan(PARTNER.default_base_port, PARTNER)
    assert DEFAULT_BASE_PORT == 17000 and PARTNER.default_base_port == 17200
    reserved = set(range(consortium.base, consortium.base + SPAN))
    assert not reserved & set(partner.node_ports())
    assert not set(consortium.node_ports()) & set(partner.node_ports())
    # and the partner stays clear of the integration tests' consortium bases (17400, 17500)
    assert max(partner.node_ports()) < 17400


def test_partner_port_plan_is_its_own() -> None:
    plan = PortPlan(17600, PARTNER)
    ports = plan.node_ports()
    assert len(ports) == len(set(ports))
    assert all(17600 <= p < 17600 + SPAN for p in ports)
    exchange, member = PARTNER.peer_orgs
    assert plan.ca(PARTNER.orderer_org) == 17600
    assert (plan.ca(exchange), plan.ca(member)) == (17601, 17602)
    assert (plan.peer(exchange), plan.peer(member)) == (17650, 17651)
    assert plan.chaincode_server(member) == 17681
    with pytest.raises(ValueError, match="'platform' runs no peer of the partner network"):
        plan.peer(topology.org_by_key("platform"))
    with pytest.raises(ValueError, match="'platform' is not part of the partner network"):
        plan.ca(topology.org_by_key("platform"))
    with pytest.raises(ValueError, match="exchange has no peer 1"):
        plan.peer(exchange, 1)


def test_a_topology_too_big_for_the_plan_is_refused() -> None:
    many = tuple(_org(f"o{i}", f"O{i}MSP") for i in range(10))
    with pytest.raises(ValueError, match="11 organisations do not fit a port plan"):
        PortPlan(20000, _shape(peer_orgs=many))
    crowded = (_org("a", "AMSP", peers=6), _org("b", "BMSP", peers=5))
    with pytest.raises(ValueError, match="11 peers do not fit a port plan"):
        PortPlan(20000, _shape(peer_orgs=crowded))
    two_peers = PortPlan(20000, _shape(peer_orgs=(_org("a", "AMSP", peers=2),
                                                  _org("b", "BMSP"))))
    b = two_peers.topology.peer_orgs[1]
    assert two_peers.peer(b) == 20052  # after a's two peers, not on a's second one
