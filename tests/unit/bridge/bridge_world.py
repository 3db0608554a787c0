"""Two ledgers and their peers for bridge tests: envalue (home) and a partner network.

Each network has one CA per organisation and one peer per organisation, generated with
`cryptography`. A peer "endorses" a view the way a Fabric peer does: the view is the
query's return value, built by running the domain query on that network's committed
state; the peer wraps it in a real ChaincodeAction / ProposalResponsePayload
(`fabric_protos`), signs payload ‖ SerializedIdentity with ECDSA P-256 (low-S) and
returns a ProposalResponse. Proofs are assembled by the production builder.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2, proposal_response_pb2

from envalue.chaincode.domain.bridge import (
    conservation,
    msg_htlc_claim,
    msg_htlc_lock,
    msg_htlc_refund,
    msg_pledge,
    msg_reclaim,
    msg_release,
    msg_report_retirement,
    views,
)
from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.proofs.builder import proof_from_proposal_responses
from envalue.chaincode.domain.proofs.msg_register_network import MsgRegisterNetwork
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.mint import mint_lot
from envalue.chaincode.domain.tokens.msg_retire import RetirementInfo
from envalue.chaincode.domain.tokens.msg_transfer import MsgTransfer, TransferItem
from envalue.chaincode.domain.tokens.msg_transfer import apply as transfer_apply
from envalue.chaincode.domain.wrapped import msg_burn, msg_claim, msg_void
from envalue.chaincode.domain.wrapped import msg_retire as wrapped_retire
from envalue.chaincode.domain.wrapped import msg_transfer as wrapped_transfer
from envalue.chaincode.domain.wrapped import views as wrapped_views
from envalue.chaincode.identity import Actor
from envalue.client.signers import EcdsaSigner, sha256_digest
from tests.memory_store import MemoryLedger

START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
CERT_START = datetime(2026, 1, 1, tzinfo=UTC)
HOME_ID, PARTNER_ID = "envalue", "greenx"
HOME_CC, PARTNER_CC = "envalue", "wrapped"
HOME_MSPS = ("PlatformMSP", "MarketMSP", "MunicipalityMSP", "CustomerMSP")
PARTNER_MSPS = ("ExchangeMSP", "MemberMSP")


def actor(msp: str, name: str, role: str | None) -> Actor:
    attrs = {"role": role} if role else {}
    return Actor(msp, f"x509::CN={name},OU=client::CN=ca.{msp.lower()}", attrs)


def key(who: Actor) -> str:
    return f"{who.msp_id}/{who.id}"


OPERATOR = actor("PlatformMSP", "olivia", "operator")
ALICE = actor("CustomerMSP", "alice", "customer")
BOB = actor("MunicipalityMSP", "bob", "municipality")
RELAY = actor("MarketMSP", "relay", "bridge")
P_OPERATOR = actor("ExchangeMSP", "xavier", "operator")
P_RELAY = actor("ExchangeMSP", "relay", "bridge")
DAVE = actor("MemberMSP", "dave", "trader")
ERIN = actor("MemberMSP", "erin", "trader")


def _name(cn: str, org: str, ou: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)]
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


@dataclass
class CA:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @classmethod
    def create(cls, org: str, *, parent: CA | None = None, days: int = 3650) -> CA:
        key_ = ec.generate_private_key(ec.SECP256R1())
        subject = _name(f"{'ica' if parent else 'ca'}.{org}", org)
        issuer = parent.certificate.subject if parent else subject
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                .public_key(key_.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(CERT_START).not_valid_after(CERT_START + timedelta(days=days))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
                .sign(parent.key if parent else key_, hashes.SHA256()))
        return cls(cert, key_)

    def issue(self, cn: str, org: str, ou: str = "peer", *, days: int = 365,
              curve: ec.EllipticCurve | None = None) -> tuple[bytes, ec.EllipticCurvePrivateKey]:
        key_ = ec.generate_private_key(curve or ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name(cn, org, ou))
                .issuer_name(self.certificate.subject).public_key(key_.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(CERT_START)
                .not_valid_after(CERT_START + timedelta(days=days))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
                .sign(self.key, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.PEM), key_


@dataclass
class Peer:
    msp_id: str
    cert_pem: bytes
    key: ec.EllipticCurvePrivateKey

    @property
    def identity(self) -> bytes:
        return identities_pb2.SerializedIdentity(
            mspid=self.msp_id, id_bytes=self.cert_pem).SerializeToString()

    def sign(self, data: bytes) -> bytes:
        return EcdsaSigner(self.key).sign(sha256_digest(data))

    def respond(self, payload: bytes) -> bytes:
        """A ProposalResponse endorsing `payload` (a serialized ProposalResponsePayload)."""
        identity = self.identity
        return proposal_response_pb2.ProposalResponse(
            version=1, response=proposal_response_pb2.Response(status=200),
            payload=payload,
            endorsement=proposal_response_pb2.Endorsement(
                endorser=identity, signature=self.sign(payload + identity)),
        ).SerializeToString()


def response_payload(view: bytes, chaincode: str, *, status: int = 200) -> bytes:
    """A real ProposalResponsePayload whose chaincode response carries `view`."""
    action = proposal_pb2.ChaincodeAction(
        results=b"\x0a\x00", response=proposal_response_pb2.Response(status=status,
                                                                   payload=view),
        chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode, version="1.0"))
    return proposal_response_pb2.ProposalResponsePayload(
        proposal_hash=hashlib.sha256(b"proposal:" + view).digest(),
        extension=action.SerializeToString()).SerializeToString()


@dataclass
class Network:
    """A Fabric network's identities: a CA and a peer per organisation."""

    network_id: str
    chaincode: str
    msps: Sequence[str]
    threshold: int
    cas: dict[str, CA] = field(default_factory=dict)
    peers: dict[str, Peer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for msp in self.msps:
            self.cas[msp] = CA.create(msp)
            cert, key_ = self.cas[msp].issue(f"peer0.{msp.lower()}", msp)
            self.peers[msp] = Peer(msp, cert, key_)

    def registration(self, **overrides: Any) -> MsgRegisterNetwork:
        fields: dict[str, Any] = dict(
            network_id=self.network_id, chaincode_name=self.chaincode,
            msps={m: {"root_certs": [ca.pem]} for m, ca in self.cas.items()},
            threshold=self.threshold, orgs=tuple(self.msps))
        fields.update(overrides)
        return MsgRegisterNetwork(**fields)

    def prove(self, view: bytes, orgs: Sequence[str] | None = None, *,
              peers: Sequence[Peer] | None = None) -> dict[str, Any]:
        """Endorse `view` by the peers of `orgs` (default: the policy's threshold)."""
        chosen = list(peers) if peers is not None else [
            self.peers[m] for m in (orgs or self.msps[:self.threshold])]
        payload = response_payload(view, self.chaincode)
        responses = [p.respond(payload) for p in chosen]
        return proof_from_proposal_responses(responses).to_dict()


class Ledger:
    """One network's committed state, transactions applied against it."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.ledger = MemoryLedger()

    def run(self, who: Actor, apply: Callable[..., Awaitable[list[DomainEvent]]],
            msg: Any) -> list[DomainEvent]:
        ctx = self.world.ctx(who)

        async def go() -> list[DomainEvent]:
            async with self.ledger.transaction() as store:
                return await apply(store, ctx, msg)
        return asyncio.run(go())

    def query(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        async def go() -> Any:
            async with self.ledger.transaction() as store:
                return await fn(store, *args)
        return asyncio.run(go())

    def snapshot(self) -> dict[str, bytes]:
        return self.ledger.snapshot()


class World:
    """envalue and the partner ledger with one shared clock."""

    def __init__(self) -> None:
        from envalue.chaincode.domain.bridge import msg_configure as home_configure
        from envalue.chaincode.domain.bridge import msg_register_network as home_register
        from envalue.chaincode.domain.wrapped import msg_configure as partner_configure
        from envalue.chaincode.domain.wrapped import msg_register_network as partner_register

        self.now = START
        self.tx = 0
        self.home_net = Network(HOME_ID, HOME_CC, HOME_MSPS, 2)
        self.partner_net = Network(PARTNER_ID, PARTNER_CC, PARTNER_MSPS, 2)
        self.home = Ledger(self)
        self.partner = Ledger(self)
        self.home.run(OPERATOR, home_configure.apply, home_configure.MsgConfigure(HOME_ID))
        self.home.run(OPERATOR, home_register.apply, self.partner_net.registration())
        self.partner.run(P_OPERATOR, partner_configure.apply,
                         partner_configure.MsgConfigure(PARTNER_ID))
        self.partner.run(P_OPERATOR, partner_register.apply, self.home_net.registration())

    def ctx(self, who: Actor) -> TxContext:
        self.tx += 1
        self.now += timedelta(seconds=1)
        return TxContext(f"tx{self.tx:05d}", self.now, who)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def mint(self, lot_id: str, owner: Actor, kg: int) -> None:
        async def apply(store: Store, ctx: TxContext, _: Any) -> list[DomainEvent]:
            return await mint_lot(
                store, ctx, lot_id=lot_id, owner=key(owner), quantity_kg=kg,
                vintage_start="2025-04-01", vintage_end="2025-06-30",
                methodology="EN-R-002", methodology_version="3.0", site_id="SITE-1",
                equipment_id="EQ-1", calculation_id=f"CALC-{lot_id}")
        self.home.run(OPERATOR, apply, None)

    def expiry(self, **delta: float) -> str:
        return (self.now + timedelta(**delta)).isoformat()

    def snapshots(self) -> tuple[dict[str, bytes], dict[str, bytes]]:
        return self.home.snapshot(), self.partner.snapshot()

    def conservation(self) -> conservation.ConservationReport:
        async def go() -> conservation.ConservationReport:
            async with self.home.ledger.transaction() as home, \
                    self.partner.ledger.transaction() as partner:
                return await conservation.check_conservation(
                    home, partner, home_network=HOME_ID, partner_network=PARTNER_ID)
        return asyncio.run(go())

    def assert_conserved(self) -> conservation.ConservationReport:
        report = self.conservation()
        assert report.balanced, report.problems
        return report


# --- protocol steps ------------------------------------------------------------------

class Steps:
    """The protocol's steps on a `World`, with the parties' usual identities."""

    def __init__(self, world: World) -> None:
        self.w = world

    def pledge(self, pledge_id: str, owner: Actor, lot_id: str, kg: int, *,
               recipient: Actor = DAVE, seconds: float = 3600) -> list[DomainEvent]:
        msg = msg_pledge.MsgPledge(pledge_id, key(owner), lot_id, kg, PARTNER_ID,
                                   key(recipient), self.w.expiry(seconds=seconds))
        return self.w.home.run(owner, msg_pledge.apply, msg)

    def pledge_proof(self, pledge_id: str, orgs: Sequence[str] | None = None
                     ) -> dict[str, Any]:
        return self.w.home_net.prove(self.w.home.query(views.pledge_view, pledge_id), orgs)

    def claim(self, proof: dict[str, Any], who: Actor = P_RELAY) -> list[DomainEvent]:
        return self.w.partner.run(who, msg_claim.apply, msg_claim.MsgClaim(HOME_ID, proof))

    def void(self, proof: dict[str, Any], who: Actor = P_RELAY) -> list[DomainEvent]:
        return self.w.partner.run(who, msg_void.apply, msg_void.MsgVoid(HOME_ID, proof))

    def origin_proof(self, pledge_id: str) -> dict[str, Any]:
        return self.w.partner_net.prove(
            self.w.partner.query(wrapped_views.origin_view, HOME_ID, pledge_id))

    def transfer_wrapped(self, sender: Actor, recipient: Actor, lot_id: str, kg: int
                         ) -> list[DomainEvent]:
        msg = wrapped_transfer.MsgTransfer(key(sender), HOME_ID, lot_id, key(recipient), kg)
        return self.w.partner.run(sender, wrapped_transfer.apply, msg)

    def burn(self, burn_id: str, owner: Actor, lot_id: str, kg: int, home_recipient: Actor
             ) -> list[DomainEvent]:
        msg = msg_burn.MsgBurn(burn_id, key(owner), HOME_ID, lot_id, kg, key(home_recipient))
        return self.w.partner.run(owner, msg_burn.apply, msg)

    def burn_proof(self, burn_id: str) -> dict[str, Any]:
        return self.w.partner_net.prove(self.w.partner.query(wrapped_views.burn_view, burn_id))

    def release(self, proof: dict[str, Any], who: Actor = RELAY) -> list[DomainEvent]:
        return self.w.home.run(who, msg_release.apply,
                               msg_release.MsgRelease(PARTNER_ID, proof))

    def reclaim(self, pledge_id: str, proof: dict[str, Any], who: Actor = RELAY
                ) -> list[DomainEvent]:
        return self.w.home.run(who, msg_reclaim.apply, msg_reclaim.MsgReclaim(pledge_id, proof))

    def retire_wrapped(self, retirement_id: str, owner: Actor, lot_id: str, kg: int
                       ) -> list[DomainEvent]:
        info = RetirementInfo("Dave Trading Ltd", "voluntary", 2026, "offset")
        msg = wrapped_retire.MsgRetire(retirement_id, key(owner), HOME_ID, lot_id, kg, info)
        return self.w.partner.run(owner, wrapped_retire.apply, msg)

    def retirement_proof(self, retirement_id: str) -> dict[str, Any]:
        return self.w.partner_net.prove(
            self.w.partner.query(wrapped_views.retirement_view, retirement_id))

    def report_retirement(self, proof: dict[str, Any], who: Actor = RELAY
                          ) -> list[DomainEvent]:
        return self.w.home.run(who, msg_report_retirement.apply,
                               msg_report_retirement.MsgReportRetirement(PARTNER_ID, proof))

    def transfer_home(self, sender: Actor, recipient: Actor, lot_id: str, kg: int
                      ) -> list[DomainEvent]:
        msg = MsgTransfer(key(sender), (TransferItem(lot_id, key(recipient), kg),))
        return self.w.home.run(sender, transfer_apply, msg)

    def htlc_lock(self, htlc_id: str, owner: Actor, lot_id: str, kg: int, recipient: Actor,
                  hash_lock: str, seconds: float) -> list[DomainEvent]:
        msg = msg_htlc_lock.MsgHtlcLock(htlc_id, key(owner), lot_id, kg, key(recipient),
                                        hash_lock, self.w.expiry(seconds=seconds))
        return self.w.home.run(owner, msg_htlc_lock.apply, msg)

    def htlc_claim(self, htlc_id: str, preimage: str, who: Actor) -> list[DomainEvent]:
        return self.w.home.run(who, msg_htlc_claim.apply,
                               msg_htlc_claim.MsgHtlcClaim(htlc_id, preimage))

    def htlc_refund(self, htlc_id: str, who: Actor) -> list[DomainEvent]:
        return self.w.home.run(who, msg_htlc_refund.apply,
                               msg_htlc_refund.MsgHtlcRefund(htlc_id))
