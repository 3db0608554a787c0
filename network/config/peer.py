"""core.yaml for each peer, and the client-side core.yaml of the `peer` CLI.

The peer reads core.yaml through viper key by key, so unknown keys are harmless but a
missing handler or system-chaincode entry silently disables a feature (no `escc` means
no endorsement; `cscc`/`_lifecycle`/`qscc` missing means no channel join, no lifecycle,
no block queries). The key set follows Fabric v3's sampleconfig/core.yaml; values differ
where this project needs them:

- TLS on every listener (`peer.tls`), server-side only (clientAuthRequired false).
- No Docker: `vm.endpoint` is empty and chaincode runs through the `ccaas` external
  builder (network/builders/ccaas), whose path must be absolute.
- Gossip: each org has one peer, so it is its org's static leader; `externalEndpoint` is
  what makes the peer known to other orgs (with AnchorPeers in configtx.yaml, without
  which the Gateway cannot find cross-org endorsers).
- Operations endpoint on loopback without TLS, Prometheus metrics.
- Ledger (LevelDB) and snapshots under <home>/data/<node>.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..layout import NetworkLayout
from ..ports import PortPlan
from ..topology import Organization
from .common import (
    LOOPBACK,
    NodeTLS,
    address,
    cli_config_dir,
    node_config_dir,
    node_msp,
    write_yaml,
)

#: network/builders/ccaas: detect/build/release scripts for chaincode-as-a-service.
CCAAS_BUILDER = Path(__file__).resolve().parent.parent / "builders" / "ccaas"


def _keepalive() -> dict[str, Any]:
    return {
        "interval": "7200s",
        "timeout": "20s",
        "minInterval": "60s",
        "client": {"interval": "60s", "timeout": "20s"},
        "deliveryClient": {"interval": "60s", "timeout": "20s"},
    }


def _gossip(peer_address: str) -> dict[str, Any]:
    return {
        # Same-org bootstrap: with one peer per org the peer points at itself.
        "bootstrap": peer_address,
        "useLeaderElection": False,
        "orgLeader": True,
        "membershipTrackerInterval": "5s",
        "endpoint": "",
        "maxBlockCountToStore": 10,
        "maxPropagationBurstLatency": "10ms",
        "maxPropagationBurstSize": 10,
        "propagateIterations": 1,
        "propagatePeerNum": 3,
        "pullInterval": "4s",
        "pullPeerNum": 3,
        "requestStateInfoInterval": "4s",
        "publishStateInfoInterval": "4s",
        "stateInfoRetentionInterval": None,
        "publishCertPeriod": "10s",
        "skipBlockVerification": False,
        "dialTimeout": "3s",
        "connTimeout": "2s",
        "recvBuffSize": 20,
        "sendBuffSize": 200,
        "digestWaitTime": "1s",
        "requestWaitTime": "1500ms",
        "responseWaitTime": "2s",
        "aliveTimeInterval": "5s",
        "aliveExpirationTimeout": "25s",
        "reconnectInterval": "25s",
        "maxConnectionAttempts": 120,
        "msgExpirationFactor": 20,
        # Published to other orgs: without it this peer is invisible outside its org.
        "externalEndpoint": peer_address,
        "election": {
            "startupGracePeriod": "15s",
            "membershipSampleInterval": "1s",
            "leaderAliveThreshold": "10s",
            "leaderElectionDuration": "5s",
        },
        "pvtData": {
            "pullRetryThreshold": "60s",
            "transientstoreMaxBlockRetention": 1000,
            "pushAckTimeout": "3s",
            "btlPullMargin": 10,
            "reconcileBatchSize": 10,
            "reconcileSleepInterval": "1m",
            "reconciliationEnabled": True,
            "skipPullingInvalidTransactionsDuringCommit": False,
            "implicitCollectionDisseminationPolicy": {"requiredPeerCount": 0, "maxPeerCount": 1},
        },
        "state": {
            "enabled": False,
            "checkInterval": "10s",
            "responseTimeout": "3s",
            "batchSize": 10,
            "blockBufferSize": 20,
            "maxRetries": 3,
        },
    }


def _bccsp() -> dict[str, Any]:
    return {
        "Default": "SW",
        "SW": {"Hash": "SHA2", "Security": 256, "FileKeyStore": {"KeyStore": None}},
    }


def _handlers() -> dict[str, Any]:
    return {
        "authFilters": [{"name": "DefaultAuth"}, {"name": "ExpirationCheck"}],
        "decorators": [{"name": "DefaultDecorator"}],
        "endorsers": {"escc": {"name": "DefaultEndorsement", "library": None}},
        "validators": {"vscc": {"name": "DefaultValidation", "library": None}},
    }


def _chaincode(keepalive_seconds: int) -> dict[str, Any]:
    return {
        "id": {"path": None, "name": None},
        # Docker image settings are unused without a VM endpoint; kept as in Fabric's sample.
        "builder": "$(DOCKER_NS)/fabric-ccenv:$(TWO_DIGIT_VERSION)",
        "pull": False,
        "golang": {"runtime": "$(DOCKER_NS)/fabric-baseos:$(TWO_DIGIT_VERSION)",
                   "dynamicLink": False},
        "java": {"runtime": "$(DOCKER_NS)/fabric-javaenv:$(TWO_DIGIT_VERSION)"},
        "node": {"runtime": "$(DOCKER_NS)/fabric-nodeenv:$(TWO_DIGIT_VERSION)"},
        "externalBuilders": [{"name": "ccaas", "path": str(CCAAS_BUILDER)}],
        "installTimeout": "300s",
        "startuptimeout": "300s",
        "executetimeout": "30s",
        "mode": "net",
        # Seconds between KEEPALIVE messages on the peer<->chaincode stream; 0 = off.
        # Off by default: the Python shim's handling of KEEPALIVE is unverified.
        "keepalive": keepalive_seconds,
        "system": {"_lifecycle": "enable", "cscc": "enable", "lscc": "enable", "qscc": "enable"},
        "logging": {
            "level": "info",
            "shim": "warning",
            "format": "%{color}%{time:2006-01-02 15:04:05.000 MST} [%{module}] "
            "%{shortfunc} -> %{level:.4s} %{id:03x}%{color:reset} %{message}",
        },
    }


def _ledger(data_dir: Path) -> dict[str, Any]:
    return {
        "blockchain": None,
        "state": {
            "stateDatabase": "goleveldb",
            "totalQueryLimit": 100000,
        },
        "history": {"enableHistoryDatabase": True},
        "pvtdataStore": {
            "collElgProcMaxDbBatchSize": 5000,
            "collElgProcDbBatchesInterval": 1000,
            "deprioritizedDataReconcilerInterval": "60m",
            "purgeInterval": 100,
            "purgedKeyAuditLogging": True,
        },
        "snapshots": {"rootDir": str(data_dir / "snapshots")},
    }


def _operations(port: int) -> dict[str, Any]:
    return {
        "listenAddress": address(port),
        "tls": {
            "enabled": False,
            "cert": {"file": None},
            "key": {"file": None},
            "clientAuthRequired": False,
            "clientRootCAs": {"files": []},
        },
    }


def _metrics() -> dict[str, Any]:
    return {
        "provider": "prometheus",
        "statsd": {"network": "udp", "address": f"{LOOPBACK}:8125", "writeInterval": "10s",
                   "prefix": None},
    }


def _vm() -> dict[str, Any]:
    # Empty endpoint: the peer never talks to a container engine.
    return {
        "endpoint": "",
        "docker": {
            "tls": {"enabled": False, "ca": {"file": None}, "cert": {"file": None},
                    "key": {"file": None}},
            "attachStdout": False,
            "hostConfig": {"NetworkMode": "host"},
        },
    }


def peer_core_config(
    layout: NetworkLayout,
    ports: PortPlan,
    org: Organization,
    index: int = 0,
    *,
    chaincode_keepalive: int = 0,
) -> dict[str, Any]:
    """The full core.yaml of peer `index` of `org`, as data."""
    host = org.peer_host(index)
    tls = NodeTLS.of(layout, org, host)
    data_dir = layout.data / host
    peer_address = address(ports.peer(org, index))
    chaincode_address = address(ports.peer_chaincode(org, index))
    return {
        "peer": {
            "id": host,
            "networkId": layout.home.name,
            "listenAddress": peer_address,
            "chaincodeListenAddress": chaincode_address,
            "chaincodeAddress": chaincode_address,
            "address": peer_address,
            "addressAutoDetect": False,
            "gateway": {
                "enabled": True,
                "endorsementTimeout": "30s",
                "broadcastTimeout": "30s",
                "dialTimeout": "2m",
            },
            "keepalive": _keepalive(),
            "gossip": _gossip(peer_address),
            "tls": {
                "enabled": True,
                "clientAuthRequired": False,
                "cert": {"file": str(tls.cert)},
                "key": {"file": str(tls.key)},
                "rootcert": {"file": str(tls.ca)},
                "clientRootCAs": {"files": [str(tls.ca)]},
                "clientKey": {"file": None},
                "clientCert": {"file": None},
            },
            "authentication": {"timewindow": "15m"},
            "fileSystemPath": str(data_dir),
            "BCCSP": _bccsp(),
            "mspConfigPath": str(node_msp(layout, org, host)),
            "localMspId": org.msp_id,
            "client": {"connTimeout": "3s"},
            "deliveryclient": {
                "reconnectTotalTimeThreshold": "3600s",
                "connTimeout": "3s",
                "reConnectBackoffThreshold": "3600s",
                "blockCensorshipTimeoutKey": "30s",
                "minimalReconnectInterval": "100ms",
                "addressOverrides": None,
                "policy": "cluster",
            },
            "localMspType": "bccsp",
            "profile": {"enabled": False, "listenAddress": f"{LOOPBACK}:0"},
            "handlers": _handlers(),
            "validatorPoolSize": None,
            "discovery": {
                "enabled": True,
                "authCacheEnabled": True,
                "authCacheMaxSize": 1000,
                "authCachePurgeRetentionRatio": 0.75,
                "orgMembersAllowedAccess": False,
            },
            "limits": {
                "concurrency": {"endorserService": 2500, "deliverService": 2500,
                                "gatewayService": 500},
            },
            "maxRecvMsgSize": 104857600,
            "maxSendMsgSize": 104857600,
        },
        "vm": _vm(),
        "chaincode": _chaincode(chaincode_keepalive),
        "ledger": _ledger(data_dir),
        "operations": _operations(ports.peer_operations(org, index)),
        "metrics": _metrics(),
    }


def client_core_config(layout: NetworkLayout) -> dict[str, Any]:
    """core.yaml for the `peer` CLI: identity, peer address and TLS root come from env.

    The CLI only reads the `peer` section (MSP, BCCSP, TLS, client timeouts); every
    command sets CORE_PEER_LOCALMSPID, CORE_PEER_MSPCONFIGPATH, CORE_PEER_ADDRESS and
    CORE_PEER_TLS_ROOTCERT_FILE for the org admin and the peer it talks to.
    """
    return {
        "peer": {
            "id": "cli",
            "networkId": layout.home.name,
            "address": f"{LOOPBACK}:0",
            "addressAutoDetect": False,
            "keepalive": _keepalive(),
            "tls": {
                "enabled": True,
                "clientAuthRequired": False,
                "cert": {"file": None},
                "key": {"file": None},
                "rootcert": {"file": None},
                "clientRootCAs": {"files": []},
                "clientKey": {"file": None},
                "clientCert": {"file": None},
            },
            "fileSystemPath": str(layout.data / "cli"),
            "BCCSP": _bccsp(),
            "mspConfigPath": None,
            "localMspId": None,
            "client": {"connTimeout": "10s"},
            "deliveryclient": {"connTimeout": "10s", "reconnectTotalTimeThreshold": "60s",
                               "reConnectBackoffThreshold": "10s"},
            "localMspType": "bccsp",
        },
        "chaincode": {"system": {"_lifecycle": "enable", "cscc": "enable", "qscc": "enable"}},
        "metrics": {"provider": "disabled"},
    }


def write_peer_core(
    layout: NetworkLayout, ports: PortPlan, org: Organization, index: int = 0, **options: Any
) -> Path:
    """Write <home>/config/<peer host>/core.yaml; returns the folder (FABRIC_CFG_PATH)."""
    host = org.peer_host(index)
    folder = node_config_dir(layout, host)
    write_yaml(folder / "core.yaml", peer_core_config(layout, ports, org, index, **options),
               header=f"core.yaml of {host} (generated by envalue; edits are overwritten)")
    return folder


def write_client_core(layout: NetworkLayout) -> Path:
    """Write <home>/config/cli/core.yaml; returns the folder (FABRIC_CFG_PATH of the CLI)."""
    folder = cli_config_dir(layout)
    write_yaml(folder / "core.yaml", client_core_config(layout),
               header="core.yaml of the peer CLI (generated by envalue)")
    return folder
