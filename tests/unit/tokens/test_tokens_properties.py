"""Property tests: random operation sequences keep the supply equation, never a negative
balance; 1,000 conflicting transfers from one holding never double-spend."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tokens_harness import ALICE, BOB, CAROL, OPERATOR, VERIFIER, Harness, key

from envalue.chaincode.domain.errors import DomainError
from envalue.chaincode.domain.tokens import (
    msg_approve_cancel,
    msg_escrow,
    msg_release,
    msg_request_cancel,
    msg_retire,
    msg_transfer,
)
from envalue.chaincode.domain.tokens.bundling import bundle_holding
from envalue.chaincode.domain.tokens.ledger import TokenLedger
from envalue.chaincode.domain.tokens.msg_approve_cancel import MsgApproveCancel
from envalue.chaincode.domain.tokens.msg_escrow import MsgEscrow
from envalue.chaincode.domain.tokens.msg_release import MsgRelease
from envalue.chaincode.domain.tokens.msg_request_cancel import MsgRequestCancel
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire, RetirementInfo
from envalue.chaincode.domain.tokens.msg_transfer import MsgTransfer, TransferItem
from envalue.chaincode.domain.tokens.state import TOKEN_STATES

pytestmark = pytest.mark.unit

PEOPLE = [ALICE, BOB, CAROL]
LOTS = ["L0", "L1"]
INFO = RetirementInfo("beneficiary", "voluntary", 2025)


async def _bundle(store, ctx, lot: str, owner: str):  # noqa: ANN001, ANN202
    await bundle_holding(TokenLedger(store, ctx), lot, owner, "R", "lot")
    return []


operation = st.one_of(
    st.tuples(st.just("transfer"), st.sampled_from(LOTS), st.integers(0, 2),
              st.integers(0, 2), st.integers(-3, 400), st.booleans()),
    st.tuples(st.just("escrow"), st.sampled_from(LOTS), st.integers(0, 2), st.integers(0, 2),
              st.integers(1, 300)),
    st.tuples(st.just("release"), st.integers(0, 8), st.sampled_from(["release", "settle"]),
              st.integers(0, 2)),
    st.tuples(st.just("retire"), st.sampled_from(LOTS), st.integers(0, 2), st.integers(1, 300)),
    st.tuples(st.just("bundle"), st.sampled_from(LOTS), st.integers(0, 2)),
    st.tuples(st.just("cancel"), st.sampled_from(LOTS), st.integers(0, 2), st.integers(1, 300)),
)


def _apply(h: Harness, op: tuple[Any, ...], n: int) -> None:
    kind = op[0]
    if kind == "transfer":
        _, lot, src, dst, qty, retire = op
        item = TransferItem(lot, key(PEOPLE[dst]), qty, INFO if retire else None)
        h.run(PEOPLE[src], msg_transfer.apply, MsgTransfer(key(PEOPLE[src]), (item,)))
    elif kind == "escrow":
        _, lot, src, dst, qty = op
        h.run(PEOPLE[src], msg_escrow.apply, MsgEscrow(
            f"E{n}", key(PEOPLE[src]), lot, key(PEOPLE[dst]), qty, "2026-04-01T10:00:00+00:00"))
    elif kind == "release":
        _, target, action, who = op
        h.run(PEOPLE[who], msg_release.apply, MsgRelease(f"E{target}", action))
    elif kind == "retire":
        _, lot, who, qty = op
        h.run(PEOPLE[who], msg_retire.apply, MsgRetire(key(PEOPLE[who]), lot, qty, INFO))
    elif kind == "bundle":
        _, lot, who = op
        h.run(OPERATOR, _bundle, lot, key(PEOPLE[who]))
    else:
        _, lot, who, qty = op
        h.run(OPERATOR, msg_request_cancel.apply,
              MsgRequestCancel(f"C{n}", lot, key(PEOPLE[who]), qty, "correction"))
        h.run(VERIFIER, msg_approve_cancel.apply, MsgApproveCancel(f"C{n}"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=25))
def test_random_sequences_keep_the_supply_equation(ops: list[tuple[Any, ...]]) -> None:
    h = Harness()
    h.mint("L0", ALICE, 400)
    h.mint("L1", BOB, 250)
    for n, op in enumerate(ops):
        before = h.snapshot()
        try:
            _apply(h, op, n)
        except DomainError:
            # a refused transaction leaves nothing behind, not even half a cancellation
            if op[0] != "cancel":
                assert h.snapshot() == before
        audit = h.audit()
        assert audit.balanced, audit.to_dict()
        for lot in audit.lots:
            assert lot.issued == sum(lot.supply[s] for s in TOKEN_STATES)
            assert min(lot.supply.values()) >= 0 and min(lot.holdings.values()) >= 0
    assert h.audit().totals["issued"] == 650


def test_a_thousand_conflicting_transfers_never_double_spend() -> None:
    """1,000 transfers of 1 kg each from one 400 kg holding, serialised as Fabric orders
    valid transactions: exactly 400 succeed, 600 are refused as conflicts, none lost."""
    h = Harness()
    h.mint("L0", ALICE, 400)
    outcomes: dict[str, int] = {"ok": 0, "conflict": 0}
    for n in range(1000):
        recipient = [BOB, CAROL][n % 2]
        try:
            h.run(ALICE, msg_transfer.apply,
                  MsgTransfer(key(ALICE), (TransferItem("L0", key(recipient), 1),)))
            outcomes["ok"] += 1
        except DomainError as error:
            assert error.rule == "insufficient-balance"
            outcomes["conflict"] += 1
    assert outcomes == {"ok": 400, "conflict": 600}
    audit = h.audit("L0").lots[0]
    assert audit.balanced and audit.holdings["tradable"] == 400
    assert audit.holding_count == 3
