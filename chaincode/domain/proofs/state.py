"""Trust anchors of other networks, as registered by this ledger's governance.

==============================  ==============  ================
object type                     attributes      record
==============================  ==============  ================
``envalue.proofs.network``      network_id      `RemoteNetwork`
==============================  ==============  ================

This ledger's own network id is a `LocalNetworkConfig`, kept by each side in its own
table (`bridge.state.BridgeConfig` at home, `wrapped.state.PartnerConfig` on the
partner) under the attribute ``local``.

`msps` maps each MSP ID of the remote network to its ``root_certs`` and
``intermediate_certs`` (PEM). The verification policy is ``threshold`` distinct
organisations out of ``orgs`` (e.g. 2 of PlatformMSP, MarketMSP, MunicipalityMSP,
CustomerMSP); with ``peer_only`` an endorser certificate must carry the NodeOU ``peer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from envalue.chaincode.domain.records import load_required
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import Record, load

__all__ = [
    "NETWORK",
    "LocalNetworkConfig",
    "RemoteNetwork",
    "load_local_config",
    "load_network",
]

NETWORK = "envalue.proofs.network"


@dataclass(kw_only=True)
class RemoteNetwork(Record):
    KIND: ClassVar[str] = "remote network"
    network_id: str
    chaincode_name: str
    msps: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    threshold: int
    orgs: list[str] = field(default_factory=list)
    peer_only: bool = True
    version: int = 1
    registered_by: str = ""
    registered_at: str = ""
    tx_id: str = ""

    def key(self) -> str:
        return composite_key(NETWORK, self.network_id)

    def policy_text(self) -> str:
        return f"{self.threshold} of {', '.join(self.orgs)}"


async def load_network(store: Store, network_id: str, field: str = "network_id"
                       ) -> RemoteNetwork:
    """The registered network, or NotFoundError (an unknown network has no trust)."""
    return await load(store, RemoteNetwork, composite_key(NETWORK, network_id), field,
                      network_id)


@dataclass(kw_only=True)
class LocalNetworkConfig(Record):
    """This network's id, as every view it signs names it; stored under (`TABLE`, local)."""

    TABLE: ClassVar[str] = ""
    network_id: str
    configured_by: str
    configured_at: str
    tx_id: str

    @classmethod
    def local_key(cls) -> str:
        return composite_key(cls.TABLE, "local")

    def key(self) -> str:
        return self.local_key()


C = TypeVar("C", bound=LocalNetworkConfig)


async def load_local_config(store: Store, cls: type[C], not_configured: str) -> C:
    """The configuration, or NotFoundError (rule ``configured``) until governance sets it."""
    return await load_required(store, cls, cls.local_key(), "network_id", None,
                               not_configured, rule="configured")
