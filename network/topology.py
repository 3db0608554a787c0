"""The shape of a Fabric network: organisations, nodes, identities, channel and chaincode.

One source of truth for names that configuration files, the CA bootstrap, process
management and tests all need (MSP IDs, hostnames, roles). Two topologies exist:

- CONSORTIUM: envalue itself (3 Raft orderers, Platform/Market/Municipality/Customer);
- PARTNER: the partner ledger the bridge moves tokens to (issue #6): its own ordering
  org, an exchange operator and a trading member, channel `partner`, chaincode `wrapped`.

The module-level names (ORDERER_ORG, PEER_ORGS, ALL_ORGS, CHANNEL, CHAINCODE_NAME,
ROLES, org_by_key) are the CONSORTIUM's, for code outside network/ that only ever talks
to envalue; code inside network/ takes its Topology from the NetworkSettings / PortPlan.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

#: Role attribute values that the consortium's CAs write into user certificates
#: (attribute `role`); the portal and envalue's chaincode know exactly these.
ROLES: tuple[str, ...] = ("operator", "verifier", "customer", "municipality", "bridge", "auditor")
#: Roles on the partner ledger: `operator` governs the wrapped ledger and `bridge` relays
#: proofs (the partner chaincode checks both, see chaincode/domain/wrapped/access.py and
#: chaincode/domain/bridge/access.py); `trader` marks a trading member's users, whom the
#: wrapped chaincode authorises by ownership only. Kept apart from ROLES on purpose: a
#: partner identity is never an envalue portal user.
PARTNER_ROLES: tuple[str, ...] = ("operator", "bridge", "trader")
ROLE_ATTRIBUTE = "role"


@dataclass(frozen=True)
class User:
    """A client identity registered at an org's CA with a role attribute in its certificate."""

    name: str
    role: str


@dataclass(frozen=True)
class Organization:
    """One member of a network: its MSP, its CA and its nodes."""

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


def signature_policy(orgs: tuple[Organization, ...], n: int) -> str:
    """Fabric signature-policy text: any `n` of `orgs`' peers endorse."""
    members = ", ".join(f"'{org.msp_id}.peer'" for org in orgs)
    return f"OutOf({n}, {members})"


@dataclass(frozen=True)
class Topology:
    """Everything that tells one kind of network from another; checked when built."""

    name: str  # what `--topology` and network.json call it
    network_name: str  # default network (home folder) name for this topology
    default_base_port: int
    orderer_org: Organization
    peer_orgs: tuple[Organization, ...]
    channel: str
    profile: str  # configtx.yaml profile that makes the channel's genesis block
    chaincode_name: str
    chaincode_module: str  # served as `python -m <module>` by each peer org
    roles: tuple[str, ...]
    endorsing_orgs: int  # distinct orgs whose peers must endorse a chaincode transaction

    def __post_init__(self) -> None:
        orgs = self.all_orgs
        for attr in ("key", "msp_id", "domain"):
            values = [getattr(o, attr) for o in orgs]
            if len(set(values)) != len(values):
                raise ValueError(f"topology {self.name}: organisation {attr}s repeat: {values}")
        if self.orderer_org.orderers < 1 or self.orderer_org.peers:
            raise ValueError(f"topology {self.name}: {self.orderer_org.key} must run orderers "
                             "and no peers")
        if len(self.peer_orgs) < 2:
            raise ValueError(f"topology {self.name}: needs at least 2 peer orgs "
                             "(cross-org endorsement)")
        for org in self.peer_orgs:
            if org.peers < 1 or org.orderers:
                raise ValueError(f"topology {self.name}: {org.key} must run peers, no orderers")
            for user in org.users:
                if user.role not in self.roles:
                    raise ValueError(
                        f"topology {self.name}: user {user.name}@{org.key} has role "
                        f"{user.role!r}, not one of {', '.join(self.roles)}")
        if not 1 <= self.endorsing_orgs <= len(self.peer_orgs):
            raise ValueError(f"topology {self.name}: endorsing_orgs {self.endorsing_orgs} must "
                             f"be between 1 and {len(self.peer_orgs)}")

    @property
    def all_orgs(self) -> tuple[Organization, ...]:
        return (self.orderer_org, *self.peer_orgs)

    def org_by_key(self, key: str) -> Organization:
        for org in self.all_orgs:
            if org.key == key:
                return org
        known = ", ".join(o.key for o in self.all_orgs)
        raise KeyError(f"organisation {key!r} is not part of the {self.name} network "
                       f"(known: {known})")

    @property
    def endorsement_policy(self) -> str:
        """The chaincode definition's explicit endorsement policy."""
        return signature_policy(self.peer_orgs, self.endorsing_orgs)

    def chaincode_argv(self) -> list[str]:
        """The chaincode server command each peer org runs (chaincode-as-a-service)."""
        return [sys.executable, "-m", self.chaincode_module]


