"""Retirement certificates: the model, signed JSON, offline verification and the PDF.

Input is a retirement record plus the ledger facts of its transaction
(`certificate_from_record`); output is a signed JSON envelope (`sign_certificate`) that
anyone holding the consortium's CA certificates can check (`verify_signed_certificate`),
and a one-page PDF with a QR code to the portal's verification page (`render_pdf`).
"""

from __future__ import annotations

from .canonical import CanonicalJSONError, canonical_json
from .model import (
    CERTIFICATE_SCHEMA,
    CertificateFormatError,
    CreditUse,
    Holder,
    Methodology,
    RetirementCertificate,
    SerialRange,
    Site,
    t_co2e,
    verification_url,
)
from .pdf import render_pdf
from .records import certificate_from_record, certificate_id_for
from .signing import IssuingIdentity, load_issuing_identity, sign_certificate
from .verify import Check, VerificationResult, verify_signed_certificate

__all__ = [
    "CERTIFICATE_SCHEMA",
    "CanonicalJSONError",
    "CertificateFormatError",
    "Check",
    "CreditUse",
    "Holder",
    "IssuingIdentity",
    "Methodology",
    "RetirementCertificate",
    "SerialRange",
    "Site",
    "VerificationResult",
    "canonical_json",
    "certificate_from_record",
    "certificate_id_for",
    "load_issuing_identity",
    "render_pdf",
    "sign_certificate",
    "t_co2e",
    "verification_url",
    "verify_signed_certificate",
]
