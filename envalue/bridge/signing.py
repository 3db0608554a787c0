"""Signed requests to the bridge API: the canonical string, and the headers that carry it.

Why signatures and not bearer tokens: the bridge API is called by partner ledgers' operators
who hold Fabric identities (a certificate from their org's CA and its P-256 key) but no
portal account. Each request proves who sent it and that nothing was changed on the way:

    envalue-bridge-v1
    <METHOD>
    <path, percent-encoded>
    <query: pairs sorted, percent-encoded, joined with &>
    <hex SHA-256 of the body>
    <X-Request-Id>
    <X-Timestamp>

joined with ``\\n`` and signed with ECDSA P-256 / SHA-256 (DER). The certificate travels
base64-encoded (its PEM) in `CERTIFICATE_HEADER`, the signature base64 in
`SIGNATURE_HEADER`. This module is the one definition of that string: partner operators
call `sign_request`, the server calls `canonical_request` (see `request_auth`).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = [
    "CERTIFICATE_HEADER",
    "REQUEST_ID_HEADER",
    "REQUEST_ID_PATTERN",
    "SCHEME",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "canonical_query",
    "canonical_request",
    "format_timestamp",
    "new_request_id",
    "sign_request",
]

SCHEME = "envalue-bridge-v1"
REQUEST_ID_HEADER = "X-Request-Id"
TIMESTAMP_HEADER = "X-Timestamp"
CERTIFICATE_HEADER = "X-Envalue-Certificate"
SIGNATURE_HEADER = "X-Envalue-Signature"
#: Request ids: 1-128 characters that need no escaping anywhere.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_UNRESERVED = "-._~"


def _encode(text: str) -> str:
    return quote(text, safe=_UNRESERVED)


def canonical_query(query: str | bytes) -> str:
    """The query string's pairs, decoded, sorted and re-encoded (RFC 3986 unreserved)."""
    text = query.decode("latin-1") if isinstance(query, bytes) else query
    pairs = parse_qsl(text, keep_blank_values=True)
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def _canonical_path(path: str) -> str:
    return quote(unquote(path), safe="/" + _UNRESERVED)


def canonical_request(method: str, path: str, query: str | bytes, body: bytes,
                      request_id: str, timestamp: str) -> bytes:
    """The bytes a request's signature covers (see the module docstring)."""
    lines = (SCHEME, method.upper(), _canonical_path(path), canonical_query(query),
             hashlib.sha256(body).hexdigest(), request_id, timestamp)
    return "\n".join(lines).encode("utf-8")


def format_timestamp(when: datetime) -> str:
    """RFC 3339 in UTC with whole seconds and a ``Z`` (what `TIMESTAMP_HEADER` carries)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_request_id() -> str:
    return secrets.token_hex(16)


def sign_request(key: ec.EllipticCurvePrivateKey, certificate_pem: bytes, method: str,
                 url: str, body: bytes = b"", *, request_id: str | None = None,
                 timestamp: datetime | None = None) -> dict[str, str]:
    """Headers that authenticate one request to the bridge API.

    `url` is the path with an optional query (``/bridge/v1/events?after=3``) or a full URL;
    `body` the exact bytes sent. A new random request id is used unless one is given: give
    the same id again to retry a request idempotently.
    """
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve,
                                                                        ec.SECP256R1):
        raise ValueError("bridge requests are signed with an ECDSA P-256 key")
    rid = request_id or new_request_id()
    if not REQUEST_ID_PATTERN.match(rid):
        raise ValueError(f"request id {rid!r} does not match {REQUEST_ID_PATTERN.pattern}")
    stamp = format_timestamp(timestamp or datetime.now(UTC))
    parts = urlsplit(url)
    message = canonical_request(method, parts.path, parts.query, body, rid, stamp)
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    return {
        REQUEST_ID_HEADER: rid,
        TIMESTAMP_HEADER: stamp,
        CERTIFICATE_HEADER: base64.b64encode(certificate_pem).decode("ascii"),
        SIGNATURE_HEADER: base64.b64encode(signature).decode("ascii"),
    }

