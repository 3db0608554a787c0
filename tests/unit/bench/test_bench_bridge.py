"""`envalue bench bridge` needs both networks and says why it cannot measure without them.

The set-up steps it runs on both ledgers are checked against the contract dispatchers in
tests/unit/scenarios/test_scenario_bridge.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from envalue.bench import BENCHES
from envalue.bench import bridge as bench
from envalue.bench.bundle import NotMeasurable
from envalue.cli import main

pytestmark = pytest.mark.unit

NOT_CREATED = "has not been created in network"


@pytest.fixture
def no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "absent"
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(home))
    return home


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_without_a_network_nothing_is_measured_and_it_exits_3(no_network: Path,
                                                              json_flag: list[str]) -> None:
    result = CliRunner().invoke(main, ["bench", "bridge", *json_flag, "--round-trips", "2",
                                       "--transfers", "4", "--workers", "2"])
    assert result.exit_code == 3, result.output
    assert "not measurable: home ledger: peer peer0.platform.envalue.local" in result.output
    assert NOT_CREATED in result.output
    assert "{" not in result.output  # no JSON and no table: nothing was measured
    assert not no_network.exists()


def test_a_missing_partner_network_is_named_with_its_reason() -> None:
    peers = bench.partner_peers("no-such-partner-net")
    assert peers.settings is not None and peers.settings.topology.name == "partner"
    with pytest.raises(NotMeasurable) as refused:
        bench._require(peers, ("exchange", "member"), "partner")
    assert refused.value.exit_code == 3
    assert refused.value.message.startswith(
        "not measurable: partner ledger: peer peer0.exchange.partner.local")
    assert NOT_CREATED in refused.value.message


def test_bad_options_are_usage_errors(no_network: Path) -> None:
    result = CliRunner().invoke(main, ["bench", "bridge", "--workers", "0"])
    assert result.exit_code == 2
    assert "workers positive" in result.output


def test_registered_with_its_options() -> None:
    assert "bridge" in BENCHES
    result = CliRunner().invoke(main, ["bench", "bridge", "--help"])
    assert result.exit_code == 0
    for flag, default in (("--round-trips", "20"), ("--transfers", "200"),
                          ("--workers", "8"), ("--json", None), ("--partner", None)):
        assert flag in result.output
        if default:
            assert f"[default: {default}]" in result.output.split(flag, 1)[1]
