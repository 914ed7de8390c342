"""Disposal photos: checked (PNG or JPEG, size, pixels) and stored without their metadata,
so a phone's GPS position in the EXIF data never reaches the seller. Pure: no database."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS: Final = 40_000_000
MAX_SIDE: Final = 2400  # larger photos are scaled down before they are stored
FORMATS: Final = {"PNG": "image/png", "JPEG": "image/jpeg"}


class PhotoRefused(ValueError):
    """The upload is not a usable photo; the message says why."""


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str


def _open(data: bytes, max_bytes: int) -> Image.Image:
    if not data:
        raise PhotoRefused("the file is empty")
    if len(data) > max_bytes:
        raise PhotoRefused(
            f"the photo is {len(data) / 1048576:.1f} MB; the limit is {max_bytes / 1048576:.1f} MB"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise PhotoRefused(
                    f"this is a {image.format} file; please send a PNG or JPEG photo"
                )
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRefused(f"the photo has too many pixels ({image.width}×{image.height})")
            image.load()
    except UnidentifiedImageError:
        raise PhotoRefused("this file is not an image; please send a PNG or JPEG photo") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise PhotoRefused("the photo has too many pixels") from None
    except OSError:
        raise PhotoRefused("the photo is damaged or incomplete; please send it again") from None
    return image


def clean(data: bytes, *, max_bytes: int) -> CleanPhoto:
    """The photo upright, at most MAX_SIDE pixels on its long side, without metadata."""
    image = _open(data, max_bytes)
    source_format = image.format or "JPEG"
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if source_format == "PNG":
        upright.save(out, format="PNG", optimize=True)
    else:
        upright.convert("RGB").save(out, format="JPEG", quality=85)
    cleaned = out.getvalue()
    return CleanPhoto(
        data=cleaned,
        content_type=FORMATS[source_format],
        width=upright.width,
        height=upright.height,
        sha256=hashlib.sha256(cleaned).hexdigest(),
    )
