"""CSV exports from the read model: real chaincode transactions projected block by block,
exported, parsed back and compared with the chaincode's own records (holdings, supply
audit, history, retirements, batches, shares); one holder's rows; an empty read model;
`envalue export` on the command line."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from readmodel_world import RecordingHarness
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker
from test_readmodel_projector import INFO, credit_world, project
from tokens_harness import ALICE, BOB, CAROL, OPERATOR, key

from envalue.chaincode.domain.credits import msg_retire_credits
from envalue.chaincode.domain.credits import state as cs
from envalue.chaincode.domain.credits.msg_retire_credits import MsgRetireCredits
from envalue.chaincode.domain.records import JsonRecord
from envalue.chaincode.domain.tokens import msg_escrow, msg_release, msg_retire, msg_transfer
from envalue.chaincode.domain.tokens import state as ts
from envalue.chaincode.domain.tokens.msg_escrow import MsgEscrow
from envalue.chaincode.domain.tokens.msg_release import MsgRelease
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire
from envalue.chaincode.domain.tokens.msg_transfer import MsgTransfer, TransferItem
from envalue.cli import main
from envalue.cli.export import _TABLES as CLI_TABLES
from envalue.exports import (
    TABLES,
    ExportError,
    credit_batches_frame,
    credit_shares_frame,
    csv_bytes,
    retirements_frame,
    transfers_from_history,
)
from envalue.exports.frames import iso_utc
from envalue.readmodel.exports import EXPORT_TABLES, export_frame
from envalue.readmodel.figures import ledger_figures
from envalue.readmodel.records import msp_of, split_key
from envalue.readmodel.schema import AppliedEvent, make_sessions
from tests.unit.readmodel.conftest import sessions  # noqa: F401 - fixture

pytestmark = pytest.mark.unit


def world() -> RecordingHarness:
    """The credit cycle of the read-model tests (three lots bundled into R1, 2 t issued to
    the operator, 1 t sold to Bob), then on one harness: Bob retires his tonne; Alice gets
    LOT-1 (500 kg), sends Bob 200, Bob retires 50, Alice escrows 40 for Carol and settles
    it, and transfers Carol 100 retired on receipt."""
    h = credit_world()
    h.run(BOB, msg_retire_credits.apply, MsgRetireCredits(
        key(BOB), "R1", 1, "恵那市, \"PV\"", "japan_reporting_act", "庁舎の電力", 2025))
    h.mint("LOT-1", ALICE, 500)
    h.run(ALICE, msg_transfer.apply, MsgTransfer(key(ALICE), (
        TransferItem("LOT-1", key(BOB), 200),)))
    h.run(BOB, msg_retire.apply, MsgRetire(key(BOB), "LOT-1", 50, INFO))
    h.run(ALICE, msg_escrow.apply, MsgEscrow("ESC-1", key(ALICE), "LOT-1", key(CAROL), 40,
                                             "2026-12-31T00:00:00Z"))
    h.run(ALICE, msg_release.apply, MsgRelease("ESC-1", "settle"))
    h.run(ALICE, msg_transfer.apply, MsgTransfer(key(ALICE), (
        TransferItem("LOT-1", key(CAROL), 100, retire=INFO),)))
    return h


def ledger(h: RecordingHarness, object_type: str, cls: type[JsonRecord]) -> list[dict]:
    """The chaincode's own records of `object_type` in the world state."""
    return [cls.from_bytes(value).to_dict() for k, value in sorted(h.snapshot().items())
            if (split_key(k) or ("",))[0] == object_type]


def blocks(h: RecordingHarness) -> dict[str, int]:
    return {r.transaction_id: r.block_number for r in h.records}


def read(data: bytes) -> pd.DataFrame:
    """The CSV as pandas reads it back (integers as int64, empty cells as NaN)."""
    return pd.read_csv(io.BytesIO(data), dtype={"tx_id": str})


def export(factory: sessionmaker[Session], table: str, owner: str | None = None
           ) -> pd.DataFrame:
    with factory() as session:
        return read(csv_bytes(export_frame(session, table, owner)))


@pytest.fixture
def projected(sessions: sessionmaker[Session]) -> tuple[RecordingHarness,  # noqa: F811
                                                        sessionmaker[Session]]:
    h = world()
    results = project(sessions, h.records)
    assert not any(r.unprojected for r in results)
    return h, sessions


def test_the_cli_and_the_read_model_export_the_same_tables() -> None:
    assert tuple(EXPORT_TABLES) == CLI_TABLES
    assert {name.replace("-", "_") for name in EXPORT_TABLES} == set(TABLES)


