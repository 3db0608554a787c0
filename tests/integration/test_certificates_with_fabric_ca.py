"""Certificates signed by a real Fabric CA identity and verified against the real CA certs."""

from __future__ import annotations

import copy
import json

import pytest

from envalue.certificates import (
    certificate_from_record,
    load_issuing_identity,
    sign_certificate,
    verify_signed_certificate,
)
from envalue.network.settings import NetworkSettings
from envalue.network.topology import ALL_ORGS, org_by_key

pytestmark = pytest.mark.integration

TX_ID = "9e" * 32
OWNER = "MunicipalityMSP/x509::CN=city1,OU=client::CN=ca.municipality"
RECORD = {
    "retirement": {
        "serial": "ENV-LOT-ENA-1-1-500", "lot_id": "LOT-ENA-1", "owner": OWNER,
        "quantity_kg": 500, "serial_first": 1, "serial_last": 500, "beneficiary": "恵那市",
        "purpose": "voluntary", "reporting_year": 2025, "note": "", "retired_by": OWNER,
        "retired_at": "2026-04-01T00:00:00Z", "tx_id": TX_ID,
    },
    "lot": {"lot_id": "LOT-ENA-1", "vintage_start": "2025-04-01", "vintage_end": "2026-03-31",
            "methodology": "EN-R-002", "methodology_version": "3.0", "site_id": "ena-pv"},
    "ledger": {"tx_id": TX_ID, "block_number": 12, "channel": "envalue"},
    "portal_base": "https://portal.envalue.example",
}


def test_platform_operator_signs_and_consortium_cas_verify(ca_tier: NetworkSettings) -> None:
    layout = ca_tier.layout
    platform = org_by_key("platform")
    operator_msp = layout.user(platform, "operator1") / "msp"
    identity = load_issuing_identity(operator_msp, platform.msp_id)
    doc = json.loads(json.dumps(sign_certificate(certificate_from_record(RECORD),
                                                 identity), ensure_ascii=False))

    all_cas = [layout.ca_cert(org).read_bytes() for org in ALL_ORGS]
    result = verify_signed_certificate(doc, all_cas)
    assert result.valid, result.reasons
    assert "CN=operator1" in result.signer_subject

    per_msp = {org.msp_id: [layout.ca_cert(org).read_bytes()] for org in ALL_ORGS}
    assert verify_signed_certificate(doc, per_msp).valid

    others = [layout.ca_cert(org).read_bytes() for org in ALL_ORGS if org is not platform]
    unknown = verify_signed_certificate(doc, others)
    assert not unknown.valid and "unknown CA" in unknown.reasons[0]

    claimed = copy.deepcopy(doc)
    claimed["signature"]["msp_id"] = "MarketMSP"
    assert any("is not the MSP of the issuing CA" in r
               for r in verify_signed_certificate(claimed, per_msp).reasons)

    tampered = copy.deepcopy(doc)
    tampered["certificate"]["beneficiary"] = "someone else"
    assert verify_signed_certificate(tampered, all_cas).reasons == [
        "signature: the certificate was altered after signing: changed beneficiary"]
