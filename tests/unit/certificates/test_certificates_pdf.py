"""The PDF certificate: one A4 page, bilingual text, the ledger facts and a QR code."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from certificates_helpers import TX_ID, TestCA, credit_record, token_record
from pypdf import PdfReader
from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel

from envalue.certificates import certificate_from_record, render_pdf, sign_certificate
from envalue.certificates.pdf import qr_drawing

pytestmark = pytest.mark.unit


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    return reader.pages[0].extract_text()


def test_token_certificate_page_shows_the_key_fields() -> None:
    cert = certificate_from_record(token_record())
    text = _text(render_pdf(cert))
    for expected in [
        "環境価値 償却証明書", "Retirement Certificate", cert.certificate_id, "恵那市",
        "1,250 kg-CO2e", "1.250 t-CO2e", "ENV-LOT-ENA-2025-001-1-1250", "1 – 1,250",
        "2025-04-01 – 2026-03-31", "EN-R-002 Ver. 3.0", "ena-pv-300kw / pcs-01",
        "温対法に基づく報告", "2025", "公共施設の太陽光自家消費分", "MunicipalityMSP",
        TX_ID, "4711", "envalue", "2026-04-01T09:30:00+09:00", cert.verification_url,
    ]:
        assert expected in text, expected


def test_credit_certificate_page_shows_the_invalidation_fields() -> None:
    cert = certificate_from_record(credit_record())
    text = _text(render_pdf(cert))
    for expected in ["クレジット / Credit", "株式会社恵那製作所", "12,000 kg-CO2e", "12.000 t-CO2e",
                     "クレジット使用者", "Credit user", "製品Aのカーボン・オフセット",
                     "カーボン・オフセット製品", "EN-S-001 Ver. 5.0", "20 件 / sites",
                     "and 12 more", "× 1,000 kg", "9001"]:
        assert expected in text, expected


def test_signed_pdf_names_the_signer_and_the_json_digest() -> None:
    cert = certificate_from_record(token_record())
    signed = sign_certificate(cert, TestCA.create().issue())
    text = _text(render_pdf(cert, signed=signed))
    assert "Signed by: PlatformMSP" in text and "SHA-256" in text


def test_output_is_deterministic() -> None:
    cert = certificate_from_record(token_record())
    assert render_pdf(cert) == render_pdf(cert)


def test_japanese_font_is_the_cid_font() -> None:
    reader = PdfReader(io.BytesIO(render_pdf(certificate_from_record(token_record()))))
    fonts = {str(f["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert "/HeiseiKakuGo-W5" in fonts


def test_huge_inputs_still_fit_one_page() -> None:
    record = credit_record()
    record["sites"] = [{"site_id": f"site-{i:04d}-{'x' * 40}"} for i in range(1000)]
    record["retirement"]["purpose_detail"] = "長い説明" * 250
    record["retirement"]["user_name"] = "株式会社" * 200
    text = _text(render_pdf(certificate_from_record(record)))
    assert "full text in the signed JSON" in text


def test_qr_matrix_encodes_the_verification_url() -> None:
    url = certificate_from_record(token_record()).verification_url
    widget = qr_drawing(url).contents[0]
    widget.draw()
    expected = QRCode(None, QRErrorCorrectLevel.M)
    expected.addData(url)
    expected.make()
    count = expected.getModuleCount()
    assert widget.qr.getModuleCount() == count
    assert all(widget.qr.isDark(r, c) == expected.isDark(r, c)
               for r in range(count) for c in range(count))


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
                    reason="needs pdftoppm (poppler-utils) and zbarimg (zbar-tools)")
def test_qr_on_the_rendered_page_decodes_to_the_url(tmp_path: Path) -> None:
    cert = certificate_from_record(token_record())
    (tmp_path / "c.pdf").write_bytes(render_pdf(cert))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "c.pdf"),
                    str(tmp_path / "page")], check=True, capture_output=True)
    out = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "page.png")],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == cert.verification_url
