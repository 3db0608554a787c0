"""`envalue bridge pending|resume|events` over a real relay journal (SQLite)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from relay_doubles import HOME, PARTNER, Crash, Ledgers  # noqa: E402

from envalue.bridge.relay import BridgeRelay  # noqa: E402
from envalue.bridge.store import BridgeStore  # noqa: E402
from envalue.chaincode.domain.wrapped.msg_burn import MsgBurn  # noqa: E402
from envalue.cli import main  # noqa: E402

pytestmark = pytest.mark.unit

OWNER = "CustomerMSP/x509::CN=alice,OU=client::CN=ca.customer"
DAVE = "MemberMSP/x509::CN=dave,OU=client::CN=ca.member"
BURN = MsgBurn("B-1", DAVE, HOME, "LOT-1", 200, OWNER)


def _crashed_between_burn_and_release(url: str) -> None:
    ledgers = Ledgers(crash_after=(PARTNER, "burn"))
    relay = BridgeRelay(ledgers.adapter(HOME), ledgers.adapter(PARTNER),
                        BridgeStore.from_url(url))
    with pytest.raises(Crash):
        asyncio.run(relay.submit_return(BURN, ledgers.adapter(PARTNER)))


def test_pending_resume_and_events_from_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'bridge.db'}"
    _crashed_between_burn_and_release(url)
    # no network has been created here: the relay cannot reach the home ledger
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(tmp_path / "no-network"))
    runner = CliRunner()

    listed = runner.invoke(main, ["bridge", "pending", "--db", url, "--json"])
    assert listed.exit_code == 0, listed.output
    [pending] = json.loads(listed.output)["pending"]
    assert (pending["kind"], pending["state"]) == ("return", "burning")

    resumed = runner.invoke(main, ["bridge", "resume", "--db", url, "--json"])
    assert resumed.exit_code == 3, resumed.output
    answer = json.loads(resumed.output)
    assert answer["still_pending"] == 1
    [row] = answer["resumed"]
    assert row["transfer_id"] == pending["transfer_id"]
    assert BridgeStore.from_url(url).get_transfer(pending["transfer_id"]).pending

    feed = runner.invoke(main, ["bridge", "events", "--db", url, "--json"])
    assert feed.exit_code == 0, feed.output
    events = json.loads(feed.output)["events"]
    assert events and all(e["transfer_id"] == pending["transfer_id"] for e in events)
