"""How well a recall works: remedy progress (for `…/stats` and the dashboard), the
responses over time, and the monthly progress report in the shape of the CPSC's
"Monthly Progress Report for Corrective Action Plans" (one row per reporting month)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from shopsafe.kit.clock import now
from shopsafe.notifications import service as notifications
from shopsafe.recalls.models import Recall
from shopsafe.remedies import report_repository as reports
from shopsafe.remedies.progress import progress


@dataclass
class Dashboard:
    units_affected: int
    affected_customers: int
    recipients: int
    notified: int
    email_accepted: int
    email_failed: int
    acknowledged: int
    remedies_requested: int
    remedies_completed: int
    units_corrected: int
    reach_rate: float
    correction_rate: float
    refunds_paid: list[tuple[Decimal, str]]
    cases_by_state: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Reach:
    units_affected: int
    affected_customers: int
    recipients: int
    notified: int
    email_accepted: int
    email_failed: int
    acknowledged: int


def reach(session: Session, recall_id: int, seller_id: int | None = None) -> Reach:
    """Whom the recall reaches (all of it, or the part of the seller's sales)."""
    if seller_id is None:
        s = notifications.stats(session, recall_id=recall_id)
        return Reach(s.units_affected, s.affected_customers, s.recipients, s.notified,
                     s.email_accepted, s.email_failed, s.acknowledged)  # fmt: skip
    customers, units = reports.seller_match_totals(session, recall_id, seller_id)
    recipients, acknowledged, notified = reports.seller_notice_totals(session, recall_id, seller_id)
    emails = reports.seller_delivery_counts(session, recall_id, seller_id)
    return Reach(units, customers, recipients, notified, emails.get("sent", 0),
                 emails.get("failed", 0), acknowledged)  # fmt: skip


def dashboard(session: Session, recall: Recall, seller_id: int | None = None) -> Dashboard:
    """The dashboard's numbers: of the whole recall, or of the seller's sales only."""
    stats = reach(session, recall.id, seller_id)
    mine = progress(session, recall.id, seller_id)
    units = stats.units_affected
    return Dashboard(
        units_affected=units, affected_customers=stats.affected_customers,
        recipients=stats.recipients, notified=stats.notified,
        email_accepted=stats.email_accepted, email_failed=stats.email_failed,
        acknowledged=stats.acknowledged, remedies_requested=mine.remedies_requested,
        remedies_completed=mine.remedies_completed, units_corrected=mine.units_corrected,
        reach_rate=round(stats.notified / stats.recipients, 4) if stats.recipients else 0.0,
        correction_rate=round(mine.units_corrected / units, 4) if units else 0.0,
        refunds_paid=[(Decimal(m.amount), m.currency) for m in mine.refunds_paid],
        cases_by_state=mine.cases_by_state,
    )  # fmt: skip


SERIES = ("notified", "acknowledged", "remedies_requested", "units_corrected")


@dataclass(frozen=True)
class Timeline:
    days: list[dt.date]
    series: dict[str, list[int]]  # cumulative, one value per day


def timeline(
    session: Session, recall: Recall, *, max_days: int = 120, seller_id: int | None = None
) -> Timeline:
    """Cumulative responses per day since publication (the last `max_days` days); with
    `seller_id`, of the seller's sales only."""
    start = (recall.published_at or recall.created_at).date()
    end = (recall.closed_at or now()).date()
    first = max(start, end - dt.timedelta(days=max_days - 1))
    days = [first + dt.timedelta(days=i) for i in range((end - first).days + 1)]
    corrected: dict[str, int] = {}
    for (bucket, _remedy), units in reports.units_corrected(
        session, recall.id, reports.DAY, seller_id
    ).items():
        corrected[bucket] = corrected.get(bucket, 0) + units
    daily = {
        "notified": reports.notices_sent(session, recall.id, reports.DAY, seller_id),
        "acknowledged": reports.acknowledged(session, recall.id, reports.DAY, seller_id),
        "remedies_requested": reports.cases_opened(session, recall.id, reports.DAY, seller_id),
        "units_corrected": corrected,
    }
    series: dict[str, list[int]] = {}
    for name, counts in daily.items():
        running = sum(n for bucket, n in counts.items() if bucket < first.isoformat())
        values = []
        for day in days:
            running += counts.get(day.isoformat(), 0)
            values.append(running)
        series[name] = values
    return Timeline(days=days, series=series)


REPORT_COLUMNS = (
    "recall_id", "recalling_firm", "product", "reporting_period_start", "reporting_period_end",
    "location_of_products", "total_products_affected", "corrections_this_period",
    "cumulative_corrections", "refunded_this_period", "replaced_this_period",
    "repaired_this_period", "destroyed_this_period", "consumers_notified_email_this_period",
    "consumers_notified_mail_this_period", "consumers_contacting_firm_this_period",
    "refunds_paid_this_period", "currency", "percent_corrected_to_date",
)  # fmt: skip
_REMEDY_COLUMN = {"refund": 0, "replacement": 1, "repair": 2, "dispose": 3}


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def progress_report_csv(
    session: Session, recall: Recall, *, firm: str | None, seller_id: int | None = None
) -> str:
    """One row per month since publication: products corrected in the month and to date (by
    refund, replacement, repair, destruction), consumers notified, consumers who asked for
    a remedy, refunds paid. Location of products: consumers (sold units). With `seller_id`,
    every number is of the seller's sales only."""
    if seller_id is None:
        units = notifications.stats(session, recall_id=recall.id).units_affected
    else:
        units = reports.seller_match_totals(session, recall.id, seller_id)[1]
    start = (recall.published_at or recall.created_at).date()
    end = (recall.closed_at or now()).date()
    corrected = reports.units_corrected(session, recall.id, reports.MONTH, seller_id)
    notified = reports.notices_sent(session, recall.id, reports.MONTH, seller_id)
    asked = reports.cases_opened(session, recall.id, reports.MONTH, seller_id)
    paid = reports.refunds_by_bucket(session, recall.id, reports.MONTH, seller_id)
    currencies = sorted({c for _, c in paid})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    total = 0
    for month in _months(start, end):
        key = month.strftime("%Y-%m")
        by_remedy = [0, 0, 0, 0]
        for (bucket, remedy), n in corrected.items():
            if bucket == key:
                by_remedy[_REMEDY_COLUMN.get(remedy, 0)] += n
        total += sum(by_remedy)
        last_day = min((month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), end)
        refunds, currency = _paid_in(paid, key, currencies)
        writer.writerow([_cell(v) for v in (
            recall.id, firm, recall.content.get("product_name") or recall.title,
            max(month, start).isoformat(), last_day.isoformat(), "consumers", units,
            sum(by_remedy), total, *by_remedy, notified.get(key, 0), 0, asked.get(key, 0),
            refunds, currency, f"{100 * total / units:.1f}" if units else "0.0",
        )])  # fmt: skip
    return out.getvalue()


def _paid_in(
    paid: dict[tuple[str, str], Decimal], month: str, currencies: list[str]
) -> tuple[str, str]:
    """The refunds of a month as (amount, currency); several currencies in one cell."""
    if len(currencies) <= 1:
        currency = currencies[0] if currencies else ""
        return str(paid.get((month, currency), Decimal("0.00"))), currency
    amounts = [f"{paid.get((month, c), Decimal('0.00'))} {c}" for c in currencies]
    return "; ".join(amounts), "several"
