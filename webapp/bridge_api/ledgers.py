"""Which ledger adapters a bridge request runs with: the relay's own, and the caller's.

`BridgeLedgers` is what the API needs per request: the home and partner ledgers as the
Market org's relay identities, and, for the steps only an owner may sign, the caller's
own adapter when the service holds the caller's key (a portal user's sealed key at home)
or None (the owner commits with their own client; the relay then checks the ledger).

`FabricBridgeLedgers` is the deployment's: Fabric adapters opened on first use through
`envalue.ledger` sessions, so a request that only reads the home ledger never waits for
the partner's peers, and a missing peer surfaces as `LedgerUnavailableError` with the
reason `envalue.ledger.peers` gives. Nothing here stands in for a ledger.

Settings (Flask config, else environment): ``BRIDGE_HOME_NETWORK_ID`` (``envalue``, the id
the home chaincode was configured with), ``BRIDGE_HOME_IDENTITY`` (``market:bridge1``),
``BRIDGE_PARTNER_NETWORK`` (the partner network's name; unset: the partner is unavailable),
``BRIDGE_PARTNER_NETWORK_ID`` (defaults to that name), ``BRIDGE_PARTNER_IDENTITY``
(``exchange:bridge1``), ``BRIDGE_HOME_ENDORSERS`` / ``BRIDGE_PARTNER_ENDORSERS`` (MSP IDs
whose peers endorse views, comma-separated).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import select

from envalue.bridge.adapters import FabricLedgerAdapter, LedgerAdapter
from envalue.bridge.request_auth import Caller
from envalue.chaincode.domain.errors import DomainError
from envalue.ledger.errors import LedgerUnavailableError
from envalue.network.topology import PARTNER, PEER_ORGS

__all__ = ["BridgeLedgers", "FabricBridgeLedgers", "LedgerSet", "setting"]

#: The contracts the relay calls: envalue's ``bridge``, the partner chaincode's ``wrapped``.
HOME_CONTRACT, PARTNER_CONTRACT = "bridge", "wrapped"


def setting(config: Any, name: str, default: str = "") -> str:
    """A ``BRIDGE_*`` setting from the app config, else ``ENVALUE_BRIDGE_*`` from the
    environment."""
    value = config.get(name) or os.environ.get(f"ENVALUE_{name}") or default
    return str(value)


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


class _Lazy:
    """A `LedgerAdapter` whose Fabric connection opens on the first call."""

    def __init__(self, network_id: str, connect: Callable[[], Any], endorsers: list[str]
                 ) -> None:
        self.network_id = network_id
        self._connect = connect
        self._endorsers = endorsers
        self._adapter: FabricLedgerAdapter | None = None

    def _get(self) -> FabricLedgerAdapter:
        if self._adapter is None:
            self._adapter = FabricLedgerAdapter(self.network_id, self._connect(),
                                                endorsing_organizations=self._endorsers)
        return self._adapter

    async def submit(self, function: str, message: Any) -> bytes:
        return await self._get().submit(function, message)

    async def evaluate(self, function: str, *args: str) -> bytes:
        return await self._get().evaluate(function, *args)

    async def get_proof(self, function: str, *args: str) -> dict[str, Any]:
        return await self._get().get_proof(function, *args)


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class FabricBridgeLedgers:
    """The relay's Fabric connections (see the module docstring)."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.home_id = setting(config, "BRIDGE_HOME_NETWORK_ID", "envalue")
        self.home_identity = setting(config, "BRIDGE_HOME_IDENTITY", "market:bridge1")
        self.partner_network = setting(config, "BRIDGE_PARTNER_NETWORK")
        self.partner_id = setting(config, "BRIDGE_PARTNER_NETWORK_ID", self.partner_network
                                  or "partner")
        self.partner_identity = setting(config, "BRIDGE_PARTNER_IDENTITY", "exchange:bridge1")
        self.home_endorsers = _list(setting(config, "BRIDGE_HOME_ENDORSERS",
                                            ",".join(o.msp_id for o in PEER_ORGS)))
        self.partner_endorsers = _list(setting(config, "BRIDGE_PARTNER_ENDORSERS"))

    @contextmanager
    def open(self, caller: Caller) -> Iterator[LedgerSet]:
        with ExitStack() as stack:
            home = _Lazy(self.home_id, lambda: self._relay_home(stack), self.home_endorsers)
            partner = _Lazy(self.partner_id, lambda: self._relay_partner(stack),
                            self.partner_endorsers)
            owner = self._portal_owner(caller, stack)
            yield LedgerSet(home, partner, owner_home=owner)

    # -- connections ---------------------------------------------------------------------
    def _relay_home(self, stack: ExitStack) -> Any:
        from envalue.ledger.identities import enrolled_caller
        from envalue.ledger.session import LedgerSession
        from envalue.webapp.gateway import gateway

        peers = gateway()
        if peers.settings is None:
            raise LedgerUnavailableError(f"home ledger: {peers.unavailable_reason}")
        session = stack.enter_context(LedgerSession(
            enrolled_caller(peers.settings, self.home_identity, "BRIDGE_HOME_IDENTITY"), peers))
        return session.contract(HOME_CONTRACT)

    def _relay_partner(self, stack: ExitStack) -> Any:
        from envalue.ledger.identities import enrolled_caller
        from envalue.ledger.peers import LedgerPeers
        from envalue.ledger.session import LedgerSession
        from envalue.network.layout import NetworkLayout
        from envalue.network.settings import NetworkSettings

        if not self.partner_network:
            raise LedgerUnavailableError(
                "partner ledger: no partner network is configured (BRIDGE_PARTNER_NETWORK)")
        try:  # by its own home: ENVALUE_NETWORK_HOME names the consortium's in the portal
            settings = NetworkSettings.resolve(
                name=self.partner_network, topology=PARTNER.name,
                home=NetworkLayout.named(self.partner_network).home)
        except ValueError as exc:
            raise LedgerUnavailableError(f"partner ledger: network settings: {exc}") from exc
        peers = LedgerPeers(settings)
        try:
            caller = enrolled_caller(peers.settings, self.partner_identity,
                                     "BRIDGE_PARTNER_IDENTITY")
            session = stack.enter_context(LedgerSession(caller, peers))
            return session.contract(PARTNER_CONTRACT)
        except (KeyError, DomainError) as exc:
            if isinstance(exc, LedgerUnavailableError):
                raise
            raise LedgerUnavailableError(
                f"partner ledger {self.partner_network!r}: cannot open a session as "
                f"{self.partner_identity}: {exc}") from exc

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

        return _Lazy(self.home_id, connect, self.home_endorsers)
