"""`envalue bench submit` needs a running network and says so plainly when there is none."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from envalue.cli import main

pytestmark = pytest.mark.unit


def test_bench_submit_refuses_without_a_running_network(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(tmp_path / "absent"))
    result = CliRunner().invoke(main, ["bench", "submit", "--json"])
    assert result.exit_code == 2
    assert "is not running: start it with `envalue network up`" in result.output


def test_bench_submit_rejects_malformed_levels(tmp_path, monkeypatch) -> None:
    from envalue.bench import submit

    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(tmp_path / "absent"))
    with pytest.raises(ValueError, match="levels: '1,x' is not a list of integers"):
        submit.run(levels="1,x")
