"""The bridge set-up steps through the real contract dispatchers (in-memory state).

Home steps run through envalue's chaincode as the consortium's identities
(`scenario_ledger`), partner steps through the partner chaincode
(`envalue.chaincode.partner`) as the partner topology's identities. The trust material
is read by `network_trust` from network homes holding generated CA certificates, laid
out as `envalue network up` writes them.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from scenario_ledger import DispatcherSession, DispatcherSessions, RangeStub, read_state

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bridge"))

from bridge_world import CA  # noqa: E402
from chaincode_certs import operator_cert  # noqa: E402

from envalue.chaincode.domain.bridge.state import load_config as home_config  # noqa: E402
from envalue.chaincode.domain.proofs.state import load_network  # noqa: E402
from envalue.chaincode.domain.wrapped.state import load_config as partner_config  # noqa: E402
from envalue.chaincode.partner import partner_contracts  # noqa: E402
from envalue.chaincode.runtime import build_chaincode  # noqa: E402
from envalue.ledger.errors import (  # noqa: E402
    LedgerRejection,
    LedgerUnavailableError,
    decode_rejection,
)
from envalue.ledger.identities import parse_identity  # noqa: E402
from envalue.ledger.messages import LedgerCall  # noqa: E402
from envalue.network.settings import NetworkSettings  # noqa: E402
from envalue.network.topology import CONSORTIUM, PARTNER  # noqa: E402
from envalue.scenarios import run  # noqa: E402
from envalue.scenarios.bridge import (  # noqa: E402
    PARTNER_OPERATOR,
    bridge_setup,
    network_trust,
)
from envalue.scenarios.runner import OK  # noqa: E402

pytestmark = pytest.mark.unit

PARTNER_CHAINCODE = build_chaincode(partner_contracts())


@pytest.fixture(autouse=True)
def quiet_shim() -> None:
    logging.disable(logging.DEBUG)


class PartnerSession(DispatcherSession):
    """A partner identity's transactions through the partner chaincode's dispatcher."""

    def _invoke_locked(self, call: LedgerCall[Any]) -> tuple[Any, RangeStub]:
        self.owner.count += 1
        stub = RangeStub(self.owner.ledger, call.operation, *call.arguments,
                         msp_id=self.msp_id, cert_pem=self.cert,
                         tx_id=f"ptx{self.owner.count:08d}")
        response = asyncio.run(PARTNER_CHAINCODE.invoke(stub))
        if response.status != 200:
            raise decode_rejection(response.message, operation=call.operation)
        if call.submit:
            stub.commit()
            self.owner.blocks += 1
            self.owner.submitted.append(call.operation)
        return response, stub


class PartnerSessions(DispatcherSessions):
    """Sessions for the partner topology's identities over their own world state."""

    def get(self, identity: str) -> DispatcherSession:
        if identity not in self._sessions:
            org, user = parse_identity(identity, topology=PARTNER)
            role = next(u.role for u in org.users if u.name == user)
            self._sessions[identity] = PartnerSession(
                self, org.msp_id, operator_cert(f"{user}.{org.key}", role))
        return self._sessions[identity]


def _network(home: Path, topology: str) -> tuple[NetworkSettings, dict[str, str]]:
    """A network home whose peer orgs' verifying MSPs hold a generated root CA each."""
    settings = NetworkSettings.resolve(name=home.name, home=home, topology=topology)
    roots = {}
    for org in settings.topology.peer_orgs:
        pem = CA.create(org.msp_id).pem
        folder = settings.layout.org_msp(org) / "cacerts"
        folder.mkdir(parents=True)
        (folder / "ca.pem").write_text(pem)
        roots[org.msp_id] = pem
    return settings, roots


@pytest.fixture
def setup(tmp_path: Path):  # noqa: ANN201
    home, home_roots = _network(tmp_path / "envalue", "consortium")
    partner, partner_roots = _network(tmp_path / "greenx", "partner")
    scenario = bridge_setup(network_trust(home, "envalue"), network_trust(partner, "greenx"))
    return scenario, home_roots, partner_roots


def test_network_trust_reads_every_peer_org_root_and_the_endorsement_policy(setup) -> None:  # noqa: ANN001
    scenario, home_roots, partner_roots = setup
    home_steps = scenario.home.steps
    registration = home_steps[1].call.message
    assert registration.network_id == "greenx" and registration.chaincode_name == "wrapped"
    assert registration.msps == {m: {"root_certs": [pem], "intermediate_certs": []}
                                 for m, pem in partner_roots.items()}
    assert (registration.orgs, registration.threshold) == (("ExchangeMSP", "MemberMSP"), 2)
    back = scenario.partner.steps[1].call.message
    assert back.chaincode_name == CONSORTIUM.chaincode_name
    assert back.orgs == tuple(o.msp_id for o in CONSORTIUM.peer_orgs) and back.threshold == 2
    assert set(back.msps) == set(home_roots)


