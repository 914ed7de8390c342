"""Recall queries. Matching is set-based SQL over the indexed keys of `order_lines`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    insert,
    or_,
    select,
    tuple_,
    union,
    update,
)
from sqlalchemy.orm import Session

from shopsafe.ledger.models import (
    Address,
    Customer,
    Order,
    OrderLine,
    OrderLineSerial,
    Seller,
    Shipment,
    ShipmentLine,
)
from shopsafe.recalls.matching import MatchRule
from shopsafe.recalls.models import Recall, RecallKey, RecallMatch


def _candidates(rule: MatchRule) -> Any:
    """Ids of lines that match a product key: one indexed query per kind of key."""
    parts: list[Select[Any]] = []
    if rule.gtins:
        parts.append(select(OrderLine.id).where(OrderLine.gtin.in_(rule.gtins)))
    if rule.skus:
        parts.append(select(OrderLine.id).where(OrderLine.sku.in_(rule.skus)))
    if rule.models:
        parts.append(
            select(OrderLine.id).where(
                tuple_(OrderLine.brand_key, OrderLine.model_key).in_(rule.models)
            )
        )
    return parts[0] if len(parts) == 1 else union(*parts)


def _serial_in_ranges(rule: MatchRule) -> ColumnElement[bool]:
    return or_(
        *(
            and_(
                OrderLineSerial.prefix == prefix,
                OrderLineSerial.number >= low,
                OrderLineSerial.number <= high,
            )
            for prefix, low, high in rule.serial_ranges
        )
    )


def _units(rule: MatchRule) -> Any:
    if not rule.serial_ranges:
        return OrderLine.quantity
    return (
        select(func.count())
        .where(OrderLineSerial.order_line_id == OrderLine.id, _serial_in_ranges(rule))
        .scalar_subquery()
    )


def affected_lines(rule: MatchRule, *, order_ids: Sequence[int] | None = None) -> Select[Any]:
    """(line id, order id, customer id, units) of every line the rule affects."""
    query = (
        select(OrderLine.id, OrderLine.order_id, Order.customer_id, _units(rule).label("units"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.id.in_(_candidates(rule)))
    )
    if order_ids is not None:
        query = query.where(OrderLine.order_id.in_(list(order_ids)))
    if rule.seller_id is not None:
        query = query.where(OrderLine.seller_id == rule.seller_id)
    if rule.lots:
        query = query.where(OrderLine.lot_key.in_(rule.lots))
    if rule.placed_from is not None:
        query = query.where(Order.placed_at >= rule.placed_from)
    if rule.placed_before is not None:
        query = query.where(Order.placed_at < rule.placed_before)
    if rule.countries:
        query = query.join(Address, Address.id == Order.ship_to_address_id).where(
            Address.country.in_(rule.countries)
        )
    if rule.serial_ranges:
        query = query.where(
            exists().where(OrderLineSerial.order_line_id == OrderLine.id, _serial_in_ranges(rule))
        )
    return query


def _active_lines(recall_id: int, order_ids: Sequence[int] | None) -> Select[Any]:
    query = select(RecallMatch.order_line_id).where(
        RecallMatch.recall_id == recall_id, RecallMatch.active.is_(True)
    )
    if order_ids is not None:
        query = query.join(OrderLine, OrderLine.id == RecallMatch.order_line_id).where(
            OrderLine.order_id.in_(list(order_ids))
        )
    return query


Buyers = list[tuple[int, str, str | None, str, str, list[str]]]
Gifts = list[tuple[int, str, str | None]]


def recipients_of(
    session: Session, recall_id: int, *, order_ids: Sequence[int] | None = None
) -> tuple[Buyers, Gifts]:
    """The people the recall's active matches concern."""
    return _recipients(session, _active_lines(recall_id, order_ids))


def live_recipients(session: Session, rule: MatchRule) -> tuple[Buyers, Gifts]:
    """The people the rule would concern now (for a preview)."""
    return _recipients(session, affected_lines(rule).with_only_columns(OrderLine.id))


def _recipients(session: Session, lines: Select[Any]) -> tuple[Buyers, Gifts]:
    """The buyers of these lines (id, e-mail, name, language, account type, admin e-mails)
    and the recipients of their gift orders ((buyer id, e-mail, name))."""
    buyers = [
        (pk, email, name, language, account, list(admins or []))
        for pk, email, name, language, account, admins in session.execute(
            select(
                Customer.id,
                Customer.email,
                Customer.name,
                Customer.language,
                Customer.account_type,
                Customer.admin_emails,
            ).where(
                Customer.id.in_(
                    select(Order.customer_id)
                    .join(OrderLine, OrderLine.order_id == Order.id)
                    .where(OrderLine.id.in_(lines))
                )
            )
        )
    ]
    gifts = [
        (buyer, str(email), name)
        for buyer, email, name in session.execute(
            select(Order.customer_id, Order.ship_to_email, Order.ship_to_name)
            .distinct()
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(
                OrderLine.id.in_(lines),
                Order.gift.is_(True),
                Order.ship_to_email.is_not(None),
            )
        )
    ]
    return buyers, gifts


def matches_for_lines(
    session: Session, recall_id: int, line_ids: Sequence[int] | None
) -> dict[int, tuple[int, bool, int]]:
    """order line id → (match id, active, units) of the recall's matches (all, or of lines)."""
    query = select(
        RecallMatch.order_line_id, RecallMatch.id, RecallMatch.active, RecallMatch.units
    ).where(RecallMatch.recall_id == recall_id)
    if line_ids is not None:
        query = query.where(RecallMatch.order_line_id.in_(list(line_ids)))
    return {line: (pk, active, units) for line, pk, active, units in session.execute(query)}


