"""A program cycle on the in-memory ledger: enroll, bundle, verify, issue, settle, carry
forward, distribute, transfer and retire credits — with every refusal checked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "tokens"))

from tokens_harness import (  # noqa: E402
    ALICE,
    BOB,
    CAROL,
    OPERATOR,
    VERIFIER,
    Harness,
    key,
)

from envalue.chaincode.domain.credits import (  # noqa: E402
    msg_add_lots,
    msg_create_program,
    msg_enroll_site,
    msg_open_report,
    msg_release_report,
    msg_retire_credits,
    msg_settle_report,
    msg_submit_report,
    msg_transfer_credits,
    msg_verify_report,
)
from envalue.chaincode.domain.credits.distribution import distribution_statement  # noqa: E402
from envalue.chaincode.domain.credits.msg_add_lots import LotRef, MsgAddLots  # noqa: E402
from envalue.chaincode.domain.credits.msg_create_program import MsgCreateProgram  # noqa: E402
from envalue.chaincode.domain.credits.msg_enroll_site import MsgEnrollSite  # noqa: E402
from envalue.chaincode.domain.credits.msg_open_report import MsgOpenReport  # noqa: E402
from envalue.chaincode.domain.credits.msg_release_report import MsgReleaseReport  # noqa: E402
from envalue.chaincode.domain.credits.msg_retire_credits import MsgRetireCredits  # noqa: E402
from envalue.chaincode.domain.credits.msg_settle_report import MsgSettleReport  # noqa: E402
from envalue.chaincode.domain.credits.msg_submit_report import MsgSubmitReport  # noqa: E402
from envalue.chaincode.domain.credits.msg_transfer_credits import (  # noqa: E402
    MsgTransferCredits,
)
from envalue.chaincode.domain.credits.msg_verify_report import MsgVerifyReport  # noqa: E402
from envalue.chaincode.domain.credits.queries import (  # noqa: E402
    batch_shares,
    carry_forward,
    credit_holdings,
    credit_retirements,
    get_batch,
    get_credit_holding,
    get_program,
    get_report,
)
from envalue.chaincode.domain.errors import (  # noqa: E402
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
)
from envalue.chaincode.domain.tokens import msg_retire  # noqa: E402
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire, RetirementInfo  # noqa: E402
from envalue.chaincode.domain.tokens.queries import get_holding  # noqa: E402

pytestmark = pytest.mark.unit

H1 = ("2025-04-01", "2025-09-30")
H2 = ("2025-10-01", "2026-03-31")


def refused(h: Harness, error: type[DomainError], who, apply, msg) -> DomainError:  # noqa: ANN001
    before = h.snapshot()
    with pytest.raises(error) as info:
        h.run(who, apply, msg)
    assert h.snapshot() == before
    return info.value


@pytest.fixture
def h() -> Harness:
    h = Harness()
    h.run(OPERATOR, msg_create_program.apply, MsgCreateProgram("ENA", "Ena PV", ("EN-R-002",)))
    for site, who in (("S-A", ALICE), ("S-B", BOB), ("S-C", CAROL)):
        h.run(OPERATOR, msg_enroll_site.apply, MsgEnrollSite("ENA", site, key(who)))
    h.mint("A1", ALICE, 700, site="S-A", vintage=("2025-04-01", "2025-06-30"))
    h.mint("B1", BOB, 800, site="S-B", vintage=("2025-05-01", "2025-07-31"))
    h.mint("C1", CAROL, 650, site="S-C", vintage=("2025-07-01", "2025-09-30"))
    h.run(OPERATOR, msg_open_report.apply, MsgOpenReport("R1", "ENA", *H1))
    return h


def bundle(h: Harness, report: str, *refs: tuple[str, object]) -> None:
    h.run(OPERATOR, msg_add_lots.apply,
          MsgAddLots(report, tuple(LotRef(lot, key(who)) for lot, who in refs)))


def issue(h: Harness, report: str) -> None:
    h.run(OPERATOR, msg_submit_report.apply, MsgSubmitReport(report))
    h.run(VERIFIER, msg_verify_report.apply, MsgVerifyReport(report, "approve", "meters ok"))
    for _ in range(10):
        if h.query(get_report, report).state == "issued":
            return
        h.run(OPERATOR, msg_settle_report.apply, MsgSettleReport(report, 1))
    raise AssertionError("not settled")


def test_full_cycle_fifo_shares_carry_forward_and_distribution(h: Harness) -> None:
    bundle(h, "R1", ("A1", ALICE), ("B1", BOB))
    bundle(h, "R1", ("C1", CAROL))
    assert h.query(get_holding, "C1", key(CAROL)).bundled == 650
    issue(h, "R1")
    batch = h.query(get_batch, "R1")
    assert (batch.issued_t, batch.serial) == (2, "JCL-ENV-ENA-20250401_20250930-1-2")
    assert batch.issued_to == key(OPERATOR) and batch.settled
    # pool 2150 kg: A1 [0,700) B1 [700,1500) C1 [1500,2150); cut at 2000 -> Carol carries 150
    assert {s.owner: s.kg for s in h.query(batch_shares, "R1")} == {
        key(ALICE): 700, key(BOB): 800, key(CAROL): 500}
    assert [(c.owner, c.kg) for c in h.query(carry_forward, "ENA")] == [(key(CAROL), 150)]
    statement = h.query(distribution_statement, "R1", 7777)
    assert {x.owner: x.yen for x in statement.lines} == {
        key(ALICE): 2722, key(BOB): 3111, key(CAROL): 1944}
    assert h.audit().balanced
    assert h.audit().totals["bundled"] == 2150
    # next period: the carried 150 kg are used first
    h.mint("A2", ALICE, 900, site="S-A", vintage=("2025-10-01", "2025-12-31"))
    h.run(OPERATOR, msg_open_report.apply, MsgOpenReport("R2", "ENA", *H2))
    assert h.query(get_report, "R2").carried_in_kg == 150
    bundle(h, "R2", ("A2", ALICE))
    issue(h, "R2")
    shares = {s.owner: (s.kg, s.carried_in_kg) for s in h.query(batch_shares, "R2")}
    assert shares == {key(CAROL): (150, 150), key(ALICE): (850, 0)}
    assert [(c.report_id, c.owner, c.kg) for c in h.query(carry_forward, "ENA")] == [
        ("R2", key(ALICE), 50)]
    assert h.query(get_program, "ENA").carry_kg == 50


def test_credits_transfer_and_retire_with_invalidation_fields(h: Harness) -> None:
    bundle(h, "R1", ("A1", ALICE), ("B1", BOB), ("C1", CAROL))
    issue(h, "R1")
    refused(h, ForbiddenError, BOB, msg_transfer_credits.apply,
            MsgTransferCredits(key(OPERATOR), "R1", key(BOB), 1))
    h.run(OPERATOR, msg_transfer_credits.apply,
          MsgTransferCredits(key(OPERATOR), "R1", key(BOB), 1))
    retire = MsgRetireCredits(key(BOB), "R1", 1, "Bob Bakery K.K.", "japan_reporting_act",
                              "FY2025 GHG report under the Act", 2025)
    h.run(BOB, msg_retire_credits.apply, retire)
    [record] = h.query(credit_retirements, "R1")
    assert (record.serial, record.user_name, record.purpose_detail) == (
        "JCL-ENV-ENA-20250401_20250930-1-1", "Bob Bakery K.K.", "FY2025 GHG report under the Act")
    assert refused(h, ConflictError, BOB, msg_retire_credits.apply, retire).rule == \
        "insufficient-balance"
    holdings = {c.owner: (c.tradable_t, c.retired_t) for c in h.query(credit_holdings, "R1")}
    assert holdings == {key(OPERATOR): (1, 0), key(BOB): (0, 1)}


def test_holding_query_answers_tradable_and_retired_tonnes_zero_if_never_held(
        h: Harness) -> None:
    bundle(h, "R1", ("A1", ALICE), ("B1", BOB), ("C1", CAROL))
    issue(h, "R1")

    def holding(who) -> tuple[str, str, int, int]:  # noqa: ANN001
        c = h.query(get_credit_holding, "R1", key(who))
        return c.batch_id, c.owner, c.tradable_t, c.retired_t

    assert holding(OPERATOR) == ("R1", key(OPERATOR), 2, 0)
    assert holding(BOB) == ("R1", key(BOB), 0, 0)  # never held: zeros, not an error
    h.run(OPERATOR, msg_transfer_credits.apply,
          MsgTransferCredits(key(OPERATOR), "R1", key(BOB), 2))
    h.run(BOB, msg_retire_credits.apply, MsgRetireCredits(
        key(BOB), "R1", 1, "Bob Bakery K.K.", "japan_reporting_act", "FY2025 report", 2025))
    assert holding(OPERATOR) == ("R1", key(OPERATOR), 0, 0)
    assert holding(BOB) == ("R1", key(BOB), 1, 1)
    before = h.snapshot()
    with pytest.raises(NotFoundError) as info:  # the batch itself must exist
        h.query(get_credit_holding, "R9", key(BOB))
    assert (info.value.field, info.value.value, info.value.rule) == ("batch_id", "R9", "exists")
    assert h.snapshot() == before


def test_eligibility_refusals_leave_the_ledger_unchanged(h: Harness) -> None:
    h.mint("X-METH", ALICE, 500, site="S-A", methodology="EN-S-001")
    h.mint("X-VINT", ALICE, 500, site="S-A", vintage=("2025-09-01", "2025-10-31"))
    h.mint("X-METER", ALICE, 500, site="S-A", meters_valid=False)
    h.mint("X-SITE", ALICE, 500, site="S-Z")
    h.mint("X-RET", ALICE, 500, site="S-A")
    h.run(ALICE, msg_retire.apply, MsgRetire(key(ALICE), "X-RET", 500,
                                             RetirementInfo("me", "voluntary", 2025)))
    cases = {"X-METH": "methodology-allowed", "X-VINT": "vintage-in-period",
             "X-METER": "meter-verification", "X-SITE": "site-enrolled",
             "X-RET": "already-retired"}
    for lot, rule in cases.items():
        msg = MsgAddLots("R1", (LotRef("A1", key(ALICE)), LotRef(lot, key(ALICE))))
        error = refused(h, ConflictError, OPERATOR, msg_add_lots.apply, msg)
        assert (error.field, error.rule) == ("lots[1]", rule), str(error)
    bundle(h, "R1", ("A1", ALICE))
    error = refused(h, ConflictError, OPERATOR, msg_add_lots.apply,
                    MsgAddLots("R1", (LotRef("A1", key(ALICE)),)))
    assert error.rule == "already-in-report"
    refused(h, ForbiddenError, ALICE, msg_add_lots.apply,
            MsgAddLots("R1", (LotRef("B1", key(BOB)),)))


def test_no_issuance_without_verifier_approval(h: Harness) -> None:
    bundle(h, "R1", ("A1", ALICE), ("B1", BOB))
    assert refused(h, ConflictError, OPERATOR, msg_settle_report.apply,
                   MsgSettleReport("R1")).rule == "report-state"
    assert refused(h, ConflictError, VERIFIER, msg_verify_report.apply,
                   MsgVerifyReport("R1", "approve")).rule == "report-state"
    h.run(OPERATOR, msg_submit_report.apply, MsgSubmitReport("R1"))
    error = refused(h, ForbiddenError, OPERATOR, msg_verify_report.apply,
                    MsgVerifyReport("R1", "approve"))
    assert error.rule == "verifier"
    refused(h, ConflictError, OPERATOR, msg_add_lots.apply,
            MsgAddLots("R1", (LotRef("C1", key(CAROL)),)))


def test_rejection_returns_lots_in_pages(h: Harness) -> None:
    bundle(h, "R1", ("A1", ALICE), ("B1", BOB))
    h.run(OPERATOR, msg_submit_report.apply, MsgSubmitReport("R1"))
    assert refused(h, Exception, VERIFIER, msg_verify_report.apply,
                   MsgVerifyReport("R1", "reject")).field == "comments"
    h.run(VERIFIER, msg_verify_report.apply, MsgVerifyReport("R1", "reject", "meter gap"))
    h.run(OPERATOR, msg_release_report.apply, MsgReleaseReport("R1", 1))
    assert h.query(get_report, "R1").state == "rejected"
    h.run(OPERATOR, msg_release_report.apply, MsgReleaseReport("R1", 1))
    assert h.query(get_report, "R1").state == "closed"
    assert h.query(get_holding, "B1", key(BOB)).tradable == 800
    assert h.audit().totals["bundled"] == 0
    h.run(OPERATOR, msg_open_report.apply, MsgOpenReport("R1b", "ENA", *H1))
    bundle(h, "R1b", ("B1", BOB))


def test_one_open_report_per_program(h: Harness) -> None:
    assert refused(h, ConflictError, OPERATOR, msg_open_report.apply,
                   MsgOpenReport("R9", "ENA", *H2)).rule == "one-open-report"


def test_approval_write_set_is_bounded_for_many_lots() -> None:
    """300 lots in two pages; approval writes 4 keys whatever the lot count."""
    h = Harness()
    h.run(OPERATOR, msg_create_program.apply, MsgCreateProgram("BIG", "Big", ("EN-R-002",)))
    h.run(OPERATOR, msg_enroll_site.apply, MsgEnrollSite("BIG", "S", key(ALICE)))
    for i in range(300):
        h.mint(f"L{i:04d}", ALICE, 7, site="S")
    h.run(OPERATOR, msg_open_report.apply, MsgOpenReport("RB", "BIG", *H1))
    for page in (range(0, 250), range(250, 300)):
        h.run(OPERATOR, msg_add_lots.apply,
              MsgAddLots("RB", tuple(LotRef(f"L{i:04d}", key(ALICE)) for i in page)))
    h.run(OPERATOR, msg_submit_report.apply, MsgSubmitReport("RB"))
    before = h.snapshot()
    h.run(VERIFIER, msg_verify_report.apply, MsgVerifyReport("RB", "approve"))
    changed = {k for k in h.snapshot() if h.snapshot()[k] != before.get(k)}
    assert len(changed) == 4
    h.run(OPERATOR, msg_settle_report.apply, MsgSettleReport("RB", 500))
    assert [(s.kg) for s in h.query(batch_shares, "RB")] == [2000]
    assert [(c.kg) for c in h.query(carry_forward, "BIG")] == [100]
