"""Publishing twice, or a crash in the middle of publishing, never gives anyone a second
notice for the same recall."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth.schemas import Principal
from shopsafe.db.session import transaction
from shopsafe.kit.clock import now
from shopsafe.ledger import service as ledger
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.models import Customer
from shopsafe.ledger.schemas import OrderIn
from shopsafe.notifications import service as notices
from shopsafe.notifications.models import Delivery, RecallNotice
from shopsafe.notifications.recipients import Recipient
from shopsafe.recalls import publishing
from shopsafe.recalls import service as recalls
from shopsafe.recalls.models import Recall, RecallMatch
from tests.factories import order
from tests.support.recalls import recall_body

OPERATOR = Principal(role="operator")


def _counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(RecallNotice)) or 0,
            session.scalar(select(func.count()).select_from(Delivery)) or 0,
            session.scalar(select(func.count()).select_from(RecallMatch)) or 0,
        )


def test_a_crash_while_publishing_leaves_nothing_and_a_retry_notifies_each_person_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [order(n) for n in range(1, 21)]
    with transaction(engine) as session:
        ledger.import_orders(session, source=lambda: parse_objects(records, OrderIn))
        recall_id = recalls.create(session, data=recall_body(), principal=OPERATOR).id

    def crash(*_args: object) -> int:
        raise RuntimeError("power cut")

    with monkeypatch.context() as patch:
        patch.setattr(publishing.repo, "hold_unshipped", crash)
        with pytest.raises(RuntimeError), transaction(engine) as session:
            recalls.publish(session, recall_id=recall_id, principal=OPERATOR)
    assert _counts(engine) == (0, 0, 0)
    with Session(engine) as session:
        assert session.get_one(Recall, recall_id).status == "draft"

    for _ in range(3):
        with transaction(engine) as session:
            recalls.publish(session, recall_id=recall_id, principal=OPERATOR)
    assert _counts(engine) == (20, 20, 20)


def test_queueing_the_same_people_again_adds_nothing(engine: Engine) -> None:
    with transaction(engine) as session:
        ledger.import_orders(session, source=lambda: parse_objects([order(1)], OrderIn))
        recall_id = recalls.create(session, data=recall_body(), principal=OPERATOR).id
        buyer = session.scalars(select(Customer.id)).one()
    person = Recipient("buyer1@example.de", "buyer", buyer, None, "de")
    for _ in range(2):
        with transaction(engine) as session:
            notices.sync_notices(
                session,
                recall_id=recall_id,
                version=1,
                wanted={person.email: person},
                now=now(),
                withdraw_missing=True,
            )
    assert _counts(engine)[:2] == (1, 1)
