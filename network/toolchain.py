"""Fabric binaries, built reproducibly from the Go module proxy and reused when present.

Each group of binaries is built from a small Go module kept in `network/toolchain/<group>`
whose go.mod pins the exact version (a `tool` block) and whose go.sum checksums every
download. Output goes to `.fabric/bin` (git-ignored); a stamp file per group records the
go.mod/go.sum it was built from, so a changed pin rebuilds and an unchanged one is reused.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import ToolchainError
from .layout import FABRIC_BIN

log = logging.getLogger(__name__)

TOOLCHAIN_DIR = Path(__file__).resolve().parent / "toolchain"
MIN_GO = (1, 26, 4)


@dataclass(frozen=True)
class BinaryGroup:
    name: str
    module: str
    version: str
    binaries: tuple[str, ...]
    cgo: bool = False

    @property
    def source(self) -> Path:
        return TOOLCHAIN_DIR / self.name


FABRIC = BinaryGroup(
    name="fabric",
    module="github.com/hyperledger/fabric",
    version="v1.4.0-rc1.0.20260618074816-86c1172bec37",  # tag v3.1.5, commit 86c1172bec37
    binaries=("peer", "orderer", "osnadmin", "configtxgen"),
)
FABRIC_CA = BinaryGroup(
    name="fabric-ca",
    module="github.com/hyperledger/fabric-ca",
    version="v1.5.21",
    binaries=("fabric-ca-server", "fabric-ca-client"),
    cgo=True,  # the CA server's sqlite3 driver
)
GROUPS: tuple[BinaryGroup, ...] = (FABRIC_CA, FABRIC)


def bin_dir() -> Path:
    override = os.environ.get("ENVALUE_FABRIC_BIN")
    return Path(override) if override else FABRIC_BIN


def binary(name: str) -> Path:
    """Path of a built binary, or a ToolchainError saying how to get it."""
    path = bin_dir() / name
    if not path.is_file():
        group = next((g for g in GROUPS if name in g.binaries), None)
        hint = f" (run `envalue setup` to build the {group.name} group)" if group else ""
        raise ToolchainError(f"Fabric binary {name!r} is missing from {bin_dir()}{hint}")
    return path


def _stamp(group: BinaryGroup) -> str:
    digest = hashlib.sha256()
    for file in ("go.mod", "go.sum"):
        path = group.source / file
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _stamp_file(group: BinaryGroup) -> Path:
    return bin_dir() / f".{group.name}.stamp"


def is_built(group: BinaryGroup) -> bool:
    stamp = _stamp_file(group)
    return (
        all((bin_dir() / b).is_file() for b in group.binaries)
        and stamp.is_file()
        and stamp.read_text().strip() == _stamp(group)
    )


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        raise ToolchainError(
            "Go is not installed or not on PATH: building Fabric needs Go >= "
            + ".".join(map(str, MIN_GO))
        )
    out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, check=False)
    raw = out.stdout.strip().removeprefix("go")
    try:
        version = tuple(int(p) for p in raw.split(".")[:3])
    except ValueError:
        version = ()
    if version and version < MIN_GO:
        raise ToolchainError(
            f"Go {raw} is too old: building Fabric needs Go >= {'.'.join(map(str, MIN_GO))}"
        )
    return go


def build(group: BinaryGroup, *, force: bool = False) -> list[Path]:
    """Build one group into the bin folder unless an identical build is already there."""
    if is_built(group) and not force:
        log.info("binaries reused", extra={"group": group.name, "dir": str(bin_dir())})
        return [bin_dir() / b for b in group.binaries]
    go = _go()
    bin_dir().mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CGO_ENABLED": "1" if group.cgo else "0"}
    # go.sum is present for pinned groups: -mod=mod only lets a first build record it.
    mod_flag = "-mod=readonly" if (group.source / "go.sum").exists() else "-mod=mod"
    cmd = [go, "build", mod_flag, "-trimpath", "-o", str(bin_dir()) + os.sep, "tool"]
    log.info("building binaries", extra={"group": group.name, "go_module": group.module,
                                          "version": group.version})
    proc = subprocess.run(cmd, cwd=group.source, env=env, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        detail = "\n".join(dict.fromkeys(proc.stderr.strip().splitlines()[-6:]))
        raise ToolchainError(
            f"could not build the {group.name} binaries ({', '.join(group.binaries)}) from "
            f"{group.module}@{group.version} through the Go module proxy:\n{detail}"
        )
    _stamp_file(group).write_text(_stamp(group) + "\n")
    return [bin_dir() / b for b in group.binaries]


def missing(groups: tuple[BinaryGroup, ...] = GROUPS) -> list[str]:
    return [b for g in groups for b in g.binaries if not (bin_dir() / b).is_file()]
