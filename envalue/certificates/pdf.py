"""The printable certificate: one A4 page, bilingual, with a QR code to the verification page.

Japanese text uses reportlab's built-in CID font HeiseiKakuGo-W5 (Adobe-Japan1, no font
file needed; PDF viewers substitute an installed Japanese Gothic font). Output is
deterministic for the same input (``invariant=1``: fixed creation date and document id),
so a re-rendered certificate is byte-identical and can be compared or hashed.

The page is a rendering of the certificate, not the proof: the proof is the signed JSON,
whose SHA-256 the page prints when it is given, and the verification URL in the QR code.
"""

from __future__ import annotations

import hashlib
import io
from html import escape
from itertools import groupby
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    KeepInFrame,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .canonical import canonical_json
from .model import RetirementCertificate

__all__ = ["FONT", "MAX_SITES_SHOWN", "PURPOSE_LABELS", "qr_drawing", "render_pdf"]

FONT = "HeiseiKakuGo-W5"
MONO = "Courier"
#: A credit batch may have hundreds of sites; the page lists this many, the JSON all.
MAX_SITES_SHOWN = 8
#: Free text (notes, names) is cut at this many characters on the page, never in the JSON.
MAX_TEXT_SHOWN = 240

#: Labels of the token domain's retirement purposes; other values print as they are.
PURPOSE_LABELS: dict[str, str] = {
    "carbon_offset_product": "カーボン・オフセット製品 / Carbon-offset product",
    "japan_reporting_act": "温対法に基づく報告 / Reporting under Japan's Global Warming Act",
    "voluntary": "自主的な取組 / Voluntary",
    "other": "その他 / Other",
}
_KIND_LABELS = {"token": "削減量トークン / Reduction token",
                "credit": "クレジット / Credit"}


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName="Helvetica", fontSize=9, leading=12, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontName="Helvetica-Bold", fontSize=17,
                                leading=24, alignment=1),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=9, alignment=1,
                                   textColor=colors.HexColor("#444444")),
        "label": ParagraphStyle("label", parent=base, fontSize=8, leading=11,
                                textColor=colors.HexColor("#333333")),
        "value": base,
        "big": ParagraphStyle("big", parent=base, fontSize=12, leading=16),
        "small": ParagraphStyle("small", parent=base, fontSize=7, leading=9.5,
                                textColor=colors.HexColor("#444444")),
    }


def qr_drawing(url: str, size: float = 34 * mm) -> Drawing:
    """A QR code (error correction M) encoding `url`, `size` points square."""
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _t(text: str) -> str:
    """Escaped `text` with Japanese runs in the CID font and ASCII runs in Helvetica.

    Latin text stays in a standard font because viewers substitute the non-embedded CID
    font with whatever Japanese font they have, and some (poppler) then lack its
    half-width Latin glyphs.
    """
    out = []
    for latin, run in groupby(text, key=_is_latin):
        chunk = escape("".join(run))
        out.append(chunk if latin else f'<font name="{FONT}">{chunk}</font>')
    return "".join(out)


def _is_latin(char: str) -> bool:
    """True for characters Helvetica has (WinAnsi, e.g. ASCII, – — × …)."""
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _mono(text: str) -> str:
    return f'<font name="{MONO}">{escape(text)}</font>'


def _clip(text: str, limit: int = MAX_TEXT_SHOWN) -> str:
    """`text` as markup, cut at `limit` characters so the page stays one page."""
    if len(text) <= limit:
        return _t(text)
    return _t(text[:limit] + " …（全文は署名付きJSON / full text in the signed JSON）")


def _label(japanese: str, english: str) -> str:
    return f"{_t(japanese)}<br/>{_t(english)}"


