"""Trust anchors of other networks, as registered by this ledger's governance.

==============================  ==============  ================
object type                     attributes      record
==============================  ==============  ================
``envalue.proofs.network``      network_id      `RemoteNetwork`
==============================  ==============  ================

`msps` maps each MSP ID of the remote network to its ``root_certs`` and
``intermediate_certs`` (PEM). The verification policy is ``threshold`` distinct
organisations out of ``orgs`` (e.g. 2 of PlatformMSP, MarketMSP, MunicipalityMSP,
CustomerMSP); with ``peer_only`` an endorser certificate must carry the NodeOU ``peer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import Record, load

__all__ = ["NETWORK", "RemoteNetwork", "load_network"]

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
