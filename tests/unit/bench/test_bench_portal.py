"""`envalue bench portal`: one short real run (gunicorn + locust) reports the three reads
with requests and no failures and leaves no process or file behind; the holdings API it
drives lists the caller's read-model rows. No latency figure is asserted."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from envalue.bench import BENCHES
from envalue.bench import portal as bench_portal
from envalue.cli import main

pytestmark = pytest.mark.unit


def _processes_mentioning(*needles: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if any(needle in cmdline for needle in needles):
            found.append(f"{entry.name}: {cmdline}")
    return found


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_short_run_reports_every_read_and_cleans_up() -> None:
    assert "portal" in BENCHES
    out = CliRunner().invoke(main, ["bench", "portal", "--users", "5", "--duration", "3s",
                                    "--think", "0.1", "--days", "1", "--holdings", "6",
                                    "--workers", "1", "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)

    assert [e["name"] for e in result["endpoints"]] == ["dashboard", "wallet", "api holdings"]
    for row in result["endpoints"]:
        assert row["requests"] > 0 and row["failures"] == 0, row
        assert row["p50_ms"] is not None and row["p95_ms"] is not None
    assert result["all_signed_in"] is True and result["reads_s"] > 0
    timed = {row["name"]: row for row in result["also_timed"]}
    assert timed["sign-in"]["requests"] == 5 and timed["sign-in"]["failures"] == 0
    assert timed["dashboard chart data"]["failures"] == 0
    assert result["readmodel_rows"]["holdings"] == 6 * len(result["bench_users"])
    assert {u["role"] for u in result["bench_users"]} == {"operator", "customer",
                                                          "municipality"}
    assert result["synthetic_readmodel"] is True and "synthetic" in result["note"]
    assert result["offchain_store"]["batches"] > 0

    # nothing left: the temporary home, the gunicorn group, any process of this run
    assert not Path(result["home"]).exists()
    assert not _group_alive(result["processes"]["portal"])
    port = result["url"].rsplit(":", 1)[1]
    assert _processes_mentioning(result["home"], f"127.0.0.1:{port}") == []

    console = Console(file=io.StringIO(), width=120)
    bench_portal.print_table(result, console)
    text = console.file.getvalue()
    for name in ("dashboard", "wallet", "api holdings", "p95 ms", "req/s"):
        assert name in text
    assert "p95 target 300 ms" in text


def test_api_holdings_lists_the_callers_read_model_rows(tmp_path: Path) -> None:
    from envalue.webapp import create_app
    from envalue.webapp.extensions import limiter

    portal_db = f"sqlite:///{tmp_path / 'portal.db'}"
    users = bench_portal._make_users(portal_db, "key-secret")
    bench_portal._seed_readmodel(f"sqlite:///{tmp_path / 'readmodel.db'}", users, 4)
    app = create_app({"SECRET_KEY": "s", "KEY_ENCRYPTION_SECRET": "key-secret",
                      "DATABASE_URL": portal_db, "LEDGER_DISABLED": "no ledger in unit tests"})
    limiter.reset()
    client = app.test_client()
    operator = users[0]
    auth = {"Authorization": f"Bearer {operator['token']}"}

    body = client.get("/api/v1/wallet/holdings", headers=auth).get_json()
    assert body["owner"] == operator["owner"]
    assert len(body["items"]) == 4
    assert {i["state"] for i in body["items"]} == {"tradable", "retired"}
    assert all(i["tx_id"].startswith("bench-synthetic-") for i in body["items"])
    assert body["read_model"]["notices"] == ["empty"]  # nothing was projected from a ledger

    tradable = client.get("/api/v1/wallet/holdings?state=tradable", headers=auth).get_json()
    assert [i["state"] for i in tradable["items"]] == ["tradable", "tradable"]
    bad = client.get("/api/v1/wallet/holdings?state=melted", headers=auth)
    assert bad.status_code == 400
    assert bad.get_json()["field"] == "state" and bad.get_json()["rule"] == "token_state"
    assert client.get("/api/v1/wallet/holdings").status_code == 401


@pytest.mark.parametrize("args", [["--duration", "soon"], ["--users", "0"],
                                  ["--holdings", "0"], ["--think", "-1"]])
def test_bad_options_are_refused_before_anything_starts(args: list[str]) -> None:
    out = CliRunner().invoke(main, ["bench", "portal", *args])
    assert out.exit_code == 2
    assert "duration" in out.output or "need users" in out.output


def test_parse_duration() -> None:
    assert bench_portal.parse_duration("20s") == 20
    assert bench_portal.parse_duration("1m30s") == 90
    assert bench_portal.parse_duration("45") == 45
    with pytest.raises(ValueError, match="duration: '0s'"):
        bench_portal.parse_duration("0s")
