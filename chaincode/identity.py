"""Who is calling: the transaction creator as an `Actor`, and access checks on it.

fabric-chaincode-python 2.5.4's `ClientIdentity` never parses the creator
certificate: `get_attribute()` is always None and `get_id()` is base64 of the
certificate. This module does the parsing with `cryptography`:

- `Actor.id` is the Go client-identity form `x509::<subject DN>::<issuer DN>`
  (what fabric-chaincode-go's `cid.GetID()` base64-encodes), with the DN built
  the way Go builds it: `pkix.Name.ToRDNSequence()` order reversed (SERIALNUMBER,
  CN, OU, O, POSTALCODE, STREET, L, ST, C), repeated attribute types joined with
  `+`, attribute types Go does not name dropped, RFC 2253 escaping of values;
- `Actor.attrs` are the Fabric CA attributes stored as JSON `{"attrs": {...}}` in
  X.509 extension 1.2.3.4.5.6.7.8.1;
- `require_role` / `require_msp` raise `AccessDeniedError` with a message that
  names the identity, what it has and what the function needs.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cryptography import x509
from cryptography.x509.oid import NameOID, ObjectIdentifier
from fabric_protos.msp import identities_pb2

__all__ = [
    "ATTRS_EXTENSION_OID",
    "ROLE_ATTRIBUTE",
    "MSP_IDS",
    "ROLES",
    "AccessDeniedError",
    "IdentityError",
    "Actor",
    "actor_from_certificate",
    "actor_from_creator",
    "go_dn",
    "require_msp",
    "require_role",
]

#: Extension in which Fabric CA writes enrollment attributes as JSON.
ATTRS_EXTENSION_OID = ObjectIdentifier("1.2.3.4.5.6.7.8.1")
#: Certificate attribute that carries an envalue role.
ROLE_ATTRIBUTE = "role"

#: MSP IDs of the consortium.
MSP_IDS: frozenset[str] = frozenset({"PlatformMSP", "MarketMSP", "MunicipalityMSP", "CustomerMSP"})
#: Roles that certificates may carry in the `role` attribute.
ROLES: frozenset[str] = frozenset(
    {"operator", "verifier", "customer", "municipality", "bridge", "auditor"}
)

# Go's pkix.Name.ToRDNSequence() emits the attribute types it knows in this
# order; getDN() then walks the sequence backwards.
_GO_RDN_ORDER: tuple[tuple[ObjectIdentifier, str], ...] = (
    (NameOID.COUNTRY_NAME, "C"),
    (NameOID.STATE_OR_PROVINCE_NAME, "ST"),
    (NameOID.LOCALITY_NAME, "L"),
    (NameOID.STREET_ADDRESS, "STREET"),
    (NameOID.POSTAL_CODE, "POSTALCODE"),
    (NameOID.ORGANIZATION_NAME, "O"),
    (NameOID.ORGANIZATIONAL_UNIT_NAME, "OU"),
    (NameOID.COMMON_NAME, "CN"),
    (NameOID.SERIAL_NUMBER, "SERIALNUMBER"),
)
# Go keeps only the last value of these single-valued fields.
_GO_SINGLE_VALUED = frozenset({NameOID.COMMON_NAME, NameOID.SERIAL_NUMBER})
_RFC2253_SPECIALS = frozenset(',+"\\<>;')


class IdentityError(ValueError):
    """The creator bytes or certificate cannot be turned into an `Actor`."""


class AccessDeniedError(PermissionError):
    """The calling identity lacks the MSP or role a function requires.

    `actor_key` is the identity as ``<MSP>/<id>``, the form domain refusals name an actor
    in (the contracts send this refusal as a `ForbiddenError` on field ``actor``).
    """

    def __init__(self, message: str, *, actor_key: str | None = None) -> None:
        super().__init__(message)
        self.actor_key = actor_key


@dataclass(frozen=True)
class Actor:
    """The identity that created a transaction proposal."""

    msp_id: str
    id: str
    attrs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def role(self) -> str | None:
        """The envalue role attribute, or None when the certificate has none."""
        return self.attrs.get(ROLE_ATTRIBUTE)

    @property
    def owner_key(self) -> str:
        """The holder key of this identity: `<msp id>/<Go-style client id>`."""
        return f"{self.msp_id}/{self.id}"

    @property
    def go_id_base64(self) -> str:
        """`id` base64-encoded, exactly what Go's `cid.GetID()` returns."""
        return base64.b64encode(self.id.encode("utf-8")).decode("ascii")


