"""The case-study scenario through the real contract dispatcher (in-memory world state).

Two simulated days of Ena City and of the boiler (with field defects), stored off-chain
through the ingestion service as the demo does; every step is accepted in order, the
minted lots equal the methodologies' results on the stored batch totals (summed here,
straight from the store), the supply audit balances, and a second run recognises every
step as already done.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import pytest
from scenario_ledger import DispatcherSessions

from envalue.chaincode.domain.methodologies import get_methodology
from envalue.edge.defects import DefectRates
from envalue.edge.simulation import simulate
from envalue.ingest.store import IngestStore
from envalue.ingest_service.local import store_simulation
from envalue.ledger import registry, tokens
from envalue.ledger.errors import LedgerRejection
from envalue.ledger.messages import LedgerCall
from envalue.scenarios import case_studies, key_directory, run
from envalue.scenarios.case_studies import retirements_call
from envalue.scenarios.identities import CITY, CUSTOMER
from envalue.scenarios.runner import DONE, OK
from envalue.scenarios.steps import Probe, Step

pytestmark = pytest.mark.unit

ENA_DEVICES = ["ena-pv-plant", *(f"ena-pv-roof-{i:02d}" for i in range(1, 10)), "ena-nas",
               "ena-grid"]


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'portal.db'}"
    for case in ("ena", "boiler"):
        store_simulation(simulate(case, days=2, rates=DefectRates.field_like(1)), url)
    return url


@pytest.fixture(autouse=True)
def quiet_shim() -> None:
    logging.disable(logging.DEBUG)  # the shim turns the root logger to DEBUG


def summed(store: IngestStore, devices: list[str]) -> dict[str, Decimal]:
    """Every quantity's total over the stored batches of `devices`."""
    totals: dict[str, Decimal] = {}
    for device in devices:
        for batch_id in store.batch_ids(device):
            for quantity, (value, _) in store.totals_of(batch_id).items():
                totals[quantity] = totals.get(quantity, Decimal(0)) + value
    return totals


def test_case_studies_run_in_order_mint_the_methodology_results_and_rerun_as_done(
        store_url: str, tmp_path: Path) -> None:
    sessions = DispatcherSessions()
    scenario = case_studies(store_url, key_directory(tmp_path / "keys"), sessions.holder)
    store = IngestStore(store_url)
    batches = sum(len(store.batch_ids(d)) for d in [*ENA_DEVICES, "boiler-new"])

    report = run(scenario.steps, sessions, progress=False)

    assert report.failure is None and report.ok
    assert [o.index for o in report.outcomes] == list(range(1, len(scenario.steps) + 1))
    assert {o.status for o in report.outcomes} == {OK}
    assert sessions.submitted == [s.operation for s in scenario.steps]
    assert sessions.submitted.count("measurement:anchor_batch") == batches == 2 * 13

    ena = summed(store, ENA_DEVICES)
    ena_inputs = {f"{q}_kwh": str(ena[q]) for q in (
        "pv_generation", "pv_export", "battery_charge_pv", "battery_charge_grid",
        "battery_discharge", "aux_grid")} | {"ef_grid": "0.000457"}
    boiler = summed(store, ["boiler-new"])
    boiler_inputs = {"fuel_pj": str(boiler["fuel"] / 1000), "hv_pj": "38.9",
                     "cef_pj": "0.0193*44/12", "cef_bl": "0.0193*44/12", "eff_pj": "0.92",
                     "eff_bl": "0.8", "heat_gj": str(boiler["heat"])}
    ena_kg = get_methodology("pv-battery", "1").calculate(ena_inputs).reduction_kg
    boiler_kg = get_methodology("boiler-replacement", "1").calculate(boiler_inputs).reduction_kg
    assert ena_kg > 0 and boiler_kg > 0
    assert report.outputs["kg:ena"] == ena_kg
    assert report.outputs["kg:boiler"] == boiler_kg

    reader = sessions.get("platform:auditor1")
    audit = reader.evaluate(tokens.audit_call())
    assert audit.balanced
    half = boiler_kg // 2
    assert audit.totals["issued"] == ena_kg + boiler_kg
    assert audit.totals["retired"] == half and audit.totals["tradable"] == ena_kg + boiler_kg - half
    boiler_lot = scenario.facts["boiler"]["lot_id"]
    city = reader.evaluate(tokens.holding_call(boiler_lot, sessions.holder(CITY)))
    seller = reader.evaluate(tokens.holding_call(boiler_lot, sessions.holder(CUSTOMER)))
    assert (city.retired, city.tradable, seller.tradable) == (half, 0, boiler_kg - half)
    [retirement] = reader.evaluate(retirements_call(boiler_lot))
    assert (retirement.beneficiary, retirement.purpose) == ("Ena City", "japan_reporting_act")

    before = dict(sessions.ledger.state)
    again = run(scenario.steps, sessions, progress=False)
    assert again.failure is None and again.ok
    assert {o.status for o in again.outcomes} == {DONE}
    assert again.outputs["kg:ena"] == ena_kg and again.outputs["kg:boiler"] == boiler_kg
    assert again.outputs["calc:ena"] == report.outputs["calc:ena"]
    assert sessions.ledger.state == before  # recognised, nothing written twice


def test_a_refused_step_stops_the_run_naming_step_identity_and_rule(
        store_url: str, tmp_path: Path) -> None:
    sessions = DispatcherSessions()
    scenario = case_studies(store_url, key_directory(tmp_path / "keys"), sessions.holder)
    index = next(i for i, s in enumerate(scenario.steps) if s.key == "ena/approve")
    steps = [*scenario.steps[:index], scenario.steps[index + 1]]  # mint, no approval

    report = run(steps, sessions, progress=False)

    failure = report.failure
    assert failure is not None and not report.ok and failure.index == len(steps)
    assert (failure.key, failure.identity, failure.operation) == (
        "ena/mint", "platform:operator1", "measurement:mint")
    assert isinstance(failure.error, LedgerRejection)
    assert (failure.error.field, failure.error.rule) == ("calculation_id", "verifier-approved")
    assert failure.exit_code == 4
    assert "a reduction is minted only after a verifier approves it" in failure.message
    assert len(report.outcomes) == len(steps) - 1


def test_a_probe_refused_for_another_reason_than_absence_fails_the_step() -> None:
    """Only the NotFound rule of a probe's query means "not there yet"."""
    sessions = DispatcherSessions()
    step = Step("x/bootstrap", "platform:operator1", "bootstrap", registry.bootstrap_call(),
                probe=Probe(lambda _out: LedgerCall("tokens", "no_such_query", (), False),
                            lambda _answer, _out: {}))
    report = run([step], sessions, progress=False)
    assert report.failure is not None and report.failure.exit_code == 4
    assert report.failure.error.rule == "chaincode" and sessions.submitted == []
