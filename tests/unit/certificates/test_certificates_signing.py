"""Signed JSON: sign with an MSP identity, verify offline against CA certificates."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from certificates_helpers import TestCA, token_record, write_msp

from envalue.certificates import (
    canonical_json,
    certificate_from_record,
    load_issuing_identity,
    sign_certificate,
    verify_signed_certificate,
)
from envalue.client.signers import is_low_s

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA.create()


@pytest.fixture(scope="module")
def signed(ca: TestCA) -> dict:
    return sign_certificate(certificate_from_record(token_record()), ca.issue())


def _checks(result) -> dict[str, bool]:
    return {c.name: c.passed for c in result.checks}


def test_round_trip_is_valid_and_reports_every_check(ca: TestCA, signed: dict) -> None:
    result = verify_signed_certificate(signed, [ca.pem])
    assert result.valid, result.reasons
    assert _checks(result) == dict.fromkeys(
        ["envelope", "certificate", "signature", "chain", "validity", "key_usage"], True)
    assert result.msp_id == "PlatformMSP"
    assert "CN=operator1" in result.signer_subject
    assert result.to_dict()["certificate_id"] == signed["certificate"]["certificate_id"]


def test_envelope_layout(signed: dict) -> None:
    sig = signed["signature"]
    assert sig["alg"] == "ES256" and sig["msp_id"] == "PlatformMSP"
    assert sig["signer_cert"].startswith("-----BEGIN CERTIFICATE-----")
    import base64
    assert is_low_s(base64.b64decode(sig["value"]))
    assert set(sig["field_digests"]) == set(signed["certificate"])


def test_survives_reformatting_and_a_json_round_trip(ca: TestCA, signed: dict) -> None:
    reparsed = json.loads(json.dumps(signed, indent=4, ensure_ascii=True))
    assert verify_signed_certificate(reparsed, [ca.pem]).valid


def test_changed_beneficiary_is_named(ca: TestCA, signed: dict) -> None:
    doc = copy.deepcopy(signed)
    doc["certificate"]["beneficiary"] = "別の会社"
    result = verify_signed_certificate(doc, [ca.pem])
    assert not result.valid
    assert result.reasons == [
        "signature: the certificate was altered after signing: changed beneficiary"]


def test_changed_quantity_is_named_and_inconsistent(ca: TestCA, signed: dict) -> None:
    doc = copy.deepcopy(signed)
    doc["certificate"]["quantity_kg"] = 12500
    result = verify_signed_certificate(doc, [ca.pem])
    assert not result.valid
    assert "signature: the certificate was altered after signing: changed quantity_kg" in (
        result.reasons)
    assert any("12500 differs from the 1250 kg-CO2e" in r for r in result.reasons)


def test_consistent_rewrite_of_several_fields_names_them_all(ca: TestCA, signed: dict) -> None:
    doc = copy.deepcopy(signed)
    cert = doc["certificate"]
    cert["quantity_kg"], cert["quantity_t"] = 2500, "2.500"
    cert["serial_ranges"][0]["last"] = 2500
    result = verify_signed_certificate(doc, [ca.pem])
    assert _checks(result)["certificate"]  # self-consistent, so only the signature fails
    assert result.reasons == ["signature: the certificate was altered after signing: changed "
                              "quantity_kg, quantity_t, serial_ranges"]


def test_tampered_manifest_still_fails_without_naming_fields(ca: TestCA, signed: dict) -> None:
    doc = copy.deepcopy(signed)
    doc["certificate"]["beneficiary"] = "X"
    doc["signature"]["field_digests"]["beneficiary"] = "sha256:00"
    result = verify_signed_certificate(doc, [ca.pem])
    assert result.reasons == ["signature: the signature does not match the certificate "
                              "(altered content or another signer's signature)"]


def test_float_in_document_is_refused(ca: TestCA, signed: dict) -> None:
    doc = copy.deepcopy(signed)
    doc["certificate"]["quantity_kg"] = 1250.0
    result = verify_signed_certificate(doc, [ca.pem])
    assert not result.valid
    assert any("certificate: $.quantity_kg: 1250.0 is a float" in r for r in result.reasons)


def test_foreign_ca_is_unknown(signed: dict) -> None:
    other = TestCA.create("ca.other.example")
    result = verify_signed_certificate(signed, [other.pem])
    assert not result.valid
    assert _checks(result) == {"envelope": True, "certificate": True, "signature": True,
                               "chain": False, "validity": True, "key_usage": True}
    assert "was not issued by any trusted CA certificate (unknown CA)" in result.reasons[0]


def test_same_name_different_key_is_not_trusted(signed: dict) -> None:
    impostor = TestCA.create()  # same subject name as the real CA, another key
    result = verify_signed_certificate(signed, [impostor.pem])
    assert not _checks(result)["chain"]


def test_signature_by_another_identity_of_the_same_ca(ca: TestCA, signed: dict) -> None:
    doc = copy.deepcopy(signed)
    doc["signature"]["signer_cert"] = ca.issue("verifier1").cert_pem.decode()
    result = verify_signed_certificate(doc, [ca.pem])
    assert not result.valid
    assert _checks(result)["chain"] and not _checks(result)["signature"]


def test_expired_signer(ca: TestCA) -> None:
    now = datetime.now(UTC)
    identity = ca.issue(not_before=now - timedelta(days=30), not_after=now - timedelta(days=1))
    doc = sign_certificate(certificate_from_record(token_record()), identity)
    result = verify_signed_certificate(doc, [ca.pem])
    assert not result.valid
    assert len(result.reasons) == 1
    assert result.reasons[0].startswith("validity: signer certificate expired on ")


def test_validity_is_checked_at_the_given_time(ca: TestCA, signed: dict) -> None:
    later = datetime.now(UTC) + timedelta(days=400)
    result = verify_signed_certificate(signed, [ca.pem], at=later)
    assert result.reasons[0].startswith("validity: signer certificate expired on ")
    earlier = datetime.now(UTC) - timedelta(days=2)
    result = verify_signed_certificate(signed, [ca.pem], at=earlier)
    assert "not valid before" in result.reasons[0]


def test_signer_without_digital_signature_usage(ca: TestCA) -> None:
    identity = ca.issue(digital_signature=False)
    doc = sign_certificate(certificate_from_record(token_record()), identity)
    result = verify_signed_certificate(doc, [ca.pem])
    assert result.reasons == [
        "key_usage: signer certificate: KeyUsage does not include digitalSignature"]


def test_msp_binding_when_cas_are_given_per_msp(ca: TestCA, signed: dict) -> None:
    assert verify_signed_certificate(signed, {"PlatformMSP": [ca.pem]}).valid
    doc = copy.deepcopy(signed)
    doc["signature"]["msp_id"] = "MunicipalityMSP"  # not covered by the signature: bound here
    result = verify_signed_certificate(doc, {"PlatformMSP": [ca.pem]})
    assert result.reasons == [
        "chain: msp_id 'MunicipalityMSP' is not the MSP of the issuing CA (PlatformMSP)"]


@pytest.mark.parametrize(("mutate", "reason"), [
    (lambda d: d.pop("signature"), "envelope: expected an object with 'certificate'"),
    (lambda d: d["signature"].update(alg="RS256"), "envelope: signature alg 'RS256'"),
    (lambda d: d["signature"].update(signer_cert="junk"), "envelope: signature.signer_cert"),
    (lambda d: d["signature"].update(value="%%%"), "signature: the signature value is corrupt"),
])
def test_malformed_envelopes(ca: TestCA, signed: dict, mutate, reason: str) -> None:
    doc = copy.deepcopy(signed)
    mutate(doc)
    result = verify_signed_certificate(doc, [ca.pem])
    assert not result.valid
    assert result.reasons[0].startswith(reason)


def test_signing_identity_from_an_msp_folder(ca: TestCA, tmp_path: Path) -> None:
    identity, key = ca.issue_pair("operator1")
    folder = write_msp(identity, key, tmp_path / "msp")
    loaded = load_issuing_identity(folder, "PlatformMSP")
    doc = sign_certificate(certificate_from_record(token_record()), loaded)
    assert verify_signed_certificate(doc, [ca.pem]).valid
    assert canonical_json(doc["certificate"]) == canonical_json(
        certificate_from_record(token_record()).to_dict())


def test_msp_folder_with_a_foreign_key_is_refused(ca: TestCA, tmp_path: Path) -> None:
    identity, _ = ca.issue_pair()
    _, other_key = ca.issue_pair()
    folder = write_msp(identity, other_key, tmp_path / "msp")
    with pytest.raises(ValueError, match="does not belong to the signcerts certificate"):
        load_issuing_identity(folder, "PlatformMSP")
