"""Return logistics: booking a return parcel and its label, signed carrier events, and the
orders that ship a replacement or a repair kit to the customer."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from sqlalchemy.orm import Session

from shopsafe.kit.clock import now
from shopsafe.kit.errors import InvalidInput, Unauthorized
from shopsafe.ledger.models import Order, OrderLine, Seller
from shopsafe.recalls.models import Recall
from shopsafe.remedies import carriers, labels
from shopsafe.remedies import repository as repo
from shopsafe.remedies.models import RemedyCase, ReturnShipment

SIGNATURE_HEADER = "X-Shopsafe-Signature"


def seller_address(seller: Seller | None) -> dict[str, Any]:
    if seller is None:
        return {"name": "Returns", "line1": None, "postal_code": None, "city": None}
    return {
        "name": seller.name or seller.external_id, "line1": seller.address_line,
        "postal_code": seller.postal_code, "city": seller.city, "country": seller.country,
    }  # fmt: skip


def customer_address(session: Session, case: RemedyCase) -> dict[str, Any]:
    found = repo.address(session, case.ship_from_address_id)
    person = repo.customer(session, case.customer_id)
    name = case.ship_from_name or (person.name if person else None)
    if found is None:
        return {"name": name}
    return {
        "name": name, "line1": found.line1, "line2": found.line2,
        "postal_code": found.postal_code, "city": found.city, "country": found.country,
    }  # fmt: skip


def issue_label(
    session: Session, case: RemedyCase, recall: Recall, *, carrier_name: str | None = None
) -> ReturnShipment:
    """Books the return parcel once (a second call returns the first booking)."""
    existing = repo.return_of(session, case.id)
    if existing is not None:
        return existing
    carrier = carriers.carrier(carrier_name or carriers.DEFAULT_CARRIER)
    booking = carrier.book_return(rma=case.rma, case_id=case.id)
    content = recall.content
    product = content.get("product_name") or recall.title
    shipment = ReturnShipment(
        case_id=case.id,
        carrier=booking.carrier,
        tracking_number=booking.tracking_number,
        status="label_issued",
        ship_from=customer_address(session, case),
        ship_to=seller_address(repo.seller(session, case.seller_id)),
        product=str(product)[:500],
        dangerous_goods=labels.dangerous_goods(
            str(product), content.get("hazard"), recall.title, content.get("instructions")
        ),
        label_issued_at=now(),
    )
    session.add(shipment)
    session.flush()
    return shipment


def label_of(session: Session, case: RemedyCase) -> labels.Label | None:
    shipment = repo.return_of(session, case.id)
    if shipment is None:
        return None
    return labels.Label(
        rma=case.rma, carrier=shipment.carrier, tracking_number=shipment.tracking_number,
        ship_from=shipment.ship_from, ship_to=shipment.ship_to, product=shipment.product,
        units=case.units, dangerous_goods=shipment.dangerous_goods,
    )  # fmt: skip


def verify_signature(body: bytes, header: str | None, secret: str) -> None:
    """Refuses (401) a body whose HMAC-SHA256 is not the one in `X-Shopsafe-Signature`."""
    if not header:
        raise Unauthorized(f"{SIGNATURE_HEADER} is missing", code="signature_missing")
    sent = header.strip()
    sent = sent.split("=", 1)[1] if sent.lower().startswith("sha256=") else sent
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(sent.lower().encode(), expected.encode()):
        raise Unauthorized("the signature does not match the body", code="bad_signature")


def read_event(body: bytes) -> carriers.TrackingEvent:
    """The carrier event in a (verified) body, or 422 naming what is wrong."""
    try:
        data = json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput([f"body: not valid JSON ({error})"]) from None
    if not isinstance(data, dict):
        raise InvalidInput(["body: must be a JSON object"])
    try:
        carrier = carriers.carrier(str(data.get("carrier") or ""))
        return carrier.read_event(data)
    except ValueError as error:
        raise InvalidInput([str(error)]) from None


def mark_shipment(shipment: ReturnShipment, reached: str, at: Any) -> None:
    if reached == "in_transit" and shipment.in_transit_at is None:
        shipment.in_transit_at = at
        shipment.status = "in_transit"
    elif reached == "received":
        shipment.in_transit_at = shipment.in_transit_at or at
        shipment.delivered_at = shipment.delivered_at or at
        shipment.status = "delivered"


ORDER_MARKERS = {"replacement": "RPL", "repair_kit": "KIT"}


def ship_to_customer(session: Session, case: RemedyCase, *, kind: str) -> Order:
    """An order in the ledger that ships a replacement or a repair kit to the customer, free
    of charge; its id starts with `RPL-` or `KIT-` and the RMA. It carries no matching keys,
    so the recall never matches it. Made once per case and kind."""
    external_id = f"{ORDER_MARKERS[kind]}-{case.rma}"
    existing = repo.order_by_external(session, external_id)
    if existing is not None:
        return existing
    if case.ship_from_address_id is None:
        raise InvalidInput(["the case has no delivery address to ship to"])
    stamp = now()
    order = Order(
        external_id=external_id, customer_id=case.customer_id,
        ship_to_address_id=case.ship_from_address_id, ship_to_name=case.ship_from_name,
        gift=False, placed_at=stamp, imported_at=stamp,
        content_hash=hashlib.sha256(f"{kind}:{case.id}".encode()).hexdigest(),
    )  # fmt: skip
    session.add(order)
    session.flush()
    label = "Replacement" if kind == "replacement" else "Repair kit"
    lines = [line for line, _ in repo.case_lines(session, case.id)]
    originals = repo.order_lines(session, [line.order_line_id for line in lines])
    for number, line in enumerate(lines, start=1):
        source = originals[line.order_line_id]
        session.add(
            OrderLine(
                order_id=order.id, line_id=str(number), seller_id=line.seller_id,
                product_id=source.product_id, brand=source.brand, model=source.model,
                product_name=f"{label}: {source.product_name or source.model or ''}"[:500],
                quantity=line.units, unit_price=0, currency=line.currency, status="open",
            )
        )  # fmt: skip
    session.flush()
    return order
