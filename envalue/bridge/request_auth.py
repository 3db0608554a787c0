"""Checking a signed bridge request: who sent it, and that it is fresh and intact.

The caller's certificate must chain to the root CA of exactly one configured MSP (the
consortium orgs' CAs and the partner CAs the Market org registered); its MSP is that one,
its role the Fabric CA ``role`` attribute (parsed by `envalue.chaincode.identity`), and its
holder key the one chaincode uses (``<msp>/x509::<subject>::<issuer>``). The timestamp must
lie within a window of the server clock and the signature must cover the canonical string
(`signing.canonical_request`), so a changed body, path, query, id or time is refused.

Framework-free: the web API (`envalue.webapp.bridge_api`) passes the request's parts in.
Refusals are `RequestAuthError` (HTTP 401), a `DomainError` naming field, value and rule.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import DomainError, ForbiddenError
from envalue.chaincode.domain.proofs.x509chain import (
    ChainError,
    is_ca,
    load_certificate,
    verify_chain,
)
from envalue.chaincode.identity import Actor, IdentityError, actor_from_certificate

from .signing import (
    CERTIFICATE_HEADER,
    REQUEST_ID_HEADER,
    REQUEST_ID_PATTERN,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    canonical_request,
)

__all__ = ["DEFAULT_WINDOW_SECONDS", "Caller", "RequestAuthError", "TrustRoots",
           "require_role", "verify_request"]

DEFAULT_WINDOW_SECONDS = 300
_MAX_CERTIFICATE_BYTES = 16 * 1024
_MAX_SIGNATURE_BYTES = 160


class RequestAuthError(DomainError):
    """The request is not signed by a trusted identity (HTTP 401)."""

    http_status = 401
    exit_code = 5


@dataclass(frozen=True)
class TrustRoots:
    """Per MSP ID, the root and intermediate CA certificates whose identities may call."""

    msps: Mapping[str, tuple[tuple[x509.Certificate, ...], tuple[x509.Certificate, ...]]]

    @classmethod
    def from_pems(cls, roots: Mapping[str, Sequence[bytes | str]],
                  intermediates: Mapping[str, Sequence[bytes | str]] | None = None
                  ) -> TrustRoots:
        """Load PEM certificates (`ChainError` when one is not a CA certificate)."""
        msps = {}
        for msp_id, pems in roots.items():
            loaded = tuple(load_certificate(p) for p in pems)
            middle = tuple(load_certificate(p) for p in (intermediates or {}).get(msp_id, ()))
            for cert in loaded + middle:
                if not is_ca(cert):
                    raise ChainError(f"trust root of {msp_id} {cert.subject.rfc4514_string()} "
                                     "is not a CA certificate")
            msps[msp_id] = (loaded, middle)
        return cls(msps)

    def msp_of(self, leaf: x509.Certificate, at: datetime) -> str:
        """The one MSP whose roots issued `leaf` (`ChainError` when none or several)."""
        matches, reasons = [], []
        for msp_id, (roots, intermediates) in sorted(self.msps.items()):
            try:
                verify_chain(leaf, roots, intermediates, at)
            except ChainError as exc:
                reasons.append(f"{msp_id}: {exc}")
                continue
            matches.append(msp_id)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ChainError(f"certificate chains to the roots of several MSPs "
                             f"({', '.join(matches)})")
        if not self.msps:
            raise ChainError("no trust roots are configured")
        raise ChainError(f"certificate {leaf.subject.rfc4514_string()} is not issued by a "
                         f"trusted CA ({len(self.msps)} MSPs checked)")


@dataclass(frozen=True)
class Caller:
    """The verified sender of a request."""

    actor: Actor
    certificate_pem: bytes
    request_id: str
    timestamp: datetime

    @property
    def msp_id(self) -> str:
        return self.actor.msp_id

    @property
    def role(self) -> str | None:
        return self.actor.role

    @property
    def owner_key(self) -> str:
        """The holder key chaincode derives for this identity (`TxContext.owner_key`)."""
        return TxContext("", self.timestamp, self.actor).owner_key


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if not value:
        raise RequestAuthError(name, None, "signature-header-missing",
                               f"the signed-request header {name} is required")
    return value


def _b64(value: str, name: str, limit: int) -> bytes:
    if len(value) > limit * 4 // 3 + 4:
        raise RequestAuthError(name, None, "size", f"exceeds {limit} bytes")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RequestAuthError(name, None, "base64", "is not valid base64") from exc


def _timestamp(text: str, now: datetime, window: int) -> datetime:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise RequestAuthError(TIMESTAMP_HEADER, text, "timestamp",
                               "must be an RFC 3339 time with a zone, e.g. "
                               "2026-11-28T14:00:00Z")
    skew = abs((now - when).total_seconds())
    if skew > window:
        raise RequestAuthError(TIMESTAMP_HEADER, text, "stale-timestamp",
                               f"is {skew:.0f} s away from the server time "
                               f"{now.isoformat()}; at most {window} s are accepted")
    return when


def verify_request(*, method: str, path: str, query: str | bytes, body: bytes,
                   headers: Mapping[str, str], roots: TrustRoots, now: datetime,
                   window_seconds: int = DEFAULT_WINDOW_SECONDS) -> Caller:
    """The verified caller of a request, or `RequestAuthError` saying what failed."""
    request_id = _header(headers, REQUEST_ID_HEADER)
    stamp = _header(headers, TIMESTAMP_HEADER)
    cert_b64 = _header(headers, CERTIFICATE_HEADER)
    signature_b64 = _header(headers, SIGNATURE_HEADER)
    if not REQUEST_ID_PATTERN.match(request_id):
        raise RequestAuthError(REQUEST_ID_HEADER, request_id[:140], "request-id",
                               f"must match {REQUEST_ID_PATTERN.pattern}")
    when = _timestamp(stamp, now, window_seconds)
    pem = _b64(cert_b64, CERTIFICATE_HEADER, _MAX_CERTIFICATE_BYTES)
    try:
        leaf = load_certificate(pem)
        if is_ca(leaf):
            raise ChainError("a CA certificate cannot sign requests")
        msp_id = roots.msp_of(leaf, now)
    except ChainError as exc:
        raise RequestAuthError(CERTIFICATE_HEADER, None, "untrusted-certificate",
                               str(exc)) from exc
    signature = _b64(signature_b64, SIGNATURE_HEADER, _MAX_SIGNATURE_BYTES)
    message = canonical_request(method, path, query, body, request_id, stamp)
    key = leaf.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)  # verify_chain admits P-256 only
    try:
        key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise RequestAuthError(SIGNATURE_HEADER, None, "bad-signature",
                               "does not verify over this request with the certificate's "
                               "key (method, path, query, body, id and time are signed)"
                               ) from exc
    try:
        actor = actor_from_certificate(msp_id, leaf.public_bytes(serialization.Encoding.PEM))
    except IdentityError as exc:
        raise RequestAuthError(CERTIFICATE_HEADER, None, "identity", str(exc)) from exc
    return Caller(actor, pem, request_id, when)


def require_role(caller: Caller, roles: Sequence[str], action: str) -> None:
    """`ForbiddenError` (403) unless the caller's role attribute is one of `roles`."""
    if caller.role in roles:
        return
    has = f"role {caller.role!r}" if caller.role is not None else "no role attribute"
    raise ForbiddenError("role", caller.role, "role",
                         f"{caller.owner_key} of {caller.msp_id} has {has}; {action} "
                         f"requires role {' or '.join(roles)}")
