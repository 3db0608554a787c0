"""Finding entries in the portal's audit log: filters and pages, for the page and the API.

Why here: the audit page and ``GET /api/v1/audit`` read the same query parameters, refuse
the same bad values (`PortalError` naming field, value and rule) and get the same entries
from `search`. Filters: ``actor`` (user name, exact), ``action`` (exact; ending in ``.`` or
``*``: a prefix), ``outcome`` (ok, refused, failed), ``from``/``to`` (a day is a local
Asia/Tokyo day, like the reports' `parse_day`, ``to`` taking the whole day; a date-time
without offset is Tokyo time, ``to`` includes that moment).

Paging is by id, newest first: ids only grow, so a cursor (``before_id``: older than that
id; ``after_id``: newer) keeps its place while new entries are written, which an offset
would not. `AuditPage.next_before_id` and ``previous_after_id`` are the cursors of the
neighbouring pages (None: nothing there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from ..db import AuditEntry, PortalUser, get_session
from ..errors import PortalError
from ..reports.offchain import REPORT_TZ
from ..security import require_permission
from .reports import FIRST_DAY, LAST_DAY, Params, param_text, parse_day

__all__ = ["FILTERS", "MAX_ID", "MAX_LIMIT", "OUTCOMES", "AuditFilter", "AuditPage", "entry_at",
           "find_entries", "parse_filter", "search"]

PERMISSION = "audit.view"
MAX_LIMIT = 200
#: `webapp.audit.record`'s outcomes.
OUTCOMES = ("ok", "refused", "failed")
#: The query parameters that filter (the paging ones are ``limit``, ``before_id``, ``after_id``).
FILTERS = ("actor", "action", "outcome", "from", "to")
PREFIX_ENDINGS = (".", "*")
#: A cursor's largest value: one below the 64-bit column's, so the cursor ± 1 still binds.
MAX_ID = 2**63 - 2


@dataclass(frozen=True)
class AuditFilter:
    """Which entries: `since` (inclusive) and `until` (exclusive) are UTC moments; `action`
    is matched as a prefix when `action_prefix`. At most one of the cursors is set."""

    actor: str = ""
    action: str = ""
    action_prefix: bool = False
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = MAX_LIMIT
    before_id: int | None = None
    after_id: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The SQL conditions of the filters (not the paging)."""
        found: list[ColumnElement[bool]] = []
        if self.actor:
            found.append(AuditEntry.actor == self.actor)
        if self.action_prefix:
            if self.action:
                found.append(AuditEntry.action.startswith(self.action, autoescape=True))
        elif self.action:
            found.append(AuditEntry.action == self.action)
        if self.outcome:
            found.append(AuditEntry.outcome == self.outcome)
        if self.since is not None:
            found.append(AuditEntry.at >= self.since)
        if self.until is not None:
            found.append(AuditEntry.at < self.until)
        return found


@dataclass(frozen=True)
class AuditPage:
    """One page of entries, newest first, and the cursors of its neighbours."""

    entries: list[AuditEntry]
    filter: AuditFilter
    next_before_id: int | None
    previous_after_id: int | None


# -- parameters -------------------------------------------------------------------------
def _column_text(params: Params, name: str, length: int) -> str:
    text = param_text(params, name)
    if len(text) > length:
        raise PortalError(f"at most {length} characters", field=name, value=text[:40],
                          rule="max_length")
    return text


def _integer(params: Params, name: str, low: int, high: int) -> int | None:
    text = param_text(params, name)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):  # int() takes other digits, signs, "_"
        raise PortalError("must be a whole number", field=name, value=text, rule="integer")
    number = int(text)
    if not low <= number <= high:
        raise PortalError(f"must lie within {low}…{high}", field=name, value=text,
                          rule="range")
    return number


