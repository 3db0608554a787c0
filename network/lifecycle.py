"""Chaincode lifecycle of a network's chaincode: package, install, approve, commit, upgrade.

The chaincode (`envalue` on the consortium, `wrapped` on the partner ledger), channel,
peer orgs and endorsement policy come from the port plan's topology (`ports.topology`).

`deploy(run, layout, ports, version=...)` brings the channel to "the chaincode at
`version` is committed and every peer has its org's package installed", doing only the
steps still missing:

1. build each org's CCaaS package (chaincode_package: one per org, its own server);
2. `queryinstalled` on each peer, `install` where the package id is missing;
3. `querycommitted`: the same version already committed -> done (nothing changes);
   otherwise the target sequence is committed + 1 (1 on a fresh channel);
4. `checkcommitreadiness`, `approveformyorg` for each org not yet approved;
5. `commit` sent to every org's peer (LifecycleEndorsement is MAJORITY Endorsement);
6. `querycommitted` again to confirm version and sequence.

An upgrade is `deploy` with a new version (new label, new package ids): nodes keep
running. Afterwards each org's chaincode server must run with CHAINCODE_ID set to the
new package id (DeployResult.package_ids); the peer refuses a server that registers
under another id.

Endorsement policy: explicit `Topology.endorsement_policy`; for the consortium
`OutOf(2, <every peer org>.peer)` (any two orgs' peers), for the partner ledger
`OutOf(2, 'ExchangeMSP.peer', 'MemberMSP.peer')` (both orgs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .chaincode_package import default_label, org_package, package_path
from .config.common import address
from .errors import NetworkError
from .layout import NetworkLayout
from .nodes import (
    FabricBinaries,
    Runner,
    admin_env,
    orderer_tls_root,
    peer_address,
    peer_tls_root,
    run_step,
)
from .ports import PortPlan
from .topology import CONSORTIUM, Organization, Topology
from .topology import signature_policy as _policy_text

#: Minimum number of distinct consortium orgs whose peers must endorse a transaction.
ENDORSING_ORGS = CONSORTIUM.endorsing_orgs


def signature_policy(orgs: tuple[Organization, ...] = CONSORTIUM.peer_orgs,
                     n: int = ENDORSING_ORGS) -> str:
    """`OutOf(n, ...)` over `orgs`' peers (default: the consortium's policy)."""
    return _policy_text(orgs, n)


@dataclass(frozen=True)
class Committed:
    """A committed chaincode definition as `querycommitted` reports it."""

    name: str
    version: str
    sequence: int


@dataclass
class DeployResult:
    version: str
    sequence: int
    label: str
    package_ids: dict[str, str]  # org key -> that org's package id
    changed: bool = False
    installed_on: list[str] = field(default_factory=list)
    approved_by: list[str] = field(default_factory=list)
    committed: bool = False


@dataclass(frozen=True)
class Lifecycle:
    """Command construction and execution for one network (one layout and port plan).

    `name`, `channel` and `policy` default to the port plan's topology's chaincode name,
    channel and endorsement policy.
    """

    run: Runner
    layout: NetworkLayout
    ports: PortPlan
    bins: FabricBinaries | None = None
    name: str = ""
    channel: str = ""
    policy: str = ""

    def __post_init__(self) -> None:
        topology = self.topology
        for attr, default in (("name", topology.chaincode_name), ("channel", topology.channel),
                              ("policy", topology.endorsement_policy)):
            if not getattr(self, attr):
                object.__setattr__(self, attr, default)

    @property
    def topology(self) -> Topology:
        return self.ports.topology

    @property
    def peer_orgs(self) -> tuple[Organization, ...]:
        return self.topology.peer_orgs

    # --- plumbing ---------------------------------------------------------------------

    @property
    def peer_bin(self) -> str:
        return FabricBinaries.resolve(self.bins).peer

    def _peer(self, org: Organization, step: str, args: list[str]) -> str:
        return run_step(self.run, step, org.peer_host(0), [self.peer_bin, *args],
                        admin_env(self.layout, self.ports, org))

    def _orderer_args(self) -> list[str]:
        return ["-o", address(self.ports.orderer(0)), "--tls",
                "--cafile", str(orderer_tls_root(self.layout, self.topology.orderer_org, 0))]

    def _definition_args(self, version: str, sequence: int) -> list[str]:
        return ["--channelID", self.channel, "--name", self.name, "--version", version,
                "--sequence", str(sequence), "--signature-policy", self.policy]

    @staticmethod
    def _json(step: str, node: str, out: str) -> dict[str, Any]:
        text = out.strip()
        if not text:
            return {}
        try:
            data = json.loads(text[text.find("{"):]) if "{" in text else {}
        except json.JSONDecodeError as exc:
            raise NetworkError(f"{step}: unreadable JSON answer: {exc}", node=node) from exc
        return data if isinstance(data, dict) else {}

    # --- queries ----------------------------------------------------------------------

    def installed(self, org: Organization) -> dict[str, str]:
        """package id -> label of what `org`'s peer has installed."""
        step = "peer lifecycle chaincode queryinstalled"
        out = self._peer(org, step, ["lifecycle", "chaincode", "queryinstalled",
                                     "--output", "json"])
        data = self._json(step, org.peer_host(0), out)
        return {c["package_id"]: c.get("label", "")
                for c in data.get("installed_chaincodes") or []}

    def committed(self, org: Organization | None = None) -> Committed | None:
        """The committed definition of this chaincode, or None if there is none yet.

        Lists all definitions (no --name) because asking for an undefined name is an
        error that a failing peer would also produce.
        """
        org = org or self.peer_orgs[0]
        step = "peer lifecycle chaincode querycommitted"
        out = self._peer(org, step, ["lifecycle", "chaincode", "querycommitted",
                                     "--channelID", self.channel, "--output", "json"])
        data = self._json(step, org.peer_host(0), out)
        for item in data.get("chaincode_definitions") or []:
            if item.get("name") == self.name:
                return Committed(self.name, str(item["version"]), int(item["sequence"]))
        return None

    def readiness(self, version: str, sequence: int,
                  org: Organization | None = None) -> dict[str, bool]:
        """MSP id -> approved, for the definition (version, sequence)."""
        org = org or self.peer_orgs[0]
        step = "peer lifecycle chaincode checkcommitreadiness"
        out = self._peer(org, step, ["lifecycle", "chaincode", "checkcommitreadiness",
                                     *self._definition_args(version, sequence),
                                     "--output", "json"])
        data = self._json(step, org.peer_host(0), out)
        return {k: bool(v) for k, v in (data.get("approvals") or {}).items()}

    # --- actions ----------------------------------------------------------------------

    def install(self, org: Organization, label: str) -> tuple[str, bool]:
        """Write and install `org`'s package unless installed; (package id, installed now)."""
        package = org_package(self.ports, org, label)
        if package.package_id in self.installed(org):
            return package.package_id, False
        path = package.write(package_path(self.layout, org, label))
        self._peer(org, "peer lifecycle chaincode install",
                   ["lifecycle", "chaincode", "install", str(path)])
        return package.package_id, True

    def approve(self, org: Organization, version: str, sequence: int, package_id: str) -> None:
        self._peer(org, "peer lifecycle chaincode approveformyorg",
                   ["lifecycle", "chaincode", "approveformyorg", *self._orderer_args(),
                    *self._definition_args(version, sequence), "--package-id", package_id])

    def commit(self, version: str, sequence: int) -> None:
        targets: list[str] = []
        for org in self.peer_orgs:
            targets += ["--peerAddresses", peer_address(self.ports, org),
                        "--tlsRootCertFiles", str(peer_tls_root(self.layout, org))]
        self._peer(self.peer_orgs[0], "peer lifecycle chaincode commit",
                   ["lifecycle", "chaincode", "commit", *self._orderer_args(),
                    *self._definition_args(version, sequence), *targets])

    # --- the whole flow ---------------------------------------------------------------

    def deploy(self, version: str, label: str | None = None) -> DeployResult:
        label = label or default_label(version, self.name)
        result = DeployResult(version=version, sequence=0, label=label, package_ids={})
        for org in self.peer_orgs:
            package_id, fresh = self.install(org, label)
            result.package_ids[org.key] = package_id
            if fresh:
                result.installed_on.append(org.peer_host(0))
        current = self.committed()
        if current is not None and current.version == version:
            result.sequence = current.sequence
            result.changed = bool(result.installed_on)
            return result
        sequence = 1 if current is None else current.sequence + 1
        result.sequence = sequence
        approvals = self.readiness(version, sequence)
        for org in self.peer_orgs:
            if not approvals.get(org.msp_id):
                self.approve(org, version, sequence, result.package_ids[org.key])
                result.approved_by.append(org.msp_id)
        approvals = self.readiness(version, sequence)
        missing = [org.msp_id for org in self.peer_orgs if not approvals.get(org.msp_id)]
        if missing:
            raise NetworkError(
                f"chaincode {self.name} {version} (sequence {sequence}) still lacks approval "
                f"from {', '.join(missing)} after approveformyorg",
                node=self.peer_orgs[0].peer_host(0))
        self.commit(version, sequence)
        result.committed = True
        result.changed = True
        after = self.committed()
        if after is None or (after.version, after.sequence) != (version, sequence):
            raise NetworkError(
                f"commit of {self.name} {version} (sequence {sequence}) is not visible: "
                f"querycommitted reports {after}", node=self.peer_orgs[0].peer_host(0))
        return result


def deploy(
    run: Runner,
    layout: NetworkLayout,
    ports: PortPlan,
    *,
    version: str,
    label: str | None = None,
    bins: FabricBinaries | None = None,
) -> DeployResult:
    """Install, approve and commit `version` of the topology's chaincode where still needed."""
    return Lifecycle(run, layout, ports, bins).deploy(version, label)