def _rows(cert: RetirementCertificate) -> list[tuple[str, str]]:
    """(label markup, value markup) pairs, in page order."""
    ranges = "<br/>".join(
        _mono(r.serial) + "<br/>" + _t(f"{r.source_id}: {r.first:,} – {r.last:,}")
        + ("" if r.unit_kg == 1 else _t(f" (× {r.unit_kg:,} kg)"))
        for r in cert.serial_ranges
    )
    shown = cert.sites[:MAX_SITES_SHOWN]
    sites = ", ".join(s.site_id + (f" / {s.equipment_id}" if s.equipment_id else "")
                      for s in shown)
    if len(cert.sites) > len(shown):
        more = len(cert.sites) - len(shown)
        sites += f" … ほか {more} 件 / and {more} more (see the signed JSON)"
    sites = _t(f"{len(cert.sites)} 件 / sites: ") + _clip(sites, 4 * MAX_TEXT_SHOWN)
    rows = [
        (_label("証明書番号", "Certificate ID"), _mono(cert.certificate_id)),
        (_label("種別", "Kind"), _t(_KIND_LABELS.get(cert.kind, cert.kind))),
        (_label("受益者", "Beneficiary"), _clip(cert.beneficiary)),
        (_label("償却量", "Quantity retired"),
         _t(f"{cert.quantity_kg:,} kg-CO2e （{cert.quantity_t} t-CO2e）")),
        (_label("シリアル番号", "Serial range"), ranges),
        (_label("ヴィンテージ", "Vintage"), _t(f"{cert.vintage_start} – {cert.vintage_end}")),
        (_label("方法論", "Methodology"),
         _t(f"{cert.methodology.name} Ver. {cert.methodology.version}")),
        (_label("サイト・設備", "Sites / equipment"), sites),
        (_label("目的", "Purpose"), _t(PURPOSE_LABELS.get(cert.purpose, cert.purpose))),
        (_label("報告年度", "Reporting year"), _t(str(cert.reporting_year))),
        (_label("備考", "Note"), _clip(cert.note or "—")),
    ]
    if cert.credit_use is not None:
        rows += [
            (_label("クレジット使用者", "Credit user"), _clip(cert.credit_use.user_name)),
            (_label("用途", "Use"),
             _clip(PURPOSE_LABELS.get(cert.credit_use.use, cert.credit_use.use))),
            (_label("目的の詳細", "Purpose detail"),
             _clip(cert.credit_use.purpose_detail or "—")),
        ]
    rows += [
        (_label("償却者", "Retired by"),
         _t(cert.retiring_holder.msp_id) + "<br/>" + _mono(cert.retiring_holder.id)),
        (_label("取引ID", "Transaction ID"), _mono(cert.tx_id)),
        (_label("ブロック番号", "Block number"),
         _t(f"{cert.block_number} （チャネル / channel {cert.channel}）")),
        (_label("償却日時", "Retired at"), _t(cert.issued_at)),
    ]
    return rows


def render_pdf(cert: RetirementCertificate, *, signed: dict[str, Any] | None = None) -> bytes:
    """The certificate page as PDF bytes; `signed` (the envelope) adds the signer line."""
    _register_font()
    st = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, invariant=1,
        leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=14 * mm,
        title=f"Retirement Certificate {cert.certificate_id}", author="envalue",
        subject="環境価値 償却証明書 / Retirement Certificate", creator="envalue",
        producer="envalue",
    )
    width = doc.width
    table = Table(
        [[Paragraph(label, st["label"]),
          Paragraph(value, st["big"] if i in (2, 3) else st["value"])]
         for i, (label, value) in enumerate(_rows(cert))],
        colWidths=[38 * mm, width - 38 * mm],
    )
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#EEF3EE")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#BBBBBB")),
        ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor("#4A6B4A")),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    verify_text = [
        Paragraph(_t("検証 / Verification"), st["label"]),
        Paragraph(_mono(cert.verification_url), st["value"]),
        Spacer(1, 2 * mm),
        Paragraph(_t("QRコードから公開検証ページを開けます。署名付きJSONはコンソーシアムのCA"
                     "証明書でオフライン検証できます。") + "<br/>"
                  + _t("Scan the QR code to open the public verification page. The signed "
                       "JSON can be verified offline against the consortium's CA "
                       "certificates."), st["small"]),
    ]
    if signed is not None:
        sig = signed.get("signature", {})
        digest = hashlib.sha256(canonical_json(signed)).hexdigest()
        verify_text += [
            Spacer(1, 2 * mm),
            Paragraph(_t(f"署名 / Signed by: {sig.get('msp_id', '')}"), st["small"]),
            Paragraph(_t("SHA-256 (signed JSON, canonical):"), st["small"]),
            Paragraph(_mono(digest), st["small"]),
        ]
    footer = Table([[verify_text, qr_drawing(cert.verification_url)]],
                   colWidths=[width - 40 * mm, 40 * mm])
    footer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    story = [
        Paragraph(_t("環境価値 償却証明書"), st["title"]),
        Paragraph(_t("Retirement Certificate"), st["title"]),
        Paragraph(_t("Hyperledger Fabric コンソーシアム台帳の記録に基づき、下記の環境価値が償却"
                     "されたことを証明します。") + "<br/>"
                  + _t("This certifies that the environmental value below was retired, as "
                       "recorded on the consortium's Hyperledger Fabric ledger."),
                  st["subtitle"]),
        Spacer(1, 5 * mm),
        table,
        Spacer(1, 5 * mm),
        footer,
    ]
    # Shrink rather than spill onto a second page (hundreds of sites, long texts).
    doc.build([KeepInFrame(doc.width, doc.height, story, mode="shrink")])
    return out.getvalue()
