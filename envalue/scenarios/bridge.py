"""Bridge set-up: each ledger learns its own network id and the other network's trust
anchors, as scenario steps (one list per ledger, each run with that network's sessions).

- home (envalue's ``bridge`` contract), by the Platform operator: `configure` the bridge's
  network id (once; the same id again is a no-op), then `register_network` the partner's
  MSP roots and verification policy;
- partner (the ``wrapped`` contract), by its operator (``exchange:operator1``): the same
  two steps the other way round.

The trust material comes from each network's verifying org MSPs (`network_trust`: the
CA certificates under ``<home>/orgs/<org>/msp``); the policy is the network's own
endorsement policy (`Topology.endorsing_orgs` of its peer orgs). Re-registering is a root
rotation (the record's version goes up), so a re-run re-submits it on purpose: the roots
on the ledger are then the network's current ones. Building steps never touches a ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from envalue.chaincode.domain.bridge import msg_configure as home_configure
from envalue.chaincode.domain.bridge import msg_register_network as home_register
from envalue.chaincode.domain.proofs.msg_configure import MsgConfigure
from envalue.chaincode.domain.proofs.msg_register_network import MsgRegisterNetwork
from envalue.chaincode.domain.wrapped import msg_configure as partner_configure
from envalue.chaincode.domain.wrapped import msg_register_network as partner_register
from envalue.ledger.errors import LedgerUnavailableError
from envalue.ledger.messages import submit_call
from envalue.network.settings import NetworkSettings

from .identities import OPERATOR
from .steps import Scenario, Step

__all__ = ["HOME_CONTRACT", "PARTNER_CONTRACT", "PARTNER_OPERATOR", "PARTNER_TRADER",
           "BridgeSetup", "NetworkTrust", "bridge_setup", "network_trust"]

#: envalue's contract and the partner chaincode's (as `envalue.bridge.connections`)
HOME_CONTRACT, PARTNER_CONTRACT = "bridge", "wrapped"
#: who governs the partner ledger, and a trading member who receives wrapped units
PARTNER_OPERATOR = "exchange:operator1"
PARTNER_TRADER = "member:trader1"


@dataclass(frozen=True)
class NetworkTrust:
    """What the other ledger needs to verify this network's views."""

    network_id: str
    chaincode_name: str
    msps: dict[str, dict[str, list[str]]]
    orgs: tuple[str, ...]
    threshold: int

    def registration(self) -> MsgRegisterNetwork:
        return MsgRegisterNetwork(network_id=self.network_id, chaincode_name=self.chaincode_name,
                                  msps=self.msps, orgs=self.orgs, threshold=self.threshold)


def _pems(folder: Path) -> list[str]:
    return [p.read_text() for p in sorted(folder.glob("*.pem"))] if folder.is_dir() else []


def network_trust(settings: NetworkSettings, network_id: str) -> NetworkTrust:
    """The network's peer-org MSP roots and endorsement policy, read from its crypto
    material (LedgerUnavailableError when the network's MSPs have not been created)."""
    shape, layout = settings.topology, settings.layout
    msps: dict[str, dict[str, list[str]]] = {}
    for org in shape.peer_orgs:
        msp = layout.org_msp(org)
        roots = _pems(msp / "cacerts")
        if not roots:
            raise LedgerUnavailableError(
                f"network {settings.name!r} has no MSP for {org.msp_id} at {msp}; bring it "
                "up with `envalue network up` (or `--only cas`)")
        msps[org.msp_id] = {"root_certs": roots,
                            "intermediate_certs": _pems(msp / "intermediatecerts")}
    return NetworkTrust(network_id, shape.chaincode_name, msps,
                        tuple(o.msp_id for o in shape.peer_orgs), shape.endorsing_orgs)


@dataclass(frozen=True)
class BridgeSetup:
    """The steps for each ledger: `home` with envalue's sessions, `partner` with the
    partner network's."""

    home: Scenario
    partner: Scenario


def _steps(side: str, identity: str, contract: str, own_id: str, other: NetworkTrust,
           configure: ModuleType, register: ModuleType) -> tuple[Step, ...]:
    return (
        Step(f"{side}/configure/{own_id}", identity, f"{contract}: configure network id "
             f"{own_id}", submit_call(contract, "configure", MsgConfigure(own_id),
                                      configure.validate)),
        Step(f"{side}/register/{other.network_id}", identity,
             f"{contract}: register {other.network_id} ({other.threshold} of "
             f"{', '.join(other.orgs)})",
             submit_call(contract, "register_network", other.registration(),
                         register.validate)),
    )


def bridge_setup(home: NetworkTrust, partner: NetworkTrust) -> BridgeSetup:
    """Configure both ledgers and register each with the other (see the module text)."""
    facts = {"home_network": home.network_id, "partner_network": partner.network_id}
    return BridgeSetup(
        Scenario("bridge-home", _steps("home", OPERATOR, HOME_CONTRACT, home.network_id,
                                       partner, home_configure, home_register), facts=facts),
        Scenario("bridge-partner", _steps("partner", PARTNER_OPERATOR, PARTNER_CONTRACT,
                                          partner.network_id, home, partner_configure,
                                          partner_register), facts=facts))
