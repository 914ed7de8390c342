"""Reports of unsolicited packages: check, trace, classify, act, answer.

One report is one transaction (the request's). Nothing is written when any input is bad,
and a tracking number delivered to another postal code is answered exactly like an
unknown one (no oracle, ADR 10). Services never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from shopsafe.audit.service import record
from shopsafe.config import get_settings
from shopsafe.kit.clock import now as utc_now
from shopsafe.kit.errors import Conflict, DomainError, InvalidInput
from shopsafe.ledger import keys
from shopsafe.unsolicited import actions, barcodes, evidence, tasks, tracing, validation
from shopsafe.unsolicited import repository as repo
from shopsafe.unsolicited.answers import reporter_answer
from shopsafe.unsolicited.classification import Kind, Verdict, case_kind
from shopsafe.unsolicited.models import Case, UnsolicitedReport
from shopsafe.unsolicited.rights import language_of
from shopsafe.unsolicited.schemas import ReportAnswer, ReportIn
from shopsafe.unsolicited.tracing import Traced

REPORTS_PER_HOUR: Final = 10
WINDOW: Final = timedelta(hours=1)
_ALPHABET: Final = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class TooManyReports(DomainError):
    status_code = 429
    code = "rate_limited"


def client_key(client: str) -> str:
    """A keyed digest of the client's address: enough to count its reports, not to know it."""
    secret = get_settings().resolved_secret_key().encode()
    return hmac.new(secret, f"unsolicited-client:{client}".encode(), hashlib.sha256).hexdigest()


def check_rate(session: Session, *, client: str, now: datetime) -> str:
    key = client_key(client)
    if repo.reports_since(session, key, now - WINDOW) >= REPORTS_PER_HOUR:
        raise TooManyReports(
            f"at most {REPORTS_PER_HOUR} reports an hour from one connection; "
            "please try again later"
        )
    return key


def new_number(session: Session, *, prefix: str = "UP-") -> str:
    """A new case number: `UP-` for reports, `RING-` for detected rings (`detected.py`)."""
    for _ in range(8):
        number = prefix + "".join(secrets.choice(_ALPHABET) for _ in range(8))
        if not repo.number_taken(session, number):
            return number
    raise Conflict("could not choose a case number; please try again")  # pragma: no cover


def collect_numbers(
    report: ReportIn, photos: Sequence[barcodes.Photo]
) -> tuple[list[str], barcodes.Reading]:
    """Typed and photographed tracking numbers, or InvalidInput naming every problem."""
    typed, problems = validation.check_numbers(report.tracking_numbers)
    reading = barcodes.read_photos(photos)
    problems += reading.problems
    numbers: dict[str, str] = {}
    for number in typed + reading.numbers:
        numbers.setdefault(keys.tracking_key(number), number)
    if not numbers and not problems:
        problems.append(
            "tracking_numbers: give at least one tracking number or a photo of a shipping label"
        )
    if problems:
        raise InvalidInput(problems)
    return list(numbers.values()), reading


def submit_report(
    session: Session,
    *,
    report: ReportIn,
    photos: Sequence[barcodes.Photo],
    client: str,
    base_url: str,
    now: datetime | None = None,
) -> ReportAnswer:
    """Opens a case for the report; when a shipment was delivered at the reporter's postal
    code, blocks further deliveries and holds what has not left yet."""
    stamp = now or utc_now()
    client_digest = check_rate(session, client=client, now=stamp)
    numbers, reading = collect_numbers(report, photos)
    postal_key = keys.postal_key(report.postal_code)
    traced = tracing.trace(
        session,
        [keys.tracking_key(n) for n in numbers],
        country=report.country,
        postal_key=postal_key,
    )
    verdicts = evidence.assess(session, traced)
    case = _open_case(session, report, traced, verdicts, postal_key, stamp)
    session.add(_report_row(case, report, numbers, reading, len(photos), client_digest, stamp))
    _write_evidence(session, case, numbers, traced, verdicts)
    if traced:
        actions.on_verified(session, case=case, now=stamp)
    record(
        session,
        actor="reporter",
        action="unsolicited.report_received",
        subject_type="unsolicited_case",
        subject_id=case.number,
        data={"reported": len(numbers), "found": len({t.tracking_key for t in traced})},
    )
    tasks.queue(session, case=case, email=report.email, kind="received", now=stamp)
    session.flush()
    return reporter_answer(session, case, base_url=base_url)


def _report_row(
    case: Case,
    report: ReportIn,
    numbers: list[str],
    reading: barcodes.Reading,
    photos: int,
    client_digest: str,
    now: datetime,
) -> UnsolicitedReport:
    return UnsolicitedReport(
        case_id=case.id,
        submitted_at=now,
        client_key=client_digest,
        name=report.name,
        email=report.email,
        postal_code=report.postal_code,
        country=report.country,
        note=report.note,
        language=case.language,
        tracking_numbers=numbers,
        barcodes=[
            {"photo": b.photo, "format": b.format, "tracking_numbers": list(b.tracking_numbers)}
            for b in reading.barcodes
        ],
        photo_count=photos,
        qr_warning=reading.qr_codes > 0,
    )


def _open_case(
    session: Session,
    report: ReportIn,
    traced: Sequence[Traced],
    verdicts: dict[int, Verdict],
    postal_key: str,
    now: datetime,
) -> Case:
    kinds: list[Kind] = [verdicts[t.shipment_id].kind for t in traced]
    case = Case(
        number=new_number(session),
        access_salt=secrets.token_hex(16),
        status="open" if traced else "unverified",
        classification=case_kind(kinds),
        country=report.country,
        postal_key=postal_key,
        language=language_of(report.language),
        seller_id=_main_seller(traced),
        evidence={"reported": 0, "found": len(traced)},
        actions=[],
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    return case


def _main_seller(traced: Sequence[Traced]) -> int | None:
    counts: dict[int, int] = {}
    for t in traced:
        counts[t.seller_id] = counts.get(t.seller_id, 0) + 1
    return max(counts, key=lambda s: (counts[s], -s)) if counts else None


_UNLINKED: Final = dict.fromkeys(
    ("shipment_id", "order_id", "seller_id", "customer_id", "address_id")
)


def _write_evidence(
    session: Session,
    case: Case,
    numbers: Sequence[str],
    traced: Sequence[Traced],
    verdicts: dict[int, Verdict],
) -> None:
    by_key: dict[str, list[Traced]] = {}
    for t in traced:
        by_key.setdefault(t.tracking_key, []).append(t)
    rows: list[dict[str, object]] = []
    for number in numbers:
        key = keys.tracking_key(number)
        hits = by_key.get(key, [])
        base = {"case_id": case.id, "tracking_number": number, "tracking_key": key, **_UNLINKED}
        if not hits:
            rows.append({**base, "found": False, "classification": "unknown", "reasons": []})
        for t in hits:
            verdict = verdicts[t.shipment_id]
            rows.append(
                {
                    **base,
                    "found": True,
                    "shipment_id": t.shipment_id,
                    "order_id": t.order_id,
                    "seller_id": t.seller_id,
                    "customer_id": t.customer_id,
                    "address_id": t.address_id,
                    "classification": verdict.kind,
                    "reasons": list(verdict.reasons),
                }
            )
    repo.insert_case_shipments(session, rows)
    case.evidence = {**case.evidence, "reported": len(numbers)}