def test_holdings_are_the_chaincodes_holdings_and_add_up_to_the_supply(projected) -> None:
    h, factory = projected
    csv = export(factory, "holdings")
    states = [f"{s}_kg" for s in ts.TOKEN_STATES]
    assert all(str(csv[c].dtype) == "int64" for c in [*states, "total_kg"])
    got = {(r.lot_id, r.owner): {s: getattr(r, f"{s}_kg") for s in ts.TOKEN_STATES}
           for r in csv.itertuples()}
    want = {(r["lot_id"], r["owner"]): {s: r[s] for s in ts.TOKEN_STATES}
            for r in ledger(h, ts.HOLDING, ts.Holding) if any(r[s] for s in ts.TOKEN_STATES)}
    assert got == want
    assert got[("LOT-1", key(ALICE))] == {**dict.fromkeys(ts.TOKEN_STATES, 0), "tradable": 160}
    audit = h.audit()
    assert audit.balanced
    for lot in audit.lots:
        rows = csv[csv.lot_id == lot.lot_id]
        assert {s: int(rows[f"{s}_kg"].sum()) for s in ts.TOKEN_STATES} == lot.supply
    assert int(csv.total_kg.sum()) == 500 + 700 + 800 + 650


def test_transfers_are_the_chaincodes_history_with_tx_and_block(projected) -> None:
    h, factory = projected
    csv = export(factory, "transfers")
    history = transfers_from_history(ledger(h, ts.HISTORY, ts.HistoryEntry))
    # the transaction's timestamp is the time the chaincode wrote into its history entries
    assert sorted((t["tx_id"], iso_utc(t["timestamp"])) for t in history) == sorted(
        zip(csv.tx_id, csv.timestamp, strict=True))
    assert sorted((t["tx_id"], t["lot_id"], t["sender"], t["recipient"], t["quantity_kg"])
                  for t in history) == sorted(
        zip(csv.tx_id, csv.lot_id, csv.sender, csv.recipient, csv.quantity_kg, strict=True))
    at = blocks(h)
    assert [at[tx] for tx in csv.tx_id] == csv.block_number.tolist()
    assert csv.block_number.is_monotonic_increasing
    assert csv[["kind", "recipient", "quantity_kg"]].values.tolist() == [
        ["transfer", key(BOB), 200], ["escrow-settle", key(CAROL), 40],
        ["transfer-and-retire", key(CAROL), 100]]
    assert set(csv.sender_msp) == {"CustomerMSP"} and "recipient_msp" in csv


def test_retirements_are_the_chaincodes_records(projected) -> None:
    h, factory = projected
    csv = export(factory, "retirements")
    records = (ledger(h, ts.RETIREMENT, ts.Retirement)
               + ledger(h, cs.CREDIT_RETIREMENT, cs.CreditRetirement))
    want = read(csv_bytes(retirements_frame(records)))
    kept = [c for c in want.columns if c != "block_number"]
    got = csv.sort_values("serial").reset_index(drop=True)
    want = want.sort_values("serial").reset_index(drop=True)
    pd.testing.assert_frame_equal(got[kept], want[kept])
    at = blocks(h)
    assert [at[tx] for tx in csv.tx_id] == csv.block_number.tolist()
    credit = got[got.kind == "credit"].iloc[0]
    assert (credit.quantity_kg, credit.beneficiary, credit.credit_purpose_detail) == (
        1000, '恵那市, "PV"', "庁舎の電力")
    assert sorted(got.quantity_kg) == [50, 100, 1000]


def test_credit_batches_and_shares_are_the_chaincodes(projected) -> None:
    h, factory = projected
    batches = export(factory, "credit-batches")
    want = read(csv_bytes(credit_batches_frame(ledger(h, cs.BATCH, cs.Batch))))
    kept = [c for c in want.columns if c != "block_number"]
    pd.testing.assert_frame_equal(batches[kept], want[kept])
    # the tx is the issuing transaction (the batch record's own tx_id), not its last update
    [row] = batches.itertuples()
    assert row.block_number == blocks(h)[row.tx_id]
    assert (row.issued_t, row.issued_kg, row.retired_t) == (2, 2000, 1)
    shares = export(factory, "credit-shares")
    want = read(csv_bytes(credit_shares_frame(ledger(h, cs.SHARE, cs.Share))))
    cols = ["batch_id", "owner", "owner_msp", "kg", "carried_in_kg"]
    pd.testing.assert_frame_equal(shares[cols].sort_values("owner").reset_index(drop=True),
                                  want[cols].sort_values("owner").reset_index(drop=True))
    assert int(shares.kg.sum()) == row.credited_kg == 2000
    assert all(blocks(h)[tx] == b for tx, b in zip(shares.tx_id, shares.block_number,
                                                   strict=True))


