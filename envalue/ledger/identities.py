"""Who signs a transaction, and whose holder key a person means.

A holder key is ``<MSP ID>/<Go-style client id>`` (`TxContext.owner_key`): the chaincode
computes it from the proposal's certificate, so `owner_key_of` computes it from the same
certificate with the chaincode's own parser (`envalue.chaincode.identity`).

People name identities as ``ORG:USER`` (``platform:operator1``) or, like portal user
names, ``USER@ORG``; `enrolled_caller` and `holder_key` find them in the network's
crypto material (``<home>/orgs/<org>/users/<user>/msp``). A malformed reference or an
unknown organisation is a `ValidationError` (the caller's mistake); a network that has
not been created is a `LedgerUnavailableError` (nothing to sign for yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.tokens.rules import require_owner_key
from envalue.chaincode.identity import actor_from_certificate
from envalue.client import Signer, X509Identity, load_msp_identity, load_msp_signer
from envalue.network.settings import NetworkSettings
from envalue.network.topology import CONSORTIUM, Organization, Topology

from .errors import LedgerUnavailableError

__all__ = ["Caller", "enrolled_caller", "holder_key", "owner_key_of", "parse_identity"]


def owner_key_of(msp_id: str, cert_pem: bytes) -> str:
    """The holder key the chaincode derives from this certificate."""
    return actor_from_certificate(msp_id, cert_pem).owner_key


@dataclass(frozen=True)
class Caller:
    """An identity able to sign: which org's peer it talks to, its certificate, its key."""

    org_key: str
    identity: X509Identity
    signer: Signer

    @property
    def msp_id(self) -> str:
        return self.identity.msp_id

    @cached_property
    def owner_key(self) -> str:
        """The caller's own holder key (the default owner of what it moves)."""
        return owner_key_of(self.identity.msp_id, self.identity.credentials)


def parse_identity(ref: str, field: str = "as", topology: Topology = CONSORTIUM
                   ) -> tuple[Organization, str]:
    """(organisation, user name) from ``ORG:USER`` or ``USER@ORG`` of `topology`."""
    text = ref.strip() if isinstance(ref, str) else ""
    if ":" in text:
        org_key, _, user = text.partition(":")
    else:
        user, _, org_key = text.partition("@")
    if not org_key or not user or "/" in user or user.startswith("."):
        raise ValidationError(field, ref, "identity",
                              f"{ref!r} is not ORG:USER (e.g. platform:operator1)")
    try:
        org = topology.org_by_key(org_key)
    except KeyError:
        org = None
    if org not in topology.peer_orgs:
        known = ", ".join(o.key for o in topology.peer_orgs)
        raise ValidationError(field, ref, "organisation",
                              f"{org_key!r} is not a peer organisation of the "
                              f"{topology.name} network (known: {known})")
    return org, user  # type: ignore[return-value]


def _msp(settings: NetworkSettings, org: Organization, user: str, ref: str,
         field: str) -> Path:
    msp = settings.layout.user(org, user) / "msp"
    if msp.is_dir():
        return msp
    users = settings.layout.user(org, user).parent
    if not users.is_dir():
        raise LedgerUnavailableError(
            f"network {settings.name!r} has no enrolled identities at {settings.layout.home} "
            f"(missing {users}); bring it up with `envalue network up` (or `--only cas`)")
    enrolled = sorted(p.name for p in users.iterdir() if (p / "msp").is_dir())
    raise ValidationError(field, ref, "enrolled",
                          f"no identity {user!r} is enrolled in {org.key} at {users} "
                          f"(enrolled: {', '.join(enrolled) or 'none'})")


def enrolled_caller(settings: NetworkSettings, ref: str, field: str = "as") -> Caller:
    """The enrolled identity `ref` of the network, with its signer."""
    org, user = parse_identity(ref, field, settings.topology)
    msp = _msp(settings, org, user, ref, field)
    try:
        return Caller(org.key, load_msp_identity(msp, org.msp_id), load_msp_signer(msp))
    except (OSError, ValueError) as exc:
        raise ValidationError(field, ref, "identity-files",
                              f"cannot load the identity at {msp}: {exc}") from exc


def holder_key(settings: NetworkSettings, ref: str, field: str) -> str:
    """A holder key as given (``MSP/x509::…``), or that of the enrolled identity `ref`."""
    if isinstance(ref, str) and "/" in ref:
        return require_owner_key(ref, field)
    org, user = parse_identity(ref, field, settings.topology)
    msp = _msp(settings, org, user, ref, field)
    try:
        return owner_key_of(org.msp_id, load_msp_identity(msp, org.msp_id).credentials)
    except (OSError, ValueError) as exc:
        raise ValidationError(field, ref, "identity-files",
                              f"cannot load the certificate at {msp}: {exc}") from exc
