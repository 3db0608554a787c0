"""`envalue certificate render|verify` end to end on files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from certificates_helpers import TestCA, credit_record, token_record, write_msp
from click.testing import CliRunner
from pypdf import PdfReader

from envalue.cli.certificate import command

pytestmark = pytest.mark.unit


def test_registered_as_envalue_certificate() -> None:
    source = (Path(__file__).parents[3] / "envalue" / "cli" / "__init__.py").read_text()
    assert '"certificate",' in source


@pytest.fixture
def setup(tmp_path: Path) -> dict[str, Path]:
    ca = TestCA.create()
    identity, key = ca.issue_pair()
    (tmp_path / "ca.pem").write_bytes(ca.pem)
    (tmp_path / "other-ca.pem").write_bytes(TestCA.create("ca.other").pem)
    (tmp_path / "record.json").write_text(json.dumps(token_record(), ensure_ascii=False),
                                          encoding="utf-8")
    return {"dir": tmp_path, "msp": write_msp(identity, key, tmp_path / "msp"),
            "record": tmp_path / "record.json", "ca": tmp_path / "ca.pem",
            "other": tmp_path / "other-ca.pem"}


def _render(files: dict[str, Path], *extra: str):
    d = files["dir"]
    return CliRunner().invoke(command, [
        "render", "--input", str(files["record"]), "--signer-msp",
        str(files["msp"]), "--msp-id", "PlatformMSP", "--out-pdf", str(d / "c.pdf"),
        "--out-json", str(d / "c.json"), *extra])


def test_render_then_verify(setup: dict[str, Path]) -> None:
    result = _render(setup, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["certificate_id"].startswith("RC-")
    assert summary["verification_url"].endswith("/verify/" + summary["certificate_id"])
    assert "恵那市" in PdfReader(setup["dir"] / "c.pdf").pages[0].extract_text()
    doc = json.loads((setup["dir"] / "c.json").read_text(encoding="utf-8"))
    assert doc["certificate"]["beneficiary"] == "恵那市"

    ok = CliRunner().invoke(command, ["verify", str(setup["dir"] / "c.json"),
                                   "--ca", str(setup["other"]), "--ca", str(setup["ca"])])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith(f"valid: {summary['certificate_id']}")

    bound = CliRunner().invoke(command, ["verify", str(setup["dir"] / "c.json"),
                                      "--ca", f"PlatformMSP={setup['ca']}", "--json"])
    assert bound.exit_code == 0 and json.loads(bound.output)["valid"] is True


def test_verify_reports_tampering_with_exit_1(setup: dict[str, Path]) -> None:
    assert _render(setup).exit_code == 0
    path = setup["dir"] / "c.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["certificate"]["beneficiary"] = "Someone else"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(command, ["verify", str(path), "--ca",
                                       str(setup["ca"]), "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["valid"] is False
    assert out["reasons"] == [
        "signature: the certificate was altered after signing: changed beneficiary"]
    plain = CliRunner().invoke(command, ["verify", str(path), "--ca",
                                      str(setup["ca"])])
    assert plain.exit_code == 1 and "changed beneficiary" in plain.stderr


def test_verify_with_a_foreign_ca_fails(setup: dict[str, Path]) -> None:
    assert _render(setup).exit_code == 0
    result = CliRunner().invoke(command, ["verify", str(setup["dir"] / "c.json"),
                                       "--ca", str(setup["other"])])
    assert result.exit_code == 1
    assert "unknown CA" in result.stderr


def test_render_a_credit_record_with_portal_override(setup: dict[str, Path]) -> None:
    setup["record"].write_text(json.dumps(credit_record(), ensure_ascii=False), encoding="utf-8")
    result = _render(setup, "--portal-base", "https://verify.example/", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["verification_url"].startswith(
        "https://verify.example/verify/RC-")


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r["ledger"].update(tx_id="x"), "ledger.tx_id: 'x' is not the retirement"),
    (lambda r: r.pop("lot"), "record.lot: missing"),
])
def test_render_errors_name_the_field(setup: dict[str, Path], change, message: str) -> None:
    record = token_record()
    change(record)
    setup["record"].write_text(json.dumps(record), encoding="utf-8")
    result = _render(setup)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (setup["dir"] / "c.pdf").exists()


def test_render_with_an_empty_msp_folder(setup: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    setup["msp"] = tmp_path / "empty"
    result = _render(setup)
    assert result.exit_code == 2 and "--signer-msp" in result.stderr


def test_verify_unreadable_input(setup: dict[str, Path]) -> None:
    bad = setup["dir"] / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(command, ["verify", str(bad), "--ca",
                                       str(setup["ca"])])
    assert result.exit_code == 2 and "cannot read" in result.stderr
