"""Where each org's Gateway peer is, and whether it answers (and if not, why).

The peer of an org is its first peer in the network's port plan (``localhost:<peer
port>``), its TLS root the org CA's certificate (one CA issues both enrollment and TLS
certificates). `status` tries a gRPC connection and, when that fails, says what a person
can do about it: the network was not created, no peer process runs (and whether the
Fabric ``peer`` binary is built at all), or the peer is silent. Negative answers are
cached for a few seconds so a page full of ledger reads does not wait once per read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import grpc

from envalue.client import create_channel
from envalue.network.settings import NetworkSettings
from envalue.network.topology import CONSORTIUM

__all__ = ["LedgerPeers", "LedgerStatus", "PeerEndpoint"]

NEGATIVE_CACHE_SECONDS = 10.0


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


class LedgerPeers:
    """The Gateway peers of one network (`settings` None: `unavailable_reason` says why).

    Channel and chaincode default to the network's topology (envalue's for the consortium,
    ``partner``/``wrapped`` for the partner ledger)."""

    def __init__(self, settings: NetworkSettings | None, *, connect_timeout: float = 2.0,
                 channel: str = "", chaincode: str = "",
                 unavailable_reason: str = "") -> None:
        shape = settings.topology if settings is not None else CONSORTIUM
        self.settings = settings
        self.connect_timeout = connect_timeout
        self.channel = channel or shape.channel
        self.chaincode = chaincode or shape.chaincode_name
        self.unavailable_reason = unavailable_reason or "no Fabric network is configured"
        self._negative: dict[str, tuple[float, str]] = {}

    @classmethod
    def resolve(cls, network: str | None = None, topology: str | None = None,
                **kwargs: float) -> LedgerPeers:
        """The peers of network `network` (ENVALUE_NETWORK / ENVALUE_NETWORK_HOME)."""
        try:
            settings = NetworkSettings.resolve(name=network, topology=topology)
        except ValueError as exc:
            return cls(None, unavailable_reason=f"network settings: {exc}")
        return cls(settings, **kwargs)  # type: ignore[arg-type]

    def endpoint(self, org_key: str) -> PeerEndpoint:
        """Where `org_key`'s Gateway peer listens, or the `problem` that stops us asking."""
        if self.settings is None:
            return PeerEndpoint(org_key, "", "", None, self.unavailable_reason)
        shape = self.settings.topology
        try:
            org = shape.org_by_key(org_key)
        except KeyError as exc:
            return PeerEndpoint(org_key, "", "", None, str(exc.args[0]))
        if org not in shape.peer_orgs:
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
        if cached and time.monotonic() - cached[0] < NEGATIVE_CACHE_SECONDS:
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
                              f"within {self.connect_timeout:g}s{self._diagnosis(end)}",
                              end.target)
        finally:
            channel.close()
        self._negative.pop(org_key, None)
        return LedgerStatus(True, "", end.target)

    def _diagnosis(self, end: PeerEndpoint) -> str:
        """Why a peer may be silent: no process of this network runs it (binary built?)."""
        from envalue.network import processes, toolchain

        if self.settings is None or processes.running_pid(self.settings.layout, end.host):
            return ""
        text = (f"; no {end.host} process of network {self.settings.name!r} is running "
                f"({self.settings.layout.pid(end.host)})")
        if "peer" in toolchain.missing():
            text += (f"; the Fabric `peer` binary is not built ({toolchain.bin_dir()}): "
                     "`envalue setup` cannot fetch Fabric from the Go module proxy here")
        return text

    def _down(self, org_key: str, reason: str, peer: str) -> LedgerStatus:
        self._negative[org_key] = (time.monotonic(), reason)
        return LedgerStatus(False, reason, peer)