def insert_matches(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(RecallMatch), list(rows))


def update_matches(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(update(RecallMatch), list(rows))


def hold_unshipped(session: Session, recall_id: int) -> int:
    """Holds the still-open affected lines and the shipments that carry them."""
    affected = select(RecallMatch.order_line_id).where(
        RecallMatch.recall_id == recall_id, RecallMatch.active.is_(True)
    )
    lines = session.execute(
        update(OrderLine)
        .where(OrderLine.id.in_(affected), OrderLine.status == "open")
        .values(status="held", hold_reason="recall")
        .execution_options(synchronize_session=False)
    )
    carrying = select(ShipmentLine.shipment_id).where(ShipmentLine.order_line_id.in_(affected))
    session.execute(
        update(Shipment)
        .where(Shipment.id.in_(carrying), Shipment.status == "open")
        .values(status="held", hold_reason="recall")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(lines, "rowcount", 0) or 0)


def replace_keys(session: Session, recall_id: int, rows: Sequence[tuple[str, str]]) -> None:
    session.query(RecallKey).filter(RecallKey.recall_id == recall_id).delete()
    if rows:
        session.execute(
            insert(RecallKey), [{"recall_id": recall_id, "kind": k, "value": v} for k, v in rows]
        )


def published_recalls_with_keys(session: Session, pairs: Sequence[tuple[str, str]]) -> list[Recall]:
    """Published recalls that have any of these (kind, value) product keys."""
    if not pairs:
        return []
    ids = select(RecallKey.recall_id).where(
        tuple_(RecallKey.kind, RecallKey.value).in_(list(pairs))
    )
    return list(
        session.scalars(
            select(Recall)
            .where(Recall.id.in_(ids), Recall.status == "published")
            .order_by(Recall.id)
        )
    )


def keys_of_orders(session: Session, order_ids: Sequence[int]) -> list[tuple[str, str]]:
    """The product keys of these orders' lines, as `recall_keys` rows would hold them."""
    rows = session.execute(
        select(OrderLine.gtin, OrderLine.sku, OrderLine.brand_key, OrderLine.model_key)
        .where(OrderLine.order_id.in_(list(order_ids)))
        .distinct()
    )
    found: set[tuple[str, str]] = set()
    for gtin, sku, brand, model in rows:
        if gtin:
            found.add(("gtin", gtin))
        if sku:
            found.add(("sku", sku))
        if brand and model:
            found.add(("model", f"{brand}|{model}"))
    return sorted(found)


def seller_pk(session: Session, external_id: str) -> int | None:
    return session.scalar(select(Seller.id).where(Seller.external_id == external_id))


def seller_external(session: Session, pk: int | None) -> str | None:
    if pk is None:
        return None
    return session.scalar(select(Seller.external_id).where(Seller.id == pk))


def page_of_recalls(
    session: Session, *, status: str | None, seller_id: int | None, after: int, limit: int
) -> list[Recall]:
    query = select(Recall).where(Recall.id > after).order_by(Recall.id).limit(limit)
    if status:
        query = query.where(Recall.status == status)
    if seller_id is not None:
        query = query.where(Recall.seller_id == seller_id)
    return list(session.scalars(query))


def affected_page(
    session: Session, recall_id: int, *, after: int, limit: int
) -> list[tuple[int, str, str, str, int]]:
    """(match id, customer id, order id, line id, units) of active matches, by match id."""
    rows = session.execute(
        select(
            RecallMatch.id,
            Customer.external_id,
            Order.external_id,
            OrderLine.line_id,
            RecallMatch.units,
        )
        .join(OrderLine, OrderLine.id == RecallMatch.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Customer, Customer.id == Order.customer_id)
        .where(
            RecallMatch.recall_id == recall_id, RecallMatch.active.is_(True), RecallMatch.id > after
        )
        .order_by(RecallMatch.id)
        .limit(limit)
    )
    return [(a, b, c, d, e) for a, b, c, d, e in rows]


def live_affected_page(
    session: Session, rule: MatchRule, *, after: int, limit: int
) -> list[tuple[int, str, str, str, int]]:
    """The same page for a draft, computed from the rule (cursor: order line id)."""
    lines = affected_lines(rule).where(OrderLine.id > after).subquery()
    rows = session.execute(
        select(
            lines.c.id, Customer.external_id, Order.external_id, OrderLine.line_id, lines.c.units
        )
        .join(OrderLine, OrderLine.id == lines.c.id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Customer, Customer.id == Order.customer_id)
        .order_by(lines.c.id)
        .limit(limit)
    )
    return [(a, b, c, d, int(e)) for a, b, c, d, e in rows]


def listing_recalls(
    session: Session, *, pairs: Sequence[tuple[str, str]], seller_id: int | None
) -> list[int]:
    """Published recalls whose product keys match an offer (and whose seller, if any, is it)."""
    if not pairs:
        return []
    query = (
        select(Recall.id)
        .distinct()
        .join(RecallKey, RecallKey.recall_id == Recall.id)
        .where(
            Recall.status == "published", tuple_(RecallKey.kind, RecallKey.value).in_(list(pairs))
        )
        .order_by(Recall.id)
    )
    if seller_id is not None:
        query = query.where(or_(Recall.seller_id.is_(None), Recall.seller_id == seller_id))
    return list(session.scalars(query))
