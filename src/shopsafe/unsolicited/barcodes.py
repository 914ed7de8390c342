"""Tracking numbers from photos of shipping labels (zxing-cpp + Pillow).

Reads Code 128, GS1-128, Data Matrix and PDF417. Phone pictures are tilted, blurred and
huge, so a photo that gives nothing at first is tried again rotated by small angles,
rescaled, and with stronger contrast. QR codes are detected but never decoded into
anything we act on: a QR code on an unexpected parcel may lead to a phishing site, so the
reporter is warned instead. Photos are read in memory and never stored.
"""

from __future__ import annotations

import io
import re
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

import zxingcpp
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from shopsafe.ledger import tracking

MAX_PHOTOS: Final = 20
MAX_BYTES: Final = 10 * 1024 * 1024
MAX_PIXELS: Final = 60_000_000
SECONDS_PER_PHOTO: Final = 2.5
SECONDS_PER_REPORT: Final = 20.0
WORK_SIDE: Final = 2000  # the long side a photo is brought to before reading
ANGLES: Final = (-7, 7, -15, 15, -25, 25, -35, 35, 45, -45)
_QR: Final = frozenset({"QRCode", "MicroQRCode", "RMQRCode"})
_FORMATS = zxingcpp.BarcodeFormats(
    [
        zxingcpp.BarcodeFormat.Code128,
        zxingcpp.BarcodeFormat.DataMatrix,
        zxingcpp.BarcodeFormat.PDF417,
        zxingcpp.BarcodeFormat.QRCode,
        zxingcpp.BarcodeFormat.MicroQRCode,
        zxingcpp.BarcodeFormat.RMQRCode,
    ]
)
_CANDIDATES = re.compile(r"1Z[0-9A-Z]{16}|[A-Z]{2}[0-9]{9}[A-Z]{2}|[0-9]{10,40}")
_GS = "\x1d"


@dataclass(frozen=True)
class Photo:
    """An uploaded file. `size` is its length when `data` was not read (too big to read)."""

    filename: str
    data: bytes
    size: int | None = None


@dataclass(frozen=True)
class Barcode:
    photo: int
    format: str
    text: str
    tracking_numbers: tuple[str, ...]


