"""Running a scenario's steps on the ledger: one session per identity, progress, summary.

`run` takes the steps and a `Sessions` (anything whose ``get(identity)`` gives an object
with `LedgerSession`'s ``submit``/``evaluate``; `NetworkSessions` opens a real
`LedgerSession` per identity on first use). Each step is recognised as already done
when the ledger shows its effect (see `steps`), otherwise submitted (or evaluated).
The run stops at the first failure and reports the step, its identity and the decoded
error: a chaincode refusal (field, value, rule), a read conflict, or ledger unavailable
with the reason. With ``workers`` > 1, the lanes between two lane-less steps (one per
site) run side by side, each in order; a failure stops every lane before its next step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from envalue.chaincode.domain.errors import DomainError
from envalue.ledger.errors import LedgerRejection, LedgerUnavailableError
from envalue.ledger.identities import enrolled_caller
from envalue.ledger.messages import LedgerCall, TxResult
from envalue.ledger.peers import LedgerPeers
from envalue.ledger.session import LedgerSession

from .steps import Outputs, Step

__all__ = ["DONE", "OK", "READ", "NetworkSessions", "RunReport", "Session", "Sessions",
           "StepFailure", "StepOutcome", "execute", "print_summary", "run"]

#: a transaction committed; its effect was already on the ledger; a query answered
OK, DONE, READ = "ok", "done", "read"
STATUSES = (OK, DONE, READ)


class Session(Protocol):
    def submit(self, call: LedgerCall[Any]) -> TxResult: ...

    def evaluate(self, call: LedgerCall[Any]) -> Any: ...


class Sessions(Protocol):
    def get(self, identity: str) -> Session: ...


class NetworkSessions:
    """A `LedgerSession` per identity of the network, opened on first use; close() ends
    them all. A context manager."""

    def __init__(self, peers: LedgerPeers) -> None:
        self.peers = peers
        self._sessions: dict[str, LedgerSession] = {}
        self._lock = threading.Lock()

    def get(self, identity: str) -> LedgerSession:
        with self._lock:
            if identity not in self._sessions:
                if self.peers.settings is None:
                    raise LedgerUnavailableError(self.peers.unavailable_reason)
                session = LedgerSession(enrolled_caller(self.peers.settings, identity),
                                        self.peers)
                session.contract("registry")  # connect now, not from several threads
                self._sessions[identity] = session
            return self._sessions[identity]

    def close(self) -> None:
        with self._lock:
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()

    def __enter__(self) -> NetworkSessions:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class StepOutcome:
    """What one step did: ``ok`` (committed), ``done`` (already there), ``read``."""

    index: int
    key: str
    identity: str
    operation: str
    status: str
    transaction_id: str = ""
    block_number: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


@dataclass(frozen=True)
class StepFailure:
    """The step that stopped the run, and why."""

    index: int
    key: str
    identity: str
    operation: str
    error: DomainError

    @property
    def exit_code(self) -> int:
        """The ledger commands' codes: 2 invalid, 3 unavailable, 4 refused, 5 conflict."""
        code = self.error.exit_code
        return code if code in (3, 4, 5) else 2

    @property
    def message(self) -> str:
        kind = ("ledger unavailable" if isinstance(self.error, LedgerUnavailableError)
                else "refused" if isinstance(self.error, LedgerRejection)
                else "conflict" if self.exit_code == 5 else "invalid")
        return (f"step {self.index} ({self.key}) as {self.identity}, {self.operation}: "
                f"{kind}: {self.error.message}")

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "key": self.key, "identity": self.identity,
                "operation": self.operation, "exit_code": self.exit_code,
                "message": self.message, "error": self.error.to_dict()}


