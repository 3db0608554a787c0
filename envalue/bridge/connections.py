"""The relay's own Fabric connections to the home and partner ledgers.

Shared by the Market org's bridge API (which adds the caller's own adapter for the steps
only an owner may sign) and `envalue bridge resume` (the relay alone). Adapters open on
first use through `envalue.ledger` sessions, so a step that only reads the home ledger
never waits for the partner's peers, and a missing peer surfaces as
`LedgerUnavailableError` with the reason `envalue.ledger.peers` gives. Nothing here
stands in for a ledger.

Settings (a config mapping, else ``ENVALUE_<NAME>`` from the environment):
``BRIDGE_HOME_NETWORK_ID`` (``envalue``, the id the home chaincode was configured with),
``BRIDGE_HOME_IDENTITY`` (``market:bridge1``), ``BRIDGE_PARTNER_NETWORK`` (the partner
network's name; unset: the partner is unavailable), ``BRIDGE_PARTNER_NETWORK_ID``
(defaults to that name), ``BRIDGE_PARTNER_IDENTITY`` (``exchange:bridge1``),
``BRIDGE_HOME_ENDORSERS`` / ``BRIDGE_PARTNER_ENDORSERS`` (MSP IDs whose peers endorse
views, comma-separated).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.errors import DomainError
from envalue.ledger.errors import LedgerUnavailableError
from envalue.ledger.peers import LedgerPeers
from envalue.network.topology import PARTNER, PEER_ORGS

from .adapters import FabricLedgerAdapter, LedgerAdapter

__all__ = ["HOME_CONTRACT", "PARTNER_CONTRACT", "LazyAdapter", "RelayConnections",
           "RelayLedgers", "setting"]

#: The contracts the relay calls: envalue's ``bridge``, the partner chaincode's ``wrapped``.
HOME_CONTRACT, PARTNER_CONTRACT = "bridge", "wrapped"


def setting(config: Mapping[str, Any], name: str, default: str = "") -> str:
    """A ``BRIDGE_*`` setting from `config`, else ``ENVALUE_BRIDGE_*`` from the environment."""
    value = config.get(name) or os.environ.get(f"ENVALUE_{name}") or default
    return str(value)


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class LazyAdapter:
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


@dataclass
class RelayLedgers:
    """The relay's adapters for one unit of work."""

    home: LedgerAdapter
    partner: LedgerAdapter


class RelayConnections:
    """How the relay reaches both ledgers (see the module docstring).

    `home_peers` are the home network's Gateway peers (the portal passes its own);
    by default they are resolved like every admin command (ENVALUE_NETWORK...)."""

    def __init__(self, config: Mapping[str, Any],
                 home_peers: Callable[[], LedgerPeers] = LedgerPeers.resolve) -> None:
        self.home_peers = home_peers
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
    def open_relay(self) -> Iterator[tuple[RelayLedgers, ExitStack]]:
        """The relay's lazy adapters, and the stack that closes whatever they opened."""
        with ExitStack() as stack:
            home = LazyAdapter(self.home_id, lambda: self._home(stack), self.home_endorsers)
            partner = LazyAdapter(self.partner_id, lambda: self._partner(stack),
                                  self.partner_endorsers)
            yield RelayLedgers(home, partner), stack

    def _home(self, stack: ExitStack) -> Any:
        from envalue.ledger.identities import enrolled_caller
        from envalue.ledger.session import LedgerSession

        peers = self.home_peers()
        if peers.settings is None:
            raise LedgerUnavailableError(f"home ledger: {peers.unavailable_reason}")
        session = stack.enter_context(LedgerSession(
            enrolled_caller(peers.settings, self.home_identity, "BRIDGE_HOME_IDENTITY"), peers))
        return session.contract(HOME_CONTRACT)

    def _partner(self, stack: ExitStack) -> Any:
        from envalue.ledger.identities import enrolled_caller
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
