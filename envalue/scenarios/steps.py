"""What a scenario is: ordered ledger calls, each signed by a named identity, and how a
re-run recognises a call whose effect is already on the ledger.

A `Step` is ``(identity "org:user", LedgerCall)`` plus what makes it re-runnable:

- `call` is a `LedgerCall` built (and validated by the chaincode's own message module)
  when the scenario is built; a few calls need a value the ledger chooses while running
  (a calculation id is derived from its transaction id; a quantity is what was minted):
  those steps carry a `Deferred` call, a builder ``(outputs) -> LedgerCall`` naming its
  operation and the outputs it needs;
- `produces` reads outputs from a committed transaction's events (or a query's answer);
- recognising "already done", by the chaincode's own rules:
  - `exists`: refusal rules meaning "this record already exists" (the registry's and the
    credit module's ``unique``, the genesis ``once``, a review's ``reviewed-once``,
    a calculation's ``no-double-counting``...); `recover` then reads the outputs from the
    refusal (None: the refusal is not this step's effect after all, so it fails);
  - `already_event`: a success that wrote nothing (``EventBatchAlreadyAnchored``);
  - `probe`: a query asked before submitting, for calls that carry no id of their own
    (token transfers and retirements, report stages): its answer says whether the effect
    is there and gives the outputs; a query refused with one of `Probe.absent` (the
    NotFound rule ``exists``) means "not there yet".
- `lane`: steps of one lane run in order; different lanes (one per site) may run side by
  side (``workers`` > 1); a step without a lane waits for everything before it.

Building steps never touches a ledger.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.quantity import loads
from envalue.ledger.errors import LedgerRejection
from envalue.ledger.messages import LedgerCall

__all__ = ["Deferred", "Outputs", "Probe", "Scenario", "Step", "describe_step"]

#: Values steps hand to later steps (calculation ids, minted kg, issued tonnes).
Outputs = Mapping[str, Any]
CallBuilder = Callable[[Outputs], LedgerCall[Any]]


@dataclass(frozen=True)
class Deferred:
    """A call built while running, from the outputs `needs` of earlier steps."""

    operation: str
    needs: tuple[str, ...]
    build: CallBuilder


@dataclass(frozen=True)
class Probe:
    """A query telling whether a step's effect is already on the ledger.

    `done(answer, outputs)` returns the step's outputs when it is, None when it is not."""

    query: CallBuilder
    done: Callable[[Any, Outputs], Mapping[str, Any] | None]
    absent: frozenset[str] = frozenset({"exists"})


@dataclass(frozen=True)
class Step:
    """One transaction (or query) of a scenario, signed by `identity` (``org:user``)."""

    key: str
    identity: str
    title: str
    call: LedgerCall[Any] | Deferred
    exists: frozenset[str] = frozenset()
    recover: Callable[[LedgerRejection], Mapping[str, Any] | None] | None = None
    already_event: str = ""
    probe: Probe | None = None
    produces: Callable[[Any], Mapping[str, Any]] | None = None
    lane: str = ""

    @property
    def operation(self) -> str:
        """``contract:function`` of the call."""
        return self.call.operation

    def resolve(self, outputs: Outputs) -> LedgerCall[Any]:
        """The call, built now if it needs earlier outputs."""
        if isinstance(self.call, LedgerCall):
            return self.call
        missing = [name for name in self.call.needs if name not in outputs]
        if missing:
            raise ValidationError("needs", ", ".join(missing), "earlier-output",
                                  f"step {self.key} needs {', '.join(missing)} from an "
                                  "earlier step, which did not provide it")
        return self.call.build(outputs)

    def recognised(self, rejection: LedgerRejection) -> Mapping[str, Any] | None:
        """The outputs when `rejection` means this step's effect is already there."""
        if rejection.rule not in self.exists:
            return None
        return self.recover(rejection) if self.recover is not None else {}


@dataclass(frozen=True)
class Scenario:
    """A named list of steps, and what a reader should know about its data."""

    name: str
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)


def describe_step(index: int, step: Step) -> dict[str, Any]:
    """A step as JSON-ready data for `scenario plan` (the message as the chaincode gets it,
    or what a deferred call is waiting for)."""
    data: dict[str, Any] = {"index": index, "key": step.key, "identity": step.identity,
                            "operation": step.operation, "title": step.title}
    if isinstance(step.call, LedgerCall):
        data["submit"] = step.call.submit
        data["arguments"] = [_argument(a) for a in step.call.arguments]
    else:
        data["built_from"] = list(step.call.needs)
    if step.lane:
        data["lane"] = step.lane
    return data


def _argument(text: str) -> Any:
    """A JSON argument decoded (numbers exact), other text as it is."""
    try:
        return loads(text)
    except (ValueError, json.JSONDecodeError, ValidationError):
        return text