def _moment(params: Params, name: str, *, end: bool) -> datetime | None:
    """`name`'s day or date-time as a UTC moment: the first one `end` excludes, else the
    first one included."""
    text = param_text(params, name)
    if not text:
        return None
    if len(text) <= len("YYYY-MM-DD"):
        day = parse_day(text, name)
        start = datetime.combine(day + timedelta(days=1) if end else day, time(), REPORT_TZ)
        return start.astimezone(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PortalError("must be a date YYYY-MM-DD or a date-time YYYY-MM-DDTHH:MM[:SS] "
                          "with an optional offset (none: Japan time)", field=name,
                          value=text, rule="date_time") from None
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise PortalError(f"must lie within {FIRST_DAY}…{LAST_DAY}", field=name, value=text,
                          rule="date_range")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=REPORT_TZ)
    moment = moment.astimezone(UTC)
    return moment + timedelta(microseconds=1) if end else moment


def parse_filter(params: Params) -> AuditFilter:
    """The filter and page in `params` (a PortalError 400 for a bad value)."""
    actor = _column_text(params, "actor", AuditEntry.actor.type.length)
    action = _column_text(params, "action", AuditEntry.action.type.length)
    prefix = action.endswith(PREFIX_ENDINGS)
    outcome = param_text(params, "outcome")
    if outcome and outcome not in OUTCOMES:
        raise PortalError(f"one of {', '.join(OUTCOMES)}", field="outcome", value=outcome,
                          rule="choice")
    since, until = _moment(params, "from", end=False), _moment(params, "to", end=True)
    if since is not None and until is not None and until <= since:
        raise PortalError("must not be before from", field="to",
                          value=param_text(params, "to"), rule="after_start")
    limit = _integer(params, "limit", 1, MAX_LIMIT) or MAX_LIMIT
    before_id = _integer(params, "before_id", 0, MAX_ID)
    after_id = _integer(params, "after_id", 0, MAX_ID)
    if before_id is not None and after_id is not None:
        raise PortalError("give before_id or after_id, not both", field="after_id",
                          value=str(after_id), rule="exclusive")
    return AuditFilter(actor=actor, action=action.removesuffix("*") if prefix else action,
                       action_prefix=prefix, outcome=outcome, since=since, until=until,
                       limit=limit, before_id=before_id, after_id=after_id)


def entry_at(entry: AuditEntry) -> datetime:
    """The entry's time, UTC (SQLite hands the stored UTC time back without its zone)."""
    return entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)


# -- the query --------------------------------------------------------------------------
def _any(session: Session, conditions: list[ColumnElement[bool]]) -> bool:
    return bool(session.scalar(select(exists().where(and_(*conditions)))))


def find_entries(session: Session, wanted: AuditFilter) -> AuditPage:
    """The page of entries `wanted` names, newest first, and its neighbours' cursors."""
    conditions = wanted.conditions()
    query = select(AuditEntry).where(*conditions).limit(wanted.limit)
    if wanted.after_id is not None:  # the page just newer: the oldest ones above the cursor
        rows = list(session.scalars(query.where(AuditEntry.id > wanted.after_id)
                                    .order_by(AuditEntry.id.asc())))[::-1]
    else:
        if wanted.before_id is not None:
            query = query.where(AuditEntry.id < wanted.before_id)
        rows = list(session.scalars(query.order_by(AuditEntry.id.desc())))
    # the ids bounding this page (an empty page: the cursor's side of it)
    if rows:
        top, bottom = rows[0].id, rows[-1].id
    elif wanted.before_id is not None:
        top, bottom = wanted.before_id - 1, wanted.before_id
    elif wanted.after_id is not None:
        top, bottom = wanted.after_id, wanted.after_id + 1
    else:
        return AuditPage(rows, wanted, None, None)
    newer = _any(session, [*conditions, AuditEntry.id > top])
    older = _any(session, [*conditions, AuditEntry.id < bottom])
    return AuditPage(rows, wanted, bottom if older else None, max(top, 0) if newer else None)


def search(user: PortalUser | None, params: Params) -> AuditPage:
    """The audit page / API answer for `user` (``audit.view``) and the query `params`."""
    require_permission(user, PERMISSION)
    return find_entries(get_session(), parse_filter(params))
