"""What one customer sees of recalls and safety warnings: the banner count, the list, one
notice, and which of their order lines are recalled.

Every query here is filtered by the customer's id; a recall, order or notice of anybody
else is simply not found. A customer's recalls are those with an active `buyer` notice for
them (published or, for the history, closed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from shopsafe.ledger.models import Customer, Order, OrderLine
from shopsafe.notifications.models import RecallNotice
from shopsafe.recalls.models import Recall, RecallMatch

ACKNOWLEDGEMENTS = ("stopped_using", "no_longer_have")
VISIBLE_STATUSES = ("published", "closed")
LOCALISED = ("title", "product_name", "hazard", "instructions", "identifier_location")
LOCALISED_TOO = ("sold_where",)


def is_open(*, kind: str, status: str, acknowledgement: str | None, remedy: str | None) -> bool:
    """Whether the customer still has something to do (the banner counts these).

    A recall stays open until a remedy is chosen or the customer no longer has the product;
    a safety warning until the customer acknowledges it (or chooses a remedy). A closed
    recall is never open. `open_condition` is the same rule in SQL.
    """
    if status != "published" or remedy is not None:
        return False
    if kind == "recall":
        return acknowledgement != "no_longer_have"
    return acknowledgement is None


def open_condition() -> ColumnElement[bool]:
    ack = RecallNotice.acknowledgement
    return and_(
        Recall.status == "published",
        RecallNotice.remedy_choice.is_(None),
        or_(
            and_(Recall.kind == "recall", or_(ack.is_(None), ack != "no_longer_have")),
            and_(Recall.kind != "recall", ack.is_(None)),
        ),
    )


def _customer_notices(customer_id: int) -> ColumnElement[bool]:
    return and_(
        RecallNotice.customer_id == customer_id,
        RecallNotice.role == "buyer",
        RecallNotice.status == "active",
        Recall.status.in_(VISIBLE_STATUSES),
    )


@dataclass(frozen=True)
class Purchase:
    order_id: str
    line_id: str
    placed_at: dt.datetime
    product_name: str | None
    quantity: int
    units: int


@dataclass
class Alert:
    """One recall or safety warning as one customer sees it, in their language."""

    recall_id: int
    kind: str
    status: str
    risk_level: str
    text: dict[str, str]
    brand: str | None
    remedies: list[str]
    images: list[str]
    contact: dict[str, Any]
    published_at: dt.datetime | None
    closed_at: dt.datetime | None
    notice_id: int
    acknowledgement: str | None
    acknowledged_at: dt.datetime | None
    remedy_choice: str | None
    remedy_chosen_at: dt.datetime | None
    purchases: list[Purchase] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return is_open(
            kind=self.kind,
            status=self.status,
            acknowledgement=self.acknowledgement,
            remedy=self.remedy_choice,
        )

    @property
    def state(self) -> str:
        """The customer's case: `action_needed`, `stopped_using`, `no_longer_have`,
        `remedy_requested` or `recall_closed`."""
        if self.remedy_choice:
            return "remedy_requested"
        if self.status != "published":
            return "recall_closed"
        return self.acknowledgement or "action_needed"

    @property
    def image(self) -> str | None:
        return self.images[0] if self.images else None

    @property
    def can_act(self) -> bool:
        return self.status == "published"


def localised(content: Mapping[str, Any], title: str, language: str) -> dict[str, str]:
    """The notice's texts in `language` where the recall has them, else as written."""
    texts = {name: str(content.get(name) or "") for name in LOCALISED + LOCALISED_TOO}
    texts["title"] = str(content.get("title") or title)
    translation = (content.get("translations") or {}).get(language) or {}
    for name in LOCALISED + LOCALISED_TOO:
        value = translation.get(name)
        if isinstance(value, str) and value.strip():
            texts[name] = value
    return texts


def banner_count(session: Session, customer_id: int) -> int:
    """How many recalls and warnings concern the customer and are not resolved."""
    return int(
        session.scalar(
            select(func.count(func.distinct(RecallNotice.recall_id)))
            .join(Recall, Recall.id == RecallNotice.recall_id)
            .where(_customer_notices(customer_id), open_condition())
        )
        or 0
    )


