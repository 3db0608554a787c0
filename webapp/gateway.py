"""The portal's connection to the Fabric Gateway, signing as the acting portal user.

Why a module of its own: every ledger-backed page (wallet, credits, traceability, the
certificate look-up) goes through `contract_for`, which either yields an
`envalue.client.Contract` bound to the user's own identity or raises
`LedgerUnavailableError` with a reason a person can act on. Nothing here invents ledger
data: when the peer cannot be reached, pages show that reason instead.

The peer is the user's org's Gateway peer from the network's port plan
(``localhost:<peer port>``, TLS root = the org CA certificate, which also issues the
peers' TLS certificates). The private key is opened from its sealed form only for the
duration of the call.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc
from flask import Flask, current_app

from envalue.client import Contract, GatewayError, X509Identity, connect, create_channel
from envalue.network.settings import NetworkSettings
from envalue.network.topology import CHAINCODE_NAME, CHANNEL, PEER_ORGS, org_by_key

from .db import PortalUser
from .errors import LedgerUnavailableError

__all__ = ["EXTENSION", "LedgerGateway", "LedgerStatus", "gateway"]

EXTENSION = "envalue.portal.gateway"
_NEGATIVE_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class LedgerStatus:
    available: bool
    reason: str
    peer: str = ""


@dataclass(frozen=True)
class PeerEndpoint:
    org_key: str
    host: str
    target: str
    tls_root: bytes | None
    problem: str = ""


class LedgerGateway:
    """Connections to the Gateway peers of one network (see the module docstring)."""

    def __init__(self, settings: NetworkSettings | None, *, connect_timeout: float = 2.0,
                 channel: str = CHANNEL, chaincode: str = CHAINCODE_NAME,
                 unavailable_reason: str = "") -> None:
        self.settings = settings
        self.connect_timeout = connect_timeout
        self.channel = channel
        self.chaincode = chaincode
        self.unavailable_reason = unavailable_reason
        self._negative: dict[str, tuple[float, str]] = {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LedgerGateway:
        if config.get("LEDGER_DISABLED"):
            return cls(None, unavailable_reason=str(config["LEDGER_DISABLED"]))
        home = config.get("NETWORK_HOME")
        from pathlib import Path

        try:
            settings = NetworkSettings.resolve(name=config.get("NETWORK_NAME"),
                                               home=Path(home) if home else None)
        except ValueError as exc:
            return cls(None, unavailable_reason=f"network settings: {exc}")
        return cls(settings, connect_timeout=float(config.get("LEDGER_CONNECT_TIMEOUT", 2.0)))

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self

    # -- where the peer is --------------------------------------------------------------
    def endpoint(self, org_key: str) -> PeerEndpoint:
        if self.settings is None:
            return PeerEndpoint(org_key, "", "", None, self.unavailable_reason)
        org = org_by_key(org_key)
        if org not in PEER_ORGS:
            return PeerEndpoint(org_key, "", "", None, f"{org.msp_id} runs no Gateway peer")
        host = org.peer_host(0)
        target = f"localhost:{self.settings.ports.peer(org)}"
        layout = self.settings.layout
        if not layout.node(org, host).is_dir():
            return PeerEndpoint(org_key, host, target, None, (
                f"peer {host} has not been created in network {self.settings.name!r} "
                f"({layout.home}); the Fabric peer and orderer binaries are not built on this "
                "machine, so `envalue network up` stops before the peers"))
        try:
            root = layout.ca_cert(org).read_bytes()
        except OSError as exc:
            return PeerEndpoint(org_key, host, target, None,
                                f"TLS root {layout.ca_cert(org)}: {exc.strerror}")
        return PeerEndpoint(org_key, host, target, root)

    def status(self, org_key: str) -> LedgerStatus:
        """Whether the org's Gateway peer answers (negative answers cached briefly)."""
        cached = self._negative.get(org_key)
        if cached and time.monotonic() - cached[0] < _NEGATIVE_CACHE_SECONDS:
            return LedgerStatus(False, cached[1])
        end = self.endpoint(org_key)
        if end.problem:
            return self._down(org_key, end.problem, end.target)
        channel = create_channel(end.target, tls_root_cert=end.tls_root,
                                 ssl_target_name_override=end.host)
        try:
            grpc.channel_ready_future(channel).result(timeout=self.connect_timeout)
        except grpc.FutureTimeoutError:
            return self._down(org_key, f"peer {end.host} at {end.target} did not answer "
                              f"within {self.connect_timeout:g}s", end.target)
        finally:
            channel.close()
        self._negative.pop(org_key, None)
        return LedgerStatus(True, "", end.target)

    def _down(self, org_key: str, reason: str, peer: str) -> LedgerStatus:
        self._negative[org_key] = (time.monotonic(), reason)
        return LedgerStatus(False, reason, peer)

    # -- calls --------------------------------------------------------------------------
    @contextmanager
    def contract_for(self, user: PortalUser, contract_name: str, *,
                     key_secret: str) -> Iterator[Contract]:
        """A contract signing as `user`; `LedgerUnavailableError` when the peer is down."""
        from .services.users import signer_for

        state = self.status(user.org_key)
        if not state.available:
            raise LedgerUnavailableError(state.reason)
        end = self.endpoint(user.org_key)
        channel = create_channel(end.target, tls_root_cert=end.tls_root,
                                 ssl_target_name_override=end.host)
        identity = X509Identity(user.msp_id, user.cert_pem.encode())
        try:
            with connect(identity, client=channel,
                         signer=signer_for(user, key_secret)) as gw:
                yield gw.get_network(self.channel).get_contract(self.chaincode, contract_name)
        except GatewayError as exc:
            if exc.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise LedgerUnavailableError(f"peer {end.host}: {exc}") from exc
            raise
        finally:
            channel.close()


def gateway() -> LedgerGateway:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]
