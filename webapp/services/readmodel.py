"""Pages' lists from the off-chain read model (`envalue.readmodel`), never from the ledger.

Why a service: the wallet and credits pages list everything a user holds or may review;
scanning the ledger for that is what the read model exists to avoid. Each view carries
the read model's lag and a notice saying whether the lists are empty, behind the channel
by N blocks, or stale because the listener cannot reach the ledger. The single-record
ledger lookups stay in `services.ledger`.

The database is ``READMODEL_URL``; empty means a SQLite file next to the portal's own
database (``readmodel.db``), which `envalue readmodel run` fills.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from envalue.readmodel import LagStatus, lag_status, make_sessions
from envalue.readmodel import queries as rq

from ..config import VAR_DIR
from ..db import PortalUser
from ..security import require_permission
from .ledger_calls import owner_key  # re-exported: pages list the user's own rows

__all__ = ["EXTENSION", "ReadModelNotice", "credits_view", "lag_json", "notices", "owner_key",
           "read_view", "readmodel_url", "sessions", "wallet_view"]

EXTENSION = "envalue.portal.readmodel"
_FILE = "readmodel.db"


def readmodel_url(readmodel: str, database_url: str) -> str:
    """``readmodel`` when set; else ``readmodel.db`` beside a SQLite portal database, else
    under the checkout's ``var/``."""
    if readmodel:
        return readmodel
    if database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
        return f"sqlite:///{Path(database_url.removeprefix('sqlite:///')).parent / _FILE}"
    return f"sqlite:///{VAR_DIR / _FILE}"


def sessions() -> sessionmaker[Session]:
    """The app's read-model session factory (tables created on first use)."""
    factory = current_app.extensions.get(EXTENSION)
    if factory is None:
        config = current_app.config
        factory = make_sessions(readmodel_url(config.get("READMODEL_URL", ""),
                                              config["DATABASE_URL"]))
        current_app.extensions[EXTENSION] = factory
    return factory  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ReadModelNotice:
    """One thing a reader must know about the lists; templates word it per `kind`
    (empty, behind, unavailable, never-run, unprojected) from `values`."""

    kind: str
    values: Mapping[str, Any] = field(default_factory=dict)


def notices(lag: LagStatus) -> list[ReadModelNotice]:
    """What to tell the reader about the read model's freshness."""
    out: list[ReadModelNotice] = []
    if lag.empty:
        out.append(ReadModelNotice("empty"))
    elif lag.behind_blocks:
        out.append(ReadModelNotice("behind", {"blocks": lag.behind_blocks,
                                              "projected": lag.projected_blocks,
                                              "height": lag.channel_height}))
    if lag.state in ("unavailable", "reconnecting", "failed"):
        out.append(ReadModelNotice("unavailable", {"reason": lag.detail or lag.state,
                                                   "projected": lag.projected_blocks}))
    elif lag.state == "never-run" and not lag.empty:
        out.append(ReadModelNotice("never-run"))
    if lag.unprojected_events:
        out.append(ReadModelNotice("unprojected", {"count": lag.unprojected_events}))
    return out


def lag_json(lag: LagStatus) -> dict[str, Any]:
    """The lag and the notice kinds, as the API answers carry them (``read_model``)."""
    return lag.to_dict() | {"notices": [n.kind for n in notices(lag)]}


@dataclass(frozen=True)
class ReadModelView:
    lag: LagStatus
    notices: list[ReadModelNotice]
    owner: str = ""
    lists: Mapping[str, Any] = field(default_factory=dict)


def read_view(owner: str, read: Any) -> ReadModelView:
    with sessions()() as session:
        lag = lag_status(session)
        lists = read(session)
    return ReadModelView(lag, notices(lag), owner, lists)


def wallet_view(user: PortalUser | None) -> ReadModelView:
    """The user's holdings by lot and state, transfers, retirements and credit holdings."""
    actor = require_permission(user, "wallet.view")
    owner = owner_key(actor)
    return read_view(owner, lambda s: {
        "holdings": rq.holdings_of(s, owner), "transfers": rq.transfers_of(s, owner),
        "retirements": rq.retirements_of(s, owner),
        "credit_holdings": rq.credit_holdings_of(s, owner)})


def credits_view(user: PortalUser | None) -> ReadModelView:
    """Credit programs, monitoring reports and issued batches with contributors."""
    require_permission(user, "credits.view")
    return read_view("", lambda s: {"programs": rq.programs(s), "reports": rq.reports(s),
                                "batches": rq.credit_batches(s)})
