"""`envalue token` and `envalue credit`: exit codes and messages without a peer.

2 for input errors (named field, value, rule), 3 with the reason when there is no
ledger; ``--json`` prints the error object too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from ledger_world import cas_only_network

from envalue.cli import main

pytestmark = pytest.mark.unit


@pytest.fixture
def no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "no-network"
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(home))
    return home


@pytest.fixture
def cas_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Enrolled identities, no peer created (the CA tier only)."""
    home = tmp_path / "cas"
    cas_only_network(home, 21600).record()
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(home))
    return home


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


TRANSFER = ("token", "transfer", "--lot", "LOT-1", "--to", "municipality:city1",
            "--as", "customer:customer1")


@pytest.mark.parametrize(("quantity", "value", "rule"), [
    ("-5", "-5", "positive"),
    ("1.5", "'1.5'", "integer"),
    ("0.0004t", "'0.0004t'", "whole-kg"),
    ("lots", "'lots'", "number"),
])
def test_bad_quantities_exit_2_naming_field_value_rule(no_network: Path, quantity: str,
                                                       value: str, rule: str) -> None:
    code, out, err = run(*TRANSFER, "--quantity", quantity)
    assert code == 2 and out == ""
    assert err.startswith("error: items[0].quantity_kg: ")
    assert f"(field: items[0].quantity_kg, value: {value}, rule: {rule})" in err


def test_json_errors_are_one_object_on_stdout(no_network: Path) -> None:
    code, out, err = run(*TRANSFER, "--quantity", "-5", "--json")
    assert code == 2 and "rule: positive" in err
    doc = json.loads(out)
    assert doc["exit_code"] == 2 and doc["error"] == {
        "type": "ValidationError", "field": "items[0].quantity_kg", "value": -5,
        "rule": "positive", "message": "items[0].quantity_kg: -5 must be greater than 0"}


@pytest.mark.parametrize(("identity", "rule"), [
    ("customer1", "identity"), ("mars:customer1", "organisation"),
])
def test_bad_identities_exit_2(no_network: Path, identity: str, rule: str) -> None:
    code, _, err = run("token", "history", "LOT-1", "--as", identity)
    assert code == 2 and f"field: as, value: '{identity}', rule: {rule}" in err


def test_no_network_exits_3_and_says_why(no_network: Path) -> None:
    code, out, err = run(*TRANSFER, "--quantity", "250")
    assert code == 3 and out == ""
    assert err.startswith("error: ledger unavailable: network 'envalue' has no enrolled "
                          f"identities at {no_network}")
    assert "envalue network up" in err and "rule: ledger_unavailable" in err
    code, out, _ = run("credit", "issue", "R-1", "--as", "platform:operator1", "--json")
    assert code == 3 and json.loads(out)["error"]["rule"] == "ledger_unavailable"


def test_enrolled_identities_without_a_peer_exit_3_naming_the_peer(cas_only: Path) -> None:
    code, _, err = run(*TRANSFER, "--quantity", "0.25t")
    assert code == 3
    assert "peer peer0.customer.envalue.local has not been created in network" in err
    code, out, _ = run("token", "audit", "--as", "platform:operator1", "--json")
    assert code == 3 and "peer0.platform" in json.loads(out)["error"]["message"]


def test_inputs_are_checked_before_the_ledger_is_asked(cas_only: Path) -> None:
    code, _, err = run("token", "transfer", "--lot", "LOT 1", "--quantity", "5", "--to",
                       "municipality:city1", "--as", "customer:customer1")
    assert code == 2 and "field: items[0].lot_id, value: 'LOT 1', rule: identifier" in err
    code, _, err = run("token", "transfer", "--lot", "LOT-1", "--quantity", "5", "--to",
                       "municipality:nobody", "--as", "customer:customer1")
    assert code == 2 and "field: items[0].recipient" in err and "rule: enrolled" in err
    code, _, err = run("token", "transfer", "--lot", "LOT-1", "--quantity", "5", "--to",
                       "customer:customer1", "--as", "customer:customer1")
    assert code == 2 and "rule: self-transfer" in err
    code, _, err = run("credit", "reject", "R-1", "--comment", "", "--as",
                       "platform:verifier1")
    assert code == 2 and "field: comments" in err and "rule: required" in err
    code, _, err = run("credit", "report", "add-lots", "R-1", "--lot", "LOT-1",
                       "--as", "platform:operator1")
    assert code == 2 and "rule: lot-ref" in err


def test_batch_transfer_file(cas_only: Path, tmp_path: Path) -> None:
    items = tmp_path / "items.json"
    items.write_text(json.dumps([
        {"lot_id": "LOT-1", "recipient": "municipality:city1", "quantity_kg": "1t"},
        {"lot_id": "LOT-2", "recipient": "municipality:city1", "quantity_kg": 2.5}]))
    code, _, err = run("token", "transfer", "--items", str(items), "--as",
                       "customer:customer1")
    assert code == 2 and "items[1].quantity_kg: Decimal('2.5') is not a whole number" in err
    items.write_text(json.dumps([{"lot_id": "LOT-1", "recipient": "municipality:city1",
                                  "quantity_kg": "1t"}]))
    code, _, err = run("token", "transfer", "--items", str(items), "--as",
                       "customer:customer1")
    assert code == 3 and "has not been created" in err  # valid: only the peer is missing
    code, _, err = run("token", "transfer", "--items", str(items), "--lot", "LOT-1",
                       "--as", "customer:customer1")
    assert code == 2 and "either --items FILE or --lot" in err


@pytest.mark.parametrize(("args", "field", "rule"), [
    (("credit", "distribute", "B-1", "--proceeds", "10.5"), "proceeds_yen",
     "non-negative-integer"),
    (("credit", "transfer", "--batch", "B-1", "--quantity", "2.5", "--to",
      "market:operator1"), "quantity_t", "integer"),
    (("credit", "retire", "--batch", "B-1", "--quantity", "0", "--user-name", "Ena Foods",
      "--use", "voluntary", "--purpose-detail", "x", "--year", "2025"), "quantity_t",
     "positive"),
    (("token", "retire", "--lot", "LOT-1", "--quantity", "-1", "--beneficiary", "Ena",
      "--purpose", "voluntary", "--year", "2025"), "quantity_kg", "positive"),
])
def test_credit_and_retire_quantities(no_network: Path, args: tuple[str, ...], field: str,
                                      rule: str) -> None:
    code, _, err = run(*args, "--as", "platform:operator1")
    assert code == 2 and f"field: {field}" in err and f"rule: {rule}" in err


def test_commands_are_registered() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "token" in out and "credit" in out
    code, out, _ = run("credit", "--help")
    assert all(c in out for c in ("program", "report", "approve", "issue", "distribute"))
    code, out, _ = run("token", "--help")
    assert all(c in out for c in ("transfer", "retire", "history", "audit", "escrow"))
