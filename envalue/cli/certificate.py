"""`envalue certificate render|verify`: retirement certificates as PDF and signed JSON.

``render`` reads a record file (a retirement record, its lot or credit batch and the
ledger facts of its transaction; see `envalue.certificates.records`), signs the
certificate with an identity from an MSP folder and writes the PDF and the signed JSON.
``verify`` checks a signed JSON offline against CA certificates: exit 0 when valid, 1 with
the reasons when not, 2 when the input cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from envalue.certificates import (
    CertificateFormatError,
    certificate_from_record,
    load_issuing_identity,
    render_pdf,
    sign_certificate,
    verify_signed_certificate,
)
from envalue.cli._output import fail, print_json

__all__ = ["command"]


@click.group("certificate")
def command() -> None:
    """Retirement certificates: render (PDF + signed JSON) and verify offline."""


def _read_json(path: Path, what: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        fail(f"{path}: cannot read {what}: {err}", exit_code=2)
    if not isinstance(data, dict):
        fail(f"{path}: {what} must be a JSON object", exit_code=2)
    return data


@command.command("render")
@click.option("--input", "input_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Record JSON: retirement, lot, ledger facts (and credit_use).")
@click.option("--signer-msp", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="MSP folder of the issuing identity (signcerts/ and keystore/).")
@click.option("--msp-id", required=True, help="MSP ID of the issuing identity, e.g. PlatformMSP.")
@click.option("--portal-base", envvar="ENVALUE_PORTAL_URL",
              help="Portal base URL for the verification link (else the record's portal_base).")
@click.option("--out-pdf", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out-json", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
def render(input_path: Path, signer_msp: Path, msp_id: str, portal_base: str | None,
           out_pdf: Path, out_json: Path, as_json: bool) -> None:
    """Sign a retirement certificate and write it as PDF and signed JSON."""
    record = _read_json(input_path, "the retirement record")
    try:
        cert = certificate_from_record(record, portal_base=portal_base)
    except CertificateFormatError as err:
        fail(f"{input_path}: {err}", exit_code=2)
    try:
        identity = load_issuing_identity(signer_msp, msp_id)
    except (OSError, ValueError, TypeError) as err:
        fail(f"--signer-msp {signer_msp}: {err}", exit_code=2)
    signed = sign_certificate(cert, identity)
    out_json.write_text(json.dumps(signed, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                        encoding="utf-8")
    out_pdf.write_bytes(render_pdf(cert, signed=signed))
    summary = {"certificate_id": cert.certificate_id, "verification_url": cert.verification_url,
               "pdf": str(out_pdf), "json": str(out_json), "msp_id": msp_id}
    if as_json:
        print_json(summary)
    else:
        click.echo(f"certificate {cert.certificate_id}: {out_pdf}, {out_json}")
        click.echo(f"verify at {cert.verification_url}")


@command.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ca", "cas", multiple=True, required=True,
              help="Trusted CA certificate PEM file; repeatable. MSPID=FILE binds the signer's "
                   "MSP to that CA.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
def verify(file: Path, cas: tuple[str, ...], as_json: bool) -> None:
    """Verify a signed certificate JSON offline against the consortium's CA certificates."""
    doc = _read_json(file, "the signed certificate")
    plain: list[bytes] = []
    per_msp: dict[str, list[bytes]] = {}
    for spec in cas:
        msp, sep, path = spec.partition("=")
        if not sep:
            msp, path = "", spec
        try:
            pem = Path(path).read_bytes()
        except OSError as err:
            fail(f"--ca {spec}: {err}", exit_code=2)
        (per_msp.setdefault(msp, []) if msp else plain).append(pem)
    if per_msp and plain:
        fail("--ca: give every CA as MSPID=FILE or none of them", exit_code=2)
    try:
        result = verify_signed_certificate(doc, per_msp or plain)
    except ValueError as err:  # an unreadable CA file
        fail(f"--ca: {err}", exit_code=2)
    if as_json:
        print_json(result.to_dict())
    else:
        cert_id = result.certificate.certificate_id if result.certificate else "?"
        if result.valid:
            click.echo(f"valid: {cert_id} signed by {result.signer_subject} ({result.msp_id})")
        for check in result.checks:
            mark = "ok " if check.passed else "FAIL"
            click.echo(f"  [{mark}] {check.name}: {check.detail}")
        if not result.valid:
            click.echo(f"invalid: {cert_id}: " + "; ".join(result.reasons), err=True)
    raise SystemExit(0 if result.valid else 1)
