"""Pictures of shipping labels with real barcodes (zxing-cpp writes them, Pillow draws).

Used by the demo (a label to try the photo upload with) and by the tests, which tilt and
blur these pictures the way a phone camera does.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Literal, cast

import zxingcpp
from PIL import Image, ImageDraw, ImageFilter

Symbol = Literal["code128", "gs1-128", "datamatrix", "pdf417", "qr"]

_FORMATS: dict[Symbol, zxingcpp.BarcodeFormat] = {
    "code128": zxingcpp.BarcodeFormat.Code128,
    "gs1-128": zxingcpp.BarcodeFormat.Code128,
    "datamatrix": zxingcpp.BarcodeFormat.DataMatrix,
    "pdf417": zxingcpp.BarcodeFormat.PDF417,
    "qr": zxingcpp.BarcodeFormat.QRCode,
}


def barcode_image(content: str, symbol: Symbol = "code128", *, scale: int = 3) -> Image.Image:
    """One barcode as a grayscale image with quiet zones. For ``gs1-128`` the content is
    given in GS1 notation, e.g. ``(00)340434161094042557``."""
    if symbol == "gs1-128":
        code = zxingcpp.create_barcode(content, _FORMATS[symbol], gs1=True)
    else:
        code = zxingcpp.create_barcode(content, _FORMATS[symbol])
    view = memoryview(cast(Any, code.to_image(scale=scale)))
    height, width = cast(tuple[int, int], view.shape)
    return Image.frombuffer("L", (width, height), bytes(view), "raw", "L", 0, 1)


def label_image(
    barcodes: Sequence[tuple[str, Symbol]],
    *,
    lines: Sequence[str] = (),
    width: int = 900,
) -> Image.Image:
    """A white label with address lines on top and the barcodes below each other."""
    codes = [barcode_image(content, symbol) for content, symbol in barcodes]
    text_height = 30 * len(lines) + 40
    height = text_height + sum(c.height + 40 for c in codes) + 40
    label = Image.new("L", (max(width, *(c.width + 80 for c in codes)), height), 255)
    draw = ImageDraw.Draw(label)
    for number, line in enumerate(lines):
        draw.text((40, 30 + 30 * number), line, fill=0)
    top = text_height
    for code in codes:
        label.paste(code, (40, top))
        top += code.height + 40
    return label.convert("RGB")


def as_photo(
    image: Image.Image, *, angle: float = 0.0, blur: float = 0.0, fmt: str = "JPEG"
) -> bytes:
    """The label as a phone would take it: on a grey table, tilted, a little blurred."""
    table = Image.new("RGB", (image.width + 300, image.height + 300), (150, 146, 140))
    table.paste(image, (150, 150))
    if angle:
        table = table.rotate(
            angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(150, 146, 140)
        )
    if blur:
        table = table.filter(ImageFilter.GaussianBlur(blur))
    out = io.BytesIO()
    table.save(out, format=fmt, quality=88)
    return out.getvalue()