def alerts_of(
    session: Session, customer_id: int, *, language: str, recall_id: int | None = None
) -> list[Alert]:
    """The customer's recalls and warnings, open ones first, newest first within each."""
    query = (
        select(Recall, RecallNotice)
        .join(RecallNotice, RecallNotice.recall_id == Recall.id)
        .where(_customer_notices(customer_id))
        .order_by(Recall.published_at.desc(), Recall.id.desc())
    )
    if recall_id is not None:
        query = query.where(Recall.id == recall_id)
    alerts = [_alert(recall, notice, language) for recall, notice in session.execute(query)]
    purchases = purchases_of(session, customer_id, [a.recall_id for a in alerts])
    for alert in alerts:
        alert.purchases = purchases.get(alert.recall_id, [])
    return sorted(alerts, key=lambda a: not a.is_open)


def alert_of(session: Session, customer_id: int, recall_id: int, *, language: str) -> Alert | None:
    found = alerts_of(session, customer_id, language=language, recall_id=recall_id)
    return found[0] if found else None


def _alert(recall: Recall, notice: RecallNotice, language: str) -> Alert:
    content = recall.content
    return Alert(
        recall_id=recall.id,
        kind=recall.kind,
        status=recall.status,
        risk_level=recall.risk_level,
        text=localised(content, recall.title, language),
        brand=content.get("brand"),
        remedies=list(content.get("remedies") or []),
        images=list(content.get("images") or []),
        contact=dict(content.get("contact") or {}),
        published_at=recall.published_at,
        closed_at=recall.closed_at,
        notice_id=notice.id,
        acknowledgement=notice.acknowledgement,
        acknowledged_at=notice.acknowledged_at,
        remedy_choice=notice.remedy_choice,
        remedy_chosen_at=notice.remedy_chosen_at,
    )


def purchases_of(
    session: Session, customer_id: int, recall_ids: Sequence[int]
) -> dict[int, list[Purchase]]:
    """recall id → the customer's affected order lines, oldest purchase first."""
    if not recall_ids:
        return {}
    rows = session.execute(
        select(
            RecallMatch.recall_id,
            Order.external_id,
            OrderLine.line_id,
            Order.placed_at,
            OrderLine.product_name,
            OrderLine.quantity,
            RecallMatch.units,
        )
        .join(OrderLine, OrderLine.id == RecallMatch.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            RecallMatch.customer_id == customer_id,
            RecallMatch.active.is_(True),
            RecallMatch.recall_id.in_(list(recall_ids)),
            Order.customer_id == customer_id,
        )
        .order_by(Order.placed_at, Order.external_id, OrderLine.line_id)
    )
    found: dict[int, list[Purchase]] = {}
    for recall_id, order_id, line_id, placed_at, name, quantity, units in rows:
        found.setdefault(recall_id, []).append(
            Purchase(order_id, line_id, placed_at, name, int(quantity), int(units))
        )
    return found


def recalls_by_line(
    session: Session, customer_id: int, line_ids: Sequence[int]
) -> dict[int, list[int]]:
    """order line id → ids of the customer's recalls that affect it (for "Your Orders")."""
    if not line_ids:
        return {}
    rows = session.execute(
        select(RecallMatch.order_line_id, RecallMatch.recall_id)
        .join(Recall, Recall.id == RecallMatch.recall_id)
        .join(
            RecallNotice,
            and_(
                RecallNotice.recall_id == RecallMatch.recall_id,
                RecallNotice.customer_id == customer_id,
            ),
        )
        .where(
            RecallMatch.order_line_id.in_(list(line_ids)),
            RecallMatch.customer_id == customer_id,
            RecallMatch.active.is_(True),
            _customer_notices(customer_id),
        )
        .order_by(RecallMatch.recall_id)
    )
    found: dict[int, list[int]] = {}
    for line_id, recall_id in rows:
        found.setdefault(line_id, []).append(recall_id)
    return found


def buyer_notice(
    session: Session, customer_id: int, recall_id: int, *, lock: bool = False
) -> RecallNotice | None:
    """The customer's own notice of a recall they can see (where their answers are kept);
    with `lock`, the row is locked until the transaction ends (PostgreSQL)."""
    query = (
        select(RecallNotice)
        .join(Recall, Recall.id == RecallNotice.recall_id)
        .where(_customer_notices(customer_id), RecallNotice.recall_id == recall_id)
        .order_by(RecallNotice.id)
    )
    if lock:
        query = query.with_for_update(of=RecallNotice)
    return session.scalars(query).first()


def public_recall(session: Session, recall_id: int) -> Recall | None:
    """A published recall, for the public notice page (no personal data)."""
    return session.scalars(
        select(Recall).where(Recall.id == recall_id, Recall.status == "published")
    ).first()


def customer_row(session: Session, external_id: str) -> Customer | None:
    return session.scalars(select(Customer).where(Customer.external_id == external_id)).first()
