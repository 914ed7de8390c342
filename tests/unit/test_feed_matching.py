"""Catalogue matching (pure): GTIN, brand + model, name similarity; bands; decoys."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopsafe.feeds import matching
from shopsafe.feeds.extraction import Extraction
from shopsafe.feeds.matching import Offer, Thresholds
from shopsafe.ledger import keys

THRESHOLDS = Thresholds(auto=0.9, review=0.6)


def record(**changes: object) -> Extraction:
    base = Extraction(
        title="Sangohe Adult Portable Bed Rails Recalled Due to Risk of Entrapment",
        brand="Sangohe",
        product_names=["Sangohe Bed Rails", "Sangohe Adult Portable Bed Rails"],
        models=["KDB504A01FT"],
        model_keys=["KDB504A01FT"],
        gtins=["00850022858529"],
        codes=["850022858529"],
        lots=[],
        sold_from=dt.date(2023, 8, 1),
        sold_to=dt.date(2025, 10, 31),
        price_low="50",
        price_high="80",
        units=26200,
        retailers=["Amazon.com"],
        hazard="Users can become entrapped.",
        remedies=["refund"],
        remedy_text="Stop using the bed rails.",
        pictures=[],
        url=None,
        emails=[],
        phones=[],
        identifier_location=None,
        description="This recall involves Sangohe-branded adult portable bed rails.",
        recall_date=None,
        country="US",
        risk_level="serious",
        kind="recall",
        category=None,
        brand_keys=["SANGOHE", "SANGOHEBED", "ADULT", "AMAZONCOM"],
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def offer(oid: int = 1, *, brand: str | None = "Sangohe", model: str | None = None,
          gtin: str | None = None, name: str = "Sangohe bed rail") -> Offer:  # fmt: skip
    return Offer(
        id=oid,
        gtin=keys.gtin14(gtin) if gtin else None,
        brand_key=keys.brand_key(brand),
        model_key=keys.model_key(model),
        name=name,
        brand=brand,
        model=model,
    )


def band(candidate: matching.Candidate | None) -> str | None:
    return None if candidate is None else THRESHOLDS.band(candidate.confidence)


def test_gtin_listed_by_the_authority_is_automatic() -> None:
    found = matching.score(record(), offer(gtin="850022858529"))
    assert found is not None and found.method == "gtin" and found.confidence == 1.0
    assert "GTIN 00850022858529 listed by the authority" in found.evidence
    assert band(found) == "auto"


def test_gtin_with_nothing_else_agreeing_waits_for_a_person() -> None:
    stranger = offer(brand="Crayola", gtin="850022858529", name="Foam pattern rollers")
    found = matching.score(record(), stranger)
    assert found is not None and band(found) == "review"
    assert "neither the brand nor the product name agree" in found.evidence[-1]


def test_brand_and_normalised_model_is_automatic() -> None:
    found = matching.score(record(), offer(model="kdb-504.a01ft"))
    assert found is not None and found.method == "model" and band(found) == "auto"
    assert found.evidence == ("model kdb-504.a01ft and brand named",)


def test_model_without_the_brand_is_for_review() -> None:
    found = matching.score(record(), offer(brand="Generic", model="KDB504A01FT"))
    assert found is not None and band(found) == "review"


def test_same_brand_other_model_is_a_decoy() -> None:
    decoy = offer(model="KDB504A02FT", name="Sangohe Adult Portable Bed Rails")
    found = matching.score(record(), decoy)
    assert found is None or band(found) is None


def test_similar_name_and_brand_waits_for_review_never_automatic() -> None:
    found = matching.score(record(models=[], model_keys=[], gtins=[]), offer())
    assert found is not None and found.method == "name" and band(found) == "review"
    assert "brand Sangohe named in the record" in found.evidence
    perfect = offer(name="Sangohe Adult Portable Bed Rails")
    best = matching.score(record(models=[], model_keys=[], gtins=[]), perfect)
    assert best is not None and best.confidence < THRESHOLDS.auto


def test_other_brand_or_other_product_is_no_match() -> None:
    assert matching.score(record(), offer(brand="Vive", name="Vive adult bed rails")) is None
    unrelated = offer(name="Sangohe shower chair with padded seat")
    assert matching.score(record(models=[], model_keys=[], gtins=[]), unrelated) is None


def test_gtin_that_contradicts_the_list_lowers_a_name_match() -> None:
    plain = matching.score(record(models=[], model_keys=[]), offer())
    other = matching.score(record(models=[], model_keys=[]), offer(gtin="850022858536"))
    assert plain is not None and other is not None
    assert other.confidence == pytest.approx(plain.confidence - 0.3)


def test_match_sorts_by_confidence_and_skips_strangers() -> None:
    offers = [
        offer(1),
        offer(2, gtin="850022858529"),
        offer(3, brand="Vive"),
        offer(4, model="KDB504A01FT"),
    ]
    found = matching.match(record(), offers)  # fmt: skip
    assert [c.offer_id for c in found] == [2, 4, 1]


def test_thresholds_are_checked_and_give_bands() -> None:
    with pytest.raises(ValueError, match="review"):
        Thresholds(auto=0.5, review=0.8)
    with pytest.raises(ValueError):
        Thresholds(auto=1.5, review=0.8)
    strict = Thresholds(auto=0.99, review=0.9)
    assert [strict.band(c) for c in (1.0, 0.95, 0.5)] == ["auto", "review", None]


def test_catalog_index_narrows_to_offers_sharing_a_key() -> None:
    offers = [offer(1), offer(2, brand="Vive", gtin="850022858529"), offer(3, brand="Other")]
    index = matching.CatalogIndex(offers)
    assert sorted(o.id for o in index.sharing(matching.lookup_keys(record()))) == [1, 2]


_token = st.text(alphabet="ABCDEFGHJK0123456789-", min_size=1, max_size=8)


@given(
    brand=st.one_of(st.none(), st.sampled_from(["Sangohe", "Vive", "Adult", "Other Co"])),
    model=st.one_of(st.none(), _token, st.just("KDB504A01FT")),
    gtin=st.one_of(st.none(), st.sampled_from(["850022858529", "850022858536"])),
    name=st.text(min_size=0, max_size=40),
)
def test_only_offers_sharing_a_lookup_key_can_score(
    brand: str | None, model: str | None, gtin: str | None, name: str
) -> None:
    """What the repository's narrowing relies on: no shared key, no candidate."""
    candidate = offer(brand=brand, model=model, gtin=gtin, name=name)
    wanted = matching.lookup_keys(record())
    shares = (
        candidate.gtin in wanted.gtins
        or candidate.model_key in wanted.model_keys
        or candidate.brand_key in wanted.brand_keys
    )
    if not shares:
        assert matching.score(record(), candidate) is None
