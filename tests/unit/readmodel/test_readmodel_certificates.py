"""Retirements as certificate records: found by serial and by the certificate id fixed at
projection, with the lot (or batch, methodology and credited sites) from read-model rows,
and building the same certificate the offline tools build."""

from __future__ import annotations

import pytest
from readmodel_world import RecordingHarness
from sqlalchemy.orm import Session, sessionmaker
from test_readmodel_projector import credit_world, project, token_world
from tokens_harness import ALICE, BOB, CAROL, OPERATOR, VERIFIER, key

from envalue.certificates import certificate_from_record, certificate_id_for
from envalue.chaincode.domain.credits import (
    msg_add_lots,
    msg_create_program,
    msg_enroll_site,
    msg_open_report,
    msg_retire_credits,
    msg_settle_report,
    msg_submit_report,
    msg_verify_report,
)
from envalue.chaincode.domain.credits.msg_add_lots import LotRef, MsgAddLots
from envalue.chaincode.domain.credits.msg_create_program import MsgCreateProgram
from envalue.chaincode.domain.credits.msg_enroll_site import MsgEnrollSite
from envalue.chaincode.domain.credits.msg_open_report import MsgOpenReport
from envalue.chaincode.domain.credits.msg_retire_credits import MsgRetireCredits
from envalue.chaincode.domain.credits.msg_settle_report import MsgSettleReport
from envalue.chaincode.domain.credits.msg_submit_report import MsgSubmitReport
from envalue.chaincode.domain.credits.msg_verify_report import MsgVerifyReport
from envalue.chaincode.domain.credits.queries import get_report
from envalue.chaincode.identity import Actor
from envalue.network.topology import CHANNEL
from envalue.readmodel import queries as rq
from envalue.readmodel.schema import ReportMember, Retirement

pytestmark = pytest.mark.unit

PORTAL = "https://portal.envalue.example"


def test_a_token_retirement_is_found_by_serial_and_by_certificate_id(sessions) -> None:
    h = token_world()  # Bob retires 50 of LOT-1 (block 3); Carol gets 100 retired on receipt
    project(sessions, h.records)
    retire_tx = h.records[2].transaction_id
    with sessions() as session:
        found = rq.retirement_by_serial(session, "ENV-LOT-1-1-50", lot_id="LOT-1")
        assert found is not None
        assert (found.kind, found.owner, found.tx_id, found.block_number, found.channel) == (
            "token", key(BOB), retire_tx, 3, CHANNEL)
        assert found.certificate_id == certificate_id_for(CHANNEL, retire_tx, ["ENV-LOT-1-1-50"])
        assert session.get(Retirement, "ENV-LOT-1-1-50").certificate_id == found.certificate_id
        assert rq.retirement_by_certificate_id(session, found.certificate_id) == found
        # the same serial under another lot, or asked for as a credit, is not this one
        assert rq.retirement_by_serial(session, "ENV-LOT-1-1-50", lot_id="LOT-2") is None
        assert rq.retirement_by_serial(session, "ENV-LOT-1-1-50", batch_id="LOT-1") is None
        assert rq.retirement_by_serial(session, "ENV-LOT-1-1-51") is None
        assert rq.retirement_by_certificate_id(session, "RC-" + "0" * 20) is None
        carol = rq.retirement_by_serial(session, "ENV-LOT-1-51-150")
    cert = certificate_from_record(found.record, portal_base=PORTAL)
    assert (cert.certificate_id, cert.beneficiary, cert.quantity_kg, cert.purpose,
            cert.reporting_year, cert.note) == (
        found.certificate_id, "Ena City", 50, "japan_reporting_act", 2025, "FY2025 report")
    assert (cert.tx_id, cert.block_number, cert.channel) == (retire_tx, 3, CHANNEL)
    assert [(r.serial, r.first, r.last) for r in cert.serial_ranges] == [
        ("ENV-LOT-1-1-50", 1, 50)]
    # lot facts come from the lot's row: vintage, methodology, site and equipment at mint
    assert (cert.vintage_start, cert.vintage_end, cert.methodology.name,
            cert.methodology.version) == ("2025-04-01", "2025-06-30", "EN-R-002", "3.0")
    assert [(s.site_id, s.equipment_id) for s in cert.sites] == [("SITE-1", "EQ-1")]
    assert cert.issued_at == "2026-04-01T09:00:03+00:00"  # the retirement's transaction time
    assert cert.verification_url == f"{PORTAL}/verify/{found.certificate_id}"
    # transfer-and-retire: the recipient holds the retirement, from the transfer's transaction
    assert carol is not None and carol.owner == key(CAROL)
    assert carol.tx_id == h.records[4].transaction_id and carol.certificate_id != \
        found.certificate_id


def test_without_its_mint_a_retirement_cannot_be_certified(sessions) -> None:
    h = token_world()
    project(sessions, h.records[1:])  # the mint's transaction was never projected
    with sessions() as session, pytest.raises(rq.CertificateRecordError) as caught:
        rq.retirement_by_serial(session, "ENV-LOT-1-1-50", lot_id="LOT-1")
    assert caught.value.rule == rq.READ_MODEL_INCOMPLETE
    assert "lot LOT-1 of retirement ENV-LOT-1-1-50 is not in the read model" in str(caught.value)


def _retire_credits(h: RecordingHarness, who: Actor, batch_id: str, tonnes: int) -> str:
    [event] = h.run(who, msg_retire_credits.apply, MsgRetireCredits(
        key(who), batch_id, tonnes, "Ena Foods K.K.", "carbon_offset_product",
        "offset of product A", 2026))
    return str(event.attributes["serial"])


