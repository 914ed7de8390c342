"""What the reporter and the operators see of a case.

The reporter sees the seller's public trader identity, their rights and what was done —
never the buying accounts, other addresses or anything about numbers that were not
delivered at their postal code. Operators see the evidence.
"""

from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy.orm import Session

from shopsafe.kit.clock import as_utc
from shopsafe.kit.errors import InvalidInput
from shopsafe.ledger.models import Address, Seller
from shopsafe.unsolicited import actions, case_orders, links, ranking, rights, tracing
from shopsafe.unsolicited import repository as repo
from shopsafe.unsolicited.classification import Kind, as_kind
from shopsafe.unsolicited.models import Case, UnsolicitedReport
from shopsafe.unsolicited.schemas import (
    BarcodeOut,
    BlockOut,
    CaseOut,
    CasePage,
    CaseSummary,
    DetectionOut,
    EvidenceShipment,
    RankingAdjustmentOut,
    RankingAdjustmentPage,
    ReportAnswer,
    ReporterOut,
    RightsOut,
    SellerIdentity,
    ShipmentAnswer,
)

LISTED = 500  # ids and addresses listed on a detection case (the counts are complete)


def seller_identity(seller: Seller | None) -> SellerIdentity | None:
    if seller is None:
        return None
    town = " ".join(p for p in (seller.postal_code, seller.city) if p)
    address = ", ".join(p for p in (seller.address_line, town, seller.country) if p)
    return SellerIdentity(
        name=seller.name,
        address=address or None,
        email=seller.email,
        phone=seller.phone,
        trade_register=seller.trade_register,
    )


def _actions(session: Session, case: Case) -> list[str]:
    done = ["case_opened"]
    if repo.active_blocks(session, case.id):
        done.append("deliveries_stopped")
    if repo.suspended_for_case(session, case.id):
        done.append("seller_offers_suspended")
    if ranking.count_active(session, case.id):
        done.append("excluded_from_rankings")
    return done


def reporter_answer(
    session: Session, case: Case, *, base_url: str, language: str | None = None
) -> ReportAnswer:
    """The reporter's view, in the language they reported in (or `language`)."""
    language = language or case.language
    report = repo.report_of(session, case.id)
    rows = repo.case_shipments(session, case.id)
    first: dict[str, ShipmentAnswer] = {}
    addresses: set[int] = set()
    for row, seller, _shipment, _order, _customer in rows:
        if row.tracking_number in first:
            continue
        kind: Kind = as_kind(row.classification) if row.found else "unknown"
        first[row.tracking_number] = ShipmentAnswer(
            tracking_number=row.tracking_number,
            found=row.found,
            classification=kind,
            seller=seller_identity(seller) if row.found else None,
            belongs_to_someone_else=row.found and kind == "misdelivery",
        )
        if row.found and row.address_id is not None:
            addresses.add(row.address_id)
    found_kind = as_kind(case.classification)
    law = rights.rights_for(case.country, found_kind, language)
    source = None
    first_at, last_at, accounts = tracing.entered(session, sorted(addresses))
    if first_at and last_at and accounts:
        source = rights.data_source(first_at, last_at, accounts, language)
    return ReportAnswer(
        case_id=case.number,
        status_url=links.status_url(base_url, case.number, case.access_salt),
        status=case.status,
        classification=found_kind,
        shipments=[first[n] for n in report.tracking_numbers if n in first],
        actions=_actions(session, case),
        rights=RightsOut(
            region=law.region, law=law.law, summary=law.summary, points=list(law.points)
        ),
        advice=list(rights.advice(language)),
        qr_warning=rights.qr_warning(language) if report.qr_warning else None,
        data_source=source,
        barcodes=[BarcodeOut.model_validate(b) for b in report.barcodes],
        created_at=case.created_at,
    )


def _evidence(rows: list[repo.ShipmentRow]) -> list[EvidenceShipment]:
    return [
        EvidenceShipment(
            tracking_number=row.tracking_number,
            found=row.found,
            classification=as_kind(row.classification),
            reasons=list(row.reasons),
            order_id=order,
            customer_id=customer,
            seller_id=seller.external_id if seller else None,
            status=shipment.status if shipment else None,
            hold_reason=shipment.hold_reason if shipment else None,
        )
        for row, seller, shipment, order, customer in rows
    ]


def _blocks(rows: list[repo.BlockRow]) -> list[BlockOut]:
    return [
        BlockOut(
            id=block.id,
            address=_address_text(a),
            seller_id=seller,
            customer_id=customer,
            status=block.status,
            created_at=block.created_at,
            lifted_at=block.lifted_at,
        )
        for block, a, seller, customer in rows
    ]


def _reporter(report: UnsolicitedReport | None) -> ReporterOut | None:
    if report is None:
        return None
    return ReporterOut(
        name=report.name,
        email=report.email,
        postal_code=report.postal_code,
        country=report.country,
        note=report.note,
        language=report.language,
    )


