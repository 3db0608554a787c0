"""Token rules: mint, transfer, retire, escrow, cancel, history — each refusal leaves the
ledger unchanged and names the field and rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tokens_harness import (
    ALICE,
    BOB,
    CAROL,
    OPERATOR,
    OPERATOR_2,
    VERIFIER,
    VERIFIER_2,
    Harness,
    key,
)

from envalue.chaincode.domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from envalue.chaincode.domain.tokens import (
    msg_approve_cancel,
    msg_escrow,
    msg_release,
    msg_request_cancel,
    msg_retire,
    msg_transfer,
)
from envalue.chaincode.domain.tokens.msg_approve_cancel import MsgApproveCancel
from envalue.chaincode.domain.tokens.msg_escrow import MsgEscrow
from envalue.chaincode.domain.tokens.msg_release import MsgRelease
from envalue.chaincode.domain.tokens.msg_request_cancel import MsgRequestCancel
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire, RetirementInfo
from envalue.chaincode.domain.tokens.msg_transfer import MsgTransfer, TransferItem
from envalue.chaincode.domain.tokens.queries import (
    get_holding,
    get_supply,
    history,
    holdings_of_owner,
    retirements,
)

pytestmark = pytest.mark.unit

INFO = RetirementInfo("Ena City", "japan_reporting_act", 2025, "FY2025 report")


def refused(h: Harness, error: type[DomainError], who, apply, msg) -> DomainError:  # noqa: ANN001
    """Run a transaction that must fail; assert the ledger did not change."""
    before = h.snapshot()
    with pytest.raises(error) as info:
        h.run(who, apply, msg)
    assert h.snapshot() == before
    assert h.audit().balanced
    return info.value


def holding(h: Harness, lot: str, who) -> dict[str, int]:  # noqa: ANN001
    return h.query(get_holding, lot, key(who)).states()


@pytest.fixture
def h() -> Harness:
    harness = Harness()
    harness.mint("LOT-1", ALICE, 500)
    return harness


# --- mint -------------------------------------------------------------------------------

def test_mint_creates_lot_all_tradable_to_owner(h: Harness) -> None:
    assert holding(h, "LOT-1", ALICE)["tradable"] == 500
    supply = h.query(get_supply, "LOT-1")
    assert (supply.issued, supply.tradable, supply.next_serial) == (500, 500, 1)
    [entry] = h.query(history, "LOT-1")
    assert (entry.action, entry.changes, entry.who) == ("mint", {"tradable": 500}, key(OPERATOR))
    assert entry.when == "2026-04-01T09:00:01+00:00" and entry.tx_id == "tx00001"


def test_mint_refuses_existing_lot(h: Harness) -> None:
    before = h.snapshot()
    with pytest.raises(ConflictError, match="lot_id: lot 'LOT-1' already exists"):
        h.mint("LOT-1", BOB, 10)
    assert h.snapshot() == before


@pytest.mark.parametrize("who", [ALICE, BOB, VERIFIER])
def test_customers_municipalities_and_verifiers_cannot_mint(who) -> None:  # noqa: ANN001
    from envalue.chaincode.domain.tokens.mint import mint_lot

    h = Harness()

    async def apply(store, ctx):  # noqa: ANN001, ANN202
        return await mint_lot(store, ctx, lot_id="L", owner=key(ALICE), quantity_kg=1,
                              vintage_start="2025-01-01", vintage_end="2025-01-31",
                              methodology="EN-R-002", methodology_version="3.0",
                              site_id="S", equipment_id="E", calculation_id="C")
    with pytest.raises(ForbiddenError) as info:
        h.run(who, apply)
    assert info.value.rule == "platform-operator"
    assert "requires role operator in PlatformMSP" in str(info.value)
    assert h.snapshot() == {}


@pytest.mark.parametrize("quantity, rule", [
    (0, "positive"), (-5, "positive"), ("1.5", "integer"), (1.5, "integer"), (True, "integer"),
    (Decimal("2"), "integer"), ("10", "integer"),
])
def test_mint_quantity_must_be_positive_int(quantity, rule) -> None:  # noqa: ANN001
    h = Harness()
    with pytest.raises(ValidationError) as info:
        h.mint("LOT-X", ALICE, quantity)
    assert (info.value.field, info.value.rule) == ("quantity_kg", rule)
    assert str(info.value).startswith("quantity_kg: ")
    assert h.snapshot() == {}


# --- transfer ---------------------------------------------------------------------------

def test_partial_transfer_and_history(h: Harness) -> None:
    events = h.run(ALICE, msg_transfer.apply,
                   MsgTransfer(key(ALICE), (TransferItem("LOT-1", key(BOB), 120),)))
    assert [e.name for e in events] == ["EventTransfer"]
    assert holding(h, "LOT-1", ALICE)["tradable"] == 380
    assert holding(h, "LOT-1", BOB)["tradable"] == 120
    bob_history = h.query(history, "LOT-1", key(BOB))
    assert [(e.action, e.changes, e.counterparty, e.who) for e in bob_history] == [
        ("transfer-in", {"tradable": 120}, key(ALICE), key(ALICE))]
    assert [x.lot_id for x in h.query(holdings_of_owner, key(BOB))] == ["LOT-1"]


def test_batch_transfer_sees_its_own_debits(h: Harness) -> None:
    items = (TransferItem("LOT-1", key(BOB), 300), TransferItem("LOT-1", key(CAROL), 200))
    h.run(ALICE, msg_transfer.apply, MsgTransfer(key(ALICE), items))
    assert holding(h, "LOT-1", ALICE)["tradable"] == 0
    assert holding(h, "LOT-1", CAROL)["tradable"] == 200
    # a batch overdrawing the holding fails as a whole
    h.mint("LOT-2", ALICE, 100)
    items = (TransferItem("LOT-2", key(BOB), 60), TransferItem("LOT-2", key(CAROL), 60))
    error = refused(h, ConflictError, ALICE, msg_transfer.apply, MsgTransfer(key(ALICE), items))
    assert error.field == "items[1].quantity_kg" and error.rule == "insufficient-balance"
    assert "has 40 kg-CO2e tradable, 60 kg-CO2e requested" in str(error)


def test_moving_another_owners_holding_is_forbidden(h: Harness) -> None:
    msg = MsgTransfer(key(ALICE), (TransferItem("LOT-1", key(BOB), 10),))
    error = refused(h, ForbiddenError, BOB, msg_transfer.apply, msg)
    assert error.rule == "owner-only"
    assert key(BOB) in str(error) and "LOT-1@" + key(ALICE) in str(error)
    assert "only its owner" in str(error)
    refused(h, ForbiddenError, OPERATOR, msg_retire.apply,
            MsgRetire(key(ALICE), "LOT-1", 10, INFO))


@pytest.mark.parametrize("quantity, rule", [("1.5", "integer"), (0, "positive"),
                                            (-1, "positive"), (2.0, "integer")])
def test_transfer_quantity_rules(h: Harness, quantity, rule) -> None:  # noqa: ANN001
    msg = MsgTransfer(key(ALICE), (TransferItem("LOT-1", key(BOB), quantity),))
    error = refused(h, ValidationError, ALICE, msg_transfer.apply, msg)
    assert (error.field, error.rule) == ("items[0].quantity_kg", rule)


def test_transfer_refuses_overdraft_self_and_unknown(h: Harness) -> None:
    over = MsgTransfer(key(ALICE), (TransferItem("LOT-1", key(BOB), 501),))
    refused(h, ConflictError, ALICE, msg_transfer.apply, over)
    me = MsgTransfer(key(ALICE), (TransferItem("LOT-1", key(ALICE), 1),))
    assert refused(h, ValidationError, ALICE, msg_transfer.apply, me).rule == "self-transfer"
    unknown = MsgTransfer(key(ALICE), (TransferItem("NOPE", key(BOB), 1),))
    refused(h, NotFoundError, ALICE, msg_transfer.apply, unknown)
    bad_key = MsgTransfer(key(ALICE), (TransferItem("LOT-1", "bob", 1),))
    assert refused(h, ValidationError, ALICE, msg_transfer.apply, bad_key).rule == "owner-key"


# --- retire -----------------------------------------------------------------------------

def test_retire_assigns_consecutive_serial_ranges(h: Harness) -> None:
    h.run(ALICE, msg_retire.apply, MsgRetire(key(ALICE), "LOT-1", 100, INFO))
    h.run(ALICE, msg_transfer.apply, MsgTransfer(key(ALICE), (TransferItem(
        "LOT-1", key(BOB), 50, RetirementInfo("Bob Bakery", "carbon_offset_product", 2025)),)))
    records = h.query(retirements, "LOT-1")
    assert [(r.serial, r.owner, r.quantity_kg) for r in records] == [
        ("ENV-LOT-1-1-100", key(ALICE), 100), ("ENV-LOT-1-101-150", key(BOB), 50)]
    assert records[0].beneficiary == "Ena City" and records[0].reporting_year == 2025
    assert holding(h, "LOT-1", ALICE) | {} == {"tradable": 350, "escrowed": 0, "retired": 100,
                                               "bundled": 0, "bridged_out": 0, "cancelled": 0}
    assert holding(h, "LOT-1", BOB)["retired"] == 50
    assert h.query(get_supply, "LOT-1").next_serial == 151
    audit = h.audit("LOT-1")
    assert audit.balanced and audit.lots[0].supply["retired"] == 150


def test_retired_units_never_move_and_double_retirement_is_refused(h: Harness) -> None:
    h.run(ALICE, msg_retire.apply, MsgRetire(key(ALICE), "LOT-1", 500, INFO))
    error = refused(h, ConflictError, ALICE, msg_retire.apply,
                    MsgRetire(key(ALICE), "LOT-1", 1, INFO))
    assert "has 0 kg-CO2e tradable" in str(error)
    refused(h, ConflictError, ALICE, msg_transfer.apply,
            MsgTransfer(key(ALICE), (TransferItem("LOT-1", key(BOB), 1),)))


@pytest.mark.parametrize("info, field", [
    (RetirementInfo("", "voluntary", 2025), "beneficiary"),
    (RetirementInfo("X", "greenwashing", 2025), "purpose"),
    (RetirementInfo("X", "voluntary", 1999), "reporting_year"),
    (RetirementInfo("X", "voluntary", True), "reporting_year"),  # type: ignore[arg-type]
])
def test_retire_fields(h: Harness, info: RetirementInfo, field: str) -> None:
    error = refused(h, ValidationError, ALICE, msg_retire.apply,
                    MsgRetire(key(ALICE), "LOT-1", 1, info))
    assert error.field == field


# --- escrow -----------------------------------------------------------------------------

def escrow(h: Harness, escrow_id: str = "ESC-1", qty: int = 200,
           expires: str = "2026-04-02T00:00:00+00:00") -> None:
    h.run(ALICE, msg_escrow.apply,
          MsgEscrow(escrow_id, key(ALICE), "LOT-1", key(BOB), qty, expires))


def test_escrow_locks_then_settles_to_counterparty(h: Harness) -> None:
    escrow(h)
    assert holding(h, "LOT-1", ALICE)["escrowed"] == 200
    refused(h, ConflictError, ALICE, msg_transfer.apply,
            MsgTransfer(key(ALICE), (TransferItem("LOT-1", key(CAROL), 301),)))
    refused(h, ForbiddenError, BOB, msg_release.apply, MsgRelease("ESC-1", "settle"))
    h.run(ALICE, msg_release.apply, MsgRelease("ESC-1", "settle"))
    assert holding(h, "LOT-1", ALICE)["escrowed"] == 0
    assert holding(h, "LOT-1", BOB)["tradable"] == 200
    assert h.audit().balanced
    assert refused(h, ConflictError, ALICE, msg_release.apply,
                   MsgRelease("ESC-1", "release")).rule == "open"


def test_release_by_counterparty_or_by_owner_after_expiry(h: Harness) -> None:
    escrow(h, "ESC-1")
    h.run(BOB, msg_release.apply, MsgRelease("ESC-1"))
    assert holding(h, "LOT-1", ALICE)["tradable"] == 500
    escrow(h, "ESC-2", expires="2026-04-01T09:00:30+00:00")
    assert refused(h, ConflictError, ALICE, msg_release.apply,
                   MsgRelease("ESC-2")).rule == "not-expired"
    refused(h, ForbiddenError, CAROL, msg_release.apply, MsgRelease("ESC-2"))
    h.now = h.now.replace(hour=10)
    h.run(ALICE, msg_release.apply, MsgRelease("ESC-2"))
    assert holding(h, "LOT-1", ALICE) == {"tradable": 500, "escrowed": 0, "retired": 0,
                                         "bundled": 0, "bridged_out": 0, "cancelled": 0}


def test_escrow_rules(h: Harness) -> None:
    past = MsgEscrow("E", key(ALICE), "LOT-1", key(BOB), 1, "2020-01-01T00:00:00+00:00")
    assert refused(h, ValidationError, ALICE, msg_escrow.apply, past).rule == "future"
    naive = MsgEscrow("E", key(ALICE), "LOT-1", key(BOB), 1, "2030-01-01T00:00:00")
    assert refused(h, ValidationError, ALICE, msg_escrow.apply, naive).rule == "timestamp"
    escrow(h, "E")
    assert refused(h, ConflictError, ALICE, msg_escrow.apply,
                   MsgEscrow("E", key(ALICE), "LOT-1", key(BOB), 1,
                             "2030-01-01T00:00:00+00:00")).rule == "unique"


# --- cancel -----------------------------------------------------------------------------

def test_cancel_needs_operator_and_verifier_in_two_transactions(h: Harness) -> None:
    request = MsgRequestCancel("CX-1", "LOT-1", key(ALICE), 40, "double-counted meter")
    refused(h, ForbiddenError, ALICE, msg_request_cancel.apply, request)
    h.run(OPERATOR, msg_request_cancel.apply, request)
    assert holding(h, "LOT-1", ALICE)["cancelled"] == 0  # nothing moves on request
    approve = MsgApproveCancel("CX-1")
    assert refused(h, ForbiddenError, OPERATOR, msg_approve_cancel.apply,
                   approve).rule == "four-eyes"
    assert refused(h, ForbiddenError, OPERATOR_2, msg_approve_cancel.apply,
                   approve).rule == "other-authority"
    refused(h, ForbiddenError, ALICE, msg_approve_cancel.apply, approve)
    events = h.run(VERIFIER, msg_approve_cancel.apply, approve)
    assert events[0].name == "EventCancel"
    assert holding(h, "LOT-1", ALICE)["cancelled"] == 40
    assert refused(h, ConflictError, VERIFIER_2, msg_approve_cancel.apply,
                   approve).rule == "pending"
    assert h.query(history, "LOT-1", key(ALICE))[-1].action == "cancel"


def test_verifier_may_request_and_operator_approve(h: Harness) -> None:
    h.run(VERIFIER, msg_request_cancel.apply,
          MsgRequestCancel("CX-2", "LOT-1", key(ALICE), 10, "wrong factor"))
    assert refused(h, ForbiddenError, VERIFIER_2, msg_approve_cancel.apply,
                   MsgApproveCancel("CX-2")).rule == "other-authority"
    h.run(OPERATOR, msg_approve_cancel.apply, MsgApproveCancel("CX-2"))
    assert h.audit("LOT-1").lots[0].supply["cancelled"] == 10


def test_cancel_request_without_approval_changes_nothing(h: Harness) -> None:
    h.run(OPERATOR, msg_request_cancel.apply,
          MsgRequestCancel("CX-3", "LOT-1", key(ALICE), 10, "typo"))
    assert h.audit("LOT-1").lots[0].supply["cancelled"] == 0
    assert refused(h, ValidationError, OPERATOR, msg_request_cancel.apply,
                   MsgRequestCancel("CX-4", "LOT-1", key(ALICE), 10, "")).field == "reason"
