"""configtx.yaml holding a network's channel profile, for `configtxgen -outputBlock`.

Organisations, channel and profile name come from the port plan's topology
(`ports.topology`): `EnvalueChannel` for channel `envalue` of the consortium,
`PartnerChannel` for channel `partner` of the partner ledger.

Fabric v3 facts this file depends on:
- Capabilities: Channel `V3_0`, Orderer `V2_0`, Application `V2_5` are the highest that
  exist in v3.x (`common/capabilities`); there is no Orderer or Application V3_0.
- With Channel V3_0, global `Orderer.Addresses` are refused; each orderer org lists its
  endpoints in `OrdererEndpoints`.
- MSPs use NodeOUs (the CA bootstrap writes msp/config.yaml), so policies name the
  roles admin, peer, client and orderer.
- `AnchorPeers` per peer org: without them the Gateway cannot find other orgs'
  endorsers.
- BFT (SmartBFT, new in v3) needs >= 4 consenters, `ConsenterMapping` with each node's
  enrollment certificate as `Identity`, and keeps BlockValidation as
  `ImplicitMeta ANY Writers` (the orderer applies SmartBFT's signature rule itself).

Paths are absolute, so configtxgen's -configPath does not change their meaning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..layout import NetworkLayout
from ..ports import PortPlan
from ..topology import CONSORTIUM, Organization
from .common import LOOPBACK, NodeTLS, address, channel_config_dir, node_signcert, write_yaml

#: The consortium's profile name (each topology names its own: Topology.profile).
PROFILE = CONSORTIUM.profile
CONSENSUS_TYPES = ("etcdraft", "BFT")
#: A BFT ordering service tolerating one faulty node needs 3f + 1 = 4 consenters.
BFT_ORDERERS = 4

CAPABILITIES = {
    "Channel": {"V3_0": True},
    "Orderer": {"V2_0": True},
    "Application": {"V2_5": True},
}


def _signature(rule: str) -> dict[str, str]:
    return {"Type": "Signature", "Rule": rule}


def _implicit(rule: str) -> dict[str, str]:
    return {"Type": "ImplicitMeta", "Rule": rule}


def org_policies(org: Organization) -> dict[str, Any]:
    m = org.msp_id
    if org.orderers:
        return {
            "Readers": _signature(f"OR('{m}.member')"),
            "Writers": _signature(f"OR('{m}.member')"),
            "Admins": _signature(f"OR('{m}.admin')"),
        }
    return {
        "Readers": _signature(f"OR('{m}.admin', '{m}.peer', '{m}.client')"),
        "Writers": _signature(f"OR('{m}.admin', '{m}.client')"),
        "Admins": _signature(f"OR('{m}.admin')"),
        "Endorsement": _signature(f"OR('{m}.peer')"),
    }


def orderer_count(consensus: str, orderer_org: Organization) -> int:
    """How many orderers `consensus` runs: the org's own count for Raft, 4 for BFT."""
    if consensus == "BFT":
        return BFT_ORDERERS
    if consensus == "etcdraft":
        return orderer_org.orderers
    raise ValueError(f"consensus {consensus!r} is not one of {', '.join(CONSENSUS_TYPES)}")


def org_section(
    layout: NetworkLayout, ports: PortPlan, org: Organization, consensus: str = "etcdraft"
) -> dict[str, Any]:
    section: dict[str, Any] = {
        "Name": org.msp_id,
        "ID": org.msp_id,
        "MSPDir": str(layout.org_msp(org)),
        "Policies": org_policies(org),
    }
    if org.orderers:
        section["OrdererEndpoints"] = [
            address(ports.orderer(i)) for i in range(orderer_count(consensus, org))
        ]
    else:
        section["AnchorPeers"] = [
            {"Host": LOOPBACK, "Port": ports.peer(org, i)} for i in range(max(org.peers, 1))
        ]
    return section


def _application(layout: NetworkLayout, ports: PortPlan) -> dict[str, Any]:
    return {
        "Organizations": [org_section(layout, ports, org) for org in ports.topology.peer_orgs],
        "Policies": {
            "Readers": _implicit("ANY Readers"),
            "Writers": _implicit("ANY Writers"),
            "Admins": _implicit("MAJORITY Admins"),
            "LifecycleEndorsement": _implicit("MAJORITY Endorsement"),
            "Endorsement": _implicit("MAJORITY Endorsement"),
        },
        "Capabilities": dict(CAPABILITIES["Application"]),
    }


