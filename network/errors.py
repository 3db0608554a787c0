"""Errors of network administration: each names the node or step and where to look."""

from __future__ import annotations

from pathlib import Path


class NetworkError(Exception):
    """A network operation failed; `node` and `log` point an admin at the cause."""

    exit_code = 1

    def __init__(self, message: str, *, node: str | None = None, log: Path | None = None):
        self.node = node
        self.log = log
        parts = [f"{node}: {message}" if node else message]
        if log is not None:
            parts.append(f"(see {log})")
        super().__init__(" ".join(parts))


class ToolchainError(NetworkError):
    """Fabric binaries are missing and could not be built: says what is missing."""

    exit_code = 3
