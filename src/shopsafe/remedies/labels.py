"""Return labels: a 4 × 6 inch PDF (reportlab) with the RMA number, both addresses, a
Code 128 barcode of the return tracking number and, when the product needs one, the
dangerous-goods marking. Pure: the label is drawn again from the stored shipment whenever
it is asked for, so nothing but the data is kept.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

PAGE: Final = (4 * inch, 6 * inch)
MARGIN: Final = 0.2 * inch

# Recalled lithium batteries are "damaged, defective or recalled" (DDR) cells: never by
# air, ground transport in the packaging the rules prescribe (49 CFR 173.185(f); ADR SP 376).
_LITHIUM_METAL = re.compile(r"lithium[- ]metal|lithium-metall", re.IGNORECASE)
_LITHIUM_ION = re.compile(
    r"lithium|li-?ion|li-?po|power ?bank|e-?bike|e-?scooter|hoverboard|akku", re.IGNORECASE
)
DG_ION: Final = "UN3481 Lithium ion batteries contained in equipment"
DG_METAL: Final = "UN3091 Lithium metal batteries contained in equipment"
DG_NOTE: Final = ("RECALLED LITHIUM BATTERY", "GROUND TRANSPORT ONLY - NOT BY AIR")


def dangerous_goods(*texts: str | None) -> str | None:
    """The dangerous-goods entry a return of this product needs, or None."""
    words = " ".join(t for t in texts if t)
    if _LITHIUM_METAL.search(words):
        return DG_METAL
    if _LITHIUM_ION.search(words):
        return DG_ION
    return None


@dataclass(frozen=True)
class Label:
    rma: str
    carrier: str
    tracking_number: str
    ship_from: Mapping[str, Any]
    ship_to: Mapping[str, Any]
    product: str | None
    units: int
    dangerous_goods: str | None


def address_lines(address: Mapping[str, Any]) -> list[str]:
    lines = [address.get("name"), address.get("line1"), address.get("line2")]
    town = " ".join(str(p) for p in (address.get("postal_code"), address.get("city")) if p)
    return [str(x) for x in (*lines, town, address.get("country")) if x]


def _latin(text: str) -> str:
    """The standard PDF fonts cover Latin-1; anything else would print as boxes."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _block(canvas: Canvas, title: str, lines: list[str], x: float, y: float, size: int) -> float:
    canvas.setFont("Helvetica-Bold", 7)
    canvas.drawString(x, y, title)
    y -= size + 3
    canvas.setFont("Helvetica", size)
    for line in lines[:6]:
        canvas.drawString(x, y, _latin(line)[:48])
        y -= size + 2
    return y


def _barcode(canvas: Canvas, label: Label, y: float) -> float:
    width = PAGE[0] - 2 * MARGIN
    bar_width = 1.4
    code = Code128(label.tracking_number, barHeight=0.9 * inch, barWidth=bar_width, quiet=1)
    while code.width > width and bar_width > 0.6:
        bar_width -= 0.1
        code = Code128(label.tracking_number, barHeight=0.9 * inch, barWidth=bar_width, quiet=1)
    x = (PAGE[0] - code.width) / 2
    y -= code.height
    code.drawOn(canvas, x, y)
    canvas.setFont("Helvetica", 10)
    canvas.drawCentredString(PAGE[0] / 2, y - 12, label.tracking_number)
    return y - 22


def _dangerous(canvas: Canvas, entry: str, y: float) -> float:
    height = 0.7 * inch
    canvas.setLineWidth(2)
    canvas.rect(MARGIN, y - height, PAGE[0] - 2 * MARGIN, height)
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(MARGIN + 6, y - 13, DG_NOTE[0])
    canvas.drawString(MARGIN + 6, y - 24, DG_NOTE[1])
    canvas.setFont("Helvetica", 8)
    canvas.drawString(MARGIN + 6, y - 36, entry)
    canvas.drawString(
        MARGIN + 6, y - 46, "49 CFR 173.185(f) / ADR SP 376; do not ship if hot or swollen"
    )
    return y - height - 8


def render(label: Label) -> bytes:
    """The label as PDF bytes."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, pageCompression=1)
    canvas.setTitle(f"Return label {label.rma}")
    canvas.setAuthor("Shopsafe")
    top = PAGE[1] - MARGIN
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(MARGIN, top - 12, "RETURN - PRODUCT RECALL")
    canvas.setFont("Helvetica", 8)
    canvas.drawRightString(PAGE[0] - MARGIN, top - 12, f"Carrier: {label.carrier.upper()}")
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(MARGIN, top - 34, label.rma)
    y = _block(canvas, "FROM", address_lines(label.ship_from), MARGIN, top - 54, 8)
    y = _block(canvas, "TO", address_lines(label.ship_to), MARGIN + 0.3 * inch, y - 6, 11)
    canvas.setLineWidth(1)
    canvas.line(MARGIN, y, PAGE[0] - MARGIN, y)
    y = _barcode(canvas, label, y - 8)
    if label.dangerous_goods:
        y = _dangerous(canvas, label.dangerous_goods, y)
    canvas.setFont("Helvetica", 7)
    contents = f"Contents: {label.units} x {label.product or 'recalled product'}"
    canvas.drawString(MARGIN, max(y, MARGIN + 8), _latin(contents)[:70])
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
