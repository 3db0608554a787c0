"""Client and chaincode agree on every message, with no ledger in between.

Each `envalue.ledger` builder's encoded message is parsed by the chaincode contract's own
reader (``contracts.common.parse``) into the very message that was built, and is sent to
a function the contract defines; `decode_message` (the portal's reader) is the contracts'
builder itself (`envalue.chaincode.domain.messages`), which loads without the Fabric shim
and refuses bad input naming field, value and rule; query decoders read what the
contracts answer (``contracts.common.dumps`` of the chaincode's own records).
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

from envalue.chaincode.contracts import credits as credits_contract
from envalue.chaincode.contracts.common import build, dumps, parse
from envalue.chaincode.contracts.credits import CreditsContract
from envalue.chaincode.contracts.tokens import TokensContract
from envalue.chaincode.domain import messages as domain_messages
from envalue.chaincode.domain.credits.distribution import DistributionLine, DistributionStatement
from envalue.chaincode.domain.credits.msg_add_lots import MsgAddLots
from envalue.chaincode.domain.credits.msg_create_program import MsgCreateProgram
from envalue.chaincode.domain.credits.msg_enroll_site import MsgEnrollSite
from envalue.chaincode.domain.credits.msg_open_report import MsgOpenReport
from envalue.chaincode.domain.credits.msg_release_report import MsgReleaseReport
from envalue.chaincode.domain.credits.msg_retire_credits import MsgRetireCredits
from envalue.chaincode.domain.credits.msg_settle_report import MsgSettleReport
from envalue.chaincode.domain.credits.msg_submit_report import MsgSubmitReport
from envalue.chaincode.domain.credits.msg_transfer_credits import MsgTransferCredits
from envalue.chaincode.domain.credits.msg_verify_report import MsgVerifyReport
from envalue.chaincode.domain.credits.state import CreditHolding, Report
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.domain.tokens.invariants import LotAudit, SupplyAudit
from envalue.chaincode.domain.tokens.msg_approve_cancel import MsgApproveCancel
from envalue.chaincode.domain.tokens.msg_escrow import MsgEscrow
from envalue.chaincode.domain.tokens.msg_release import MsgRelease
from envalue.chaincode.domain.tokens.msg_request_cancel import MsgRequestCancel
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire
from envalue.chaincode.domain.tokens.msg_transfer import MsgTransfer
from envalue.chaincode.domain.tokens.state import HistoryEntry, Holding
from envalue.ledger import credits, tokens
from envalue.ledger.messages import LedgerCall, decode_message, encode_message

pytestmark = pytest.mark.unit

ALICE = "CustomerMSP/x509::CN=alice,OU=client::CN=ca.customer"
BOB = "MunicipalityMSP/x509::CN=bob,OU=client::CN=ca.municipality"
INFO = tokens.RetirementInfo("Ena City (恵那市)", "japan_reporting_act", 2025, "FY2025 report")

#: (call, the message class the contract parses for that function)
CALLS: list[tuple[LedgerCall[Any], type]] = [
    (tokens.transfer_call(ALICE, [tokens.TransferItem("LOT-1", BOB, 250),
                                  tokens.TransferItem("LOT-2", BOB, 10, INFO)]), MsgTransfer),
    (tokens.retire_call(ALICE, "LOT-1", 1500, INFO), MsgRetire),
    (tokens.escrow_call("E-1", ALICE, "LOT-1", BOB, 40, "2026-12-31T00:00:00+09:00"), MsgEscrow),
    (tokens.release_call("E-1", "settle"), MsgRelease),
    (tokens.request_cancel_call("C-1", "LOT-1", ALICE, 5, "double count"), MsgRequestCancel),
    (tokens.approve_cancel_call("C-1"), MsgApproveCancel),
    (credits.create_program_call("ENA", "Ena City program", ["EN-R-002", "EN-S-001:3.0"]),
     MsgCreateProgram),
    (credits.enroll_site_call("ENA", "SITE-1", ALICE), MsgEnrollSite),
    (credits.open_report_call("R-1", "ENA", "2025-04-01", "2025-06-30"), MsgOpenReport),
    (credits.add_lots_call("R-1", [credits.LotRef("LOT-1", ALICE),
                                   credits.LotRef("LOT-2", BOB)]), MsgAddLots),
    (credits.submit_report_call("R-1"), MsgSubmitReport),
    (credits.verify_report_call("R-1", "reject", "meter certificate expired"), MsgVerifyReport),
    (credits.settle_report_call("R-1", 100), MsgSettleReport),
    (credits.release_report_call("R-1", 7), MsgReleaseReport),
    (credits.transfer_credits_call(ALICE, "R-1", BOB, 3), MsgTransferCredits),
    (credits.retire_credits_call(ALICE, "R-1", 2, "Ena Foods", "carbon_offset_product",
                                 "offset of product X", 2026), MsgRetireCredits),
]


@pytest.mark.parametrize(("call", "cls"), CALLS, ids=lambda c: getattr(c, "operation", ""))
def test_every_encoded_message_is_what_the_contract_parses(call: LedgerCall[Any],
                                                           cls: type) -> None:
    assert call.submit and len(call.arguments) == 1
    assert type(call.message) is cls
    assert parse(cls, call.arguments[0]) == call.message
    contract = {"tokens": TokensContract, "credits": CreditsContract}[call.contract]
    assert callable(getattr(contract, call.function))
    assert call.function not in contract().get_evaluate_transactions()
    if call.contract == "credits":  # the credits contract routes by its message table
        module = credits_contract._MESSAGES[call.function]
        assert getattr(module, cls.__name__, None) is cls or cls is MsgReleaseReport


def test_encoding_is_exact_json_without_floats() -> None:
    text = tokens.transfer_call(ALICE, [tokens.TransferItem("LOT-1", BOB, 10**15)]).arguments[0]
    assert '"quantity_kg":1000000000000000,' in text
    assert type(loads(text)["items"][0]["quantity_kg"]) is int
    assert json.loads(text) == loads(text)  # plain JSON, sorted keys
    assert list(json.loads(text)) == sorted(json.loads(text))
    # a Decimal travels as the exact number it is, and the chaincode refuses it as a count
    msg = MsgRetire(ALICE, "LOT-1", Decimal("1.50"), INFO)  # type: ignore[arg-type]
    assert parse(MsgRetire, encode_message(msg)).quantity_kg == Decimal("1.50")
    with pytest.raises(ValidationError) as err:
        encode_message(MsgRetire(ALICE, "LOT-1", 1.5, INFO))  # type: ignore[arg-type]
    assert (err.value.field, err.value.rule) == ("quantity_kg", "no-binary-float")
    assert "\\u6075" in encode_message(INFO)  # non-ASCII escaped, as the token tables write it


@pytest.mark.parametrize(("build_call", "field", "rule"), [
    (lambda: tokens.transfer_call(ALICE, [tokens.TransferItem("LOT-1", BOB, -3)]),
     "items[0].quantity_kg", "positive"),
    (lambda: tokens.transfer_call(ALICE, [tokens.TransferItem("LOT-1", ALICE, 3)]),
     "items[0].recipient", "self-transfer"),
    (lambda: tokens.transfer_call(ALICE, []), "items", "required"),
    (lambda: tokens.retire_call(ALICE, "LOT 1", 3, INFO), "lot_id", "identifier"),
    (lambda: tokens.retire_call(ALICE, "LOT-1", 3, tokens.RetirementInfo("x", "fun", 2025)),
     "purpose", "enum"),  # msg_retire.validate names it without the "info." prefix
    (lambda: tokens.escrow_call("E", ALICE, "L", BOB, 3, "2026-12-31T00:00:00"),
     "expires_at", "timestamp"),
    (lambda: tokens.release_call("E", "steal"), "action", "enum"),
    (lambda: credits.add_lots_call("R-1", []), "lots", "page-size"),
    (lambda: credits.verify_report_call("R-1", "reject"), "comments", "required"),
    (lambda: credits.settle_report_call("R-1", 501), "limit", "page-size"),
    (lambda: credits.transfer_credits_call(ALICE, "B", BOB, 0), "quantity_t", "positive"),
    (lambda: credits.open_report_call("R", "P", "2025-07-01", "2025-06-30"), "period_end",
     "period-order"),
    (lambda: credits.distribution_call("B", -1), "proceeds_yen", "non-negative-integer"),
    (lambda: tokens.history_call("LOT-1", "not-a-holder-key"), "owner", "owner-key"),
    (lambda: credits.holding_call("R 1", ALICE), "batch_id", "identifier"),
    (lambda: credits.holding_call("R-1", "not-a-holder-key"), "owner", "owner-key"),
])
def test_builders_refuse_what_the_chaincode_refuses(build_call: Any, field: str,
                                                    rule: str) -> None:
    with pytest.raises(ValidationError) as err:
        build_call()
    assert (err.value.field, err.value.rule) == (field, rule)
    assert str(err.value).startswith(f"{field}: ")


TRANSFER_BODY = {"owner": ALICE, "items": [
    {"lot_id": "LOT-1", "recipient": BOB, "quantity_kg": 5},
    {"lot_id": "LOT-2", "recipient": BOB, "quantity_kg": 6, "retire": {
        "beneficiary": "Ena", "purpose": "voluntary", "reporting_year": 2025}}]}


@pytest.mark.parametrize(("cls", "text"), [
    (MsgTransfer, json.dumps(TRANSFER_BODY)),
    (MsgTransfer, '{"owner": "a/b", "items": [{"lot_id": "L", "recipient": "c/d", '
                  '"quantity_kg": 1.5, "retire": null}]}'),
    (MsgCreateProgram, '{"program_id": "P", "name": "n", "methodologies": ["A", "B:1"]}'),
    (MsgAddLots, '{"report_id": "R", "lots": [{"lot_id": "L", "owner": "a/b"}]}'),
    (MsgSettleReport, '{"report_id": "R"}'),
])
def test_portal_reader_is_the_contracts_builder(cls: type, text: str) -> None:
    assert decode_message is build is domain_messages.build
    assert parse is domain_messages.parse
    message = parse(cls, text)
    assert type(message) is cls and decode_message(cls, loads(text)) == message
    assert parse(cls, encode_message(message)) == message  # what the clients send back


def test_builder_makes_nested_messages_tuples_and_keeps_decimals() -> None:
    message = parse(MsgTransfer, json.dumps(TRANSFER_BODY))
    assert isinstance(message.items, tuple) and len(message.items) == 2
    assert message.items[0].retire is None
    assert message.items[1].retire == tokens.RetirementInfo("Ena", "voluntary", 2025)
    odd = parse(MsgTransfer, '{"owner": "a/b", "items": [{"lot_id": "L", "recipient": "c/d", '
                             '"quantity_kg": 1.5}]}')
    assert odd.items[0].quantity_kg == Decimal("1.5")  # kept exact, refused by validate


@pytest.mark.parametrize(("cls", "data", "field", "value", "rule"), [
    (MsgTransfer, {"owner": ALICE}, "items", None, "required"),
    (MsgTransfer, {"owner": ALICE, "items": "x"}, "items", "x", "array"),
    (MsgTransfer, {"owner": ALICE, "items": [7]}, "items[0]", 7, "object"),
    (MsgTransfer, {"owner": ALICE, "items": [{"lot_id": "L", "recipient": BOB,
                                              "quantity_kg": 1, "retire": "yes"}]},
     "items[0].retire", "yes", "object"),
    (MsgTransfer, {"owner": ALICE, "items": [], "extra": {"a": 1}}, "extra", "<dict>",
     "unknown-field"),
    (MsgRetire, {"owner": ALICE, "lot_id": "L", "quantity_kg": 1, "info": {"purpose": "x"}},
     "info.beneficiary", None, "required"),
    (MsgRelease, [], "", "<list>", "object"),
])
def test_builder_refuses_naming_field_value_and_rule(cls: type, data: Any, field: str,
                                                     value: Any, rule: str) -> None:
    with pytest.raises(ValidationError) as err:
        decode_message(cls, data)
    assert (err.value.field, err.value.value, err.value.rule) == (field, value, rule)


def test_the_builder_loads_without_the_fabric_shim() -> None:
    """The portal, CLI and bridge API import the builder; the shim must stay out."""
    code = ("import sys\n"
            "import envalue.chaincode.domain.messages, envalue.ledger.messages\n"
            "import envalue.webapp.bridge_api.routes\n"
            "print(sorted(m for m in sys.modules if m.startswith('fabric_chaincode_python')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"


def test_query_calls_match_the_contract_and_decode_its_answers() -> None:
    evaluates = set(TokensContract().get_evaluate_transactions()) | set(
        CreditsContract().get_evaluate_transactions())
    holding = Holding(lot_id="LOT-1", owner=ALICE, tradable=200, retired=50)
    call = tokens.holding_call("LOT-1", ALICE)
    assert call.arguments == ("LOT-1", ALICE) and call.function in evaluates
    assert call.decode(dumps(holding.to_dict()).encode()) == holding

    entry = HistoryEntry(lot_id="LOT-1", owner=ALICE, action="transfer-out",
                         changes={"tradable": -5}, counterparty=BOB, who=ALICE,
                         when="2026-04-01T09:00:00+00:00", tx_id="tx1", index=0)
    call = tokens.history_call("LOT-1")
    assert call.arguments == ("LOT-1", "") and call.function in evaluates
    assert call.decode(dumps([entry.to_dict()]).encode()) == [entry]

    audit = SupplyAudit([LotAudit("LOT-1", 300, {"tradable": 250, "escrowed": 0, "retired": 50,
                                                 "bundled": 0, "bridged_out": 0,
                                                 "cancelled": 0},
                                  {"tradable": 250}, 2, 0, 50, ["a problem"])])
    call = tokens.audit_call()
    assert call.arguments == ("",) and call.function in evaluates
    decoded = call.decode(dumps(audit.to_dict()).encode())
    assert decoded.to_dict() == audit.to_dict() and not decoded.balanced

    report = Report(report_id="R-1", program_id="ENA", period_start="2025-04-01",
                    period_end="2025-06-30", prepared_by=ALICE, opened_at="t",
                    history=[{"event": "opened", "who": ALICE}])
    call = credits.report_call("R-1")
    assert call.function in evaluates and call.decode(dumps(report.to_dict()).encode()) == report

    credit = CreditHolding(batch_id="R-1", owner=BOB, tradable_t=3, retired_t=2)
    call = credits.holding_call("R-1", BOB)
    assert call.contract == "credits" and call.arguments == ("R-1", BOB)
    assert call.function in CreditsContract().get_evaluate_transactions()
    assert call.decode(dumps(credit.to_dict()).encode()) == credit

    statement = DistributionStatement("R-1", 1001, 3000, (DistributionLine(ALICE, 2000, 667),
                                                          DistributionLine(BOB, 1000, 334)))
    call = credits.distribution_call("R-1", 1001)
    assert call.arguments == ("R-1", "1001") and call.function in evaluates
    assert loads(call.arguments[1]) == 1001  # the contract reads proceeds with quantity.loads
    assert call.decode(dumps(statement.to_dict()).encode()) == statement


@pytest.mark.parametrize(("body", "field", "value"), [
    ({"program_id": "P-1", "site_id": {}, "owner": "o"}, "site_id", "<dict>"),
    ({"program_id": ["P-1"], "site_id": "S-1", "owner": "o"}, "program_id", "<list>"),
    ({"program_id": 7, "site_id": "S-1", "owner": "o"}, "program_id", 7),
])
def test_text_fields_refuse_other_json_types_by_name(body: dict[str, Any], field: str,
                                                     value: Any) -> None:
    """A validator comparing or looking up text must never meet an object or a number."""
    from envalue.chaincode.domain.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        build(MsgEnrollSite, body)
    assert (refused.value.field, refused.value.value, refused.value.rule) == (
        field, value, "string")


@pytest.mark.parametrize(("body", "field", "value"), [
    ({"program_id": "P-1", "site_id": "S\x00-1", "owner": "o"}, "site_id", "S\\x00-1"),
    ({"program_id": "P\x1b[31m", "site_id": "S-1", "owner": "o"}, "program_id",
     "P\\x1b[31m"),
])
def test_text_fields_refuse_control_characters(body: dict[str, Any], field: str,
                                               value: str) -> None:
    """A NUL cannot be stored by the read model's PostgreSQL, and no control character
    belongs in a ledger record: refused by name, the value shown escaped."""
    from envalue.chaincode.domain.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        build(MsgEnrollSite, body)
    assert (refused.value.field, refused.value.value, refused.value.rule) == (
        field, value, "control-character")


def test_text_fields_keep_tabs_and_line_breaks() -> None:
    msg = build(MsgEnrollSite, {"program_id": "P-1", "site_id": "S-1", "owner": "a\tb\r\nc"})
    assert msg.owner == "a\tb\r\nc"
