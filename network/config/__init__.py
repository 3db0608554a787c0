"""Configuration files that Fabric's processes read, rendered from a network's topology
(the port plan's: `ports.topology`).

Every file is built as plain Python data and written with PyYAML, so that tests can
check keys, ports and paths without Fabric binaries:

    peer.py      core.yaml of each peer (FABRIC_CFG_PATH of `peer node start`) and the
                 client-side core.yaml that the `peer` CLI needs
    orderer.py   orderer.yaml of each ordering node
    configtx.py  configtx.yaml holding the channel profile that configtxgen turns into
                 the genesis block of the topology's channel (`envalue`, `partner`)
    common.py    where each node's config folder lives, and the YAML writer
"""

from __future__ import annotations

from .common import cli_config_dir, node_config_dir, write_yaml
from .configtx import CONSENSUS_TYPES, PROFILE, configtx, write_configtx
from .orderer import orderer_config, write_orderer_config
from .peer import client_core_config, peer_core_config, write_client_core, write_peer_core

__all__ = [
    "CONSENSUS_TYPES",
    "PROFILE",
    "cli_config_dir",
    "client_core_config",
    "configtx",
    "node_config_dir",
    "orderer_config",
    "peer_core_config",
    "write_client_core",
    "write_configtx",
    "write_orderer_config",
    "write_peer_core",
    "write_yaml",
]
