"""Matched authority records become recalls: the automatic band prepares (or publishes) a
draft, the review band waits, nothing is recalled twice, refused drafts wait for an edit."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth.schemas import Principal
from shopsafe.config import get_settings
from shopsafe.db.session import transaction
from shopsafe.feeds import recalling, service
from shopsafe.feeds.extraction import Extraction
from shopsafe.feeds.models import CatalogMatch, FeedRecord
from shopsafe.feeds.schemas import ImportSummary
from shopsafe.ledger.models import OrderLine, Product
from shopsafe.notifications.models import RecallNotice
from shopsafe.recalls import service as recalls
from shopsafe.recalls.models import Recall, RecallMatch
from tests.support.feeds import CPSC_CSV, as_file, cpsc_records, load_offers, offer
from tests.support.recalls import recall_body

WET_AND_FORGET = offer("1", sku="WF-48", name="Wet & Forget Xtreme Reach stain remover",
                       brand="Wet & Forget", gtin="879288000077")  # fmt: skip
SCRIPTO = offer("1", sku="SC-T1", name="Scripto premium torch", brand="Scripto",
                gtin="070257522266")  # fmt: skip
MPINOI = offer("1", sku="MP-BR", name="MPINOI portable bed rail for adults", brand="MPINOI")
SANGOHE_OTHER = offer("1", sku="SG-2", name="Sangohe Adult Portable Bed Rails",
                      brand="Sangohe", model="KDB504A02FT")  # fmt: skip


def run(engine: Engine, numbers: tuple[str, ...], **options: Any) -> ImportSummary:
    with transaction(engine) as session:
        return service.import_feed(
            session, source="cpsc", data=as_file(cpsc_records(*numbers)), **options
        )


def matches(engine: Engine) -> dict[str, CatalogMatch]:
    """Matches by the offer's SKU."""
    with Session(engine) as session:
        rows = session.execute(
            select(Product.sku, CatalogMatch).join(Product, Product.id == CatalogMatch.product_id)
        )
        return {sku: match for sku, match in rows}


