"""Reading a report from a request: a JSON body, or a form (multipart with photos).

Shared by the API and the `/unsolicited` page. A photo larger than the limit is not read
into memory at all; its size is enough to refuse it with a clear message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from shopsafe.kit.errors import DomainError, InvalidInput
from shopsafe.unsolicited import barcodes, validation
from shopsafe.unsolicited.schemas import ReportIn

MAX_BODY: Final = barcodes.MAX_PHOTOS * barcodes.MAX_BYTES + 1024 * 1024
_FIELDS: Final = ("postal_code", "country", "name", "email", "note", "language")


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "too_large"


@dataclass
class Submission:
    """A report as sent, before it is checked."""

    data: dict[str, Any]
    photos: list[barcodes.Photo] = field(default_factory=list)


def problems_of(error: ValidationError) -> list[str]:
    return [
        ".".join(str(part) for part in e["loc"])
        + ": "
        + str(e["msg"]).removeprefix("Value error, ")
        for e in error.errors()
    ]


def parse(submission: Submission) -> ReportIn:
    """The report, or InvalidInput naming every problem of its fields."""
    try:
        return ReportIn.model_validate(submission.data)
    except ValidationError as error:
        raise InvalidInput(problems_of(error)) from None


async def _photos(form: FormData) -> list[barcodes.Photo]:
    """The uploaded photos (a form's empty file field, sent when no file was chosen, is
    not one)."""
    photos: list[barcodes.Photo] = []
    for item in form.getlist("photos"):
        if not isinstance(item, UploadFile):
            continue
        name = item.filename or f"photo {len(photos) + 1}"
        if item.size is not None and item.size > barcodes.MAX_BYTES:
            photos.append(barcodes.Photo(name, b"", item.size))
        else:
            data = await item.read()
            if data or item.filename:
                photos.append(barcodes.Photo(name, data))
        await item.close()
    return photos


def _from_form(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in _FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            data[name] = value
    numbers: list[str] = []
    for value in form.getlist("tracking_numbers"):
        if isinstance(value, str):
            numbers.extend(validation.split_numbers(value))
    data["tracking_numbers"] = numbers
    return data


async def read_form(request: Request) -> Submission:
    form = await request.form(max_files=barcodes.MAX_PHOTOS + 10, max_fields=50)
    return Submission(_from_form(form), await _photos(form))


async def read_submission(request: Request) -> Submission:
    """The report from a JSON body or a form; 413 before reading an oversized body."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise PayloadTooLarge(
            f"the report is {int(length) / (1024 * 1024):.0f} MB; at most "
            f"{barcodes.MAX_PHOTOS} photos of up to 10 MB each"
        )
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return await read_form(request)
    try:
        data = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput([f"body: not valid JSON ({error})"]) from None
    if not isinstance(data, dict):
        raise InvalidInput(["body: must be a JSON object with tracking_numbers and postal_code"])
    return Submission(data)
