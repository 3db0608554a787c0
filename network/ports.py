"""Every port of a network derives from one base port.

A second network (the test session's, or a partner ledger) runs beside the first by
choosing another base. The layout reserves 100 ports per network:

    base + 0..9     Fabric CAs (listen), one per organisation, in ALL_ORGS order
    base + 10..19   Fabric CA operations endpoints
    base + 20..29   orderers: listen (20, 21, 22, 23 for a 4-node BFT layout)
    base + 30..39   orderer admin (channel participation) endpoints
    base + 40..49   orderer operations endpoints
    base + 50..59   peers: listen, in PEER_ORGS order
    base + 60..69   peers: chaincode listen
    base + 70..79   peers: operations endpoints
    base + 80..89   chaincode servers (CCaaS), one per peer
    base + 90       MQTT broker
    base + 91       portal (HTTP)
"""

from __future__ import annotations

from dataclasses import dataclass

from .topology import ALL_ORGS, PEER_ORGS, Organization

DEFAULT_BASE_PORT = 17000
SPAN = 100


@dataclass(frozen=True)
class PortPlan:
    base: int = DEFAULT_BASE_PORT

    def __post_init__(self) -> None:
        if not 1024 <= self.base <= 65535 - SPAN:
            raise ValueError(f"base_port: {self.base} must be between 1024 and {65535 - SPAN}")

    def _org_slot(self, org: Organization) -> int:
        return [o.key for o in ALL_ORGS].index(org.key)

    def _peer_slot(self, org: Organization, index: int = 0) -> int:
        slot = [o.key for o in PEER_ORGS].index(org.key) + index
        if slot >= 10:
            raise ValueError("at most 10 peers fit in one port plan")
        return slot

    def ca(self, org: Organization) -> int:
        return self.base + self._org_slot(org)

    def ca_operations(self, org: Organization) -> int:
        return self.base + 10 + self._org_slot(org)

    def orderer(self, index: int) -> int:
        return self.base + 20 + index

    def orderer_admin(self, index: int) -> int:
        return self.base + 30 + index

    def orderer_operations(self, index: int) -> int:
        return self.base + 40 + index

    def peer(self, org: Organization, index: int = 0) -> int:
        return self.base + 50 + self._peer_slot(org, index)

    def peer_chaincode(self, org: Organization, index: int = 0) -> int:
        return self.base + 60 + self._peer_slot(org, index)

    def peer_operations(self, org: Organization, index: int = 0) -> int:
        return self.base + 70 + self._peer_slot(org, index)

    def chaincode_server(self, org: Organization, index: int = 0) -> int:
        return self.base + 80 + self._peer_slot(org, index)

    @property
    def mqtt(self) -> int:
        return self.base + 90

    @property
    def portal(self) -> int:
        return self.base + 91
