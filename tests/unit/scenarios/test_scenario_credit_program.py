"""The credit-program scenario through the real contract dispatcher (in-memory state).

200 small sites of the Customer and Municipality orgs: every step accepted in order; the
batch's tonnes are floor(bundled kg / 1000); each contributor's share and carry-forward
follow FIFO crediting, worked out here from the minted lots in bundling order; the sale
and the partial retirement; a second run recognises every write as already done. A
three-contributor case checks the distribution statement against numbers worked by hand.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from scenario_ledger import DispatcherSessions, read_state

from envalue.bench.bundle import (
    ADD_LOTS_WRITE_BOUND,
    SETTLE_WRITE_BOUND,
    WRITES_PER_BUNDLED_HOLDING,
    measure,
)
from envalue.chaincode.domain.credits import queries
from envalue.chaincode.domain.credits.distribution import ROUNDING_RULE
from envalue.ledger import credits
from envalue.scenarios import credit_program, key_directory, print_summary, run
from envalue.scenarios.credit_program import retired_tonnes
from envalue.scenarios.identities import BUYER, CITY, CUSTOMER, OPERATOR
from envalue.scenarios.program_data import flat_site
from envalue.scenarios.runner import DONE, OK, READ

pytestmark = pytest.mark.unit

MAY = date(2024, 5, 1)


@pytest.fixture(autouse=True)
def quiet_shim() -> None:
    logging.disable(logging.DEBUG)


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    sessions = DispatcherSessions()
    scenario = credit_program(200, keys=key_directory(tmp_path_factory.mktemp("keys")),
                              holders=sessions.holder)
    report = run(scenario.steps, sessions, progress=False)
    return sessions, scenario, report


def test_program_steps_are_accepted_in_order(program) -> None:  # noqa: ANN001
    sessions, scenario, report = program
    assert report.failure is None and report.ok
    assert [o.index for o in report.outcomes] == list(range(1, len(scenario.steps) + 1))
    assert [o.status for o in report.outcomes] == [OK] * (len(scenario.steps) - 1) + [READ]
    assert scenario.facts["sites"] == scenario.facts["lots"] == 200
    assert sessions.submitted.count("credits:enroll_site") == 200
    assert sessions.submitted.count("measurement:mint") == 200
    owners = {s.identity for s in scenario.steps if s.operation == "registry:register_site"}
    assert owners == {CUSTOMER, CITY}


def test_tonnes_shares_and_carry_forward_follow_fifo_crediting(program) -> None:  # noqa: ANN001
    sessions, scenario, report = program
    report_id, program_id = scenario.facts["report_id"], scenario.facts["program_id"]
    bundled = [(s.identity, report.outputs[f"kg:{s.key.removesuffix('/site')}"])
               for s in scenario.steps if s.operation == "registry:register_site"]
    pool = sum(kg for _, kg in bundled)
    tonnes = pool // 1000
    record = sessions.get(OPERATOR).evaluate(credits.report_call(report_id))
    assert (record.state, record.issued_t, record.remainder_kg) == ("issued", tonnes,
                                                                    pool - 1000 * tonnes)
    assert report.outputs["issued_t"] == tonnes

    credited: dict[str, int] = {}
    carried: dict[str, int] = {}
    start = 0
    for owner, kg in bundled:  # the pool in bundling order; the first 1000 × t kg credited
        part = max(0, min(kg, 1000 * tonnes - start))
        key = sessions.holder(owner)
        credited[key] = credited.get(key, 0) + part
        if kg - part:
            carried[key] = carried.get(key, 0) + kg - part
        start += kg
    shares = {s.owner: s.kg for s in read_state(sessions, queries.batch_shares, report_id)}
    carry = {c.owner: c.kg for c in read_state(sessions, queries.carry_forward, program_id)}
    assert shares == credited and sum(shares.values()) == 1000 * tonnes
    assert carry == carried and sum(carry.values()) == pool - 1000 * tonnes

    statement = report.outputs["distribution"]
    proceeds = 3000 * tonnes
    assert statement.proceeds_yen == proceeds and statement.credited_kg == 1000 * tonnes
    assert sum(line.yen for line in statement.lines) == proceeds
    for line in statement.lines:  # floor of the exact share, or one yen more
        assert line.share_kg == credited[line.owner]
        exact_floor = proceeds * line.share_kg // (1000 * tonnes)
        assert line.yen in (exact_floor, exact_floor + 1)


def test_the_summary_says_what_was_issued_and_how_proceeds_split(program) -> None:  # noqa: ANN001
    _, _, report = program
    console = Console(record=True, width=200)
    print_summary("credit-program", report, console)
    text = console.export_text()
    assert f"credits issued: {report.outputs['issued_t']} t-CO2" in text
    assert "200 lots: " in text and "kg-CO2e minted" in text
    assert f"distribution of {3000 * report.outputs['issued_t']} yen" in text
    assert "credits:add_lots" in text


def test_the_batch_is_sold_and_partly_retired(program) -> None:  # noqa: ANN001
    sessions, scenario, report = program
    holdings = {h.owner: h for h in read_state(sessions, queries.credit_holdings,
                                               scenario.facts["report_id"])}
    tonnes = report.outputs["issued_t"]
    buyer = holdings[sessions.holder(BUYER)]
    assert holdings[sessions.holder(OPERATOR)].tradable_t == 0
    assert (buyer.retired_t, buyer.tradable_t) == (tonnes // 2 + 1, tonnes - tonnes // 2 - 1)
    assert 0 < buyer.retired_t < tonnes
    [retirement] = read_state(sessions, queries.credit_retirements, scenario.facts["report_id"])
    assert retirement.serial.startswith("JCL-ENV-SMALLPV-200-20240501_20240531-1-")
    # the contract's holding query answers the same, and zeros for a never-holder
    reader = sessions.get(CITY)
    asked = reader.evaluate(credits.holding_call(scenario.facts["report_id"],
                                                 sessions.holder(BUYER)))
    assert asked == buyer
    never = reader.evaluate(credits.holding_call(scenario.facts["report_id"],
                                                 sessions.holder(CITY)))
    assert (never.owner, never.tradable_t, never.retired_t) == (sessions.holder(CITY), 0, 0)


def test_bundling_pages_stay_within_the_write_set_bound(program) -> None:  # noqa: ANN001
    sessions, _, _ = program
    # 200 holdings in one page: 6 keys each (holding, lot supply, history, member,
    # member index, pending) and the report, as `envalue bench bundle` prints
    assert sessions.writes["credits:add_lots"] == 200 * WRITES_PER_BUNDLED_HOLDING + 1
    assert sessions.writes["credits:add_lots"] <= ADD_LOTS_WRITE_BOUND
    assert sessions.writes["credits:settle_report"] <= SETTLE_WRITE_BOUND


def test_a_second_run_recognises_every_write_as_done(program) -> None:  # noqa: ANN001
    sessions, scenario, report = program
    before = dict(sessions.ledger.state)
    again = run(scenario.steps, sessions, progress=False, workers=4)
    assert again.failure is None and again.ok
    assert sorted(o.index for o in again.outcomes) == list(range(1, len(scenario.steps) + 1))
    statuses = {o.key: o.status for o in again.outcomes}
    assert {statuses[s.key] for s in scenario.steps if s.operation != "credits:distribution"
            } == {DONE}
    assert sessions.ledger.state == before
    assert again.outputs["issued_t"] == report.outputs["issued_t"]


def test_a_rerun_after_the_sale_asks_the_buyers_holding(tmp_path: Path) -> None:
    """A run stopped after the sale: the re-run finds the sale from the buyer's holding
    (nothing submitted for it), then retires; a third run finds both."""
    sessions = DispatcherSessions()
    sites = [flat_site("stop-a", CUSTOMER, 2400, 0, MAY), flat_site("stop-b", CITY, 4400, 0, MAY)]
    scenario = credit_program(sites, keys=key_directory(tmp_path / "keys"),
                              holders=sessions.holder, program_id="STOP-2")
    keys = [s.key for s in scenario.steps]
    sale, retire = keys.index("STOP-2-202405/sale"), keys.index("STOP-2-202405/retire")
    first = run(scenario.steps[:sale + 1], sessions, progress=False)
    assert first.failure is None and first.ok
    tonnes = first.outputs["issued_t"]
    buyer = sessions.get(OPERATOR).evaluate(credits.holding_call("STOP-2-202405",
                                                                 sessions.holder(BUYER)))
    assert (tonnes, buyer.tradable_t, buyer.retired_t) == (3, 3, 0)  # 1096 + 2010 kg

    again = run(scenario.steps, sessions, progress=False)
    assert again.failure is None and again.ok
    statuses = {o.key: o.status for o in again.outcomes}
    assert (statuses[keys[sale]], statuses[keys[retire]]) == (DONE, OK)
    assert sessions.submitted.count("credits:transfer") == 1
    assert sessions.submitted.count("credits:retire") == 1
    buyer = sessions.get(OPERATOR).evaluate(credits.holding_call("STOP-2-202405",
                                                                 sessions.holder(BUYER)))
    assert (buyer.tradable_t, buyer.retired_t) == (tonnes - retired_tonnes(tonnes),
                                                   retired_tonnes(tonnes))

    third = run(scenario.steps, sessions, progress=False)
    statuses = {o.key: o.status for o in third.outcomes}
    assert (statuses[keys[sale]], statuses[keys[retire]]) == (DONE, DONE)
    assert sessions.submitted.count("credits:retire") == 1


def test_three_contributors_distribution_worked_by_hand(tmp_path: Path) -> None:
    """800, 700 and 500 kg: 2 t issued, nothing carried; a 10,000 yen sale (5,000 yen/t)
    splits 4,000 / 3,500 / 2,500 exactly; 10,001 yen leaves one yen, which goes to the
    largest remainder (10,001 × 800 mod 2,000 = 800 > 700 > 500): 4,001 / 3,500 / 2,500."""
    sessions = DispatcherSessions()
    # E_self × 0.457 kg/kWh floored: 1,751 kWh → 800 kg, 1,532 → 700, 1,095 → 500
    sites = [flat_site("hand-a", CUSTOMER, 1751, 0, MAY),
             flat_site("hand-b", CITY, 2032, 500, MAY),
             flat_site("hand-c", BUYER, 1095, 0, MAY)]
    scenario = credit_program(sites, keys=key_directory(tmp_path / "keys"),
                              holders=sessions.holder, program_id="HAND-3",
                              price_yen_per_t=5000)
    report = run(scenario.steps, sessions, progress=False)
    assert report.failure is None and report.ok
    assert [report.outputs[f"kg:hand-{x}"] for x in "abc"] == [800, 700, 500]
    assert report.outputs["issued_t"] == 2
    a, b, c = (sessions.holder(who) for who in (CUSTOMER, CITY, BUYER))

    statement = report.outputs["distribution"]
    assert (statement.proceeds_yen, statement.credited_kg) == (10_000, 2_000)
    assert {(x.owner, x.share_kg, x.yen) for x in statement.lines} == {
        (a, 800, 4_000), (b, 700, 3_500), (c, 500, 2_500)}
    assert statement.rounding_rule == ROUNDING_RULE
    odd = sessions.get(OPERATOR).evaluate(credits.distribution_call("HAND-3-202405", 10_001))
    assert {(x.owner, x.yen) for x in odd.lines} == {(a, 4_001), (b, 3_500), (c, 2_500)}
    assert read_state(sessions, queries.carry_forward, "HAND-3") == []
    assert retired_tonnes(2) == 2  # more than half of 2 t is all of it


def test_bundle_bench_flow_runs_on_the_contracts() -> None:
    """The bench's own steps (set-up, 1 kg transfers and retirements of distinct holdings,
    then bundling and issuance) through the dispatcher: every transaction accepted. The
    figures it times here mean nothing; on a network they are the measurement."""
    sessions = DispatcherSessions()
    result = measure(sessions, sessions.holder, lots=250, transfers=3, retirements=4,
                     workers=2)
    assert (result["sites"], result["lots"]) == (10, 250)  # 25 daily lots a site
    assert (result["transfers"]["ok"], result["transfers"]["conflicts"]) == (3, 0)
    assert (result["retirements"]["ok"], result["retirements"]["refused"]) == (4, 0)
    issue = result["bundle_and_issue"]
    assert (issue["bundle_pages"], issue["settle_pages"]) == (1, 1)
    assert issue["issued_t"] == sessions.get(OPERATOR).evaluate(
        credits.report_call(f"{result['program_id']}-202405")).issued_t
    assert result["write_set_bound"]["add_lots"] == {"max_holdings": 250, "max_keys": 1501}
    assert sessions.writes["credits:add_lots"] == ADD_LOTS_WRITE_BOUND  # a full page
    assert sessions.writes["credits:settle_report"] <= SETTLE_WRITE_BOUND
    assert sessions.submitted.count("tokens:transfer") == 3
    assert sessions.submitted.count("credits:transfer") == 0  # the sale is not part of it
