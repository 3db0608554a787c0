"""Retirement certificates from the read model, signed by the portal's issuing identity.

Why the read model: its retirement rows are copies of the records the chaincode wrote,
decoded from committed blocks, each with the transaction id and block that wrote it, so a
certificate needs no peer (`envalue.readmodel.queries.retirement_by_serial`). The
certificate itself is built, signed and rendered by `envalue.certificates`; its QR code
opens the public verification page for its id on the portal's external base URL.

Who may download one: the holder that retired the units (the record's ``owner``), and
the Platform org's operators, who run the consortium's certificate service. Verifiers and
auditors have no wallet; anyone can check a certificate on the public verification page.

The issuing identity is ``CERTIFICATE_SIGNER`` (``ORG:USER``, e.g. ``platform:operator1``),
an identity enrolled in the network's crypto material (``<home>/orgs/<org>/users/<user>/
msp``, found as `envalue.ledger.identities` finds callers). A missing or unusable signer
is a problem naming the setting, never an unsigned document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from flask import current_app, has_request_context, request

from envalue.certificates import (
    CertificateFormatError,
    IssuingIdentity,
    RetirementCertificate,
    certificate_from_record,
    load_issuing_identity,
    render_pdf,
    sign_certificate,
)
from envalue.chaincode.domain.errors import ValidationError
from envalue.ledger.identities import parse_identity
from envalue.network.settings import NetworkSettings
from envalue.network.topology import org_by_key
from envalue.readmodel import LagStatus, lag_status
from envalue.readmodel import queries as rq

from ..db import PortalUser
from ..errors import PortalError
from ..security import require_permission
from .readmodel import ReadModelView, notices, owner_key, sessions

__all__ = ["SIGNER_SETTING", "CertificatePage", "IssuedCertificate", "Source",
           "build_certificate", "certificate_page", "external_base_url", "issuing_identity",
           "lag_sentence", "readmodel_view", "record_error", "retirement_certificate"]

SIGNER_SETTING = "CERTIFICATE_SIGNER"
BASE_URL_SETTING = "PORTAL_BASE_URL"
#: the org whose operators may open every certificate (they run the certificate service)
ISSUER_MSP = org_by_key("platform").msp_id

#: (``lot_id`` or ``batch_id``, its value): where a serial range comes from
Source = tuple[str, str]


class IssuedCertificate(NamedTuple):
    """A certificate, its signed JSON envelope and its PDF (empty when not asked for)."""

    certificate: RetirementCertificate
    envelope: dict[str, Any]
    pdf: bytes


@dataclass(frozen=True)
class CertificatePage:
    """What the certificate page shows: the certificate, whether downloads can be signed
    (`signer_problem` says why not), and the read model's freshness."""

    certificate: RetirementCertificate
    record: rq.CertificateRecord
    signer_problem: dict[str, Any] | None
    readmodel: ReadModelView


# -- settings --------------------------------------------------------------------------------

def _signer_error(detail: str, status: int = 503, value: str | None = None) -> PortalError:
    return PortalError(detail, field=SIGNER_SETTING, value=value, rule="certificate_signer",
                       http_status=status,
                       title="Service unavailable" if status == 503 else "Server error")


def _network(config: dict[str, Any]) -> NetworkSettings:
    home = config.get("NETWORK_HOME")
    try:
        return NetworkSettings.resolve(name=config.get("NETWORK_NAME"),
                                       home=Path(home) if home else None)
    except ValueError as exc:
        raise _signer_error(f"{SIGNER_SETTING}: network settings: {exc}") from exc


def issuing_identity(config: dict[str, Any]) -> IssuingIdentity:
    """The identity named by ``CERTIFICATE_SIGNER``, loaded from the network's MSP folder."""
    ref = str(config.get(SIGNER_SETTING) or "").strip()
    if not ref:
        raise _signer_error(
            f"{SIGNER_SETTING} is not set: the portal has no identity to sign certificates "
            "with; set ENVALUE_PORTAL_CERTIFICATE_SIGNER to an enrolled identity such as "
            "platform:operator1")
    settings = _network(config)
    try:
        org, user = parse_identity(ref, SIGNER_SETTING, settings.topology)
    except ValidationError as exc:
        raise _signer_error(exc.message, 500, ref) from exc
    msp = settings.layout.user(org, user) / "msp"
    if not msp.is_dir():
        raise _signer_error(
            f"{SIGNER_SETTING} {ref!r}: no identity is enrolled at {msp} (network "
            f"{settings.name!r}; `envalue network up --only cas` enrolls it)", value=ref)
    try:
        return load_issuing_identity(msp, org.msp_id)
    except (OSError, ValueError, TypeError) as exc:
        raise _signer_error(f"{SIGNER_SETTING} {ref!r}: cannot load the identity at {msp}: "
                            f"{exc}", 500, ref) from exc


