"""Ledger API: order import and look-up (CONTRACT §5 "Orders")."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from shopsafe.kit.errors import InvalidInput, NotFound
from shopsafe.ledger import hooks, service
from shopsafe.ledger.importers import parse_objects, parse_records
from shopsafe.ledger.schemas import ImportResult, OrderIn, OrderOut, SellerIn, SellerOut
from shopsafe.web.deps import ApiPrincipal, DbSession, OperatorPrincipal

router = APIRouter(tags=["orders"])

NDJSON = ("application/x-ndjson", "application/jsonl", "application/json-lines")


def _decode(body: bytes, content_type: str) -> tuple[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(["body: is not UTF-8"]) from None
    if content_type.split(";")[0].strip().lower() in NDJSON:
        return "lines", text.splitlines()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput([f"body: {error.msg} at line {error.lineno}"]) from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InvalidInput(["body: must be a JSON array of orders"])
    return "objects", data


async def raw_body(request: Request) -> bytes:
    return await request.body()


@router.post(
    "/orders",
    response_model=ImportResult,
    summary="Import orders (all-or-nothing; a JSON array, or JSON Lines as application/x-ndjson)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
def import_orders(
    request: Request,
    body: Annotated[bytes, Depends(raw_body)],
    session: DbSession,
    _principal: OperatorPrincipal,
) -> ImportResult:
    kind, payload = _decode(body, request.headers.get("content-type", ""))

    def source() -> service.Parsed[OrderIn]:
        if kind == "lines":
            return parse_records(payload, OrderIn)
        return parse_objects(payload, OrderIn)

    summary = service.import_orders(session, source=source, on_written=hooks.after_import)
    return ImportResult(imported=summary.orders, lines=summary.lines)


@router.get("/orders/{order_id}", response_model=OrderOut, summary="One order with its status")
def get_order(order_id: str, session: DbSession, _principal: OperatorPrincipal) -> OrderOut:
    return service.get_order(session, order_id)


@router.put(
    "/sellers/{seller_id}",
    response_model=SellerOut,
    tags=["sellers"],
    summary="Create or update a seller's public trader identity",
)
def put_seller(
    seller_id: str, seller: SellerIn, session: DbSession, _principal: OperatorPrincipal
) -> SellerOut:
    if seller.seller_id != seller_id:
        raise InvalidInput([f"seller_id: '{seller.seller_id}' differs from the path '{seller_id}'"])
    service.upsert_sellers(session, sellers=[seller])
    return service.get_seller(session, seller_id)


@router.get("/sellers/{seller_id}", response_model=SellerOut, tags=["sellers"])
def get_seller(seller_id: str, session: DbSession, principal: ApiPrincipal) -> SellerOut:
    if not principal.is_operator and principal.seller_external_id != seller_id:
        raise NotFound(f"seller '{seller_id}' not found")
    return service.get_seller(session, seller_id)
