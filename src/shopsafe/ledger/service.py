"""The ledger's rules: all-or-nothing imports, order look-up, the listing check.

Services never commit; the caller's transaction (one request, one command) does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import TypeVar

from sqlalchemy.orm import Session

from shopsafe.kit.clock import now as utc_now
from shopsafe.kit.errors import InvalidInput, NotFound
from shopsafe.ledger import repository as repo
from shopsafe.ledger.importers import MAX_PROBLEMS
from shopsafe.ledger.models import Review, Seller
from shopsafe.ledger.order_batch import BatchResult, write_orders
from shopsafe.ledger.schemas import (
    LineOut,
    OrderIn,
    OrderOut,
    ReviewIn,
    SellerIn,
    SellerOut,
    ShipmentOut,
)

T = TypeVar("T")
Parsed = Iterator[tuple[int, T | None, list[str]]]
BATCH = 1000


@dataclass
class OrderImportSummary:
    orders: int = 0
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, batch: BatchResult) -> None:
        self.orders += batch.orders
        self.lines += batch.lines
        self.created += batch.created
        self.updated += batch.updated
        self.unchanged += batch.unchanged


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def check_orders(parsed: Parsed[OrderIn]) -> list[str]:
    """Every problem of the input, or none; also finds an order_id given twice."""
    problems: list[str] = []
    first_seen: dict[str, int] = {}
    for number, record, errors in parsed:
        problems.extend(errors)
        if record is not None:
            earlier = first_seen.setdefault(record.order_id, number)
            if earlier != number:
                problems.append(
                    f"line {number}: order_id: '{record.order_id}' already given on line {earlier}"
                )
        if len(problems) >= MAX_PROBLEMS:
            problems.append(f"stopped after {MAX_PROBLEMS} problems")
            break
    return problems


def import_orders(
    session: Session,
    *,
    source: Callable[[], Parsed[OrderIn]],
    now: datetime | None = None,
    on_batch: Callable[[int], None] | None = None,
    on_written: Callable[[Session, list[int]], None] | None = None,
) -> OrderImportSummary:
    """Validates everything first, then writes in batches; on any problem nothing is written.

    `source` is called twice (check, then write) and must yield the same records each time.
    `on_written` gets the ids of each batch's new and changed orders (recalls match them).
    """
    problems = check_orders(source())
    if problems:
        raise InvalidInput(problems)
    summary = OrderImportSummary()
    stamp = now or utc_now()
    records = (record for _, record, _ in source() if record is not None)
    for batch in _batches(records, BATCH):
        result = write_orders(session, batch, now=stamp)
        summary.add(result)
        session.flush()
        if on_written is not None and result.written_order_ids:
            on_written(session, result.written_order_ids)
        session.expunge_all()
        if on_batch is not None:
            on_batch(len(batch))
    return summary


def _check_review_batch(session: Session, batch: list[tuple[int, ReviewIn]]) -> list[str]:
    orders = repo.order_owner(session, (r.order_id for _, r in batch))
    customers = repo.customer_ids(session, (r.customer_id for _, r in batch))
    lines = repo.line_ids_by_order(
        session,
        (
            (orders[r.order_id][0], r.line_id)
            for _, r in batch
            if r.order_id in orders and r.line_id
        ),
    )
    problems = []
    for number, review in batch:
        if review.order_id not in orders:
            problems.append(f"line {number}: order_id: unknown order '{review.order_id}'")
            continue
        if review.customer_id not in customers:
            problems.append(f"line {number}: customer_id: unknown customer '{review.customer_id}'")
        if review.line_id and (orders[review.order_id][0], review.line_id) not in lines:
            problems.append(
                f"line {number}: line_id: order '{review.order_id}' has no line '{review.line_id}'"
            )
    return problems


def check_reviews(session: Session, parsed: Parsed[ReviewIn]) -> list[str]:
    problems: list[str] = []
    first_seen: dict[str, int] = {}
    valid: list[tuple[int, ReviewIn]] = []
    for number, record, errors in parsed:
        problems.extend(errors)
        if record is None:
            continue
        earlier = first_seen.setdefault(record.review_id, number)
        if earlier != number:
            problems.append(
                f"line {number}: review_id: '{record.review_id}' already given on line {earlier}"
            )
        valid.append((number, record))
        if len(valid) >= BATCH:
            problems.extend(_check_review_batch(session, valid))
            valid = []
    if valid:
        problems.extend(_check_review_batch(session, valid))
    return problems[: MAX_PROBLEMS + 1]


def import_reviews(session: Session, *, source: Callable[[], Parsed[ReviewIn]]) -> int:
    problems = check_reviews(session, source())
    if problems:
        raise InvalidInput(problems)
    count = 0
    records = (record for _, record, _ in source() if record is not None)
    for batch in _batches(records, BATCH):
        _write_reviews(session, batch)
        count += len(batch)
    return count


def _write_reviews(session: Session, batch: list[ReviewIn]) -> None:
    orders = repo.order_owner(session, (r.order_id for r in batch))
    customers = repo.customer_ids(session, (r.customer_id for r in batch))
    lines = repo.line_ids_by_order(
        session, ((orders[r.order_id][0], r.line_id) for r in batch if r.line_id)
    )
    existing = repo.review_ids(session, (r.review_id for r in batch))
    fresh, changed = [], []
    for review in batch:
        order_pk = orders[review.order_id][0]
        row = {
            "order_id": order_pk,
            "order_line_id": lines.get((order_pk, review.line_id)) if review.line_id else None,
            "customer_id": customers[review.customer_id],
            "rating": review.rating,
            "verified": review.verified,
            "text": review.text,
            "created_at": review.created_at,
        }
        if review.review_id in existing:
            changed.append({"id": existing[review.review_id], **row})
        else:
            fresh.append({"external_id": review.review_id, **row})
    repo.update_rows(session, Review, changed)
    repo.insert_rows(session, Review, fresh)


def upsert_sellers(session: Session, *, sellers: list[SellerIn]) -> int:
    """Creates or updates sellers with their trader identity; returns how many were written."""
    existing = repo.existing_sellers(session, (s.seller_id for s in sellers))
    for seller in sellers:
        row = existing.get(seller.seller_id)
        if row is None:
            row = Seller(external_id=seller.seller_id)
            session.add(row)
            existing[seller.seller_id] = row
        for name, value in seller.model_dump(exclude={"seller_id"}).items():
            setattr(row, name, value)
    session.flush()
    return len(sellers)


def get_seller(session: Session, seller_id: str) -> SellerOut:
    row = repo.existing_sellers(session, [seller_id]).get(seller_id)
    if row is None:
        raise NotFound(f"seller '{seller_id}' not found")
    return SellerOut(
        seller_id=row.external_id,
        name=row.name,
        address_line=row.address_line,
        postal_code=row.postal_code,
        city=row.city,
        country=row.country,
        email=row.email,
        phone=row.phone,
        trade_register=row.trade_register,
    )


def get_order(session: Session, order_id: str) -> OrderOut:
    order = repo.get_order(session, order_id)
    if order is None:
        raise NotFound(f"order '{order_id}' not found")
    customer, address, lines, serials, shipments = repo.order_details(session, order)
    return OrderOut(
        order_id=order.external_id,
        placed_at=order.placed_at,
        customer_id=customer.external_id,
        gift=order.gift,
        ship_to={
            "name": order.ship_to_name,
            "email": order.ship_to_email,
            "line1": address.line1,
            "line2": address.line2,
            "postal_code": address.postal_code,
            "city": address.city,
            "country": address.country,
        },
        lines=[
            LineOut(
                line_id=line.line_id,
                seller_id=seller,
                sku=line.sku,
                gtin=line.gtin,
                brand=line.brand,
                model=line.model,
                product_name=line.product_name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                currency=line.currency,
                lot=line.lot,
                serials=serials.get(line.id, []),
                status=line.status,
                hold_reason=line.hold_reason,
            )
            for line, seller in lines
        ],
        shipments=[
            ShipmentOut(
                carrier=s.carrier,
                tracking_number=s.tracking_number,
                shipped_at=s.shipped_at,
                delivered_at=s.delivered_at,
                line_ids=line_ids,
                status=s.status,
                hold_reason=s.hold_reason,
            )
            for s, line_ids in shipments
        ],
    )
