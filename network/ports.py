"""Every port of a network derives from one base port and the network's topology.

A second network (the test session's, or the partner ledger) runs beside the first by
choosing another base. Each network reserves 100 ports from its base, in fixed blocks of
ten so that a port's offset says what it is whatever the topology:

    base + 0..9     Fabric CAs (listen), one per organisation, in Topology.all_orgs order
    base + 10..19   Fabric CA operations endpoints
    base + 20..29   orderers: listen (20, 21, 22, 23 for a 4-node BFT layout)
    base + 30..39   orderer admin (channel participation) endpoints
    base + 40..49   orderer operations endpoints
    base + 50..59   peers: listen, in Topology.peer_orgs order (an org's peers in a row)
    base + 60..69   peers: chaincode listen
    base + 70..79   peers: operations endpoints
    base + 80..89   chaincode servers (CCaaS), one per peer
    base + 90       MQTT broker
    base + 91       portal (HTTP)

A PortPlan is built for one topology and refuses one that does not fit the blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .topology import CONSORTIUM, Organization, Topology

DEFAULT_BASE_PORT = CONSORTIUM.default_base_port
SPAN = 100
BLOCK = 10
#: Orderer slots: 4 so that the BFT layout (3f + 1 with f = 1) always fits.
MIN_ORDERER_SLOTS = 4


@dataclass(frozen=True)
class PortPlan:
    base: int = DEFAULT_BASE_PORT
    topology: Topology = field(default=CONSORTIUM)

    def __post_init__(self) -> None:
        if not 1024 <= self.base <= 65535 - SPAN:
            raise ValueError(f"base_port: {self.base} must be between 1024 and {65535 - SPAN}")
        t = self.topology
        needs = {"organisations": len(t.all_orgs), "orderers": t.orderer_org.orderers,
                 "peers": sum(o.peers for o in t.peer_orgs)}
        for what, count in needs.items():
            if count > BLOCK:
                raise ValueError(f"topology {t.name}: {count} {what} do not fit a port plan "
                                 f"(at most {BLOCK})")

    def _org_slot(self, org: Organization) -> int:
        keys = [o.key for o in self.topology.all_orgs]
        if org.key not in keys:
            raise ValueError(f"organisation {org.key!r} is not part of the "
                             f"{self.topology.name} network (known: {', '.join(keys)})")
        return keys.index(org.key)

    def _peer_slot(self, org: Organization, index: int = 0) -> int:
        slot = 0
        for member in self.topology.peer_orgs:
            if member.key == org.key:
                if not 0 <= index < member.peers:
                    raise ValueError(f"{org.key} has no peer {index} "
                                     f"(it runs {member.peers})")
                return slot + index
            slot += member.peers
        keys = ", ".join(o.key for o in self.topology.peer_orgs)
        raise ValueError(f"organisation {org.key!r} runs no peer of the "
                         f"{self.topology.name} network (peer orgs: {keys})")

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

    def node_ports(self) -> list[int]:
        """Every port the topology's CAs, orderers (4 at least: the BFT layout), peers and
        chaincode servers may listen on."""
        t = self.topology
        found = [p for org in t.all_orgs for p in (self.ca(org), self.ca_operations(org))]
        for i in range(max(t.orderer_org.orderers, MIN_ORDERER_SLOTS)):
            found += [self.orderer(i), self.orderer_admin(i), self.orderer_operations(i)]
        for org in t.peer_orgs:
            for i in range(org.peers):
                found += [self.peer(org, i), self.peer_chaincode(org, i),
                          self.peer_operations(org, i), self.chaincode_server(org, i)]
        return found
