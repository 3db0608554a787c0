"""CCaaS packages (deterministic bytes, Fabric's package id) and the ccaas builder scripts."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

from envalue.network.chaincode_package import (
    ConnectionInfo,
    build_package,
    default_label,
    org_package,
    package_id,
    read_package,
    validate_label,
)
from envalue.network.ports import PortPlan
from envalue.network.topology import PEER_ORGS

pytestmark = pytest.mark.unit

BUILDER_BIN = Path(__file__).resolve().parents[3] / "network" / "builders" / "ccaas" / "bin"


def test_same_inputs_same_bytes_and_id() -> None:
    conn = ConnectionInfo("127.0.0.1:17080")
    first = build_package("envalue_1.0", conn)
    second = build_package("envalue_1.0", ConnectionInfo("127.0.0.1:17080"))
    assert first.data == second.data
    assert first.package_id == second.package_id


def test_package_id_is_label_and_sha256_of_bytes() -> None:
    pkg = build_package("envalue_1.0", ConnectionInfo("127.0.0.1:17080"))
    assert pkg.package_id == f"envalue_1.0:{hashlib.sha256(pkg.data).hexdigest()}"
    assert re.fullmatch(r"envalue_1\.0:[0-9a-f]{64}", pkg.package_id)
    assert package_id("x", b"") == "x:" + hashlib.sha256(b"").hexdigest()


def test_different_inputs_give_different_ids() -> None:
    ports = PortPlan(17000)
    ids = {org_package(ports, org, "envalue_1.0").package_id for org in PEER_ORGS}
    assert len(ids) == len(PEER_ORGS)  # one server per org: one package id per org
    assert (build_package("envalue_1.0", ConnectionInfo("127.0.0.1:1")).package_id
            != build_package("envalue_1.1", ConnectionInfo("127.0.0.1:1")).package_id)


def test_package_layout() -> None:
    pkg = build_package("envalue_2.0", ConnectionInfo("127.0.0.1:17081"))
    with tarfile.open(fileobj=io.BytesIO(pkg.data), mode="r:gz") as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["code.tar.gz", "metadata.json"]
    for member in members:
        assert member.isreg() and member.uid == 0 and member.gid == 0
        assert member.mtime == members[0].mtime
    metadata, connection = read_package(pkg.data)
    assert metadata == {"type": "ccaas", "label": "envalue_2.0"}
    assert connection == {"address": "127.0.0.1:17081", "dial_timeout": "10s",
                          "tls_required": False}
    assert pkg.data[4:8] == b"\0\0\0\0"  # gzip header mtime is zero


def test_tls_connection_needs_root_cert() -> None:
    with pytest.raises(ValueError, match="root_cert"):
        build_package("l1", ConnectionInfo("127.0.0.1:1", tls_required=True))
    pkg = build_package("l1", ConnectionInfo("127.0.0.1:1", tls_required=True, root_cert="PEM"))
    _, connection = read_package(pkg.data)
    assert connection["tls_required"] is True and connection["root_cert"] == "PEM"


def test_write_is_idempotent(tmp_path: Path) -> None:
    pkg = build_package("envalue_1.0", ConnectionInfo("127.0.0.1:17080"))
    path = pkg.write(tmp_path / "a" / "p.tar.gz")
    mtime = path.stat().st_mtime_ns
    pkg.write(path)
    assert path.read_bytes() == pkg.data and path.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("label", ["", "_x", "a b", "a:b", "a/b"])
def test_invalid_labels(label: str) -> None:
    with pytest.raises(ValueError):
        validate_label(label)


def test_default_label() -> None:
    assert default_label("1.2.0") == "envalue_1.2.0"


# --- builder scripts ------------------------------------------------------------------


def _script(name: str, *args: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(BUILDER_BIN / name), *map(str, args)],
                          capture_output=True, text=True, check=False)


def _unpack(data: bytes, tmp: Path) -> tuple[Path, Path]:
    """What the peer does before detect/build: metadata dir + source dir."""
    metadata_dir, source_dir = tmp / "metadata", tmp / "source"
    metadata_dir.mkdir()
    source_dir.mkdir()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as outer:
        (metadata_dir / "metadata.json").write_bytes(outer.extractfile("metadata.json").read())
        code = outer.extractfile("code.tar.gz").read()
    with tarfile.open(fileobj=io.BytesIO(code), mode="r:gz") as inner:
        inner.extractall(source_dir, filter="data")
    return metadata_dir, source_dir


def test_builder_scripts_are_executable() -> None:
    for name in ("detect", "build", "release"):
        path = BUILDER_BIN / name
        assert os.access(path, os.X_OK), name
        assert path.read_text().startswith("#!/bin/sh\n")


def test_detect_build_release(tmp_path: Path) -> None:
    pkg = build_package("envalue_1.0", ConnectionInfo("127.0.0.1:17080"))
    metadata_dir, source_dir = _unpack(pkg.data, tmp_path)
    assert _script("detect", source_dir, metadata_dir).returncode == 0
    build_dir = tmp_path / "build"
    result = _script("build", source_dir, metadata_dir, build_dir)
    assert result.returncode == 0, result.stderr
    release_dir = tmp_path / "release"
    result = _script("release", build_dir, release_dir)
    assert result.returncode == 0, result.stderr
    released = json.loads((release_dir / "chaincode" / "server" / "connection.json").read_text())
    assert released["address"] == "127.0.0.1:17080"


def test_detect_refuses_other_types(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "metadata.json").write_text('{"type":"golang","label":"x"}')
    assert _script("detect", tmp_path, tmp_path / "m").returncode != 0
    (tmp_path / "m" / "metadata.json").write_text('{"label":"x", "type" : "CCAAS"}')
    assert _script("detect", tmp_path, tmp_path / "m").returncode == 0
    assert _script("detect", tmp_path, tmp_path / "missing").returncode != 0


def test_build_fails_without_connection_json(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    result = _script("build", tmp_path / "src", tmp_path, tmp_path / "out")
    assert result.returncode != 0 and "connection.json" in result.stderr
