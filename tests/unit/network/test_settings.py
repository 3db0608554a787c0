"""NetworkSettings: which network, topology and base port a command talks to; the
topology and base port are recorded by the first `up` and reused; a mismatch names both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from envalue.cli import main
from envalue.network import layout as layout_module
from envalue.network.settings import NetworkSettings
from envalue.network.topology import CONSORTIUM, PARTNER

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No network variables from the caller's shell; network homes under tmp_path."""
    for var in ("ENVALUE_NETWORK", "ENVALUE_NETWORK_HOME", "ENVALUE_BASE_PORT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(layout_module, "RUN_ROOT", tmp_path / "run")
    return tmp_path / "run"


def test_defaults_are_the_consortium(clean_env: Path) -> None:
    settings = NetworkSettings.resolve()
    assert settings.name == "envalue" and settings.topology is CONSORTIUM
    assert settings.ports.base == 17000 and settings.ports.topology is CONSORTIUM
    assert settings.layout.home == clean_env / "envalue"


def test_topology_partner_gets_its_own_name_home_and_base(clean_env: Path) -> None:
    settings = NetworkSettings.resolve(topology="partner")
    assert settings.name == "partner" and settings.topology is PARTNER
    assert settings.layout.home == clean_env / "partner"
    assert settings.ports.base == 17200


def test_the_name_partner_means_the_partner_topology(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert NetworkSettings.resolve(name="partner").topology is PARTNER
    monkeypatch.setenv("ENVALUE_NETWORK", "partner")
    assert NetworkSettings.resolve().topology is PARTNER
    # any other name is a consortium unless asked otherwise
    assert NetworkSettings.resolve(name="staging").topology is CONSORTIUM
    assert NetworkSettings.resolve(name="staging", topology="partner").topology is PARTNER


def test_record_then_reuse(tmp_path: Path) -> None:
    home = tmp_path / "bridge-test"
    first = NetworkSettings.resolve(name="bridge-test", topology="partner", base_port=17600,
                                    home=home)
    first.record()
    assert json.loads((home / "network.json").read_text()) == {
        "name": "bridge-test", "topology": "partner", "base_port": 17600}
    again = NetworkSettings.resolve(name="bridge-test", home=home)
    assert again.topology is PARTNER and again.ports.base == 17600
    assert NetworkSettings.resolve(name="bridge-test", home=home,
                                   topology="partner").ports.base == 17600


def test_a_home_given_by_path_keeps_its_recorded_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "somewhere"
    NetworkSettings.resolve(home=home, topology="partner").record()
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(home))
    settings = NetworkSettings.resolve()
    assert (settings.name, settings.topology, settings.layout.home) == ("partner", PARTNER, home)


def test_a_different_topology_is_refused_naming_both(tmp_path: Path) -> None:
    home = tmp_path / "net"
    NetworkSettings.resolve(name="net", home=home).record()
    with pytest.raises(ValueError) as err:
        NetworkSettings.resolve(name="net", home=home, topology="partner")
    message = str(err.value)
    assert message.startswith("topology: network 'net'")
    assert "created with topology consortium, not partner" in message
    assert str(home) in message


def test_a_different_base_port_is_still_refused(tmp_path: Path) -> None:
    home = tmp_path / "p"
    NetworkSettings.resolve(home=home, topology="partner").record()
    with pytest.raises(ValueError, match="created with base port 17200, not 17300"):
        NetworkSettings.resolve(home=home, base_port=17300)


def test_a_network_json_from_before_topologies_is_the_consortium(tmp_path: Path) -> None:
    home = tmp_path / "old"
    home.mkdir()
    (home / "network.json").write_text('{"name": "old", "base_port": 17400}\n')
    settings = NetworkSettings.resolve(name="old", home=home)
    assert settings.topology is CONSORTIUM and settings.ports.base == 17400
    with pytest.raises(ValueError, match="consortium, not partner"):
        NetworkSettings.resolve(name="old", home=home, topology="partner")


def test_an_unknown_recorded_topology_names_the_file(tmp_path: Path) -> None:
    home = tmp_path / "odd"
    home.mkdir()
    (home / "network.json").write_text('{"topology": "mars", "base_port": 17400}\n')
    with pytest.raises(ValueError, match=r"'mars' is not one of .*network\.json"):
        NetworkSettings.resolve(home=home)


# --- CLI ------------------------------------------------------------------------------


def test_cli_status_of_a_partner_network(clean_env: Path) -> None:
    out = CliRunner().invoke(main, ["network", "status", "--topology", "partner", "--json"])
    assert out.exit_code == 0, out.output
    status = json.loads(out.stdout)
    assert status["network"] == "partner" and status["topology"] == "partner"
    assert status["base_port"] == 17200
    assert status["channel"]["name"] == "partner"
    assert status["chaincode"]["name"] == "wrapped"
    cas = [n for n in status["nodes"] if n["kind"] == "ca"]
    assert [(n["name"], n["org"], n["address"]) for n in cas] == [
        ("ca-partner-ordering", "PartnerOrdererMSP", "localhost:17200"),
        ("ca-exchange", "ExchangeMSP", "localhost:17201"),
        ("ca-member", "MemberMSP", "localhost:17202")]
    assert all(n["health"]["status"] == "STOPPED" for n in status["nodes"])


def test_cli_refuses_a_topology_mismatch(clean_env: Path) -> None:
    NetworkSettings.resolve(name="partner").record()
    for verb in ("status", "down", "up", "deploy"):
        out = CliRunner().invoke(main, ["network", verb, "--name", "partner",
                                        "--topology", "consortium"])
        assert out.exit_code == 2, (verb, out.output)
        assert "created with topology partner, not consortium" in out.stderr
    out = CliRunner().invoke(main, ["network", "status", "--topology", "mars"])
    assert out.exit_code == 2 and "'mars' is not one of" in out.stderr