def _address_text(a: Address) -> str:
    return ", ".join(
        p for p in (a.line1, f"{a.postal_code} {a.city or ''}".strip(), a.country) if p
    )


def detection_view(session: Session, case: Case) -> DetectionOut:
    """The detected ring behind a detection case: what operators see of it. Orders,
    accounts and addresses as on a report's case (ids and delivery addresses), no more."""
    facts = case.evidence or {}
    orders, accounts, addresses = case_orders.counts(session, case.id)
    sellers = tracing.sellers(session, [int(s) for s in facts.get("seller_ids", [])])
    return DetectionOut(
        ring_id=facts.get("ring_id"),
        kind=str(facts.get("kind", "brushing")),
        score=float(facts.get("score", 0.0)),
        evidence=[str(text) for text in facts.get("evidence", [])],
        orders=orders,
        accounts=accounts,
        addresses=addresses,
        products=int(facts.get("products", 0)),
        reviews=int(facts.get("reviews", 0)),
        sellers=sorted(s.external_id for s in sellers.values()),
        order_ids=case_orders.order_ids(session, case.id, LISTED),
        delivery_addresses=[
            _address_text(a) for a in case_orders.addresses(session, case.id, LISTED)
        ],
        first_run_id=facts.get("first_run_id"),
        last_run_id=facts.get("last_run_id"),
        runs=int(facts.get("runs", 0)),
    )


def operator_view(session: Session, case: Case) -> CaseOut:
    report = repo.first_report(session, case.id)
    rows = repo.case_shipments(session, case.id)
    blocks = repo.blocks_of(session, case.id)
    seller = (
        tracing.sellers(session, [case.seller_id]).get(case.seller_id) if case.seller_id else None
    )
    accounts = {c for *_rest, c in rows if c} | {c for *_rest, c in blocks if c}
    detection = None
    if case.origin == "detection":
        detection = detection_view(session, case)
        accounts |= set(case_orders.account_ids(session, case.id, LISTED))
    related = len(actions.case_orders(session, case))
    return CaseOut(
        case_id=case.number,
        origin=case.origin,
        status=case.status,
        classification=as_kind(case.classification),
        created_at=case.created_at,
        decided_at=case.decided_at,
        decided_by=case.decided_by,
        seller=seller_identity(seller),
        seller_id=seller.external_id if seller else None,
        seller_suspended=bool(repo.suspended_for_case(session, case.id)),
        reporter=_reporter(report),
        detection=detection,
        shipments=_evidence(rows),
        accounts=sorted(accounts),
        related_orders=related,
        blocks=_blocks(blocks),
        ranking_adjustments=ranking.count_active(session, case.id),
        actions=list(case.actions),
        qr_warning=report.qr_warning if report is not None else False,
    )


def case_page(
    session: Session,
    *,
    status: str | None,
    before: int | None,
    limit: int,
    origin: str | None = None,
) -> CasePage:
    rows = repo.page_of_cases(session, status=status, before=before, limit=limit + 1, origin=origin)
    items = [
        CaseSummary(
            case_id=case.number,
            origin=case.origin,
            status=case.status,
            classification=as_kind(case.classification),
            created_at=case.created_at,
            country=case.country,
            postal_code=postal,
            seller_name=seller,
            found=found,
            reported=reported,
            orders=(case.evidence or {}).get("orders") if case.origin == "detection" else None,
            score=(case.evidence or {}).get("score") if case.origin == "detection" else None,
        )
        for case, postal, seller, found, reported in rows[:limit]
    ]
    more = len(rows) > limit
    return CasePage(items=items, next_cursor=str(rows[limit - 1][0].id) if more else None)


def _cursor(stamp: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{stamp.isoformat()}|{pk}".encode()).decode()


def _read_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return as_utc(datetime.fromisoformat(stamp)), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(["cursor: not a cursor from an earlier page"]) from None


def ranking_page(
    session: Session, *, since: datetime | None, cursor: str | None, limit: int
) -> RankingAdjustmentPage:
    after = _read_cursor(cursor) if cursor else None
    start = as_utc(since) if since else None
    rows = ranking.changed_since(session, since=start, after=after, limit=limit + 1)
    items = [
        RankingAdjustmentOut(
            subject=adjustment.subject,
            order_id=order,
            review_id=review,
            case_id=case,
            reason=adjustment.reason,
            excluded=adjustment.active,
            created_at=adjustment.created_at,
            reversed_at=adjustment.reversed_at,
            changed_at=adjustment.changed_at,
        )
        for adjustment, order, review, case in rows[:limit]
    ]
    last = rows[limit - 1][0] if len(rows) > limit else None
    return RankingAdjustmentPage(
        items=items, next_cursor=_cursor(last.changed_at, last.id) if last else None
    )