def test_dashboard_sums_are_the_chaincodes_holdings_per_org(projected) -> None:
    h, factory = projected
    holdings = ledger(h, ts.HOLDING, ts.Holding)
    credit_holdings = ledger(h, cs.CREDIT_HOLDING, cs.CreditHolding)
    with factory() as session:
        for org in {msp_of(r["owner"]) for r in holdings + credit_holdings}:
            figures = ledger_figures(session, org)
            want = {s: sum(r[s] for r in holdings if msp_of(r["owner"]) == org)
                    for s in ts.TOKEN_STATES}
            assert figures.tokens_kg == {s: kg for s, kg in want.items() if kg}, org
            assert figures.credits_t == {
                k: sum(r[f"{k}_t"] for r in credit_holdings if msp_of(r["owner"]) == org)
                for k in ("tradable", "retired")}, org


def test_one_holder_gets_only_its_own_rows(projected) -> None:
    _, factory = projected
    alice, bob = key(ALICE), key(BOB)
    holdings = export(factory, "holdings", alice)
    assert set(holdings.owner) == {alice} and set(holdings.lot_id) == {"LOT-1", "A1"}
    transfers = export(factory, "transfers", alice)
    assert len(transfers) == 3 and (transfers.sender == alice).all()
    assert export(factory, "transfers", key(OPERATOR)).empty
    assert export(factory, "retirements", alice).empty
    bobs = export(factory, "retirements", bob)
    assert sorted(bobs.kind) == ["credit", "token"] and set(bobs.owner) == {bob}
    assert export(factory, "credit-shares", alice)[["owner", "kg"]].values.tolist() == [
        [alice, 700]]
    assert len(export(factory, "credit-batches", bob)) == 1  # holds a tonne and a share
    assert len(export(factory, "credit-batches", key(OPERATOR))) == 1  # issued to
    assert export(factory, "credit-batches", "CustomerMSP/x509::CN=nobody").empty


def test_an_empty_read_model_exports_header_only_files(tmp_path: Path) -> None:
    factory = make_sessions(f"sqlite:///{tmp_path}/rm.db")
    for table in EXPORT_TABLES:
        with factory() as session:
            data = csv_bytes(export_frame(session, table))
        name = table.replace("-", "_")
        assert data.decode() == ",".join(c.name for c in TABLES[name]) + "\n"


def test_a_batch_without_its_issuing_event_is_an_error_not_a_guess(projected) -> None:
    _, factory = projected
    with factory.begin() as session:
        session.execute(delete(AppliedEvent).where(AppliedEvent.name == "EventIssueCredits"))
    with factory() as session, pytest.raises(ExportError, match="issuing transaction of "
                                                                "batch R1"):
        export_frame(session, "credit-batches")


def test_an_unknown_table_is_named() -> None:
    with pytest.raises(ExportError, match="table 'wallets': one of holdings, transfers"):
        export_frame(None, "wallets")  # type: ignore[arg-type]


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["export", *args])


def test_cli_prints_csv_to_stdout_and_writes_files(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/rm.db"
    h = world()
    project(make_sessions(url), h.records)
    result = _cli("holdings", "--db", url, "--out", "-", "--owner", key(ALICE))
    assert result.exit_code == 0, result.output
    frame = read(result.stdout_bytes)
    assert frame[["lot_id", "tradable_kg", "bundled_kg", "total_kg"]].values.tolist() == [
        ["A1", 0, 700, 700], ["LOT-1", 160, 0, 160]]
    assert "export holdings: 2 rows" in result.stderr
    out = tmp_path / "retirements.csv"
    result = _cli("retirements", "--db", url, "--out", str(out), "--bom")
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert sorted(pd.read_csv(out, encoding="utf-8-sig").quantity_kg) == [50, 100, 1000]
    empty = _cli("credit-shares", "--db", f"sqlite:///{tmp_path}/empty.db")
    assert empty.exit_code == 0 and empty.stdout.startswith("batch_id,owner,owner_msp,kg,")
    assert len(empty.stdout.splitlines()) == 1


def test_cli_refuses_a_bad_owner(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/rm.db"
    result = _cli("holdings", "--db", url, "--owner", "CustomerMSP/")
    assert result.exit_code == 2 and "owner" in result.stderr
    result = _cli("holdings", "--db", url, "--owner", "nowhere:someone",
                  "--network", "exports-test")
    assert result.exit_code == 2 and "'nowhere' is not a peer organisation" in result.stderr
