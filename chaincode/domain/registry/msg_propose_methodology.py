"""MsgProposeMethodology: propose a methodology version (formula text, source, validity).

The version becomes active only after `msg_approve_methodology` by a PlatformMSP operator
and a verifier. The formula hash is computed here from the text; a hash given by the
client must match it. A calculation later runs the chaincode's implementation of
(name, version) only if that implementation's formula text has the same hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.methodologies import formula_hash
from envalue.chaincode.domain.store import Store

from .fields import message_from_dict, require_date, require_id, require_text
from .governance import PROPOSED, require_proposer, require_version
from .state import MethodologyVersion, load_or_none, save

__all__ = ["MAX_FORMULA_LENGTH", "MsgProposeMethodology", "apply", "validate"]

MAX_FORMULA_LENGTH = 20_000


@dataclass(frozen=True)
class MsgProposeMethodology:
    name: str
    version: str
    title: str
    formula: str
    source: str
    valid_from: str = ""
    valid_until: str = ""
    formula_hash: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> MsgProposeMethodology:
        return message_from_dict(cls, data)


def validate(msg: MsgProposeMethodology) -> None:
    """Stateless checks."""
    require_id(msg.name, "name")
    require_version(msg.version, "version")
    require_text(msg.title, "title")
    require_text(msg.source, "source")
    if not isinstance(msg.formula, str) or not msg.formula.strip():
        raise ValidationError("formula", msg.formula, "required", "must be a non-empty string")
    if len(msg.formula) > MAX_FORMULA_LENGTH or "\x00" in msg.formula:
        raise ValidationError("formula", len(msg.formula), "text",
                              f"must be at most {MAX_FORMULA_LENGTH} characters without NUL")
    _check_validity(msg.valid_from, msg.valid_until)
    if msg.formula_hash and msg.formula_hash != formula_hash(msg.formula):
        raise ValidationError(
            "formula_hash", msg.formula_hash, "formula-hash",
            f"does not match the SHA-256 of the formula text ({formula_hash(msg.formula)})",
        )


def _check_validity(valid_from: str, valid_until: str) -> None:
    start = require_date(valid_from, "valid_from") if valid_from else ""
    end = require_date(valid_until, "valid_until") if valid_until else ""
    if start and end and end < start:
        raise ValidationError("valid_until", valid_until, "after-start",
                              "must not be before valid_from")


async def apply(store: Store, ctx: TxContext, msg: MsgProposeMethodology) -> list[DomainEvent]:
    """Record the proposal; an existing (name, version) is a conflict."""
    validate(msg)
    require_proposer(ctx, f"propose methodology {msg.name}@{msg.version}")
    if await load_or_none(store, MethodologyVersion, msg.name, msg.version) is not None:
        raise ConflictError("version", f"{msg.name}@{msg.version}", "unique",
                            "this methodology version already exists")
    await save(store, MethodologyVersion(
        name=msg.name, version=msg.version, title=msg.title, formula=msg.formula,
        formula_hash=formula_hash(msg.formula), source=msg.source,
        valid_from=msg.valid_from, valid_until=msg.valid_until, status=PROPOSED,
        proposed_by=ctx.owner_key, proposed_tx=ctx.tx_id,
    ))
    return [DomainEvent("EventProposeMethodology", {
        "name": msg.name, "version": msg.version, "formula_hash": formula_hash(msg.formula),
    })]
