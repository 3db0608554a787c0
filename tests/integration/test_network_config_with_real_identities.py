"""Rendered node and channel configuration against identities the real CAs enrolled.

Peers and orderers cannot be started here yet, but everything they would read can be
checked: every certificate, key and MSP folder a config names exists and is what the
node needs, and the CCaaS builder accepts the packages each org would install.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509

from envalue.network import chaincode_package, nodes
from envalue.network.config.configtx import write_configtx
from envalue.network.settings import NetworkSettings
from envalue.network.topology import ORDERER_ORG, PEER_ORGS

pytestmark = pytest.mark.integration

BUILDER = Path(nodes.__file__).resolve().parent / "builders" / "ccaas" / "bin"


def _absolute_paths(tree: Any, where: str = "") -> list[tuple[str, str]]:
    if isinstance(tree, dict):
        return [p for k, v in tree.items() for p in _absolute_paths(v, f"{where}.{k}")]
    if isinstance(tree, list):
        return [p for i, v in enumerate(tree) for p in _absolute_paths(v, f"{where}[{i}]")]
    return [(where, tree)] if isinstance(tree, str) and tree.startswith("/") else []


@pytest.fixture(scope="module")
def rendered(ca_tier: NetworkSettings) -> NetworkSettings:
    nodes.write_configs(ca_tier.layout, ca_tier.ports)
    write_configtx(ca_tier.layout, ca_tier.ports)
    return ca_tier


def test_every_path_a_node_config_names_exists(rendered: NetworkSettings) -> None:
    data_dir = str(rendered.layout.data)
    missing = []
    for config in sorted((rendered.layout.home / "config").rglob("*.yaml")):
        for where, path in _absolute_paths(yaml.safe_load(config.read_text())):
            # ledgers and WAL folders are created by the node itself
            if not path.startswith(data_dir) and not os.path.exists(path):
                missing.append(f"{config.parent.name}/{config.name}{where}: {path}")
    assert missing == []


def test_peer_configs_use_their_own_tls_pair_and_msp(rendered: NetworkSettings) -> None:
    for org in PEER_ORGS:
        host = org.peer_host(0)
        core = yaml.safe_load((rendered.layout.home / "config" / host / "core.yaml").read_text())
        peer = core["peer"]
        assert peer["localMspId"] == org.msp_id
        cert = x509.load_pem_x509_certificate(Path(peer["tls"]["cert"]["file"]).read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert host in san.get_values_for_type(x509.DNSName)
        assert str(rendered.ports.peer(org)) in peer["listenAddress"]
        assert core["vm"]["endpoint"] == ""


def test_channel_config_names_every_org_and_consenter(rendered: NetworkSettings) -> None:
    folder = rendered.layout.home / "config" / "channel"
    text = (folder / "configtx.yaml").read_text()
    configtx = yaml.safe_load(text)
    assert text.count("MSPDir") >= len(PEER_ORGS) + 1
    for where, path in _absolute_paths(configtx):
        assert os.path.exists(path), f"{where}: {path}"
    for org in PEER_ORGS:
        assert str(rendered.ports.peer(org)) in text, f"anchor peer of {org.msp_id}"
    for index in range(ORDERER_ORG.orderers):
        assert str(rendered.ports.orderer(index)) in text


def test_the_ccaas_builder_accepts_every_org_package(rendered: NetworkSettings,
                                                     tmp_path: Path) -> None:
    for org in PEER_ORGS:
        package = chaincode_package.org_package(rendered.ports, org, "envalue_1")
        source = tmp_path / org.key / "src"
        metadata = tmp_path / org.key / "metadata"
        output = tmp_path / org.key / "out"
        release = tmp_path / org.key / "release"
        for folder in (source, metadata, output, release):
            folder.mkdir(parents=True)
        # what the peer hands an external builder: metadata.json, and code.tar.gz unpacked
        meta, connection_in = chaincode_package.read_package(package.data)
        (metadata / "metadata.json").write_text(json.dumps(meta))
        (source / "connection.json").write_text(json.dumps(connection_in))
        subprocess.run([BUILDER / "detect", source, metadata], check=True)
        subprocess.run([BUILDER / "build", source, metadata, output], check=True)
        subprocess.run([BUILDER / "release", output, release], check=True)
        connection = json.loads(
            (release / "chaincode" / "server" / "connection.json").read_text())
        assert connection["address"].endswith(f":{rendered.ports.chaincode_server(org)}")