@dataclass
class Reading:
    """What the photos gave: tracking numbers in order of appearance, each barcode read,
    how many QR codes were seen, and one problem per photo that could not be used."""

    numbers: list[str] = field(default_factory=list)
    barcodes: list[Barcode] = field(default_factory=list)
    qr_codes: int = 0
    problems: list[str] = field(default_factory=list)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def open_photo(data: bytes, size: int | None = None) -> Image.Image:
    """The photo as an upright grayscale image; ValueError says what is wrong with it."""
    length = len(data) if size is None else size
    if length > MAX_BYTES:
        raise ValueError(f"{_megabytes(length)} is more than the limit of 10 MB per photo")
    if not data:
        raise ValueError("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ("PNG", "JPEG"):
                raise ValueError(f"is a {image.format} file; please send a PNG or JPEG photo")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValueError(f"has too many pixels ({width}×{height})")
            image.load()
    except UnidentifiedImageError:
        raise ValueError("is not an image; please send a PNG or JPEG photo") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValueError("has too many pixels") from None
    except OSError:
        raise ValueError("is damaged or incomplete; please send the photo again") from None
    upright = ImageOps.exif_transpose(image)
    return upright.convert("L")


def _fit(image: Image.Image, side: int) -> Image.Image:
    scale = side / max(image.size)
    if 0.9 < scale < 1.1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _turn(image: Image.Image, angle: float) -> Image.Image:
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def _variants(image: Image.Image) -> Iterator[tuple[Image.Image, zxingcpp.Binarizer]]:
    """The photo as it is, then rescaled, rotated and with more contrast."""
    local, global_ = zxingcpp.Binarizer.LocalAverage, zxingcpp.Binarizer.GlobalHistogram
    base = _fit(image, WORK_SIDE)
    yield base, local
    sharp = ImageOps.autocontrast(base, cutoff=1).filter(ImageFilter.SHARPEN)
    yield sharp, global_
    for side in (WORK_SIDE // 2, WORK_SIDE * 3 // 2):
        yield _fit(image, side), local
    for angle in ANGLES:
        yield _turn(base, angle), local
    for angle in ANGLES[:4]:
        yield _turn(sharp, angle), global_


def _format_name(code: zxingcpp.Barcode) -> str:
    name = code.format.name
    if name == "Code128" and code.content_type == zxingcpp.ContentType.GS1:
        return "GS1-128"
    return {"Code128": "Code 128", "DataMatrix": "Data Matrix"}.get(name, name)


def _text_of(code: zxingcpp.Barcode) -> str:
    """The raw content, with GS1 field separators kept as ASCII GS."""
    return code.bytes.decode("latin-1")


def _best_in_run(run: str) -> str | None:
    """A tracking number inside a run of digits (GS1 prefixes such as 420 + ZIP code)."""
    tries = [run]
    for length in (22, 20, 18):
        if len(run) > length:
            tries += [run[-length:], run[:length]]
    return next((t for t in tries if tracking.detect_carrier(t)), None)


def tracking_numbers_in(text: str) -> list[str]:
    """Tracking numbers of known carriers found in a barcode's content."""
    found: list[str] = []
    for field_ in text.split(_GS):
        for match in _CANDIDATES.finditer(tracking.normalise(field_)):
            token = match.group(0)
            number = _best_in_run(token) if token.isdigit() else token
            if number and tracking.detect_carrier(number) and number not in found:
                found.append(number)
    return found


def read_image(image: Image.Image, *, budget: float = SECONDS_PER_PHOTO) -> list[zxingcpp.Barcode]:
    """Barcodes on the image, trying the variants until one holds a tracking number (or
    the time budget of the photo is spent)."""
    seen: dict[tuple[str, bytes], zxingcpp.Barcode] = {}
    deadline = time.monotonic() + budget
    for variant, binarizer in _variants(image):
        if time.monotonic() > deadline:
            break
        for code in zxingcpp.read_barcodes(variant, formats=_FORMATS, binarizer=binarizer):
            if code.valid:
                seen.setdefault((code.format.name, code.bytes), code)
        if any(
            c.format.name not in _QR and tracking_numbers_in(_text_of(c)) for c in seen.values()
        ):
            break
    return list(seen.values())


def _read_one(index: int, photo: Photo, reading: Reading, budget: float) -> None:
    label = f"photos[{index}] '{photo.filename}'"
    try:
        image = open_photo(photo.data, photo.size)
    except ValueError as error:
        reading.problems.append(f"{label}: {error}")
        return
    if budget <= 0:
        reading.problems.append(f"{label}: not read, the photos before it took all the time")
        return
    codes = read_image(image, budget=min(budget, SECONDS_PER_PHOTO))
    qr = [c for c in codes if c.format.name in _QR]
    reading.qr_codes += len(qr)
    useful = 0
    for code in codes:
        if code.format.name in _QR:
            continue
        numbers = tuple(tracking_numbers_in(_text_of(code)))
        reading.barcodes.append(Barcode(index, _format_name(code), code.text[:200], numbers))
        useful += len(numbers)
        reading.numbers.extend(n for n in numbers if n not in reading.numbers)
    if useful:
        return
    if qr and len(qr) == len(codes):
        reading.problems.append(
            f"{label}: only a QR code was found. We never open QR codes on parcels nobody "
            "ordered, because they can lead to phishing sites; please type the tracking "
            "number printed on the label"
        )
    elif codes:
        reading.problems.append(
            f"{label}: the barcodes on it hold no tracking number we know; "
            "please type the tracking number printed on the label"
        )
    else:
        reading.problems.append(
            f"{label}: no barcode found. Take the photo again straight on, in good light, "
            "with the whole label in the picture, or type the tracking number"
        )


def read_photos(photos: Sequence[Photo]) -> Reading:
    """Reads every photo; problems name each photo that gave no tracking number."""
    reading = Reading()
    if len(photos) > MAX_PHOTOS:
        reading.problems.append(f"photos: at most {MAX_PHOTOS} photos, not {len(photos)}")
        return reading
    deadline = time.monotonic() + SECONDS_PER_REPORT
    for index, photo in enumerate(photos):
        _read_one(index, photo, reading, deadline - time.monotonic())
    return reading
