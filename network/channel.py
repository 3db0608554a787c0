"""A network's channel: genesis block, orderers joined by osnadmin, peers by `peer channel join`.

The channel (`envalue` for the consortium, `partner` for the partner ledger), its
orderers and peers come from the port plan's topology (`ports.topology`).

Every step asks first and acts only when needed, so `network up` can be re-run on a
running or half-built network: the block is made once, an orderer that lists the
channel is not joined again, a peer that lists it is not joined again.

The genesis block is made from the configtx.yaml that config/configtx.py renders; it
must be made after the CA bootstrap (configtxgen reads the MSP folders and the
orderers' TLS certificates) and before any node joins.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .config.common import address
from .config.configtx import orderer_count, write_configtx
from .errors import NetworkError
from .layout import NetworkLayout
from .nodes import (
    FabricBinaries,
    Runner,
    admin_env,
    osnadmin_tls_args,
    run_step,
)
from .ports import PortPlan
from .topology import CHANNEL, Organization


def _bins(bins: FabricBinaries | None) -> FabricBinaries:
    return FabricBinaries.resolve(bins)


def genesis_block_path(layout: NetworkLayout, channel: str = CHANNEL) -> Path:
    return layout.channel / f"{channel}.block"


def configtxgen_command(
    layout: NetworkLayout, bins: FabricBinaries | None, config_dir: Path, channel: str,
    profile: str,
) -> tuple[list[str], dict[str, str]]:
    argv = [
        _bins(bins).configtxgen,
        "-configPath", str(config_dir),
        "-profile", profile,
        "-channelID", channel,
        "-outputBlock", str(genesis_block_path(layout, channel)),
    ]
    return argv, {"FABRIC_CFG_PATH": str(config_dir)}


def create_genesis_block(
    run: Runner,
    layout: NetworkLayout,
    ports: PortPlan,
    bins: FabricBinaries | None = None,
    *,
    consensus: str = "etcdraft",
) -> Path:
    """Render configtx.yaml and make the channel's genesis block, unless it exists.

    An existing block is kept on purpose: nodes that joined with it must keep seeing
    the same channel; regenerating it would give a different genesis hash.
    """
    topology = ports.topology
    block = genesis_block_path(layout, topology.channel)
    if block.is_file() and block.stat().st_size > 0:
        return block
    block.parent.mkdir(parents=True, exist_ok=True)
    config_dir = write_configtx(layout, ports, consensus=consensus)
    argv, env = configtxgen_command(layout, bins, config_dir, topology.channel,
                                    topology.profile)
    run_step(run, "configtxgen (genesis block)", "configtxgen", argv, env)
    if not block.is_file():
        raise NetworkError(f"configtxgen reported success but wrote no {block}",
                           node="configtxgen")
    return block


# --- orderers -------------------------------------------------------------------------


def osnadmin_list_command(
    layout: NetworkLayout, ports: PortPlan, index: int, bins: FabricBinaries | None = None
) -> list[str]:
    return [_bins(bins).osnadmin, "channel", "list", "-o", address(ports.orderer_admin(index)),
            *osnadmin_tls_args(layout, ports.topology.orderer_org, index)]


def osnadmin_join_command(
    layout: NetworkLayout,
    ports: PortPlan,
    index: int,
    block: Path,
    bins: FabricBinaries | None = None,
    channel: str | None = None,
) -> list[str]:
    return [_bins(bins).osnadmin, "channel", "join",
            "--channelID", channel or ports.topology.channel,
            "--config-block", str(block), "-o", address(ports.orderer_admin(index)),
            *osnadmin_tls_args(layout, ports.topology.orderer_org, index)]


def parse_osnadmin_list(output: str) -> list[str]:
    """Channel names from `osnadmin channel list` ("Status: 200" then a JSON body)."""
    start = output.find("{")
    if start < 0:
        raise ValueError(f"no JSON in osnadmin output: {output.strip()[:200]!r}")
    body = json.loads(output[start:])
    names = [c["name"] for c in body.get("channels") or []]
    system = body.get("systemChannel")
    if system:
        names.append(system["name"])
    return names


def orderer_channels(
    run: Runner, layout: NetworkLayout, ports: PortPlan, index: int,
    bins: FabricBinaries | None = None,
) -> list[str]:
    host = ports.topology.orderer_org.orderer_host(index)
    out = run_step(run, "osnadmin channel list", host,
                   osnadmin_list_command(layout, ports, index, bins), {})
    try:
        return parse_osnadmin_list(out)
    except (ValueError, KeyError, TypeError) as exc:
        raise NetworkError(f"osnadmin channel list: unreadable answer: {exc}", node=host) from exc


def join_orderers(
    run: Runner,
    layout: NetworkLayout,
    ports: PortPlan,
    block: Path,
    bins: FabricBinaries | None = None,
    *,
    consensus: str = "etcdraft",
) -> list[str]:
    """Join every orderer that does not list the channel yet; returns the hosts joined."""
    topology = ports.topology
    joined = []
    for index in range(orderer_count(consensus, topology.orderer_org)):
        if topology.channel in orderer_channels(run, layout, ports, index, bins):
            continue
        host = topology.orderer_org.orderer_host(index)
        run_step(run, "osnadmin channel join", host,
                 osnadmin_join_command(layout, ports, index, block, bins), {})
        joined.append(host)
    return joined


# --- peers ----------------------------------------------------------------------------


def parse_peer_channel_list(output: str) -> list[str]:
    """Channel names from `peer channel list` ("Channels peers has joined:" then names)."""
    lines = [line.strip() for line in output.splitlines()]
    names = []
    seen_header = False
    for line in lines:
        if not line:
            continue
        if line.lower().startswith("channels peers has joined"):
            seen_header = True
            continue
        if seen_header:
            names.append(line)
    return names


_HEIGHT = re.compile(r'"height"\s*:\s*(\d+)')


def parse_getinfo_height(output: str) -> int:
    """Block height from `peer channel getinfo` ("Blockchain info: {json}")."""
    match = _HEIGHT.search(output)
    if not match:
        raise ValueError(f"no height in getinfo output: {output.strip()[:200]!r}")
    return int(match.group(1))


def peer_channels(
    run: Runner, layout: NetworkLayout, ports: PortPlan, org: Organization, index: int = 0,
    bins: FabricBinaries | None = None,
) -> list[str]:
    out = run_step(run, "peer channel list", org.peer_host(index),
                   [_bins(bins).peer, "channel", "list"], admin_env(layout, ports, org, index))
    return parse_peer_channel_list(out)


def peer_height(
    run: Runner, layout: NetworkLayout, ports: PortPlan, org: Organization, index: int = 0,
    bins: FabricBinaries | None = None, channel: str | None = None,
) -> int:
    host = org.peer_host(index)
    out = run_step(run, "peer channel getinfo", host,
                   [_bins(bins).peer, "channel", "getinfo", "-c",
                    channel or ports.topology.channel],
                   admin_env(layout, ports, org, index))
    try:
        return parse_getinfo_height(out)
    except ValueError as exc:
        raise NetworkError(f"peer channel getinfo: {exc}", node=host) from exc


def join_peers(
    run: Runner,
    layout: NetworkLayout,
    ports: PortPlan,
    block: Path,
    bins: FabricBinaries | None = None,
) -> list[str]:
    """Join every peer that has not joined yet, as its org's admin; returns hosts joined."""
    topology = ports.topology
    joined = []
    for org in topology.peer_orgs:
        for index in range(org.peers):
            if topology.channel in peer_channels(run, layout, ports, org, index, bins):
                continue
            host = org.peer_host(index)
            run_step(run, "peer channel join", host,
                     [_bins(bins).peer, "channel", "join", "-b", str(block)],
                     admin_env(layout, ports, org, index))
            joined.append(host)
    return joined


def create_channel(
    run: Runner,
    layout: NetworkLayout,
    ports: PortPlan,
    bins: FabricBinaries | None = None,
    *,
    consensus: str = "etcdraft",
) -> dict[str, list[str]]:
    """Genesis block, then orderers, then peers; returns which nodes were joined now."""
    block = create_genesis_block(run, layout, ports, bins, consensus=consensus)
    return {
        "orderers": join_orderers(run, layout, ports, block, bins, consensus=consensus),
        "peers": join_peers(run, layout, ports, block, bins),
    }