CONSORTIUM = Topology(
    name="consortium",
    network_name="envalue",
    default_base_port=17000,
    orderer_org=Organization(
        key="ordering",
        msp_id="OrdererMSP",
        domain="orderer.envalue.local",
        description="Ordering service operated for the consortium",
        orderers=3,
    ),
    peer_orgs=(
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
    ),
    channel="envalue",
    profile="EnvalueChannel",
    chaincode_name="envalue",
    chaincode_module="envalue.chaincode",
    roles=ROLES,
    endorsing_orgs=2,
)

#: The partner ledger. One Raft orderer, not three: it is the bridge's counterpart on a
#: 2-core machine that also runs the consortium (3 orderers, 4 peers), and orderer fault
#: tolerance is tested on the consortium; a 1-node Raft cluster keeps the same consensus
#: type and config shape, so growing it is a matter of `orderers=3`.
#: Endorsement needs both peer orgs: neither the exchange nor a member alone can mint or
#: move wrapped units, which is what makes a partner proof worth verifying.
PARTNER = Topology(
    name="partner",
    network_name="partner",
    default_base_port=17200,
    orderer_org=Organization(
        key="partner-ordering",
        msp_id="PartnerOrdererMSP",
        domain="orderer.partner.local",
        description="Ordering service of the partner ledger",
        orderers=1,
    ),
    peer_orgs=(
        Organization(
            key="exchange",
            msp_id="ExchangeMSP",
            domain="exchange.partner.local",
            description="Exchange operator of the partner market (runs the bridge endpoint)",
            peers=1,
            users=(User("operator1", "operator"), User("bridge1", "bridge")),
        ),
        Organization(
            key="member",
            msp_id="MemberMSP",
            domain="member.partner.local",
            description="Trading member of the partner market",
            peers=1,
            users=(User("trader1", "trader"), User("trader2", "trader")),
        ),
    ),
    channel="partner",
    profile="PartnerChannel",
    chaincode_name="wrapped",
    chaincode_module="envalue.chaincode.partner",
    roles=PARTNER_ROLES,
    endorsing_orgs=2,
)

TOPOLOGIES: dict[str, Topology] = {t.name: t for t in (CONSORTIUM, PARTNER)}


def topology_named(name: str) -> Topology:
    """The topology called `name` (`consortium` or `partner`)."""
    try:
        return TOPOLOGIES[name]
    except KeyError:
        raise ValueError(f"topology: {name!r} is not one of {', '.join(TOPOLOGIES)}") from None


# The consortium's names, for callers that only ever talk to envalue's own network.
CHANNEL = CONSORTIUM.channel
CHAINCODE_NAME = CONSORTIUM.chaincode_name
ORDERER_ORG = CONSORTIUM.orderer_org
PEER_ORGS: tuple[Organization, ...] = CONSORTIUM.peer_orgs
ALL_ORGS: tuple[Organization, ...] = CONSORTIUM.all_orgs


def org_by_key(key: str) -> Organization:
    """A consortium organisation by key (KeyError names the known keys)."""
    return CONSORTIUM.org_by_key(key)
