"""Running one chaincode message as the portal user: the helpers `services.ledger` (tokens,
credits) and `services.registry` share.

Why one module: both turn a JSON body into the chaincode's own message dataclass
(`message`; holder fields may name portal users, `owner` defaults to the user's holder
key), submit it in a session signing as the user, and write the audit entry of every
submission that reached the ledger's door (`submit`). Input errors are raised before any
connection, so they stay the caller's 400 while the ledger is unavailable (503).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import select

from envalue.chaincode.domain.errors import ValidationError
from envalue.ledger.errors import LedgerError, LedgerUnavailableError
from envalue.ledger.identities import owner_key_of
from envalue.ledger.messages import TxResult, decode_message
from envalue.ledger.session import LedgerSession

from .. import audit
from ..db import PortalUser, get_session
from ..gateway import gateway
from .users import key_secret

__all__ = ["evaluate", "holder_of", "ledger_session", "message", "owner_key", "submit"]

M = TypeVar("M")
T = TypeVar("T")
_HOLDER_FIELDS = ("owner", "recipient", "counterparty")


@contextmanager
def ledger_session(user: PortalUser) -> Iterator[LedgerSession]:
    """An `envalue.ledger` session signing as `user` (LedgerUnavailableError without peer)."""
    with gateway().session_for(user, key_secret=key_secret(current_app.config)) as session:
        yield session


def owner_key(user: PortalUser) -> str:
    """The user's holder key on the ledger."""
    return owner_key_of(user.msp_id, user.cert_pem.encode())


def holder_of(ref: str, field: str = "owner") -> str:
    """A holder key as given, or the holder key of the portal user named `ref`."""
    if "/" in ref:
        return ref
    user = get_session().scalar(select(PortalUser).where(PortalUser.username == ref))
    if user is None:
        raise ValidationError(field, ref, "holder",
                              f"{ref!r} is neither a holder key '<MSP ID>/<client id>' nor "
                              "a portal user name (user@org)")
    return owner_key(user)


def _holders(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Portal user names in holder fields replaced by their holder keys."""
    for name in _HOLDER_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value:
            data[name] = holder_of(value, f"{prefix}{name}")
    return data


def message(cls: type[M], body: Mapping[str, Any], user: PortalUser, *,
            default_owner: bool = True, **fixed: Any) -> M:
    """The chaincode message `cls` from a JSON body (path parameters in `fixed` win);
    holder fields may name portal users; `owner` defaults to the user's own key."""
    data = _holders({**body, **fixed})
    for name in ("items", "lots"):  # MsgTransfer.items[].recipient, MsgAddLots.lots[].owner
        if isinstance(data.get(name), list):
            data[name] = [_holders(dict(x), f"{name}[{i}].") if isinstance(x, Mapping) else x
                          for i, x in enumerate(data[name])]
    if default_owner and "owner" in cls.__dataclass_fields__ and not data.get("owner"):  # type: ignore[attr-defined]
        data["owner"] = owner_key(user)
    return decode_message(cls, data)


def submit(user: PortalUser, operation: str, target: str,
           run: Callable[[LedgerSession], TxResult]) -> dict[str, Any]:
    """Run one submission as `user`; what reached the ledger (committed, refused, or failed
    for want of a peer) is recorded in the audit log. Input errors are the caller's 400."""
    try:
        with ledger_session(user) as session:
            result = run(session)
    except LedgerError as exc:
        outcome = "failed" if isinstance(exc, LedgerUnavailableError) else "refused"
        audit.record(get_session(), actor=user.username, msp_id=user.msp_id,
                     action=f"ledger.{operation}", target=target, outcome=outcome,
                     detail=f"{exc.rule}: {exc.message}")
        raise
    audit.record(get_session(), actor=user.username, msp_id=user.msp_id,
                 action=f"ledger.{operation}", target=target, outcome="ok",
                 detail=f"tx {result.transaction_id} block {result.block_number}")
    return result.to_dict()


def evaluate(user: PortalUser, run: Callable[[LedgerSession], T]) -> T:
    """Run a query as `user`."""
    with ledger_session(user) as session:
        return run(session)