def _settle(h: RecordingHarness, report_id: str) -> None:
    while h.query(get_report, report_id).state != "issued":
        h.run(OPERATOR, msg_settle_report.apply, MsgSettleReport(report_id, 1))


def test_a_credit_retirement_names_the_batch_methodology_and_credited_sites(sessions) -> None:
    """R1 bundles A1 (S-A, 700 kg), B1 (S-B, 800) and C1 (S-C, 650): 2 t issued, C1's last
    150 kg carried into R2. R2 bundles D1 (S-D, 900) and E1 (S-E, 80): pool 150 + 980,
    1 t issued from the carried 150 kg and 850 of D1; E1 lies wholly past the cut."""
    h = credit_world()
    first = _retire_credits(h, BOB, "R1", 1)  # Bob received 1 t from the operator
    for site, who in (("S-D", ALICE), ("S-E", CAROL)):
        h.run(OPERATOR, msg_enroll_site.apply, MsgEnrollSite("ENA", site, key(who)))
    h.mint("D1", ALICE, 900, site="S-D", vintage=("2025-10-01", "2025-12-31"))
    h.mint("E1", CAROL, 80, site="S-E", vintage=("2025-10-01", "2025-12-31"))
    h.run(OPERATOR, msg_open_report.apply, MsgOpenReport("R2", "ENA", "2025-10-01",
                                                         "2026-03-31"))
    h.run(OPERATOR, msg_add_lots.apply, MsgAddLots("R2", (LotRef("D1", key(ALICE)),
                                                          LotRef("E1", key(CAROL)))))
    h.run(OPERATOR, msg_submit_report.apply, MsgSubmitReport("R2"))
    h.run(VERIFIER, msg_verify_report.apply, MsgVerifyReport("R2", "approve", "ok"))
    _settle(h, "R2")
    second = _retire_credits(h, OPERATOR, "R2", 1)
    project(sessions, h.records)
    with sessions() as session:
        one = rq.retirement_by_serial(session, first, batch_id="R1")
        two = rq.retirement_by_serial(session, second)
        assert rq.retirement_by_serial(session, first, lot_id="R1") is None
    assert one is not None and two is not None
    assert (one.kind, one.source_field, one.source_id, one.owner) == (
        "credit", "batch_id", "R1", key(BOB))
    cert = certificate_from_record(one.record, portal_base=PORTAL)
    assert (cert.kind, cert.beneficiary, cert.quantity_kg, cert.purpose) == (
        "credit", "Ena Foods K.K.", 1000, "carbon_offset_product")
    assert cert.credit_use is not None and cert.credit_use.purpose_detail == "offset of product A"
    assert (cert.vintage_start, cert.vintage_end) == ("2025-04-01", "2025-09-30")
    assert (cert.methodology.name, cert.methodology.version) == ("EN-R-002", "3.0")
    assert [s.site_id for s in cert.sites] == ["S-A", "S-B", "S-C"]
    assert (cert.tx_id, cert.block_number, cert.certificate_id) == (
        one.tx_id, one.block_number, one.certificate_id)
    cert2 = certificate_from_record(two.record, portal_base=PORTAL)
    assert [s.site_id for s in cert2.sites] == ["S-C", "S-D"]  # carried tail + D1, not E1
    assert cert2.serial_ranges[0].serial == second and cert2.serial_ranges[0].unit_kg == 1000
    with sessions() as session:
        assert rq.retirement_by_certificate_id(session, two.certificate_id) == two


def test_a_batch_of_two_methodologies_is_refused_with_the_reason(sessions) -> None:
    h = RecordingHarness()
    h.run(OPERATOR, msg_create_program.apply,
          MsgCreateProgram("MIX", "Mixed", ("EN-R-002", "EN-S-001")))
    h.run(OPERATOR, msg_enroll_site.apply, MsgEnrollSite("MIX", "S-A", key(ALICE)))
    h.mint("A1", ALICE, 600, site="S-A")
    h.mint("A2", ALICE, 600, site="S-A", methodology="EN-S-001")
    h.run(OPERATOR, msg_open_report.apply, MsgOpenReport("M1", "MIX", "2025-04-01",
                                                         "2025-09-30"))
    h.run(OPERATOR, msg_add_lots.apply, MsgAddLots("M1", (LotRef("A1", key(ALICE)),
                                                          LotRef("A2", key(ALICE)))))
    h.run(OPERATOR, msg_submit_report.apply, MsgSubmitReport("M1"))
    h.run(VERIFIER, msg_verify_report.apply, MsgVerifyReport("M1", "approve", "ok"))
    _settle(h, "M1")
    serial = _retire_credits(h, OPERATOR, "M1", 1)
    project(sessions, h.records)
    with sessions() as session, pytest.raises(rq.CertificateRecordError) as caught:
        rq.retirement_by_serial(session, serial, batch_id="M1")
    assert caught.value.rule == rq.MIXED_METHODOLOGIES
    assert "EN-R-002 3.0, EN-S-001 3.0" in str(caught.value)


def test_credit_rows_keep_what_the_certificate_needs(
        sessions: sessionmaker[Session]) -> None:
    h = credit_world()
    project(sessions, h.records)
    with sessions() as session:
        members = {m.lot_id: (m.start, m.kg) for m in session.query(ReportMember)}
    assert members == {"A1": (0, 700), "B1": (700, 800), "C1": (1500, 650)}
