"""Projection of real chaincode transactions: holdings and supply, a credit program cycle,
replays, a crash before commit, and events that cannot be projected."""

from __future__ import annotations

import pytest
from readmodel_world import RecordingHarness, dump
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tokens_harness import ALICE, BOB, CAROL, OPERATOR, VERIFIER, key

from envalue.chaincode.domain.credits import (
    msg_add_lots,
    msg_create_program,
    msg_enroll_site,
    msg_open_report,
    msg_settle_report,
    msg_submit_report,
    msg_transfer_credits,
    msg_verify_report,
)
from envalue.chaincode.domain.credits.msg_add_lots import LotRef, MsgAddLots
from envalue.chaincode.domain.credits.msg_create_program import MsgCreateProgram
from envalue.chaincode.domain.credits.msg_enroll_site import MsgEnrollSite
from envalue.chaincode.domain.credits.msg_open_report import MsgOpenReport
from envalue.chaincode.domain.credits.msg_settle_report import MsgSettleReport
from envalue.chaincode.domain.credits.msg_submit_report import MsgSubmitReport
from envalue.chaincode.domain.credits.msg_transfer_credits import MsgTransferCredits
from envalue.chaincode.domain.credits.msg_verify_report import MsgVerifyReport
from envalue.chaincode.domain.credits.queries import get_report
from envalue.chaincode.domain.events import DomainEvent, encode_events
from envalue.chaincode.domain.tokens import msg_escrow, msg_retire, msg_transfer
from envalue.chaincode.domain.tokens.msg_escrow import MsgEscrow
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire, RetirementInfo
from envalue.chaincode.domain.tokens.msg_transfer import MsgTransfer, TransferItem
from envalue.chaincode.domain.tokens.state import TOKEN_STATES
from envalue.readmodel import ChaincodeEventRecord, Projector, ReadModelCheckpointer
from envalue.readmodel import queries as rq
from envalue.readmodel.schema import (
    AppliedEvent,
    Holding,
    MonitoringReport,
    TokenLot,
    UnprojectedEvent,
)

pytestmark = pytest.mark.unit

INFO = RetirementInfo("Ena City", "japan_reporting_act", 2025, "FY2025 report")


def project(sessions: sessionmaker[Session], records: list[ChaincodeEventRecord]) -> list:
    projector = Projector()
    with sessions.begin() as session:
        return [projector.apply(session, r) for r in records]


def token_world() -> RecordingHarness:
    """mint 500 to Alice; 200 to Bob; Bob retires 50; Alice escrows 40 for Carol and
    transfers 100 to Carol retired on receipt."""
    h = RecordingHarness()
    h.mint("LOT-1", ALICE, 500)
    h.run(ALICE, msg_transfer.apply, MsgTransfer(key(ALICE), (
        TransferItem("LOT-1", key(BOB), 200),)))
    h.run(BOB, msg_retire.apply, MsgRetire(key(BOB), "LOT-1", 50, INFO))
    h.run(ALICE, msg_escrow.apply, MsgEscrow("ESC-1", key(ALICE), "LOT-1", key(CAROL), 40,
                                             "2026-12-31T00:00:00Z"))
    h.run(ALICE, msg_transfer.apply, MsgTransfer(key(ALICE), (
        TransferItem("LOT-1", key(CAROL), 100, retire=INFO),)))
    return h


def states(session: Session, owner: str) -> dict[str, int]:
    return {h.state: h.kg for h in rq.holdings_of(session, owner)}


def test_mint_transfer_retire_holdings_per_state_and_the_supply_equation(sessions) -> None:
    h = token_world()
    results = project(sessions, h.records)
    assert sum(r.applied for r in results) == 6 and not any(r.unprojected for r in results)
    with sessions() as session:
        assert states(session, key(ALICE)) == {"tradable": 160, "escrowed": 40}
        assert states(session, key(BOB)) == {"tradable": 150, "retired": 50}
        assert states(session, key(CAROL)) == {"retired": 100}
        lot = session.get(TokenLot, "LOT-1")
        # the read model's supply is the ledger's, and its holdings add up to it
        audit = h.audit().lots[0]
        assert {s: getattr(lot, f"{s}_kg") for s in TOKEN_STATES} == audit.supply
        held = {s: 0 for s in TOKEN_STATES}
        for row in session.scalars(select(Holding).where(Holding.lot_id == "LOT-1")):
            held[row.state] += row.kg
        assert held == audit.supply and sum(held.values()) == lot.issued_kg == 500
        # retirements: serial ranges, beneficiary, purpose, year; each from its own tx
        bob, carol = rq.retirements_of(session, key(BOB)), rq.retirements_of(session, key(CAROL))
        assert [(r.serial, r.serial_first, r.serial_last, r.beneficiary, r.purpose,
                 r.reporting_year) for r in bob + carol] == [
            ("ENV-LOT-1-1-50", 1, 50, "Ena City", "japan_reporting_act", 2025),
            ("ENV-LOT-1-51-150", 51, 150, "Ena City", "japan_reporting_act", 2025)]
        assert (bob[0].tx_id, bob[0].block_number) == (h.records[2].transaction_id, 3)
        # transfers of an owner, newest first; every holding row names its last change
        transfers = rq.transfers_of(session, key(ALICE))
        assert [(t.recipient, t.quantity_kg, t.retired_on_receipt) for t in transfers] == [
            (key(CAROL), 100, True), (key(BOB), 200, False)]
        alice = {r.state: (r.tx_id, r.block_number) for r in rq.holdings_of(session, key(ALICE))}
        assert alice == {"tradable": ("tx00005", 5), "escrowed": ("tx00004", 4)}
        assert rq.holdings_of(session, key(ALICE), state="escrowed")[0].kg == 40


