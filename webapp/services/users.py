"""Portal users: provisioning from a Fabric CA or an MSP folder, sign-in, API tokens.

A portal user is one Fabric identity: its certificate (public) and its private key
(sealed with `webapp.keyseal`). The role shown and enforced by the portal is read from the
certificate's ``role`` attribute when the identity is provisioned, never typed in.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.orm import Session

from envalue.client import (
    AttributeRequest,
    CAClient,
    CAError,
    EcdsaSigner,
    Enrollment,
    certificate_attributes,
)
from envalue.network.settings import NetworkSettings
from envalue.network.topology import PEER_ORGS, ROLE_ATTRIBUTE, ROLES, org_by_key

from .. import audit
from ..db import ApiToken, PortalUser
from ..errors import PortalError
from ..keyseal import open_key, seal_key
from ..security import token_sha256

__all__ = ["ProvisionedUser", "authenticate", "create_api_token", "enroll_at_ca",
           "key_secret", "list_users", "load_msp_folder", "portal_username", "provision",
           "session_epoch", "signer_for"]

_hasher = PasswordHasher()
#: Checked against when the username is unknown, so timing does not tell users apart.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 10


def key_secret(config: dict[str, Any]) -> str:
    """The secret sealing private keys: its own setting, else derived from SECRET_KEY."""
    own = str(config.get("KEY_ENCRYPTION_SECRET") or "")
    if own:
        return own
    return hmac.new(str(config["SECRET_KEY"]).encode(), b"envalue-portal-key-sealing",
                    hashlib.sha256).hexdigest()


def session_epoch(user: PortalUser) -> str:
    """Changes with the password: sessions signed before a change stop working."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def portal_username(user: str, org_key: str) -> str:
    """``operator1@platform``: enrollment ids repeat across orgs, portal names must not."""
    return f"{user}@{org_key}"


@dataclass(frozen=True)
class ProvisionedUser:
    username: str
    msp_id: str
    role: str
    enrollment_id: str
    not_after: str


def _role_of(cert_pem: bytes) -> str:
    role = certificate_attributes(cert_pem).get(ROLE_ATTRIBUTE, "")
    if role not in ROLES:
        raise PortalError(
            f"the certificate carries no usable {ROLE_ATTRIBUTE!r} attribute "
            f"(found {role!r}; expected one of {', '.join(ROLES)})",
            field="certificate", value=role, rule="role_attribute")
    return role


