"""Governance rules shared by the methodology and factor messages.

A version is ``proposed`` and becomes ``active`` once it carries two approvals: one by an
``operator`` of PlatformMSP and one by a ``verifier``, from two different identities. The
same identity approving twice, or a second approval in a role already approved, is a
conflict. Versions are positive integers written as strings (``"1"``, ``"2"``), so "the
latest active version" is well defined.

Factor selection for a calculation (`select_factor`; `choose_factor` over plain records):
within a series, take each factor's highest active version, keep those whose validity
dates (Japan calendar dates, inclusive) cover the whole period, and require exactly one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.quantity import to_exact
from envalue.chaincode.domain.store import Store

from .access import (
    OPERATOR_ROLE,
    PLATFORM_MSP,
    VERIFIER_ROLE,
    describe_actor,
    is_platform_operator,
)
from .state import VALIDITY_TZ, Approval, FactorVersion, MethodologyVersion, load

__all__ = [
    "ACTIVE",
    "APPROVAL_ROLES",
    "PROPOSED",
    "approve",
    "choose_factor",
    "covers",
    "normalise_factor_value",
    "require_active_methodology",
    "require_proposer",
    "require_version",
    "select_factor",
]

PROPOSED = "proposed"
ACTIVE = "active"
#: The roles whose approvals together activate a version (one approval each).
APPROVAL_ROLES: tuple[str, ...] = (OPERATOR_ROLE, VERIFIER_ROLE)
_VERSION = re.compile(r"^[1-9][0-9]{0,5}$")

V = TypeVar("V", MethodologyVersion, FactorVersion)


def require_version(value: Any, field: str) -> str:
    """A version number: a positive integer written as a string."""
    if not isinstance(value, str) or not _VERSION.match(value):
        raise ValidationError(
            field, value, "version", f"{value!r} is not a version (a positive integer string)"
        )
    return value


def require_proposer(ctx: TxContext, action: str) -> None:
    """Proposals come from a PlatformMSP operator or a verifier."""
    if is_platform_operator(ctx) or ctx.actor.role == VERIFIER_ROLE:
        return
    raise ForbiddenError(
        "actor", ctx.owner_key, "governance-proposer",
        f"{describe_actor(ctx)} may not {action}: requires role {OPERATOR_ROLE} in "
        f"{PLATFORM_MSP} or role {VERIFIER_ROLE}",
    )


def _approval_role(ctx: TxContext, action: str) -> str:
    if is_platform_operator(ctx):
        return OPERATOR_ROLE
    if ctx.actor.role == VERIFIER_ROLE:
        return VERIFIER_ROLE
    raise ForbiddenError(
        "actor", ctx.owner_key, "governance-approver",
        f"{describe_actor(ctx)} may not {action}: approvals come from role {OPERATOR_ROLE} "
        f"in {PLATFORM_MSP} and from role {VERIFIER_ROLE}",
    )


def approve(record: V, ctx: TxContext, what: str) -> tuple[V, bool]:
    """`record` with the caller's approval added, and whether that activated it."""
    action = f"approve {what}"
    role = _approval_role(ctx, action)
    if record.status == ACTIVE:
        raise ConflictError("version", record.version, "proposed", f"{what} is already active")
    for previous in record.approvals:
        if previous["actor"] == ctx.owner_key:
            raise ConflictError(
                "actor", ctx.owner_key, "distinct-approvers",
                f"{what} was already approved by {ctx.owner_key} (tx {previous['tx_id']}); "
                "the second approval must come from a different identity",
            )
        if previous["role"] == role:
            raise ConflictError(
                "actor", ctx.owner_key, "one-approval-per-role",
                f"{what} already has its {role} approval (by {previous['actor']})",
            )
    approval = Approval(role=role, actor=ctx.owner_key, msp_id=ctx.actor.msp_id,
                        tx_id=ctx.tx_id, at=format_timestamp(ctx.timestamp))
    approvals = [*record.approvals, asdict(approval)]
    roles = {a["role"] for a in approvals}
    activated = set(APPROVAL_ROLES) <= roles
    updated = replace(
        record, approvals=approvals, status=ACTIVE if activated else PROPOSED,
        activated_tx=ctx.tx_id if activated else "",
    )
    return updated, activated


async def require_active_methodology(
    store: Store, name: str, version: str, field: str = "methodology_version"
) -> MethodologyVersion:
    """The ledger's methodology version, which must be active."""
    record = await load(store, MethodologyVersion, name, version, field_name=field,
                        what="methodology version")
    if record.status != ACTIVE:
        raise ConflictError(
            field, f"{name}@{version}", "active",
            f"methodology {name}@{version} is {record.status}, not active: it needs the "
            "approval of a PlatformMSP operator and a verifier",
        )
    return record


def normalise_factor_value(raw: Any, field: str) -> str:
    """A factor value: a non-negative decimal or exact expression (``"0.0193*44/12"``)."""
    exact = to_exact(raw, field)
    if exact < 0:
        raise ValidationError(field, raw, "non-negative", "must be >= 0")
    if isinstance(raw, int):
        return str(raw)
    return str(raw).strip()


def _local_dates(start: datetime, end: datetime) -> tuple[date, date]:
    """First and last Japan calendar day of the half-open span [start, end)."""
    first = start.astimezone(VALIDITY_TZ).date()
    last = (end - timedelta(microseconds=1)).astimezone(VALIDITY_TZ).date()
    return first, last


def covers(valid_from: str, valid_until: str, start: datetime, end: datetime) -> bool:
    """Whether inclusive validity dates (``""`` = open) cover the whole span [start, end)."""
    first, last = _local_dates(start, end)
    if valid_from and date.fromisoformat(valid_from) > first:
        return False
    return not (valid_until and date.fromisoformat(valid_until) < last)


def choose_factor(
    records: Iterable[FactorVersion], series: str, start: datetime, end: datetime, field: str
) -> FactorVersion:
    """The one active factor of `series` among `records` valid for the whole period
    [start, end) (module docstring). Pure, so off-chain readers (the portal's reports over
    the read model's copies of these records) choose exactly as a calculation does."""
    latest: dict[str, FactorVersion] = {}
    for record in records:
        if record.status != ACTIVE or record.series != series:
            continue
        best = latest.get(record.factor_id)
        if best is None or int(record.version) > int(best.version):
            latest[record.factor_id] = record
    matching = [r for r in latest.values() if covers(r.valid_from, r.valid_until, start, end)]
    span = f"{format_timestamp(start)}..{format_timestamp(end)}"
    if not matching:
        raise NotFoundError(
            field, series, "factor-valid",
            f"no active factor of series {series!r} is valid for the whole period {span} "
            "(a period must not straddle a factor's validity boundary, e.g. a fiscal year)",
        )
    if len(matching) > 1:
        ids = ", ".join(f"{r.factor_id}@{r.version}" for r in matching)
        raise ConflictError(
            field, series, "factor-unambiguous",
            f"several active factors of series {series!r} are valid for {span}: {ids}",
        )
    return matching[0]


async def select_factor(
    store: Store, series: str, start: datetime, end: datetime, field: str
) -> FactorVersion:
    """The one active factor of `series` on the ledger valid for the whole period."""
    records = [FactorVersion.from_bytes(raw)
               async for _key, raw in store.scan(FactorVersion.TABLE, series)]
    return choose_factor(records, series, start, end, field)
