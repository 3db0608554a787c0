"""Which ledger adapters a bridge request runs with: the relay's own, and the caller's.

`BridgeLedgers` is what the API needs per request: the home and partner ledgers as the
Market org's relay identities (`envalue.bridge.connections`, the same connections
`envalue bridge resume` uses), and, for the steps only an owner may sign, the caller's
own adapter when the service holds the caller's key (a portal user's sealed key at home)
or None (the owner commits with their own client; the relay then checks the ledger).
Settings: see `envalue.bridge.connections`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import select

from envalue.bridge.adapters import LedgerAdapter
from envalue.bridge.connections import (
    HOME_CONTRACT,
    LazyAdapter,
    RelayConnections,
    setting,
)
from envalue.bridge.request_auth import Caller

__all__ = ["BridgeLedgers", "FabricBridgeLedgers", "LedgerSet", "setting"]


@dataclass
class LedgerSet:
    """The adapters one request may use."""

    home: LedgerAdapter
    partner: LedgerAdapter
    owner_home: LedgerAdapter | None = None
    owner_partner: LedgerAdapter | None = None


class BridgeLedgers(Protocol):
    def open(self, caller: Caller) -> Any:
        """A context manager yielding the `LedgerSet` for `caller`'s request."""
        ...


def _portal_peers() -> Any:
    from envalue.webapp.gateway import gateway

    return gateway()


class FabricBridgeLedgers:
    """The relay's Fabric connections through the portal's Gateway peers, plus the
    caller's own home adapter when the caller is a portal user."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.relay = RelayConnections(config, home_peers=_portal_peers)

    @contextmanager
    def open(self, caller: Caller) -> Iterator[LedgerSet]:
        with self.relay.open_relay() as (relay, stack):
            owner = self._portal_owner(caller, stack)
            yield LedgerSet(relay.home, relay.partner, owner_home=owner)

    def _portal_owner(self, caller: Caller, stack: ExitStack) -> LedgerAdapter | None:
        """The caller as a portal user whose sealed key the portal holds, if it is one."""
        from envalue.webapp.db import PortalUser, get_session
        from envalue.webapp.gateway import gateway
        from envalue.webapp.services.users import key_secret

        pem = caller.certificate_pem.decode("ascii", "replace").strip()
        users = get_session().scalars(select(PortalUser).where(
            PortalUser.msp_id == caller.msp_id, PortalUser.disabled.is_(False)))
        user = next((u for u in users if u.cert_pem.strip() == pem), None)
        if user is None:
            return None
        secret = key_secret(current_app.config)

        def connect() -> Any:
            session = stack.enter_context(gateway().session_for(user, key_secret=secret))
            return session.contract(HOME_CONTRACT)

        return LazyAdapter(self.relay.home_id, connect, self.relay.home_endorsers)