def test_set_up_steps_are_accepted_by_both_dispatchers_and_re_runnable(setup) -> None:  # noqa: ANN001
    scenario, _home_roots, partner_roots = setup
    home, partner = DispatcherSessions(), PartnerSessions()
    for _ in range(2):  # a re-run: configure is a no-op, register rotates the same roots
        for steps, sessions in ((scenario.home.steps, home), (scenario.partner.steps, partner)):
            report = run(steps, sessions, progress=False)
            assert report.failure is None and report.ok
            assert [o.status for o in report.outcomes] == [OK, OK]
    assert home.submitted == ["bridge:configure", "bridge:register_network"] * 2
    assert partner.submitted == ["wrapped:configure", "wrapped:register_network"] * 2
    assert read_state(home, home_config).network_id == "envalue"
    assert read_state(partner, partner_config).network_id == "greenx"
    registered = read_state(home, load_network, "greenx")
    assert (registered.version, registered.policy_text()) == (2, "2 of ExchangeMSP, MemberMSP")
    assert registered.msps["MemberMSP"]["root_certs"] == [partner_roots["MemberMSP"]]
    source = read_state(partner, load_network, "envalue")
    assert source.policy_text() == "2 of " + ", ".join(o.msp_id for o in CONSORTIUM.peer_orgs)


def test_partner_steps_are_refused_to_anyone_but_the_partner_operator(setup) -> None:  # noqa: ANN001
    scenario, _, _ = setup
    partner = PartnerSessions()
    assert scenario.partner.steps[0].identity == PARTNER_OPERATOR
    with pytest.raises(LedgerRejection) as refused:
        partner.get("member:trader1").submit(scenario.partner.steps[0].call)
    assert refused.value.rule == "partner-operator"
    assert partner.submitted == []


def test_a_configured_id_is_never_changed(setup, tmp_path: Path) -> None:  # noqa: ANN001
    scenario, _, _ = setup
    home = DispatcherSessions()
    assert run(scenario.home.steps, home, progress=False).ok
    other_home, _ = _network(tmp_path / "other", "consortium")
    other_partner, _ = _network(tmp_path / "otherp", "partner")
    again = bridge_setup(network_trust(other_home, "envalue-2"),
                         network_trust(other_partner, "greenx"))
    report = run(again.home.steps, home, progress=False)
    assert report.failure is not None and report.failure.key == "home/configure/envalue-2"
    assert report.failure.error.rule == "immutable"


def test_network_trust_without_msps_says_the_network_is_not_there(tmp_path: Path) -> None:
    settings = NetworkSettings.resolve(name="absent", home=tmp_path / "absent",
                                       topology="partner")
    with pytest.raises(LedgerUnavailableError, match="has no MSP for ExchangeMSP"):
        network_trust(settings, "greenx")


def test_the_bench_conservation_check_reads_both_ledgers(setup, tmp_path: Path) -> None:  # noqa: ANN001
    """`envalue bench bridge`'s check on minted lots, one of them with an unclaimed
    pledge (in flight, held in custody), over both dispatchers' committed state."""
    from envalue.bench.bridge import _Bench
    from envalue.bridge.store import BridgeStore
    from envalue.chaincode.domain.bridge import msg_pledge
    from envalue.ledger.messages import submit_call
    from envalue.scenarios import credit_program, key_directory
    from envalue.scenarios.identities import CUSTOMER

    scenario, _, _ = setup
    home, partner = DispatcherSessions(), PartnerSessions()
    program = credit_program(2, keys=key_directory(tmp_path / "keys"), holders=home.holder,
                             program_id="BRIDGE-T")
    steps = list(program.steps)
    first = next(i for i, s in enumerate(steps) if s.operation == "credits:open_report")
    refs = [r for s in steps[first:] if s.operation == "credits:add_lots"
            for r in s.call.message.lots]
    for part, sessions in ((steps[:first], home), (scenario.home.steps, home),
                           (scenario.partner.steps, partner)):
        assert run(part, sessions, progress=False).ok
    bench = object.__new__(_Bench)  # the check needs only sessions, ids and the journal
    bench.home_sessions, bench.partner_sessions = home, partner
    bench.home_id, bench.partner_id = "envalue", "greenx"
    bench.trader_key, bench.pledges, bench.burns = partner.holder("member:trader1"), [], []
    bench.relay = type("Relay", (), {"store": BridgeStore.from_url("sqlite://")})()
    mine = next(r for r in refs if r.owner == home.holder(CUSTOMER))
    pledge = bench.pledge("P-1", mine.lot_id, mine.owner)
    home.get(CUSTOMER).submit(submit_call("bridge", "pledge", pledge, msg_pledge.validate))
    report = bench.conservation([r.lot_id for r in refs])
    assert report["balanced"], report["problems"]
    lots = {row["lot_id"]: row for row in report["lots"]}
    assert lots[mine.lot_id]["pledged_in_flight"] == lots[mine.lot_id]["custody"] == 1
    assert lots[mine.lot_id]["at_home"] == lots[mine.lot_id]["issued"] - 1
    totals = report["totals"]
    assert totals["issued"] == totals["at_home"] + 1 and totals["wrapped_live"] == 0
