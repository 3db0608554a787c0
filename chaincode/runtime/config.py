"""Server configuration from the environment, named as in Fabric's CCaaS samples."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ConfigError", "ServerConfig"]


class ConfigError(ValueError):
    """A required setting is missing or inconsistent."""


@dataclass(frozen=True)
class ServerConfig:
    """Where to listen, which package id to register, and optional (m)TLS material."""

    address: str
    chaincode_id: str
    tls_cert: bytes | None = None
    tls_key: bytes | None = None
    client_ca_cert: bytes | None = None

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def mutual_tls(self) -> bool:
        return self.client_ca_cert is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServerConfig:
        """Read CHAINCODE_SERVER_ADDRESS, CHAINCODE_ID and CHAINCODE_TLS_* / CLIENT_CA files."""
        env = os.environ if env is None else env
        address = env.get("CHAINCODE_SERVER_ADDRESS", "").strip()
        chaincode_id = env.get("CHAINCODE_ID", "").strip()
        required = {"CHAINCODE_SERVER_ADDRESS": address, "CHAINCODE_ID": chaincode_id}
        missing = [name for name, value in required.items() if not value]
        if missing:
            raise ConfigError(f"missing environment variable(s): {', '.join(missing)}")
        cert = _read(env, "CHAINCODE_TLS_CERT")
        key = _read(env, "CHAINCODE_TLS_KEY")
        client_ca = _read(env, "CHAINCODE_CLIENT_CA_CERT")
        if (cert is None) != (key is None):
            raise ConfigError("CHAINCODE_TLS_CERT and CHAINCODE_TLS_KEY must be set together")
        if client_ca is not None and cert is None:
            raise ConfigError("CHAINCODE_CLIENT_CA_CERT needs CHAINCODE_TLS_CERT and _KEY")
        return cls(address, chaincode_id, cert, key, client_ca)


def _read(env: Mapping[str, str], name: str) -> bytes | None:
    """Contents of the file named by `name` (a PEM path), or None when unset."""
    path = env.get(name, "").strip()
    if not path:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read {path}: {exc.strerror}") from exc
