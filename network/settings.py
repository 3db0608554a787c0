"""Which network an admin command talks to: a name (its home folder) and a base port.

Defaults come from the environment so that tests and a partner ledger can run a second
network beside the main one: ENVALUE_NETWORK (name, default `envalue`),
ENVALUE_BASE_PORT (default 17000), ENVALUE_NETWORK_HOME (overrides the home folder).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .layout import NetworkLayout
from .ports import DEFAULT_BASE_PORT, PortPlan


@dataclass(frozen=True)
class NetworkSettings:
    name: str
    layout: NetworkLayout
    ports: PortPlan

    @classmethod
    def resolve(cls, name: str | None = None, base_port: int | None = None,
                home: Path | None = None) -> NetworkSettings:
        name = name or os.environ.get("ENVALUE_NETWORK", "envalue")
        env_home = os.environ.get("ENVALUE_NETWORK_HOME")
        layout = NetworkLayout(home) if home else (
            NetworkLayout(Path(env_home)) if env_home else NetworkLayout.named(name))
        recorded = _recorded_base(layout)
        env_base = os.environ.get("ENVALUE_BASE_PORT")
        base = base_port or recorded or (int(env_base) if env_base else DEFAULT_BASE_PORT)
        if recorded and base != recorded:
            raise ValueError(
                f"base_port: network {name!r} at {layout.home} was created with base port "
                f"{recorded}, not {base}; bring it down with --purge to change it")
        return cls(name=name, layout=layout, ports=PortPlan(base))

    def record(self) -> None:
        """Remember the base port so later commands find the same network."""
        self.layout.home.mkdir(parents=True, exist_ok=True)
        _settings_file(self.layout).write_text(
            json.dumps({"name": self.name, "base_port": self.ports.base}) + "\n")


def _settings_file(layout: NetworkLayout) -> Path:
    return layout.home / "network.json"


def _recorded_base(layout: NetworkLayout) -> int | None:
    try:
        return int(json.loads(_settings_file(layout).read_text())["base_port"])
    except (FileNotFoundError, KeyError, ValueError):
        return None