def external_base_url(config: dict[str, Any]) -> str:
    """``PORTAL_BASE_URL`` (ENVALUE_PORTAL_BASE_URL), else the URL this request came in on
    (behind a proxy: with ``PROXY_HOPS`` set, the forwarded scheme and host)."""
    configured = str(config.get(BASE_URL_SETTING) or "").strip()
    if configured:
        return configured
    if has_request_context():
        return request.url_root
    raise PortalError(f"{BASE_URL_SETTING} is not set and there is no request to take the "
                      "portal's address from", field=BASE_URL_SETTING,
                      rule="portal_base_url", http_status=503, title="Service unavailable")


# -- the read model --------------------------------------------------------------------------

def lag_sentence(lag: LagStatus) -> str:
    """How far the read model has got, in one clause (for not-found problems)."""
    if lag.empty:
        return "the read model is empty: no block has been projected yet"
    if lag.behind_blocks:
        return (f"the read model is {lag.behind_blocks} blocks behind: it has projected "
                f"{lag.projected_blocks} of the channel's {lag.channel_height} blocks")
    if lag.behind_blocks is None:
        return (f"the read model has projected {lag.projected_blocks} blocks; the channel's "
                f"height is unknown (listener {lag.state})")
    return f"the read model has projected all {lag.projected_blocks} blocks of the channel"


def readmodel_view() -> ReadModelView:
    """The read model's lag and notices (the wallet's `_readmodel_notice.html` input)."""
    with sessions()() as session:
        lag = lag_status(session)
    return ReadModelView(lag, notices(lag))


def record_error(exc: rq.CertificateRecordError) -> PortalError:
    """The problem of a retirement the read model holds but cannot certify."""
    if exc.rule == rq.MIXED_METHODOLOGIES:
        return PortalError(str(exc), rule=exc.rule, http_status=501, title="Not implemented")
    return PortalError(str(exc), rule=exc.rule, http_status=503, title="Read model incomplete")


def _find(source: Source, serial: str) -> rq.CertificateRecord:
    field, source_id = source
    if field not in ("lot_id", "batch_id"):
        raise PortalError("lot_id or batch_id", field="source", value=field, rule="enum")
    with sessions()() as session:
        try:
            found = rq.retirement_by_serial(session, serial, **{field: source_id})
        except rq.CertificateRecordError as exc:
            raise record_error(exc) from exc
        lag = None if found is not None else lag_status(session)
    if found is None:
        assert lag is not None
        kind = "token lot" if field == "lot_id" else "credit batch"
        raise PortalError(f"no retirement {serial} of {kind} {source_id} is in the portal's "
                          f"read model; it may not be projected yet ({lag_sentence(lag)})",
                          field="serial", value=serial, rule="not_found", http_status=404,
                          title="Not found")
    return found


def _may_open(user: PortalUser, found: rq.CertificateRecord) -> bool:
    return found.owner == owner_key(user) or (user.role == "operator"
                                              and user.msp_id == ISSUER_MSP)


def build_certificate(found: rq.CertificateRecord, portal_base: str) -> RetirementCertificate:
    """The certificate of a read-model record; its id must be the one projected."""
    try:
        cert = certificate_from_record(found.record, portal_base=portal_base)
    except CertificateFormatError as exc:
        raise PortalError(f"retirement {found.serial}: {exc}", rule="certificate_format",
                          http_status=500, title="Server error") from exc
    if cert.certificate_id != found.certificate_id:
        raise PortalError(f"retirement {found.serial}: certificate id {cert.certificate_id} "
                          f"differs from the projected {found.certificate_id}",
                          rule="certificate_id", http_status=500, title="Server error")
    return cert


def _owned(user: PortalUser | None, source: Source, serial: str) -> rq.CertificateRecord:
    actor = require_permission(user, "wallet.view")
    found = _find(source, serial)
    if not _may_open(actor, found):
        raise PortalError(f"retirement {serial} was made by another holder; only its holder "
                          f"and {ISSUER_MSP} operators may open its certificate",
                          field="serial", value=serial, rule="not_owner", http_status=403,
                          title="Forbidden")
    return found


# -- what pages call -------------------------------------------------------------------------

def retirement_certificate(user: PortalUser | None, source: Source, serial: str, *,
                           with_pdf: bool = True) -> IssuedCertificate:
    """The signed certificate (and PDF) of the retirement `serial` of `source`, for its
    holder (see the module docstring); 404 when the read model does not have it, 403 when
    it is someone else's, 503/500 naming ``CERTIFICATE_SIGNER`` when it cannot be signed."""
    found = _owned(user, source, serial)
    config = current_app.config
    cert = build_certificate(found, external_base_url(config))
    envelope = sign_certificate(cert, issuing_identity(config))
    return IssuedCertificate(cert, envelope, render_pdf(cert, signed=envelope) if with_pdf
                             else b"")


def certificate_page(user: PortalUser | None, source: Source, serial: str) -> CertificatePage:
    """The certificate for the summary page (unsigned), and whether it can be signed."""
    found = _owned(user, source, serial)
    config = current_app.config
    cert = build_certificate(found, external_base_url(config))
    try:
        issuing_identity(config)
        problem = None
    except PortalError as exc:
        problem = exc.to_problem()
    return CertificatePage(cert, found, problem, readmodel_view())