def count(engine: Engine, model: Any, *where: Any) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_automatic_band_prepares_drafts_and_the_review_band_waits(engine: Engine) -> None:
    load_offers(engine, [WET_AND_FORGET, SCRIPTO, MPINOI, SANGOHE_OTHER])
    summary = run(engine, ("24043", "26006", "26350", "26173"))
    assert summary.matches.automatic == 2 and summary.matches.review == 1
    assert summary.matches.recalls_created == 1 and summary.matches.needs_review == 1
    found = matches(engine)
    assert set(found) == {"WF-48", "SC-T1", "MP-BR"}  # the other Sangohe model is no match
    wet = found["WF-48"]
    assert (wet.band, wet.decision, wet.method) == ("auto", "approved", "gtin")
    assert wet.decided_by == "feeds (automatic)" and wet.recall_id is not None
    with Session(engine) as session:
        recall = session.get(Recall, wet.recall_id)
        assert recall is not None and recall.status == "draft"
        # The offer's GTIN, and the authority's other UPC of the product: not sold here
        # yet, but an offer of it must not be sold either.
        assert sorted(recall.criteria["gtins"]) == ["00879288000077", "00879288000084"]
        assert recall.content["remedies"] == ["refund", "replacement", "repair", "dispose"]
        assert recall.content["hazard"].startswith("The hose end nozzle clip can dislodge")
        assert recall.content["contact"]["url"].startswith("https://www.cpsc.gov/Recalls/")
        assert recall.content["images"] and recall.kind == "recall"
    scripto = found["SC-T1"]
    assert (scripto.band, scripto.decision, scripto.recall_id) == ("auto", "pending", None)
    assert scripto.review_reason is not None and "remedies: a recall must offer at least two" in (
        scripto.review_reason
    )
    mpinoi = found["MP-BR"]
    assert (mpinoi.band, mpinoi.decision, mpinoi.method) == ("review", "pending", "name")
    assert count(engine, Recall) == 1
    with Session(engine) as session:
        statuses = set(session.scalars(select(OrderLine.status)))
    assert "held" not in statuses  # a draft stops nothing and tells no one


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Sets SHOPSAFE_* variables for the rest of the test; the cached settings are dropped
    before and after, so that no other test sees them."""

    def change(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"SHOPSAFE_{name.upper()}", value)
        get_settings.cache_clear()

    yield change
    get_settings.cache_clear()


def test_automatic_publishing_when_the_operator_turned_it_on(
    engine: Engine, settings: Callable[..., None]
) -> None:
    load_offers(engine, [WET_AND_FORGET])
    settings(feed_auto_publish="true")
    summary = run(engine, ("24043",))
    assert summary.matches.recalls_published == 1
    with Session(engine) as session:
        recall = session.scalars(select(Recall)).one()
        assert recall.status == "published"
        assert recall.created_by == "feeds (automatic)"  # no person did it
        assert session.scalar(select(func.count()).select_from(RecallMatch)) == 1
        assert session.scalar(select(func.count()).select_from(RecallNotice)) == 1
        # The authority's other UPC of the product stops sales too, though none was sold.
        check = recalls.listing_check(
            session, seller_id=None, sku=None, gtin="00879288000084", brand=None, model=None
        )
        assert not check.sellable and check.recall_ids == [recall.id]
        hazard = recall.content["hazard"]
    # A published recall does not follow a new version by itself: amending it notifies.
    with transaction(engine) as session:
        newer = service.import_feed(
            session, source="cpsc", data=_version("Other words.", "2024-02-01T00:00:00")
        )
    assert newer.updated == 1 and newer.drafts_refreshed == 0
    with Session(engine) as session:
        assert session.scalars(select(Recall)).one().content["hazard"] == hazard


def test_thresholds_from_the_settings_decide_the_band(
    engine: Engine, settings: Callable[..., None]
) -> None:
    load_offers(engine, [WET_AND_FORGET])
    settings(feed_auto_threshold="1.0", feed_review_threshold="0.99")
    summary = run(engine, ("24043",))
    assert (summary.matches.automatic, summary.matches.review) == (1, 0)  # brand + GTIN: 1.0
    load_offers(engine, [MPINOI], first=6000)
    with transaction(engine) as session:
        assert service.rematch_all(session).review == 0  # a name match is below 0.99


def test_an_offer_already_under_a_recall_is_linked_not_recalled_again(engine: Engine) -> None:
    load_offers(engine, [WET_AND_FORGET])
    operator = Principal(role="operator")
    with transaction(engine) as session:
        body = recall_body(brand="Wet & Forget", criteria={"gtins": ["00879288000077"]})
        existing = recalls.create(session, data=body, principal=operator)
        recalls.publish(session, recall_id=existing.id, principal=operator)
        existing_id = existing.id
    summary = run(engine, ("24043",))
    assert summary.matches.recalls_linked == 1 and summary.matches.recalls_created == 0
    assert matches(engine)["WF-48"].recall_id == existing_id
    assert count(engine, Recall) == 1


def _csv_rows(*numbers: str) -> bytes:
    with CPSC_CSV.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if row["Recall Number"] in numbers]
        columns = reader.fieldnames or []
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_the_same_recall_from_the_website_export_uses_the_same_recall(engine: Engine) -> None:
    load_offers(engine, [WET_AND_FORGET])
    run(engine, ("24043",))
    with transaction(engine) as session:
        summary = service.import_feed(session, source="cpsc-csv", data=_csv_rows("24-043"))
    assert summary.line() == "imported 1, updated 0, unchanged 0, rejected 0"
    assert summary.matches.recalls_created == 0 and summary.matches.recalls_extended == 1
    with Session(engine) as session:
        recall_ids = set(session.scalars(select(FeedRecord.recall_id)))
    assert len(recall_ids) == 1 and count(engine, Recall) == 1


def test_offers_imported_later_are_found_by_matching_again(engine: Engine) -> None:
    assert run(engine, ("24043",)).matches.automatic == 0
    load_offers(engine, [WET_AND_FORGET])
    with transaction(engine) as session:
        summary = service.rematch_all(session)
    assert (summary.automatic, summary.recalls_created) == (1, 1)
    with transaction(engine) as session:
        again = service.rematch_all(session)
    assert again.automatic == 0 and again.recalls_created == 0 and count(engine, Recall) == 1


def test_an_authority_code_of_an_offer_an_operator_rejected_stays_out(engine: Engine) -> None:
    other = offer("1", sku="WF-32", name="Wet & Forget refill", brand="Wet & Forget",
                  gtin="879288000084")  # fmt: skip
    load_offers(engine, [WET_AND_FORGET, other])
    run(engine, ("24043",))
    with transaction(engine) as session:
        refill = session.scalars(select(Product).where(Product.sku == "WF-32")).one()
        match = session.scalars(
            select(CatalogMatch).where(CatalogMatch.product_id == refill.id)
        ).one()
        match.decision = "rejected"  # a person said: not this product
        record = session.get_one(FeedRecord, match.feed_record_id)
        kept = recalling._authority_gtins(session, record, Extraction.from_json(record.data))
    assert kept == ["00879288000077"]


def _version(hazard: str, published: str) -> bytes:
    record = cpsc_records("24043")[0]
    record["Hazards"] = [{"Name": hazard}]
    record["LastPublishDate"] = published
    return as_file([record])


def test_a_draft_the_feeds_prepared_follows_the_authoritys_new_version(engine: Engine) -> None:
    load_offers(engine, [WET_AND_FORGET])
    run(engine, ("24043",))
    newer = "The nozzle clip can come off and spray the cleaning solution into the eyes."
    with transaction(engine) as session:
        summary = service.import_feed(
            session, source="cpsc", data=_version(newer, "2024-02-01T00:00:00")
        )
    assert summary.updated == 1 and summary.drafts_refreshed == 1
    with Session(engine) as session:
        recall = session.scalars(select(Recall)).one()
        assert recall.status == "draft" and recall.content["hazard"] == newer
        assert recall.created_by == "feeds (automatic)"

    # Once a person edited the draft, a newer version leaves it to them.
    operator = Principal(role="operator", name="operator:ops@shop.example")
    edited = "The clip of the nozzle may detach (edited by the operator)."
    with transaction(engine) as session:
        recalls.update(session, recall_id=recall.id, data={"hazard": edited}, principal=operator)
    with transaction(engine) as session:
        again = service.import_feed(
            session, source="cpsc", data=_version("A third wording.", "2024-03-01T00:00:00")
        )
    assert again.updated == 1 and again.drafts_refreshed == 0
    with Session(engine) as session:
        assert session.get_one(Recall, recall.id).content["hazard"] == edited
