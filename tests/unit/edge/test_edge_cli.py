"""`envalue simulate` writing files and posting to a live HTTP endpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from envalue.cli.simulate import command
from envalue.edge import DeviceKeys
from envalue.edge.signing import load_or_create_key
from envalue.ingest.store import IngestStore
from envalue.ingest_service import IngestService, ServiceConfig
from envalue.ingest_service.app import create_app

pytestmark = pytest.mark.unit


def test_writes_uploads_reports_and_signatures(tmp_path: Path) -> None:
    out = CliRunner().invoke(command, ["boiler", "--days", "1", "--format", "wide",
                                       "--defects", "field", "--rate", "gap=0.05",
                                       "--keys", str(tmp_path / "k"), "--out",
                                       str(tmp_path / "o"), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert [u["device"] for u in doc["uploads"]] == ["boiler-old", "boiler-new"]
    for u in doc["uploads"]:
        assert Path(u["file"]).read_bytes().decode().startswith("日時,")
        report = json.loads((tmp_path / "o" / f"{u['device']}.report.json").read_text())
        assert report["expected_quality"] == u["expected_quality"]
        assert u["signed"] and (tmp_path / "o" / f"{u['device']}.csv.sig").exists()


@pytest.mark.parametrize("args", [["--rate", "gap"], ["--rate", "nope=0.1"],
                                  ["--rate", "gap=2"], ["--interval", "7"]])
def test_bad_options(args: list[str]) -> None:
    assert CliRunner().invoke(command, ["boiler", *args]).exit_code == 2


def test_unknown_device_is_an_error() -> None:
    out = CliRunner().invoke(command, ["ena", "--device", "nope"])
    assert out.exit_code == 1 and "unknown device" in out.output


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, IngestStore]]:
    keys = tmp_path / "keys"
    for device in ("boiler-old", "boiler-new"):
        load_or_create_key(keys, device)
    store = IngestStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(IngestService(store, DeviceKeys.from_directory(keys),
                                   ServiceConfig(require_signature=True)))
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}", keys, store
    finally:
        srv.shutdown()
        thread.join(10)


def test_send_http(server: tuple[str, Path, IngestStore]) -> None:
    url, keys, store = server
    out = CliRunner().invoke(command, ["boiler", "--days", "2", "--kind", "cumulative",
                                       "--defects", "field", "--keys", str(keys),
                                       "--send-http", url, "--json"])
    assert out.exit_code == 0, out.output
    for u in json.loads(out.output)["uploads"]:
        assert u["sent"]["status"] == 201
        assert u["sent"]["quality"] == u["expected_quality"]
        assert u["sent"]["signature"] == "verified"
    assert len(store.batch_ids()) == 4
    # unsigned uploads are refused by this server
    out = CliRunner().invoke(command, ["boiler", "--days", "1", "--send-http", url])
    assert out.exit_code == 0
    assert "signature_required" in out.output