@dataclass
class RunReport:
    """Every step's outcome in completion order, the failure if any, the outputs."""

    total: int
    outcomes: list[StepOutcome] = field(default_factory=list)
    failure: StepFailure | None = None
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failure is None and len(self.outcomes) == self.total

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for o in self.outcomes if o.status == s) for s in STATUSES}

    def by_operation(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for o in self.outcomes:
            row = table.setdefault(o.operation, dict.fromkeys(STATUSES, 0))
            row[o.status] += 1
        return table

    def to_dict(self) -> dict[str, Any]:
        outputs = {k: (v.to_dict() if hasattr(v, "to_dict") else v)
                   for k, v in sorted(self.outputs.items())}
        return {"steps": self.total, **self.counts(), "complete": self.ok,
                "operations": self.by_operation(), "outputs": outputs,
                "failure": None if self.failure is None else self.failure.to_dict()}


def _probe(step: Step, session: Session, outputs: Outputs) -> dict[str, Any] | None:
    """The step's outputs if its probe finds its effect on the ledger, else None."""
    if step.probe is None:
        return None
    try:
        answer = session.evaluate(step.probe.query(outputs))
    except LedgerRejection as exc:
        if exc.rule in step.probe.absent:
            return None
        raise
    found = step.probe.done(answer, outputs)
    return None if found is None else dict(found)


def execute(step: Step, session: Session, outputs: Outputs
            ) -> tuple[str, dict[str, Any], TxResult | None]:
    """Run one step: (``ok`` | ``done`` | ``read``, its outputs, the committed transaction).

    Raises the `DomainError` that makes the step fail."""
    call = step.resolve(outputs)
    found = _probe(step, session, outputs)
    if found is not None:
        return DONE, found, None
    if not call.submit:
        answer = session.evaluate(call)
        return READ, dict(step.produces(answer)) if step.produces else {}, None
    try:
        result = session.submit(call)
    except LedgerRejection as exc:
        recognised = step.recognised(exc)
        if recognised is None:
            raise
        return DONE, dict(recognised), None
    produced = dict(step.produces(result)) if step.produces else {}
    status = DONE if step.already_event and result.event(step.already_event) else OK
    return status, produced, result


class _Runner:
    """Shared state of one run (outputs, report, progress) for one or several threads."""

    def __init__(self, steps: Sequence[Step], sessions: Sessions,
                 advance: Callable[[Step], None]) -> None:
        self.steps, self.sessions, self.advance = steps, sessions, advance
        self.report = RunReport(len(steps))
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def one(self, index: int) -> bool:
        """Run step `index` (1-based in reports); False when the run must stop."""
        if self.stopped.is_set():
            return False
        step = self.steps[index]
        with self.lock:
            outputs = dict(self.report.outputs)
        try:
            status, produced, result = execute(step, self.sessions.get(step.identity), outputs)
        except DomainError as exc:
            with self.lock:
                if self.report.failure is None:
                    self.report.failure = StepFailure(index + 1, step.key, step.identity,
                                                      step.operation, exc)
            self.stopped.set()
            return False
        with self.lock:
            self.report.outputs.update(produced)
            self.report.outcomes.append(StepOutcome(
                index + 1, step.key, step.identity, step.operation, status,
                result.transaction_id if result else "",
                result.block_number if result else None))
        self.advance(step)
        return True

    def lanes(self, indexes: list[int], workers: int) -> None:
        groups: dict[str, list[int]] = {}
        for i in indexes:
            groups.setdefault(self.steps[i].lane, []).append(i)

        def lane(members: list[int]) -> None:
            for i in members:
                if not self.one(i):
                    return

        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lane, groups.values()))


def run(steps: Sequence[Step], sessions: Sessions, *, workers: int = 1,
        console: Console | None = None, progress: bool = True) -> RunReport:
    """Execute `steps` in order (see the module text); the report says how far it got."""
    bar = Progress(TextColumn("{task.description}", style="cyan"), BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn(), console=console or Console(),
                   disable=not progress, transient=False)
    task = bar.add_task("scenario", total=len(steps))

    def advance(step: Step) -> None:
        bar.update(task, advance=1, description=step.title[:60])

    runner = _Runner(steps, sessions, advance)
    with bar:
        index = 0
        while index < len(steps) and not runner.stopped.is_set():
            if workers <= 1 or not steps[index].lane:
                runner.one(index)
                index += 1
                continue
            end = index
            while end < len(steps) and steps[end].lane:
                end += 1
            runner.lanes(list(range(index, end)), workers)
            index = end
    return runner.report


def print_summary(name: str, report: RunReport, console: Console) -> None:
    """The run for people: steps per operation (committed, already done, read), minted
    lots, issued credits, the distribution statement."""
    table = Table(title=f"scenario {name}: {len(report.outcomes)} of "
                        f"{report.total} steps")
    for column in ("operation", "committed", "already done", "read"):
        table.add_column(column, justify="right" if column != "operation" else "left")
    for operation, row in report.by_operation().items():
        table.add_row(operation, str(row["ok"]), str(row["done"]), str(row["read"]))
    console.print(table)
    minted = {k[3:]: v for k, v in sorted(report.outputs.items()) if k.startswith("kg:")}
    if len(minted) <= 5:
        for name, kg in minted.items():
            console.print(f"lot {name}: {kg} kg-CO2e minted")
    else:
        console.print(f"{len(minted)} lots: {sum(minted.values())} kg-CO2e minted "
                      f"({min(minted.values())} to {max(minted.values())} kg each)")
    if "issued_t" in report.outputs:
        console.print(f"credits issued: {report.outputs['issued_t']} t-CO2")
    statement = report.outputs.get("distribution")
    if statement is not None:
        console.print(f"distribution of {statement.proceeds_yen} yen over "
                      f"{statement.credited_kg} kg ({statement.rounding_rule}):")
        for line in statement.lines:
            console.print(f"  {line.owner}: {line.share_kg} kg -> {line.yen} yen")
