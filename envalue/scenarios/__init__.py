"""Ledger scenarios: the case studies and a program-type credit project as ordered,
re-runnable ledger steps, for the demo, the integration tests and ``envalue bench bundle``.

::

    scenario = case_studies(store_url, key_directory(keys), network_holders(settings))
    with NetworkSessions(LedgerPeers.resolve()) as sessions:
        report = run(scenario.steps, sessions)

Modules: `steps` (what a step is and how a re-run recognises it as done), `identities`
(who acts, holder keys), `common` (genesis, grid-factor governance, equipment to lot),
`case_studies` (Ena City PV + NAS battery and the boiler replacement from the off-chain
store), `program_data` and `credit_program` (200 small sites bundled into credits),
`runner` (sessions, progress, summary, first failure). Building a scenario never touches
a ledger; running one goes through `envalue.ledger` only.
"""

from .case_studies import case_studies
from .common import DEFAULT_GRID, GridValue, key_directory
from .credit_program import credit_program
from .identities import network_holders, symbolic_holders
from .runner import NetworkSessions, RunReport, StepFailure, StepOutcome, print_summary, run
from .steps import Deferred, Probe, Scenario, Step, describe_step

__all__ = [
    "DEFAULT_GRID",
    "SCENARIOS",
    "Deferred",
    "GridValue",
    "NetworkSessions",
    "Probe",
    "RunReport",
    "Scenario",
    "Step",
    "StepFailure",
    "StepOutcome",
    "case_studies",
    "credit_program",
    "describe_step",
    "key_directory",
    "network_holders",
    "print_summary",
    "run",
    "symbolic_holders",
]

#: name -> what `envalue scenario list` says about it
SCENARIOS: dict[str, str] = {
    "case-studies": "Ena City PV + NAS battery and the boiler replacement, from the off-chain "
                    "store: registry, anchoring, calculation, approval, mint, transfer, "
                    "retirement",
    "credit-program": "a program-type credit project: small PV sites of the Customer and "
                      "Municipality orgs bundled, verified, issued, sold, partly retired",
}
