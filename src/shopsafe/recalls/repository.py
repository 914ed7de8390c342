"""Recall queries. Matching is set-based SQL over the indexed keys of `order_lines`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shopsafe.db.types import UTCDateTime
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


def _key_match(rule: MatchRule) -> ColumnElement[bool]:
    """The line matches a product key. Each key is an indexed condition on the line itself
    (a multi-index OR on SQLite, a BitmapOr on PostgreSQL), so that the matching lines are
    read once, with no second look-up of each by its id."""
    parts: list[ColumnElement[bool]] = []
    if rule.gtins:
        parts.append(OrderLine.gtin.in_(rule.gtins))
    if rule.skus:
        parts.append(OrderLine.sku.in_(rule.skus))
    parts += [
        and_(OrderLine.brand_key == brand, OrderLine.model_key == model)
        for brand, model in rule.models
    ]
    return or_(*parts) if parts else false()


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


def _units(rule: MatchRule, line_id: Any = OrderLine.id) -> Any:
    """The affected units of the line `line_id` (a column of the enclosing statement)."""
    if not rule.serial_ranges:
        if line_id is OrderLine.id:
            return OrderLine.quantity
        return select(OrderLine.quantity).where(OrderLine.id == line_id).scalar_subquery()
    return (
        select(func.count())
        .where(OrderLineSerial.order_line_id == line_id, _serial_in_ranges(rule))
        .scalar_subquery()
    )


def affected_lines(rule: MatchRule, *, order_ids: Sequence[int] | None = None) -> Select[Any]:
    """(line id, order id, customer id, units) of every line the rule affects."""
    query = (
        select(OrderLine.id, OrderLine.order_id, Order.customer_id, _units(rule).label("units"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(_key_match(rule))
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


Buyers = list[tuple[int, str, str | None, str, str, list[str]]]
Gifts = list[tuple[int, str, str | None]]
# Who a line concerns: its buyer, and the recipient of its order when it is a gift. The
# admin e-mails only count for business buyers; the others' are not read (nor decoded).
_PEOPLE = (
    Customer.id,
    Customer.email,
    Customer.name,
    Customer.language,
    Customer.account_type,
    case((Customer.account_type == "business", Customer.admin_emails), else_=null()),
    Order.gift,
    Order.ship_to_email,
    Order.ship_to_name,
)


def _people(rows: Iterable[Sequence[Any]]) -> tuple[Buyers, Gifts]:
    """The buyers (id, e-mail, name, language, account type, admin e-mails) and the gift
    recipients ((buyer id, e-mail, name)) of rows of `_PEOPLE`, each once."""
    buyers: dict[int, tuple[int, str, str | None, str, str, list[str]]] = {}
    gifts: set[tuple[int, str, str | None]] = set()
    for pk, email, name, language, account, admins, gift, gift_email, gift_name in rows:
        if pk not in buyers:
            buyers[pk] = (pk, email, name, language, account, list(admins or []))
        if gift and gift_email is not None:
            gifts.add((pk, str(gift_email), gift_name))
    return list(buyers.values()), sorted(gifts, key=lambda g: (g[0], g[1], g[2] or ""))


def live_reach(session: Session, rule: MatchRule) -> tuple[int, int, Buyers, Gifts]:
    """(affected lines, affected units, buyers, gift recipients) the rule would have now,
    for a preview: one query that reads each affected line, its order and buyer once."""
    query = (
        affected_lines(rule).add_columns(*_PEOPLE).join(Customer, Customer.id == Order.customer_id)
    )
    rows = session.execute(query).all()
    units = sum(int(row.units) for row in rows)
    buyers, gifts = _people(row[4:] for row in rows)
    return len(rows), units, buyers, gifts


def recipients_of(
    session: Session, recall_id: int, *, order_ids: Sequence[int] | None = None
) -> tuple[Buyers, Gifts]:
    """The people the recall's active matches (all, or those in these orders) concern: one
    query from the matches to their lines, orders and buyers."""
    query = (
        select(*_PEOPLE)
        .select_from(RecallMatch)
        .join(OrderLine, OrderLine.id == RecallMatch.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Customer, Customer.id == Order.customer_id)
        .where(RecallMatch.recall_id == recall_id, RecallMatch.active.is_(True))
    )
    if order_ids is not None:
        query = query.where(OrderLine.order_id.in_(list(order_ids)))
    return _people(session.execute(query))


def has_matches(session: Session, recall_id: int) -> bool:
    return session.scalar(select(exists().where(RecallMatch.recall_id == recall_id))) is True


def active_count(session: Session, recall_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                RecallMatch.recall_id == recall_id, RecallMatch.active.is_(True)
            )
        )
        or 0
    )


def count_of(session: Session, lines: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(lines.subquery())) or 0)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


MATCH_COLUMNS = ("recall_id", "order_line_id", "customer_id", "units", "active")


def insert_matches(
    session: Session,
    recall_id: int,
    rule: MatchRule,
    lines: Select[Any],
    *,
    version: int,
    now: datetime,
) -> int:
    """Matches for the affected lines the recall has none for yet: one INSERT … SELECT …
    ON CONFLICT DO NOTHING. Known lines are skipped by the unique index (recall, line), not
    by an anti-join that PostgreSQL may plan as a scan of the very table being filled."""
    rows = lines.with_only_columns(
        literal(recall_id), OrderLine.id, Order.customer_id, _units(rule), literal(True),
        literal(version), bindparam("matched_at", now, type_=UTCDateTime()),
    )  # fmt: skip
    columns = [*MATCH_COLUMNS, "version_added", "matched_at"]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(RecallMatch).from_select(columns, rows)
    # SQLite needs the SELECT to end with a WHERE clause here; `lines` always has one.
    skipping = statement.on_conflict_do_nothing(index_elements=["recall_id", "order_line_id"])
    # Counted by RETURNING: SQLAlchemy reports no row count for INSERT … SELECT on psycopg.
    return len(session.execute(skipping.returning(RecallMatch.id)).all())


def refresh_matches(
    session: Session,
    recall_id: int,
    rule: MatchRule,
    lines: Select[Any],
    *,
    version: int,
    full: bool,
) -> int:
    """Brings the recall's existing matches in line with `lines`: inactive ones that are
    affected again come back, active ones get their units recounted, and (when `full`)
    active ones no longer affected are taken out. Returns how many were taken out."""
    ids = lines.with_only_columns(OrderLine.id)
    units = _units(rule, RecallMatch.order_line_id)
    mine = update(RecallMatch).where(RecallMatch.recall_id == recall_id)
    mine = mine.execution_options(synchronize_session=False)
    active, affected = RecallMatch.active.is_(True), RecallMatch.order_line_id.in_(ids)
    back = {"active": True, "units": units, "version_added": version, "version_removed": None}
    session.execute(mine.where(RecallMatch.active.is_(False), affected).values(back))
    session.execute(mine.where(active, affected, RecallMatch.units != units).values(units=units))
    if not full:
        return 0
    gone = {"active": False, "version_removed": version}
    removed = session.execute(
        mine.where(active, RecallMatch.order_line_id.not_in(ids)).values(gone)
    )
    return _rowcount(removed)


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


def _touches(seller_id: int, recall_id: Any = Recall.id) -> ColumnElement[bool]:
    """EXISTS: the recall has an active match on an order line the seller sold."""
    return exists().where(
        RecallMatch.recall_id == recall_id, RecallMatch.active.is_(True),
        OrderLine.id == RecallMatch.order_line_id, OrderLine.seller_id == seller_id,
    )  # fmt: skip


def touches_seller(session: Session, recall_id: int, seller_id: int) -> bool:
    return session.scalar(select(_touches(seller_id, recall_id))) is True


def page_of_recalls(
    session: Session, *, status: str | None, seller_id: int | None, after: int, limit: int
) -> list[Recall]:
    """Recalls by id; with `seller_id`, the seller's own and those that affect its sales."""
    query = select(Recall).where(Recall.id > after).order_by(Recall.id).limit(limit)
    if status:
        query = query.where(Recall.status == status)
    if seller_id is not None:
        query = query.where(or_(Recall.seller_id == seller_id, _touches(seller_id)))
    return list(session.scalars(query))