def go_dn(name: x509.Name) -> str:
    """Format a distinguished name the way fabric-chaincode-go's cid does."""
    values: dict[ObjectIdentifier, list[str]] = {}
    for attribute in name:
        value = attribute.value
        text = value if isinstance(value, str) else value.decode("utf-8", "replace")
        if attribute.oid in _GO_SINGLE_VALUED:
            values[attribute.oid] = [text] if text else []
        else:
            values.setdefault(attribute.oid, []).append(text)
    rdns = [
        "+".join(f"{label}={_escape_dn_value(v)}" for v in values[oid])
        for oid, label in _GO_RDN_ORDER
        if values.get(oid)
    ]
    return ",".join(reversed(rdns))


def _escape_dn_value(value: str) -> str:
    """RFC 2253 escaping as Go's getDN does it (specials, leading `#`/space, trailing space)."""
    out: list[str] = []
    last = len(value) - 1
    for index, char in enumerate(value):
        edge = (index == 0 and char in " #") or (index == last and char == " ")
        if edge or char in _RFC2253_SPECIALS:
            out.append("\\")
        out.append(char)
    return "".join(out)


def _certificate_attrs(certificate: x509.Certificate) -> Mapping[str, str]:
    """Fabric CA attributes from extension 1.2.3.4.5.6.7.8.1, or an empty mapping."""
    try:
        extension = certificate.extensions.get_extension_for_oid(ATTRS_EXTENSION_OID)
    except x509.ExtensionNotFound:
        return MappingProxyType({})
    raw = extension.value
    data = raw.value if isinstance(raw, x509.UnrecognizedExtension) else b""
    try:
        decoded = json.loads(data)
    except ValueError as exc:
        raise IdentityError(f"certificate attribute extension is not JSON: {exc}") from exc
    attrs = decoded.get("attrs") if isinstance(decoded, dict) else None
    if not isinstance(attrs, dict):
        raise IdentityError('certificate attribute extension lacks an "attrs" object')
    return MappingProxyType({str(k): str(v) for k, v in attrs.items()})


def actor_from_certificate(msp_id: str, certificate_pem: bytes) -> Actor:
    """Build an `Actor` from an MSP ID and a PEM certificate."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem)
    except ValueError as exc:
        raise IdentityError(f"creator of {msp_id} is not an X.509 PEM certificate") from exc
    actor_id = f"x509::{go_dn(certificate.subject)}::{go_dn(certificate.issuer)}"
    return Actor(msp_id=msp_id, id=actor_id, attrs=_certificate_attrs(certificate))


def actor_from_creator(creator: bytes | Mapping[str, object]) -> Actor:
    """Build an `Actor` from the proposal creator.

    Accepts serialized `msp.SerializedIdentity` bytes (what the Go shim's
    `GetCreator()` returns) or the `{"mspid", "idBytes"}` dict that the Python
    shim's `ChaincodeStub.get_creator()` returns.
    """
    if isinstance(creator, bytes | bytearray):
        identity = identities_pb2.SerializedIdentity.FromString(bytes(creator))
        msp_id, id_bytes = identity.mspid, identity.id_bytes
    else:
        msp_id, id_bytes = str(creator.get("mspid") or ""), creator.get("idBytes")
    if not msp_id or not isinstance(id_bytes, bytes | bytearray) or not id_bytes:
        raise IdentityError("transaction has no creator identity")
    return actor_from_certificate(msp_id, bytes(id_bytes))


def require_role(actor: Actor, *roles: str, function: str = "this function") -> None:
    """Raise `AccessDeniedError` unless the actor's role attribute is one of `roles`."""
    if actor.role in roles:
        return
    has = f"has role '{actor.role}'" if actor.role is not None else "has no role attribute"
    raise AccessDeniedError(
        f"access denied: identity {actor.id} of {actor.msp_id} {has}; "
        f"function {function} requires role {' or '.join(roles)}",
        actor_key=actor.owner_key,
    )


def require_msp(actor: Actor, *msp_ids: str, function: str = "this function") -> None:
    """Raise `AccessDeniedError` unless the actor belongs to one of `msp_ids`."""
    if actor.msp_id in msp_ids:
        return
    raise AccessDeniedError(
        f"access denied: identity {actor.id} of {actor.msp_id} is not a member of the "
        f"required organisations; function {function} requires MSP {' or '.join(msp_ids)}",
        actor_key=actor.owner_key,
    )