def credit_world() -> RecordingHarness:
    """The credit program cycle of tests/unit/credits: three sites bundled, approved,
    settled in pages, one tonne transferred."""
    h = RecordingHarness()
    h.run(OPERATOR, msg_create_program.apply, MsgCreateProgram("ENA", "Ena PV", ("EN-R-002",)))
    for site, who in (("S-A", ALICE), ("S-B", BOB), ("S-C", CAROL)):
        h.run(OPERATOR, msg_enroll_site.apply, MsgEnrollSite("ENA", site, key(who)))
    h.mint("A1", ALICE, 700, site="S-A", vintage=("2025-04-01", "2025-06-30"))
    h.mint("B1", BOB, 800, site="S-B", vintage=("2025-05-01", "2025-07-31"))
    h.mint("C1", CAROL, 650, site="S-C", vintage=("2025-07-01", "2025-09-30"))
    h.run(OPERATOR, msg_open_report.apply, MsgOpenReport("R1", "ENA", "2025-04-01", "2025-09-30"))
    h.run(OPERATOR, msg_add_lots.apply, MsgAddLots("R1", (LotRef("A1", key(ALICE)),
                                                          LotRef("B1", key(BOB)))))
    h.run(OPERATOR, msg_add_lots.apply, MsgAddLots("R1", (LotRef("C1", key(CAROL)),)))
    h.run(OPERATOR, msg_submit_report.apply, MsgSubmitReport("R1"))
    h.run(VERIFIER, msg_verify_report.apply, MsgVerifyReport("R1", "approve", "meters ok"))
    while h.query(get_report, "R1").state != "issued":
        h.run(OPERATOR, msg_settle_report.apply, MsgSettleReport("R1", 1))
    h.run(OPERATOR, msg_transfer_credits.apply,
          MsgTransferCredits(key(OPERATOR), "R1", key(BOB), 1))
    return h


def test_credit_program_cycle_yields_the_batch_with_contributors(sessions) -> None:
    h = credit_world()
    results = project(sessions, h.records)
    assert not any(r.unprojected for r in results)
    with sessions() as session:
        [program] = rq.programs(session)
        assert (program.program_id, program.carry_kg, program.open_report) == ("ENA", 150, "")
        [report] = rq.reports(session)
        assert (report.state, report.pool_kg, report.member_count, report.issued_t,
                report.comments) == ("issued", 2150, 3, 2, "meters ok")
        [view] = rq.credit_batches(session)
        assert (view.batch.serial, view.batch.issued_t, view.batch.settled) == (
            "JCL-ENV-ENA-20250401_20250930-1-2", 2, True)
        assert [(s.owner, s.kg) for s in view.shares] == [
            (key(BOB), 800), (key(ALICE), 700), (key(CAROL), 500)]
        assert {(c.owner, c.tradable_t) for c in rq.credit_holdings_of(session, key(BOB))} == {
            (key(BOB), 1)}
        # bundled holdings: the event only counts them, the write set names them
        assert states(session, key(CAROL)) == {"bundled": 650}
        lots = {lot.lot_id: lot for lot in session.scalars(select(TokenLot))}
        assert {k: v.bundled_kg for k, v in lots.items()} == {"A1": 700, "B1": 800, "C1": 650}
        assert h.audit().balanced


def test_replaying_the_same_events_changes_nothing(sessions) -> None:
    h = token_world()
    project(sessions, h.records)
    with sessions() as session:
        before = dump(session)
    again = project(sessions, h.records)
    assert all(r.applied == 0 and r.unprojected == 0 and r.skipped for r in again)
    with sessions() as session:
        assert dump(session) == before