def affected_page(
    session: Session, recall_id: int, *, after: int, limit: int, seller_id: int | None = None
) -> list[tuple[int, str, str, str, int]]:
    """(match id, customer id, order id, line id, units) of active matches (of the lines
    `seller_id` sold, when given), by match id."""
    query = (
        select(RecallMatch.id, Customer.external_id, Order.external_id, OrderLine.line_id,
               RecallMatch.units)
        .join(OrderLine, OrderLine.id == RecallMatch.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Customer, Customer.id == Order.customer_id)
        .where(
            RecallMatch.recall_id == recall_id, RecallMatch.active.is_(True), RecallMatch.id > after
        )
    )  # fmt: skip
    if seller_id is not None:
        query = query.where(OrderLine.seller_id == seller_id)
    rows = session.execute(query.order_by(RecallMatch.id).limit(limit))
    return [(a, b, c, d, e) for a, b, c, d, e in rows]


def live_affected_page(
    session: Session, rule: MatchRule, *, after: int, limit: int, seller_id: int | None = None
) -> list[tuple[int, str, str, str, int]]:
    """The same page for a draft, computed from the rule (cursor: order line id)."""
    query = affected_lines(rule).where(OrderLine.id > after)
    if seller_id is not None:
        query = query.where(OrderLine.seller_id == seller_id)
    lines = query.subquery()
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