def _check_pair(cert_pem: bytes, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    cert = x509.load_pem_x509_certificate(cert_pem)
    public = cert.public_key()
    fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if public.public_bytes(*fmt) != key.public_key().public_bytes(*fmt):
        raise PortalError("the private key does not belong to the certificate",
                          field="keystore", rule="key_matches_certificate")
    return cert


def provision(db: Session, *, org_key: str, enrollment_id: str, cert_pem: bytes,
              private_key: ec.EllipticCurvePrivateKey, password: str, secret: str,
              actor: str = "cli", replace: bool = False,
              username: str | None = None) -> ProvisionedUser:
    """Store (or with `replace`, update) a portal user for an enrolled identity."""
    org = org_by_key(org_key)
    if org not in PEER_ORGS:
        raise PortalError(f"{org.msp_id} has no portal users", field="org", value=org_key,
                          rule="peer_org")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PortalError(f"at least {MIN_PASSWORD_LENGTH} characters", field="password",
                          rule="min_length")
    cert = _check_pair(cert_pem, private_key)
    role = _role_of(cert_pem)
    name = username or portal_username(enrollment_id, org.key)
    user = db.scalar(select(PortalUser).where(PortalUser.username == name))
    if user is not None and not replace:
        audit.record(db, actor=actor, action="portal.provision", target=name,
                     outcome="refused", detail="exists", msp_id=org.msp_id)
        raise PortalError(f"portal user {name!r} exists (use --replace to re-enroll)",
                          field="user", value=name, rule="unique", http_status=409)
    if user is None:
        user = PortalUser(username=name)
        db.add(user)
    user.org_key = org.key
    user.msp_id = org.msp_id
    user.enrollment_id = enrollment_id
    user.role = role
    user.password_hash = _hasher.hash(password)
    user.cert_pem = cert_pem.decode()
    user.key_sealed = seal_key(private_key, secret=secret, username=name, msp_id=org.msp_id)
    user.cert_not_after = cert.not_valid_after_utc
    user.disabled = False
    db.commit()
    audit.record(db, actor=actor, action="portal.provision", target=name, outcome="ok",
                 detail=f"role={role} from certificate; enrollment_id={enrollment_id}",
                 msp_id=org.msp_id)
    return ProvisionedUser(name, org.msp_id, role, enrollment_id,
                           cert.not_valid_after_utc.isoformat())


def load_msp_folder(msp_dir: Path) -> tuple[bytes, ec.EllipticCurvePrivateKey]:
    """Certificate and key of an enrolled MSP folder (signcerts/, keystore/)."""
    certs = sorted((msp_dir / "signcerts").glob("*.pem"))
    keys = sorted(p for p in (msp_dir / "keystore").glob("*") if p.is_file())
    if len(certs) != 1 or len(keys) != 1:
        raise PortalError(f"{msp_dir}: expected one certificate in signcerts/ and one key "
                          "in keystore/", field="msp_dir", value=str(msp_dir), rule="msp_layout")
    key = serialization.load_pem_private_key(keys[0].read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise PortalError("the MSP key is not an EC key", field="msp_dir", rule="ec_key")
    return certs[0].read_bytes(), key


def enroll_at_ca(settings: NetworkSettings, org_key: str, enrollment_id: str, *,
                 role: str | None = None) -> Enrollment:
    """Register (when new) and enroll `enrollment_id` at the org's Fabric CA.

    The registrar is the CA's bootstrap admin; an identity the network already registered
    (its secret beside its MSP) is enrolled again with a fresh key pair. A new identity
    needs `role`, granted as the certificate's ``role`` attribute.
    """
    from envalue.network.cas import ca_url

    org = org_by_key(org_key)
    layout = settings.layout
    secret_file = layout.user(org, enrollment_id) / "enrollment.secret"
    admin_secret_file = layout.ca_home(org) / "bootstrap-admin.secret"
    try:
        admin_secret = admin_secret_file.read_text().strip()
    except OSError as exc:
        raise PortalError(f"{admin_secret_file}: {exc.strerror}; is the network's CA tier "
                          "up (`envalue network up --only cas`)?", field="org",
                          value=org_key, rule="ca_bootstrap_secret") from exc
    with CAClient(ca_url(settings.ports, org), tls_verify=layout.ca_cert(org),
                  ca_name=org.ca_name) as ca:
        try:
            if secret_file.exists():
                secret = secret_file.read_text().strip()
            else:
                if role not in ROLES:
                    raise PortalError(f"a new identity needs --role (one of {', '.join(ROLES)})",
                                      field="role", value=role, rule="role")
                registrar = ca.enroll("admin", admin_secret)
                secret = ca.register(registrar, enrollment_id, type="client",
                                     affiliation=org.key, attrs={ROLE_ATTRIBUTE: role})
            return ca.enroll(enrollment_id, secret,
                             attr_reqs=[AttributeRequest(ROLE_ATTRIBUTE)])
        except CAError as exc:
            raise PortalError(f"{org.ca_name}: {exc}", field="user", value=enrollment_id,
                              rule="ca_enrollment", http_status=502) from exc


def authenticate(db: Session, username: str, password: str) -> PortalUser | None:
    """The user when the password matches (rehashing old parameters); None otherwise."""
    user = db.scalar(select(PortalUser).where(PortalUser.username == username))
    if user is None or user.disabled:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.commit()
    return user


def signer_for(user: PortalUser, secret: str) -> EcdsaSigner:
    """The user's signer, with the key opened in server memory only."""
    key = open_key(user.key_sealed, secret=secret, username=user.username, msp_id=user.msp_id)
    return EcdsaSigner(key)


def create_api_token(db: Session, user: PortalUser, label: str = "") -> str:
    """A new bearer token for `user`; only its SHA-256 is stored, the token is shown once."""
    token = "evt_" + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_sha256=token_sha256(token), label=label[:64]))
    db.commit()
    audit.record(db, actor=user.username, action="api_token.create", target=label,
                 outcome="ok", msp_id=user.msp_id)
    return token


def list_users(db: Session) -> list[dict[str, str]]:
    """Every portal user as JSON-ready rows (no secrets)."""
    rows = db.scalars(select(PortalUser).order_by(PortalUser.username))
    return [{"username": u.username, "msp_id": u.msp_id, "role": u.role,
             "enrollment_id": u.enrollment_id,
             "cert_not_after": u.cert_not_after.astimezone(UTC).isoformat()
             if u.cert_not_after.tzinfo else u.cert_not_after.isoformat(),
             "disabled": str(u.disabled).lower()} for u in rows]
