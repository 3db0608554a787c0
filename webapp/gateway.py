"""The portal's connection to the Fabric Gateway, signing as the acting portal user.

Why a module of its own: every ledger-backed page and API route goes through
`session_for` (or `contract_for`), which signs with the user's own identity, or raises
`LedgerUnavailableError` with a reason a person can act on. Nothing here invents ledger
data: when the peer cannot be reached, pages show that reason instead.

Where the peers are and whether they answer is `envalue.ledger.peers.LedgerPeers` (shared
with the CLI); this class adds the Flask configuration and the portal user's identity,
whose private key is opened from its sealed form only for the duration of the call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
from flask import Flask, current_app

from envalue.client import Contract, GatewayError, X509Identity
from envalue.ledger.errors import LedgerUnavailableError
from envalue.ledger.identities import Caller
from envalue.ledger.peers import LedgerPeers, LedgerStatus, PeerEndpoint
from envalue.ledger.session import LedgerSession, open_session
from envalue.network.settings import NetworkSettings

from .db import PortalUser

__all__ = ["EXTENSION", "LedgerGateway", "LedgerStatus", "PeerEndpoint", "gateway"]

EXTENSION = "envalue.portal.gateway"


class LedgerGateway(LedgerPeers):
    """The Gateway peers of the portal's network (see the module docstring)."""

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LedgerGateway:
        if config.get("LEDGER_DISABLED"):
            return cls(None, unavailable_reason=str(config["LEDGER_DISABLED"]))
        home = config.get("NETWORK_HOME")
        try:
            settings = NetworkSettings.resolve(name=config.get("NETWORK_NAME"),
                                               home=Path(home) if home else None)
        except ValueError as exc:
            return cls(None, unavailable_reason=f"network settings: {exc}")
        return cls(settings, connect_timeout=float(config.get("LEDGER_CONNECT_TIMEOUT", 2.0)))

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self

    @staticmethod
    def caller(user: PortalUser, *, key_secret: str) -> Caller:
        """The portal user as a signing caller (no connection is opened)."""
        from .services.users import signer_for

        return Caller(user.org_key, X509Identity(user.msp_id, user.cert_pem.encode()),
                      signer_for(user, key_secret))

    @contextmanager
    def session_for(self, user: PortalUser, *, key_secret: str) -> Iterator[LedgerSession]:
        """An `envalue.ledger` session signing as `user`, connected on first use."""
        with open_session(self.caller(user, key_secret=key_secret), self) as session:
            yield session

    @contextmanager
    def contract_for(self, user: PortalUser, contract_name: str, *,
                     key_secret: str) -> Iterator[Contract]:
        """A contract signing as `user`; `LedgerUnavailableError` when the peer is down."""
        with self.session_for(user, key_secret=key_secret) as session:
            contract = session.contract(contract_name)
            try:
                yield contract
            except GatewayError as exc:
                if exc.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                    raise LedgerUnavailableError(f"{session.peer}: {exc}") from exc
                raise


def gateway() -> LedgerGateway:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]
