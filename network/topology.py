"""The consortium's shape: organisations, their nodes and the identities each CA issues.

One source of truth for names that configuration files, the CA bootstrap, process
management and tests all need (MSP IDs, hostnames, roles).
"""

from __future__ import annotations

from dataclasses import dataclass, field

CHANNEL = "envalue"
CHAINCODE_NAME = "envalue"

#: Role attribute values that Fabric CA writes into user certificates (attribute `role`).
ROLES: tuple[str, ...] = ("operator", "verifier", "customer", "municipality", "bridge", "auditor")
ROLE_ATTRIBUTE = "role"


@dataclass(frozen=True)
class User:
    """A client identity registered at an org's CA with a role attribute in its certificate."""

    name: str
    role: str


@dataclass(frozen=True)
class Organization:
    """One member of the consortium: its MSP, its CA and its nodes."""

    key: str  # short lower-case name used in paths and port slots
    msp_id: str
    domain: str
    description: str
    peers: int = 0
    orderers: int = 0
    users: tuple[User, ...] = field(default_factory=tuple)

    @property
    def ca_name(self) -> str:
        return f"ca-{self.key}"

    def peer_host(self, index: int = 0) -> str:
        return f"peer{index}.{self.domain}"

    def orderer_host(self, index: int) -> str:
        return f"orderer{index}.{self.domain}"

    @property
    def admin_name(self) -> str:
        return f"{self.key}-admin"


ORDERER_ORG = Organization(
    key="ordering",
    msp_id="OrdererMSP",
    domain="orderer.envalue.local",
    description="Ordering service operated for the consortium",
    orderers=3,
)

PEER_ORGS: tuple[Organization, ...] = (
    Organization(
        key="platform",
        msp_id="PlatformMSP",
        domain="platform.envalue.local",
        description="Platform operator and credit aggregator (IHI-style)",
        peers=1,
        users=(User("operator1", "operator"), User("verifier1", "verifier"),
               User("auditor1", "auditor")),
    ),
    Organization(
        key="market",
        msp_id="MarketMSP",
        domain="market.envalue.local",
        description="Market bridge operator (Fujitsu-style)",
        peers=1,
        users=(User("bridge1", "bridge"), User("operator1", "operator"),
               User("verifier1", "verifier")),
    ),
    Organization(
        key="municipality",
        msp_id="MunicipalityMSP",
        domain="municipality.envalue.local",
        description="Municipality (Ena City-style)",
        peers=1,
        users=(User("city1", "municipality"),),
    ),
    Organization(
        key="customer",
        msp_id="CustomerMSP",
        domain="customer.envalue.local",
        description="Equipment owners",
        peers=1,
        users=(User("customer1", "customer"), User("customer2", "customer")),
    ),
)

ALL_ORGS: tuple[Organization, ...] = (ORDERER_ORG, *PEER_ORGS)


def org_by_key(key: str) -> Organization:
    for org in ALL_ORGS:
        if org.key == key:
            return org
    known = ", ".join(o.key for o in ALL_ORGS)
    raise KeyError(f"organisation {key!r} is not part of the consortium (known: {known})")
