"""Shared pieces of config rendering: config folder locations, node TLS files, YAML output.

Config folders live beside the rest of a network's state so that `network down --purge`
removing the home removes them too:

    <home>/config/<node>/core.yaml | orderer.yaml   one folder per node (FABRIC_CFG_PATH)
    <home>/config/cli/core.yaml                     the peer CLI's FABRIC_CFG_PATH
    <home>/config/channel/configtx.yaml             configtxgen's -configPath
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..layout import NetworkLayout
from ..topology import Organization

LOOPBACK = "127.0.0.1"


def config_root(layout: NetworkLayout) -> Path:
    return layout.home / "config"


def node_config_dir(layout: NetworkLayout, node: str) -> Path:
    """FABRIC_CFG_PATH of one peer or orderer, named by its host name."""
    return config_root(layout) / node


def cli_config_dir(layout: NetworkLayout) -> Path:
    """FABRIC_CFG_PATH for the `peer` CLI (it refuses to start without a core.yaml)."""
    return config_root(layout) / "cli"


def channel_config_dir(layout: NetworkLayout) -> Path:
    return config_root(layout) / "channel"


@dataclass(frozen=True)
class NodeTLS:
    """A node's TLS key pair and CA as the CA bootstrap writes them under <node>/tls."""

    cert: Path
    key: Path
    ca: Path

    @classmethod
    def of(cls, layout: NetworkLayout, org: Organization, host: str) -> NodeTLS:
        tls = layout.node(org, host) / "tls"
        return cls(cert=tls / "server.crt", key=tls / "server.key", ca=tls / "ca.crt")


def node_msp(layout: NetworkLayout, org: Organization, host: str) -> Path:
    return layout.node(org, host) / "msp"


def node_signcert(layout: NetworkLayout, org: Organization, host: str) -> Path:
    """The node's enrollment certificate (fabric-ca-client writes msp/signcerts/cert.pem)."""
    return node_msp(layout, org, host) / "signcerts" / "cert.pem"


def address(port: int) -> str:
    return f"{LOOPBACK}:{port}"


class _NoAliasDumper(yaml.SafeDumper):
    """Writes repeated objects in full: Fabric's readers handle anchors, people less so."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, default_flow_style=False)


def write_yaml(path: Path, data: dict[str, Any], header: str = "") -> Path:
    """Write `data` to `path` atomically (a half-written config must never be read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (f"# {header}\n" if header else "") + dump_yaml(data)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
