"""The demo's authority recalls: the bundled real CPSC records matched to the demo catalogue,
linked to the recalls the demo already published, never a second recall of the same offer."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.db.session import transaction
from shopsafe.demo import recalls as demo_recalls
from shopsafe.demo import service as demo
from shopsafe.feeds import service
from shopsafe.feeds.models import CatalogMatch, FeedRecord
from shopsafe.recalls.models import Recall, RecallKey, RecallMatch


def test_demo_feeds_link_to_the_demo_recalls_and_recall_the_rest(engine: Engine) -> None:
    with transaction(engine) as session:
        market, _ = demo.seed(
            session, customers=300, orders=1500, seed=7, today=dt.date(2026, 3, 31)
        )
        numbers = {n for p in market.demo_people for n in p.get("recall_numbers", [])}
        demo_ids = set(demo_recalls.publish_for(session, sorted(numbers)))
    with transaction(engine) as session:
        summary = service.import_demo_feeds(session)
    assert summary.line() == "imported 150, updated 0, unchanged 0, rejected 0"
    assert summary.matches.automatic > 50 and summary.matches.recalls_linked > 0
    assert summary.matches.recalls_published == summary.matches.recalls_created > 0
    with Session(engine) as session:
        linked = set(
            session.scalars(
                select(CatalogMatch.recall_id).where(CatalogMatch.recall_id.in_(demo_ids))
            )
        )
        assert linked == demo_ids  # every demo recall's offers were found, and linked to it
        own = set(
            session.scalars(select(FeedRecord.recall_id).where(FeedRecord.recall_id.is_not(None)))
        )
        assert not own & demo_ids
        keys = Counter(
            (kind, value)
            for kind, value in session.execute(
                select(RecallKey.kind, RecallKey.value)
                .join(Recall, Recall.id == RecallKey.recall_id)
                .where(Recall.status == "published")
            )
        )
        assert [key for key, times in keys.items() if times > 1] == []  # nothing recalled twice
        affected = session.scalars(
            select(RecallMatch.customer_id).where(RecallMatch.recall_id.in_(own)).distinct()
        ).all()
        assert len(affected) > 10  # buyers of the other recalled products have real recalls
    with transaction(engine) as session:
        again = service.import_demo_feeds(session)
    assert again.line() == "imported 0, updated 0, unchanged 150, rejected 0"
