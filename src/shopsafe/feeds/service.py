"""Authority feeds: import a file (records by source and id, versioned), match records to
the catalogue, turn confident matches into recalls, and the operator's decisions.

An import is all-or-nothing: a file that cannot be read raises before anything is written
(the caller's transaction holds the rest). Services never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from shopsafe.audit import service as audit
from shopsafe.auth.schemas import Principal
from shopsafe.config import get_settings
from shopsafe.feeds import adapters, matching, recalling
from shopsafe.feeds import repository as repo
from shopsafe.feeds.adapters.base import FeedEntry
from shopsafe.feeds.extraction import Extraction, extract
from shopsafe.feeds.models import CatalogMatch, FeedRecord, FeedRecordVersion
from shopsafe.feeds.schemas import ImportSummary, MatchSummary
from shopsafe.kit.clock import now

DEMO_RECORDS = Path(__file__).resolve().parent / "data" / "cpsc_demo_records.json"
AUTOMATIC = "feeds (automatic)"
SYSTEM = Principal(role="operator", name=AUTOMATIC)
BATCH = 200


def settings_thresholds() -> matching.Thresholds:
    settings = get_settings()
    return matching.Thresholds(
        auto=settings.feed_auto_threshold, review=settings.feed_review_threshold
    )


def import_feed(
    session: Session,
    *,
    source: str,
    data: bytes,
    thresholds: matching.Thresholds | None = None,
    auto_publish: bool | None = None,
) -> ImportSummary:
    """Stores the file's records (new, updated by a newer publish date, or unchanged), then
    matches the new and updated ones against the catalogue."""
    parsed = adapters.parse(source, data)
    summary = ImportSummary(
        source=source, rejected=len(parsed.rejects), rejects=[str(r) for r in parsed.rejects]
    )
    changed = _store(session, source, parsed.entries, summary)
    summary.drafts_refreshed = sum(
        recalling.refresh_draft(session, record, principal=SYSTEM) for record in changed
    )
    summary.matches = match_records(
        session, changed, thresholds=thresholds, auto_publish=auto_publish
    )
    audit.record(
        session,
        actor="feeds",
        action="feeds.imported",
        subject_type="feed",
        subject_id=source,
        data=summary.model_dump(mode="json", exclude={"rejects"}),
    )
    return summary


def _new_record(entry: FeedEntry, stamp: object) -> FeedRecord:
    return FeedRecord(
        source=entry.source,
        source_id=entry.source_id,
        version=0,
        first_seen_at=stamp,
        recall_problems=[],
    )


def _apply(record: FeedRecord, entry: FeedEntry, extraction: Extraction, stamp: object) -> None:
    record.authority_ref = entry.authority_ref
    record.version = (record.version or 0) + 1
    record.published_at = entry.published_at
    record.content_hash = entry.content_hash
    record.title = (extraction.title or (extraction.product_names or [entry.source_id])[0])[:500]
    record.brand = extraction.brand[:200] if extraction.brand else None
    name = extraction.product_names[0] if extraction.product_names else None
    record.product_name = name[:500] if name else None
    record.data = extraction.as_json()
    record.updated_at = stamp  # type: ignore[assignment]


def _store(
    session: Session, source: str, entries: Sequence[FeedEntry], summary: ImportSummary
) -> list[FeedRecord]:
    stamp = now()
    existing = repo.records_by_source_ids(session, source, [e.source_id for e in entries])
    changed: list[tuple[FeedRecord, FeedEntry]] = []
    for entry in entries:
        record = existing.get(entry.source_id)
        if record is not None and (
            record.content_hash == entry.content_hash or entry.published_at < record.published_at
        ):
            summary.unchanged += 1
            continue
        extraction = extract(entry)
        if record is None:
            record = _new_record(entry, stamp)
            session.add(record)
            summary.imported += 1
        else:
            summary.updated += 1
        _apply(record, entry, extraction, stamp)
        changed.append((record, entry))
    session.flush()
    for record, entry in changed:
        repo.add_version(
            session,
            FeedRecordVersion(
                feed_record_id=record.id,
                version=record.version,
                published_at=entry.published_at,
                content_hash=entry.content_hash,
                raw=entry.raw,
                imported_at=stamp,
            ),
        )
    return [record for record, _ in changed]


def match_records(
    session: Session,
    records: Sequence[FeedRecord],
    *,
    thresholds: matching.Thresholds | None = None,
    auto_publish: bool | None = None,
    catalogue_brands: set[str] | None = None,
) -> MatchSummary:
    """Matches records to the catalogue, batch by batch; confident pairs become recalls."""
    chosen = thresholds or settings_thresholds()
    publish = get_settings().feed_auto_publish if auto_publish is None else auto_publish
    summary = MatchSummary()
    brands = catalogue_brands
    if brands is None:
        brands = repo.catalogue_brand_keys(session) if records else set()
    for start in range(0, len(records), BATCH):
        batch = records[start : start + BATCH]
        summary.add(_match_batch(session, batch, brands, chosen, publish))
    return summary


def rematch_all(
    session: Session,
    *,
    thresholds: matching.Thresholds | None = None,
    auto_publish: bool | None = None,
) -> MatchSummary:
    """Matches every stored record again, e.g. after offers were imported."""
    summary, after = MatchSummary(), 0
    brands = repo.catalogue_brand_keys(session)
    while ids := repo.record_ids_page(session, after=after, limit=BATCH):
        batch = repo.records(session, ids)
        summary.add(
            match_records(
                session,
                batch,
                thresholds=thresholds,
                auto_publish=auto_publish,
                catalogue_brands=brands,
            )
        )
        after = ids[-1]
    return summary


def _match_batch(
    session: Session,
    records: Sequence[FeedRecord],
    catalogue_brands: set[str],
    thresholds: matching.Thresholds,
    publish: bool,
) -> MatchSummary:
    extractions = {r.id: Extraction.from_json(r.data) for r in records}
    wanted = {rid: matching.lookup_keys(x) for rid, x in extractions.items()}
    index = matching.CatalogIndex(
        repo.offers_sharing(
            session,
            gtins=set().union(*(w.gtins for w in wanted.values())),
            model_keys=set().union(*(w.model_keys for w in wanted.values())),
            brand_keys=catalogue_brands & set().union(*(w.brand_keys for w in wanted.values())),
        )
    )
    existing = repo.matches_of(session, list(extractions))
    summary, stamp = MatchSummary(), now()
    to_prepare: dict[int, list[CatalogMatch]] = {}
    for record in records:
        found = matching.match(extractions[record.id], index.sharing(wanted[record.id]))
        for candidate in found:
            band = thresholds.band(candidate.confidence)
            if band is None:
                continue
            match = existing.get((record.id, candidate.offer_id))
            if match is None:
                match = _new_match(record.id, candidate, band, stamp)
                session.add(match)
                summary.automatic += band == matching.AUTO
                summary.review += band == matching.REVIEW
            elif not _refresh(match, candidate, band, stamp):
                continue
            if match.decision == "approved" and match.recall_id is None:
                to_prepare.setdefault(record.id, []).append(match)
    session.flush()
    if to_prepare:
        products = repo.products(session, [m.product_id for ms in to_prepare.values() for m in ms])
        for record in records:
            matches = to_prepare.get(record.id)
            if matches:
                approved = [(m, products[m.product_id]) for m in matches]
                summary.add(
                    recalling.prepare(session, record, approved, publish=publish, principal=SYSTEM)
                )
    return summary


def _new_match(
    record_id: int, candidate: matching.Candidate, band: str, stamp: object
) -> CatalogMatch:
    automatic = band == matching.AUTO
    return CatalogMatch(
        feed_record_id=record_id,
        product_id=candidate.offer_id,
        method=candidate.method,
        confidence=candidate.confidence,
        evidence=list(candidate.evidence),
        band=band,
        decision="approved" if automatic else "pending",
        decided_by=AUTOMATIC if automatic else None,
        decided_at=stamp if automatic else None,
        matched_at=stamp,
        updated_at=stamp,
    )


def _refresh(match: CatalogMatch, candidate: matching.Candidate, band: str, stamp: object) -> bool:
    """New evidence for a known pair. A decision stays; a pending pair that now reaches the
    automatic band is approved automatically. False when nothing changed."""
    same = (
        match.method == candidate.method
        and abs(match.confidence - candidate.confidence) < 1e-9
        and match.band == band
    )
    if same and not (match.decision == "pending" and band == matching.AUTO):
        return False
    match.method = candidate.method
    match.confidence = candidate.confidence
    match.evidence = list(candidate.evidence)
    match.updated_at = stamp  # type: ignore[assignment]
    if match.decision == "pending":
        match.band = band
        if band == matching.AUTO:
            match.decision = "approved"
            match.decided_by = AUTOMATIC
            match.decided_at = stamp  # type: ignore[assignment]
    return True


def import_demo_feeds(session: Session, *, publish: bool = True) -> ImportSummary:
    """Imports the bundled real CPSC records of the demo's recalled products and matches
    them to the demo catalogue. Offers the demo's own recalls already cover are linked to
    those recalls, never recalled twice; with `publish`, confident matches are published
    so that the buyers get notices. A second call finds everything unchanged."""
    return import_feed(session, source="cpsc", data=DEMO_RECORDS.read_bytes(), auto_publish=publish)