def test_a_crash_before_commit_leaves_rows_and_checkpoint_unchanged(sessions) -> None:
    h = token_world()
    checkpointer = ReadModelCheckpointer(sessions)
    projector = Projector()
    with checkpointer.unit_of_work() as session:
        projector.apply(session, h.records[0])
        checkpointer.checkpoint_block(h.records[0].block_number)
    with sessions() as session:
        before = dump(session)
    with pytest.raises(RuntimeError, match="power cut"), \
            checkpointer.unit_of_work() as session:
        for record in h.records[1:]:
            projector.apply(session, record)
            checkpointer.checkpoint_block(record.block_number)
        session.flush()  # the rows reached the database, uncommitted
        raise RuntimeError("power cut")
    with sessions() as session:
        assert dump(session) == before
    assert (checkpointer.block_number, checkpointer.transaction_id) == (2, None)
    # resuming from the checkpoint yields what an uninterrupted run yields
    with checkpointer.unit_of_work() as session:
        for record in h.records[1:]:
            projector.apply(session, record)
            checkpointer.checkpoint_block(record.block_number)
    with sessions() as session:
        assert states(session, key(BOB)) == {"tradable": 150, "retired": 50}
        assert session.get(TokenLot, "LOT-1").retired_kg == 150


def _record(events: list[DomainEvent], writes: dict | None = None, tx: str = "tx-x",
            block: int = 9) -> ChaincodeEventRecord:
    name, payload = encode_events("future_function", events)
    return ChaincodeEventRecord(block, tx, "envalue", name, payload, writes or {})


def test_unknown_events_are_kept_with_the_reason(sessions) -> None:
    h = token_world()
    mint = h.records[0]
    records = [
        _record([DomainEvent("EventFrobnicate", {"lot_id": "LOT-1"})], tx="t1"),
        _record([DomainEvent("EventWrappedTransfer", {"lot_id": "LOT-1"})], tx="t2"),
        # a known event next to an unknown one: the whole transaction waits
        _record([DomainEvent("EventMint", {"lot_id": "LOT-1"}),
                 DomainEvent("EventFrobnicate", {})], dict(mint.writes), tx="t3"),
        # the Gateway's chaincode-event stream has no write set
        ChaincodeEventRecord.from_event(mint.as_chaincode_event()),
        ChaincodeEventRecord(9, "t5", "envalue", "broken", b"{not json"),
    ]
    results = project(sessions, records)
    assert [r.unprojected for r in results] == [1, 1, 2, 1, 1]
    with sessions() as session:
        kept = {(e.tx_id, e.event_index): (e.name, e.reason)
                for e in session.scalars(select(UnprojectedEvent))}
        assert session.scalar(select(AppliedEvent.tx_id)) is None
        assert session.scalar(select(Holding.lot_id)) is None
    assert kept[("t1", 0)] == ("EventFrobnicate",
                               "no projection is defined for event 'EventFrobnicate'")
    assert "partner-ledger (wrapped chaincode) event" in kept[("t2", 0)][1]
    assert "attribute 'quantity_kg' is not an integer" in kept[("t3", 0)][1]
    assert kept[("t3", 1)][1] == "no projection is defined for event 'EventFrobnicate'"
    assert "write set has no envalue.token.lot, envalue.token.supply, envalue.token.holding" \
        in kept[(mint.transaction_id, 0)][1]
    assert kept[("t5", 0)][1].startswith("undecodable payload: payload is not JSON")
    # kept events are not kept twice, and do not block the same data arriving complete
    assert project(sessions, records)[0].skipped == 1
    project(sessions, [ChaincodeEventRecord(10, "t6", "envalue", mint.event_name,
                                            mint.payload, mint.writes)])
    with sessions() as session:
        assert states(session, key(ALICE)) == {"tradable": 500}


def test_report_state_follows_the_review(sessions) -> None:
    h = credit_world()
    upto_submit = next(i for i, r in enumerate(h.records) if r.event_name == "submit_report")
    project(sessions, h.records[:upto_submit + 1])
    with sessions() as session:
        assert session.get(MonitoringReport, "R1").state == "submitted"
        assert rq.credit_batches(session) == []


def test_an_older_record_never_overwrites_a_newer_one(
        sessions: sessionmaker[Session]) -> None:
    h = token_world()
    mint, transfer = h.records[:2]
    project(sessions, [transfer, mint])  # the mint's block arrives late
    with sessions() as session:
        assert states(session, key(ALICE)) == {"tradable": 300}
        assert session.get(TokenLot, "LOT-1").issued_kg == 500
