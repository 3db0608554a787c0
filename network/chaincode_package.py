"""Chaincode-as-a-service packages, built byte for byte reproducibly.

A CCaaS package is a gzipped tar holding `metadata.json` ({"type": "ccaas", "label"})
and `code.tar.gz`, itself holding `connection.json`: where the peer dials the chaincode
server. The peer names an installed package `<label>:<hex SHA-256 of the package
bytes>`; building the same inputs into the same bytes (fixed mtimes, uid/gid 0, sorted
entries, no gzip timestamp or file name) gives the same package id on every run, so a
re-run of `deploy` recognises what is already installed and approved.

Decision: one chaincode server per peer org, each org's package pointing at its own
server (PortPlan.chaincode_server). The endorsement policy asks several orgs to
endorse; that is only meaningful if each org executes the chaincode in a process it
runs itself, rather than all peers calling one shared process that a single operator
controls (and whose crash would stop every org's endorsements at once). The cost:
connection.json differs per org, so the package bytes and the package ids differ per
org. Fabric allows that: the package id is local to an org's peers and is not part of
the chaincode definition, so each org approves the same definition (name, version,
sequence, policy) with its own package id. Each org's chaincode server is started with
CHAINCODE_ID set to that org's package id.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

from .layout import NetworkLayout
from .ports import PortPlan
from .topology import CHAINCODE_NAME, Organization

#: Fabric's label rule (core/chaincode/persistence: LabelRegexp).
LABEL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
#: A fixed timestamp for every tar entry (2020-01-01T00:00:00Z): any constant would do.
FIXED_MTIME = 1577836800


@dataclass(frozen=True)
class ConnectionInfo:
    """connection.json: how the peer reaches the chaincode server."""

    address: str
    dial_timeout: str = "10s"
    tls_required: bool = False
    root_cert: str | None = None  # PEM of the CA that issued the server's certificate
    client_auth_required: bool = False
    client_cert: str | None = None
    client_key: str | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "address": self.address,
            "dial_timeout": self.dial_timeout,
            "tls_required": self.tls_required,
        }
        if self.tls_required:
            if not self.root_cert:
                raise ValueError("tls_required needs root_cert (the server CA's PEM)")
            data["root_cert"] = self.root_cert
            data["client_auth_required"] = self.client_auth_required
            if self.client_auth_required:
                if not (self.client_cert and self.client_key):
                    raise ValueError("client_auth_required needs client_cert and client_key")
                data["client_cert"] = self.client_cert
                data["client_key"] = self.client_key
        return data


@dataclass(frozen=True)
class ChaincodePackage:
    label: str
    data: bytes

    @property
    def package_id(self) -> str:
        return package_id(self.label, self.data)

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != self.data:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(self.data)
            tmp.replace(path)
        return path


def validate_label(label: str) -> str:
    if not LABEL_PATTERN.match(label):
        raise ValueError(
            f"chaincode label {label!r} is invalid: a letter or digit, then letters, digits "
            "and '_', '.', '+', '-'"
        )
    return label


def default_label(version: str, name: str = CHAINCODE_NAME) -> str:
    return validate_label(f"{name}_{version}")


def package_id(label: str, data: bytes) -> str:
    """What the peer calls a package: `<label>:<hex sha256 of the package file>`."""
    return f"{label}:{hashlib.sha256(data).hexdigest()}"


def _json_bytes(data: dict[str, object]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _tar_gz(files: dict[str, bytes]) -> bytes:
    """A gzipped tar of regular files, deterministic: sorted names, fixed metadata."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(files):
            content = files[name]
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mtime = FIXED_MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.type = tarfile.REGTYPE
            tar.addfile(info, io.BytesIO(content))
    out = io.BytesIO()
    # filename="" and mtime=0 keep the gzip header free of names and clocks.
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def build_package(label: str, connection: ConnectionInfo) -> ChaincodePackage:
    """A CCaaS package for `label` pointing the peer at `connection`."""
    validate_label(label)
    code = _tar_gz({"connection.json": _json_bytes(connection.to_json())})
    outer = _tar_gz({
        "metadata.json": _json_bytes({"type": "ccaas", "label": label}),
        "code.tar.gz": code,
    })
    return ChaincodePackage(label=label, data=outer)


def org_connection(ports: PortPlan, org: Organization, index: int = 0) -> ConnectionInfo:
    """connection.json of `org`'s own chaincode server (plain gRPC on loopback)."""
    return ConnectionInfo(address=f"127.0.0.1:{ports.chaincode_server(org, index)}")


def org_package(ports: PortPlan, org: Organization, label: str) -> ChaincodePackage:
    return build_package(label, org_connection(ports, org))


def package_path(layout: NetworkLayout, org: Organization, label: str) -> Path:
    """<home>/chaincode/<org>/<label>.tar.gz: where an org's package file is written."""
    return layout.home / "chaincode" / org.key / f"{label}.tar.gz"


def read_package(data: bytes) -> tuple[dict[str, object], dict[str, object]]:
    """(metadata.json, connection.json) of a CCaaS package: for tests and diagnostics."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as outer:
        metadata = json.loads(_member(outer, "metadata.json"))
        code = _member(outer, "code.tar.gz")
    with tarfile.open(fileobj=io.BytesIO(code), mode="r:gz") as inner:
        connection = json.loads(_member(inner, "connection.json"))
    return metadata, connection


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    handle = tar.extractfile(name)
    if handle is None:
        raise ValueError(f"{name} is not a regular file in the package")
    return handle.read()
