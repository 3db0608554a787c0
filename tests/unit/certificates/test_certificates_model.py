"""The certificate model, canonical JSON and building certificates from ledger records."""

from __future__ import annotations

import json

import pytest
from certificates_helpers import PORTAL, TX_ID, credit_record, token_record

from envalue.certificates import (
    CanonicalJSONError,
    CertificateFormatError,
    RetirementCertificate,
    canonical_json,
    certificate_from_record,
    t_co2e,
    verification_url,
)

pytestmark = pytest.mark.unit


def test_canonical_json_is_sorted_compact_utf8_and_refuses_floats() -> None:
    assert canonical_json({"b": 1, "a": ["恵那市", None, True]}) == (
        '{"a":["恵那市",null,true],"b":1}'.encode())
    with pytest.raises(CanonicalJSONError, match=r"\$\.x\[1\]: 1.5 is a float"):
        canonical_json({"x": [1, 1.5]})
    with pytest.raises(CanonicalJSONError, match="key 1 is not a string"):
        canonical_json({1: "a"})


@pytest.mark.parametrize(("kg", "t"), [
    (1, "0.001"), (1250, "1.250"), (10**15, "1000000000000.000"),
])
def test_t_co2e_is_exact(kg: int, t: str) -> None:
    assert t_co2e(kg) == t


def test_verification_url_joins_with_one_slash() -> None:
    assert verification_url(PORTAL + "/", "RC-1") == f"{PORTAL}/verify/RC-1"
    assert verification_url(PORTAL, "RC-1") == f"{PORTAL}/verify/RC-1"


def test_token_certificate_carries_every_fact_of_the_record() -> None:
    cert = certificate_from_record(token_record())
    assert cert.kind == "token"
    assert (cert.beneficiary, cert.quantity_kg, cert.quantity_t) == ("恵那市", 1250, "1.250")
    assert [(r.serial, r.source_id, r.first, r.last) for r in cert.serial_ranges] == [
        ("ENV-LOT-ENA-2025-001-1-1250", "LOT-ENA-2025-001", 1, 1250)]
    assert (cert.vintage_start, cert.vintage_end) == ("2025-04-01", "2026-03-31")
    assert (cert.methodology.name, cert.methodology.version) == ("EN-R-002", "3.0")
    assert [(s.site_id, s.equipment_id) for s in cert.sites] == [("ena-pv-300kw", "pcs-01")]
    assert (cert.purpose, cert.reporting_year) == ("japan_reporting_act", 2025)
    assert cert.retiring_holder.msp_id == "MunicipalityMSP"
    assert cert.retiring_holder.id.startswith("x509::CN=city1")
    assert (cert.tx_id, cert.block_number, cert.channel) == (TX_ID, 4711, "envalue")
    assert cert.issued_at == "2026-04-01T09:30:00+09:00"
    assert cert.certificate_id.startswith("RC-") and len(cert.certificate_id) == 23
    assert cert.verification_url == f"{PORTAL}/verify/{cert.certificate_id}"
    assert cert.credit_use is None


def test_certificate_id_is_stable_and_depends_on_the_transaction() -> None:
    first = certificate_from_record(token_record())
    assert certificate_from_record(token_record()).certificate_id == first.certificate_id
    other = token_record()
    other["ledger"]["tx_id"] = other["retirement"]["tx_id"] = "ff" * 32
    assert certificate_from_record(other).certificate_id != first.certificate_id


def test_credit_certificate_has_the_j_credit_invalidation_fields() -> None:
    cert = certificate_from_record(credit_record())
    assert cert.kind == "credit"
    assert cert.quantity_kg == 12_000 and cert.quantity_t == "12.000"
    assert cert.serial_ranges[0].unit_kg == 1000
    assert cert.credit_use is not None
    assert cert.credit_use.user_name == "株式会社恵那製作所"
    assert cert.credit_use.use == "carbon_offset_product"
    assert cert.credit_use.purpose_detail == "製品Aのカーボン・オフセット"
    assert cert.beneficiary == "株式会社恵那製作所"
    assert len(cert.sites) == 20
    assert cert.channel == "envalue"  # default when the ledger facts omit it
    assert cert.issued_at == "2026-06-01T00:00:00Z"  # the record's retired_at


def test_json_round_trip_has_integers_and_strings_only() -> None:
    cert = certificate_from_record(credit_record())
    body = cert.to_dict()
    canonical_json(body)  # no floats anywhere
    assert RetirementCertificate.from_dict(json.loads(canonical_json(body))) == cert


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda r: r["ledger"].update(tx_id="other"), "ledger.tx_id: 'other' is not the retirement"),
    (lambda r: r["ledger"].update(timestamp="2026-04-02T00:00:00Z"), "ledger.timestamp"),
    (lambda r: r["lot"].update(lot_id="LOT-X"), "lot.lot_id: 'LOT-X' is not the retirement's"),
    (lambda r: r["retirement"].update(quantity_kg=1000),
     "quantity_kg: 1000 differs from the 1250 kg-CO2e of the serial ranges"),
    (lambda r: r["retirement"].update(quantity_kg=1250.0), "quantity_kg: 1250.0 is not an integer"),
    (lambda r: r["ledger"].pop("block_number"), "ledger.block_number: missing"),
    (lambda r: r.pop("portal_base"), "portal_base: missing"),
    (lambda r: r.update(portal_base="javascript:x"), "portal_base: 'javascript:x' is not"),
    (lambda r: r["retirement"].update(owner="nobody"), "owner: 'nobody' is not"),
    (lambda r: r["lot"].update(vintage_start="2025-13-01"), "vintage.start: '2025-13-01'"),
    (lambda r: r.update(extra=1), "unknown keys for a token retirement: extra"),
])
def test_inconsistent_records_are_refused_with_the_field(mutate, message: str) -> None:
    record = token_record()
    mutate(record)
    with pytest.raises(CertificateFormatError, match=message.replace("(", r"\(")):
        certificate_from_record(record)


def test_from_dict_rejects_a_wrong_t_figure_and_unknown_keys() -> None:
    body = certificate_from_record(token_record()).to_dict()
    with pytest.raises(CertificateFormatError, match="quantity_t: '1.25' is not '1.250'"):
        RetirementCertificate.from_dict({**body, "quantity_t": "1.25"})
    with pytest.raises(CertificateFormatError, match="unknown extra"):
        RetirementCertificate.from_dict({**body, "extra": 1})
    with pytest.raises(CertificateFormatError, match="missing beneficiary"):
        RetirementCertificate.from_dict({k: v for k, v in body.items() if k != "beneficiary"})
