"""`envalue scenario` and `envalue bench bundle` without a Fabric network: plans work,
loads and the benchmark stop with exit code 3 naming the reason, nothing is invented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from envalue.cli import main
from envalue.edge.simulation import simulate
from envalue.ingest_service.local import store_simulation
from envalue.ledger.identities import holder_key
from envalue.network.settings import NetworkSettings
from tests.unit.ledger.ledger_world import cas_only_network, enroll

pytestmark = pytest.mark.unit


@pytest.fixture
def no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "no-network"
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(home))
    return home


@pytest.fixture
def cas_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> NetworkSettings:
    """Enrolled identities, no peer created (the CA tier only)."""
    home = tmp_path / "cas"
    settings = cas_only_network(home, 21700)
    enroll(home, "customer", "customer2", "customer")  # the program's buyer
    settings.record()
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(home))
    return settings


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_names_both_scenarios() -> None:
    code, out, _ = run("scenario", "list", "--json")
    assert code == 0 and set(json.loads(out)["scenarios"]) == {"case-studies",
                                                               "credit-program"}


def test_plan_needs_no_network(no_network: Path, tmp_path: Path) -> None:
    code, out, err = run("scenario", "plan", "credit-program", "--sites", "3",
                         "--keys", str(tmp_path / "keys"), "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["holder_keys"].startswith("symbolic (network 'envalue' has no enrolled "
                                          "identities")
    steps = plan["steps"]
    assert [s["index"] for s in steps] == list(range(1, len(steps) + 1))
    assert steps[0]["operation"] == "registry:bootstrap"
    assert steps[-1]["operation"] == "credits:distribution"
    enroll = next(s for s in steps if s["operation"] == "credits:enroll_site")
    assert enroll["arguments"][0]["owner"] == "CustomerMSP/<customer:customer1>"
    approve = next(s for s in steps if s["operation"] == "measurement:approve_calculation")
    assert approve["built_from"] == ["calc:smallpv-3-0001"] and "arguments" not in approve
    assert plan["facts"]["sites"] == 3 and plan["facts"]["lots"] == 3


def test_plan_uses_enrolled_holder_keys(cas_only: NetworkSettings, tmp_path: Path) -> None:
    code, out, err = run("scenario", "plan", "credit-program", "--sites", "1",
                         "--keys", str(tmp_path / "keys"), "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["holder_keys"] == f"network {cas_only.name!r}"
    enroll = next(s for s in plan["steps"] if s["operation"] == "credits:enroll_site")
    assert enroll["arguments"][0]["owner"] == holder_key(cas_only, "customer:customer1", "x")


def test_plan_of_the_case_studies_reads_the_store(no_network: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    for case in ("ena", "boiler"):
        store_simulation(simulate(case, days=1), url)
    code, out, err = run("scenario", "plan", "case-studies", "--store-db", url,
                         "--keys", str(tmp_path / "keys"), "--json")
    assert code == 0, err
    plan = json.loads(out)
    anchors = [s for s in plan["steps"] if s["operation"] == "measurement:anchor_batch"]
    assert len(anchors) == 13  # 12 Ena meters and the new boiler, one day each
    assert plan["facts"]["ena"]["vintage"] == ["2024-05-01", "2024-05-01"]
    assert (tmp_path / "keys" / "ena-nas.key.pem").is_file()


def test_plan_of_the_case_studies_says_how_to_fill_an_empty_store(no_network: Path,
                                                                  tmp_path: Path) -> None:
    code, out, err = run("scenario", "plan", "case-studies", "--store-db",
                         f"sqlite:///{tmp_path / 'empty.db'}", "--keys", str(tmp_path / "k"))
    assert code == 2 and out == ""
    assert "the off-chain store has no batch of device 'ena-pv-plant'" in err
    assert "envalue simulate ena --store-db URL" in err and "rule: case-study-data" in err


def test_grid_factor_needs_its_source(no_network: Path, tmp_path: Path) -> None:
    code, _, err = run("scenario", "plan", "credit-program", "--sites", "1",
                       "--grid-factor", "0.0005", "--keys", str(tmp_path / "k"))
    assert code == 2 and "--grid-source is required" in err


def test_load_without_a_network_exits_3_with_the_reason(no_network: Path,
                                                        tmp_path: Path) -> None:
    code, out, err = run("scenario", "load", "credit-program", "--sites", "2",
                         "--keys", str(tmp_path / "keys"))
    assert code == 3 and out == ""
    assert err.startswith("error: ledger unavailable: peer peer0.platform.envalue.local has "
                          "not been created in network 'envalue'")
    assert not (tmp_path / "keys").exists()  # stopped before building anything


def test_load_with_only_the_cas_exits_3_with_the_reason(cas_only: NetworkSettings,
                                                        tmp_path: Path) -> None:
    code, out, err = run("scenario", "load", "case-studies", "--json",
                         "--keys", str(tmp_path / "keys"))
    assert code == 3
    doc = json.loads(out)
    assert doc["exit_code"] == 3 and doc["error"]["rule"] == "ledger_unavailable"
    assert "the Fabric peer and orderer binaries are not built" in doc["error"]["message"]


def test_bench_bundle_without_a_network_exits_3_and_measures_nothing(no_network: Path
                                                                     ) -> None:
    code, out, err = run("bench", "bundle", "--lots", "10", "--transfers", "2",
                         "--retirements", "2")
    assert code == 3
    text = out + err
    assert "not measurable: peer peer0.platform.envalue.local has not been created" in text
    assert "per s" not in text and "bundle and issue" not in text
