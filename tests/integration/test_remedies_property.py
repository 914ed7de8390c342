"""Random sequences of remedy actions, retries and duplicate requests (hypothesis), each in
its own transaction as a request would be. After every step: the ledger balances, no
customer is refunded twice, and every refund is at least the price paid for the affected
units, computed here from the order lines; a refused action changes nothing."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from shopsafe.auth.schemas import Principal
from shopsafe.db.session import transaction
from shopsafe.kit.errors import DomainError
from shopsafe.ledger.models import Customer, OrderLine
from shopsafe.notifications.models import RecallNotice
from shopsafe.recalls.models import RecallMatch
from shopsafe.remedies import models, service
from shopsafe.remedies.models import LedgerEntry, Refund, RemedyCase
from shopsafe.remedies.state import REMEDIES, STATES, allowed
from tests.support.remedies import Headers, load, orders, png, publish, sign, snapshot

OPERATOR = Principal(role="operator")
CUSTOMERS = ("C-5000", "C-7000")  # C-7000 bought from two sellers in two currencies


def _two_sellers() -> list[Any]:
    record = orders(1, start=7000)[0]
    second = json.loads(json.dumps(record["lines"][0]))
    second.update(line_id="2", seller_id="S-4", seller_name="Other", quantity=3,
                  unit_price="35.00", currency="USD")  # fmt: skip
    record["lines"][0]["quantity"] = 1
    record["lines"].append(second)
    record["shipments"][0]["line_ids"] = ["1", "2"]
    return [record]


WHO = st.integers(0, len(CUSTOMERS) - 1)
AMOUNTS = st.sampled_from([None, None, "below", "exact", "above"])
REQUEST = st.tuples(st.just("request"), WHO, st.sampled_from(REMEDIES))
# "advance" takes the k-th move the state machine allows (so sequences get far);
# "move" asks for any state at all (mostly refused).
ADVANCE = st.tuples(st.just("advance"), WHO, st.integers(0, 3), AMOUNTS)
MOVE = st.tuples(st.just("move"), WHO, st.sampled_from([*STATES, "teleported"]),
                 AMOUNTS)  # fmt: skip
CARRIER = st.tuples(
    st.just("carrier"),
    WHO,
    st.sampled_from(["picked_up", "delivered", "exception"]),
    st.integers(0, 3),
)
PHOTO = st.tuples(st.just("photo"), WHO, st.sampled_from([True, True, False]))
REFUND = st.tuples(st.just("move"), WHO, st.just("refunded"), AMOUNTS)
RETRY = st.tuples(st.just("retry"))
ACTIONS = st.one_of(ADVANCE, ADVANCE, CARRIER, CARRIER, PHOTO, REFUND, REFUND, MOVE, REQUEST, RETRY)


class World:
    def __init__(self, engine: Engine, client: TestClient, recall_id: int) -> None:
        self.engine, self.client, self.recall_id = engine, client, recall_id
        with Session(engine) as session:
            rows = session.execute(select(Customer.external_id, Customer.id))
            self.pk = {ext: pk for ext, pk in rows}
        self.paid = {pk: paid_for(engine, recall_id, pk) for pk in self.pk.values()}

    def reset(self) -> None:
        with transaction(self.engine) as session:
            for model in (models.CarrierEvent, LedgerEntry, Refund, models.DisposalPhoto,
                          models.ReturnShipment, models.RemedyCaseLine,
                          models.WebhookDelivery, RemedyCase):  # fmt: skip
                session.execute(delete(model))
            session.execute(update(RecallNotice).values(remedy_choice=None, remedy_chosen_at=None))

    def case(self, customer: str) -> RemedyCase | None:
        with Session(self.engine) as session:
            return session.scalars(
                select(RemedyCase).where(RemedyCase.customer_id == self.pk[customer])
            ).first()

    def run(self, action: tuple[Any, ...]) -> None:
        kind, customer = action[0], CUSTOMERS[action[1]]
        if kind == "request":
            with transaction(self.engine) as session:
                service.request_remedy(session, recall_id=self.recall_id,
                                       customer_id=self.pk[customer], remedy=action[2],
                                       actor="test")  # fmt: skip
        elif kind == "move":
            self._move(customer, action[2], action[3])
        elif kind == "advance":
            case = self.case(customer)
            if case is not None:
                nexts = allowed(case.remedy, case.state, "staff") or [case.state]
                self._move(customer, nexts[action[2] % len(nexts)], action[3])
        elif kind == "carrier":
            self._carrier(customer, action[2], action[3])
        else:
            self._photo(customer, action[2])

    def _move(self, customer: str, to: str, amount: str | None) -> None:
        case = self.case(customer)
        if case is None:
            return
        paid = self.paid[self.pk[customer]]
        value = None
        if amount is not None and to == "refunded" and len(paid) == 1:
            base = next(iter(paid.values()))
            value = str(base + {"below": Decimal("-0.01"), "exact": 0, "above": 5}[amount])
        with transaction(self.engine) as session:
            service.transition(session, case_id=case.id, to=to, principal=OPERATOR, amount=value)

    def _carrier(self, customer: str, status: str, number: int) -> None:
        case = self.case(customer)
        with Session(self.engine) as session:
            shipment = session.scalars(
                select(models.ReturnShipment).where(
                    models.ReturnShipment.case_id == (case.id if case else -1)
                )
            ).first()
        tracking = shipment.tracking_number if shipment else "TC00000000000"
        body = json.dumps({"carrier": "test", "event_id": f"{customer}-{number}",
                           "tracking_number": tracking, "status": status}).encode()  # fmt: skip
        with transaction(self.engine) as session:
            service.carrier_event(session, body=body, signature=sign(body))

    def _photo(self, customer: str, good: bool) -> None:
        case = self.case(customer)
        if case is None:
            return
        with transaction(self.engine) as session:
            row = service.case_for(session, case.id, OPERATOR, lock=True)
            service.submit_photo(session, case=row, data=png() if good else b"GIF89a", actor="t")


def paid_for(engine: Engine, recall_id: int, customer_pk: int) -> dict[str, Decimal]:
    """What the customer paid for the recalled units, straight from the order lines."""
    with Session(engine) as session:
        rows = session.execute(
            select(OrderLine.currency, func.sum(OrderLine.unit_price * RecallMatch.units))
            .join(RecallMatch, RecallMatch.order_line_id == OrderLine.id)
            .where(RecallMatch.recall_id == recall_id, RecallMatch.customer_id == customer_pk,
                   RecallMatch.active.is_(True))
            .group_by(OrderLine.currency)
        )  # fmt: skip
        return {currency: Decimal(total).quantize(Decimal("0.01")) for currency, total in rows}


def check_invariants(world: World) -> None:
    with Session(world.engine) as session:
        entries = session.execute(
            select(LedgerEntry.refund_id, LedgerEntry.txn, LedgerEntry.account,
                   LedgerEntry.amount, LedgerEntry.currency)
        ).all()  # fmt: skip
        refunds = session.execute(
            select(Refund.id, Refund.amount, Refund.currency, RemedyCase.customer_id,
                   RemedyCase.state, RemedyCase.remedy)
            .join(RemedyCase, RemedyCase.id == Refund.case_id)
        ).all()  # fmt: skip
        cases = session.execute(select(RemedyCase.customer_id, RemedyCase.state,
                                       RemedyCase.remedy)).all()  # fmt: skip
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    by_txn: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    received: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for refund_id, txn, account, amount, currency in entries:
        by_currency[currency] += amount
        by_txn[(refund_id, txn)] += amount
        if account.startswith("customer:"):
            received[(account.removeprefix("customer:"), currency)] += amount
    assert all(v == 0 for v in by_currency.values()), by_currency
    assert all(v == 0 for v in by_txn.values()), by_txn
    external = {pk: ext for ext, pk in world.pk.items()}
    seen: set[tuple[int, str]] = set()
    for _id, amount, currency, customer, _state, _remedy in refunds:
        assert (customer, currency) not in seen, "a customer was refunded twice"
        seen.add((customer, currency))
        assert amount >= world.paid[customer][currency]
        assert received[(external[customer], currency)] == amount
    for customer, state, remedy in cases:
        refunded = state in ("refunded", "closed") and remedy in ("refund", "dispose")
        currencies = {c for (cust, c) in seen if cust == customer}
        expected = set(world.paid[customer]) if refunded else set()
        assert currencies == expected, (customer, state, remedy, currencies)


def test_random_remedy_actions_keep_the_money_right(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    load(app_client, operator_headers, orders(1) + _two_sellers())
    world = World(engine, app_client, publish(engine))

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @example(  # refund after disposal: below, exact, again, above, double clicks
        [("request", 0, "dispose")],
        [
            ("photo", 0, True),
            ("move", 0, "refunded", "below"),
            ("move", 0, "refunded", "exact"),
            ("retry",),
            ("move", 0, "refunded", "above"),
            ("move", 0, "closed", None),
            ("retry",),
        ],
    )
    @example(  # a return refunded on delivery (duplicate scans), two sellers, two currencies
        [("request", 0, "refund"), ("request", 1, "dispose")],
        [
            ("carrier", 0, "picked_up", 0),
            ("carrier", 0, "delivered", 1),
            ("retry",),
            ("carrier", 0, "delivered", 2),
            ("photo", 1, True),
            ("move", 1, "refunded", "above"),
            ("move", 1, "refunded", None),
            ("retry",),
            ("move", 0, "refunded", None),
        ],
    )
    @example(
        [("request", 1, "refund")],
        [("advance", 1, 0, None), ("advance", 1, 0, None), ("retry",), ("advance", 1, 0, None)],
    )
    @given(st.lists(REQUEST, min_size=1, max_size=2), st.lists(ACTIONS, min_size=4, max_size=20))
    def sequences(requests: list[tuple[Any, ...]], rest: list[tuple[Any, ...]]) -> None:
        actions = requests + rest
        world.reset()
        previous: tuple[Any, ...] | None = None
        for action in actions:
            step = previous if action[0] == "retry" else action
            if step is None:
                continue
            before = snapshot(engine)
            try:
                world.run(step)
            except DomainError:
                assert snapshot(engine) == before, f"{step} failed but changed something"
            check_invariants(world)
            previous = step
        with Session(engine) as session:
            for name in set(session.scalars(select(RemedyCase.state))):
                event(f"a case ended {name}")

    sequences()
