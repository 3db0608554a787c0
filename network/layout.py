"""Where a network keeps its files: one home folder per network, everything under it.

    <home>/orgs/<org>/ca/                    Fabric CA server home
    <home>/orgs/<org>/msp/                   the org's verifying MSP (CA certs, NodeOUs)
    <home>/orgs/<org>/nodes/<host>/msp|tls   a peer's or orderer's signing MSP and TLS key pair
    <home>/orgs/<org>/users/<name>/msp       client identities (the org admin is one of them)
    <home>/logs/<node>.log                   each process's output
    <home>/pids/<node>.pid                   processes this network started
    <home>/data/<node>/                      ledgers and node state
    <home>/channel/                          genesis block and channel artefacts
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .topology import Organization

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Built Fabric binaries; reused when present (git-ignored).
FABRIC_BIN = REPO_ROOT / ".fabric" / "bin"
#: Default folder holding the running networks' homes (git-ignored).
RUN_ROOT = REPO_ROOT / ".run"


@dataclass(frozen=True)
class NetworkLayout:
    home: Path

    @classmethod
    def named(cls, name: str) -> NetworkLayout:
        return cls(RUN_ROOT / name)

    def org(self, org: Organization) -> Path:
        return self.home / "orgs" / org.key

    def ca_home(self, org: Organization) -> Path:
        return self.org(org) / "ca"

    def org_msp(self, org: Organization) -> Path:
        return self.org(org) / "msp"

    def node(self, org: Organization, host: str) -> Path:
        return self.org(org) / "nodes" / host

    def user(self, org: Organization, name: str) -> Path:
        return self.org(org) / "users" / name

    def admin(self, org: Organization) -> Path:
        return self.user(org, org.admin_name)

    def ca_cert(self, org: Organization) -> Path:
        """The org CA's root certificate (also the TLS root: one CA serves both profiles)."""
        return self.ca_home(org) / "ca-cert.pem"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def pids(self) -> Path:
        return self.home / "pids"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def channel(self) -> Path:
        return self.home / "channel"

    def log(self, node: str) -> Path:
        return self.logs / f"{node}.log"

    def pid(self, node: str) -> Path:
        return self.pids / f"{node}.pid"