def _raft_consenters(layout: NetworkLayout, ports: PortPlan) -> list[dict[str, Any]]:
    org = ports.topology.orderer_org
    consenters = []
    for i in range(orderer_count("etcdraft", org)):
        tls = NodeTLS.of(layout, org, org.orderer_host(i))
        consenters.append({
            "Host": LOOPBACK,
            "Port": ports.orderer(i),
            "ClientTLSCert": str(tls.cert),
            "ServerTLSCert": str(tls.cert),
        })
    return consenters


def _bft_consenters(layout: NetworkLayout, ports: PortPlan) -> list[dict[str, Any]]:
    org = ports.topology.orderer_org
    mapping = []
    for i in range(BFT_ORDERERS):
        host = org.orderer_host(i)
        tls = NodeTLS.of(layout, org, host)
        mapping.append({
            "ID": i + 1,  # consenter ids start at 1 and never change
            "Host": LOOPBACK,
            "Port": ports.orderer(i),
            "MSPID": org.msp_id,
            "Identity": str(node_signcert(layout, org, host)),
            "ClientTLSCert": str(tls.cert),
            "ServerTLSCert": str(tls.cert),
        })
    return mapping


def _orderer(
    layout: NetworkLayout, ports: PortPlan, consensus: str, batch_timeout: str
) -> dict[str, Any]:
    section: dict[str, Any] = {
        "OrdererType": consensus,
        "BatchTimeout": batch_timeout,
        "BatchSize": {
            "MaxMessageCount": 500,
            "AbsoluteMaxBytes": "10 MB",
            "PreferredMaxBytes": "2 MB",
        },
        "Organizations": [org_section(layout, ports, ports.topology.orderer_org, consensus)],
        "Policies": {
            "Readers": _implicit("ANY Readers"),
            "Writers": _implicit("ANY Writers"),
            "Admins": _implicit("MAJORITY Admins"),
            "BlockValidation": _implicit("ANY Writers"),
        },
        "Capabilities": dict(CAPABILITIES["Orderer"]),
    }
    if consensus == "etcdraft":
        section["EtcdRaft"] = {
            "Consenters": _raft_consenters(layout, ports),
            "Options": {
                "TickInterval": "500ms",
                "ElectionTick": 10,
                "HeartbeatTick": 1,
                "MaxInflightBlocks": 5,
                "SnapshotIntervalSize": "16 MB",
            },
        }
    elif consensus == "BFT":
        section["ConsenterMapping"] = _bft_consenters(layout, ports)
        section["SmartBFT"] = {
            "RequestBatchMaxCount": 100,
            "RequestBatchMaxBytes": 10485760,
            "RequestBatchMaxInterval": "50ms",
            "IncomingMessageBufferSize": 200,
            "RequestPoolSize": 100000,
            "RequestForwardTimeout": "2s",
            "RequestComplainTimeout": "20s",
            "RequestAutoRemoveTimeout": "3m0s",
            "ViewChangeResendInterval": "5s",
            "ViewChangeTimeout": "20s",
            "LeaderHeartbeatTimeout": "1m0s",
            "LeaderHeartbeatCount": 10,
            "CollectTimeout": "1s",
        }
    return section


def configtx(
    layout: NetworkLayout,
    ports: PortPlan,
    *,
    consensus: str = "etcdraft",
    batch_timeout: str = "250ms",
) -> dict[str, Any]:
    """configtx.yaml as data: organisations, capabilities and the channel profile."""
    topology = ports.topology
    orderer_count(consensus, topology.orderer_org)  # validates
    channel_policies = {
        "Readers": _implicit("ANY Readers"),
        "Writers": _implicit("ANY Writers"),
        "Admins": _implicit("MAJORITY Admins"),
    }
    return {
        "Organizations": [org_section(layout, ports, topology.orderer_org, consensus)]
        + [org_section(layout, ports, org) for org in topology.peer_orgs],
        "Capabilities": {k: dict(v) for k, v in CAPABILITIES.items()},
        "Profiles": {
            topology.profile: {
                "Policies": channel_policies,
                "Capabilities": dict(CAPABILITIES["Channel"]),
                "Orderer": _orderer(layout, ports, consensus, batch_timeout),
                "Application": _application(layout, ports),
            }
        },
    }


def write_configtx(layout: NetworkLayout, ports: PortPlan, **options: Any) -> Path:
    """Write <home>/config/channel/configtx.yaml; returns the folder (configtxgen -configPath)."""
    folder = channel_config_dir(layout)
    write_yaml(folder / "configtx.yaml", configtx(layout, ports, **options),
               header="channel profile for configtxgen (generated by envalue)")
    return folder
