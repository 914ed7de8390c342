"""E-mail updates to reporters: outbox rows written with the case's changes, sent later.

The notifications outbox (`deliveries`) belongs to recall notices, so case updates have
their own outbox table (`unsolicited_case_messages`). `deliver_due` sends what is due over
the worker's transport; the worker calls it after each batch of recall deliveries. Each
message has a stable key and Message-ID, so sending one again after a crash is
recognisably the same message.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.db.session import transaction
from shopsafe.notifications.mime import compose, message_id, sender_address
from shopsafe.notifications.rendering import Rendered
from shopsafe.notifications.transport import Envelope, Transport
from shopsafe.unsolicited import links
from shopsafe.unsolicited.models import Case, CaseMessage
from shopsafe.unsolicited.rights import language_of

MAX_ATTEMPTS = 8
RETRY = timedelta(minutes=10)

_SUBJECT = {
    "en": {
        "received": "Your report {number}: we are on it",
        "confirmed": "Your report {number}: confirmed, deliveries stopped",
        "dismissed": "Your report {number}: closed",
        "block_lifted": "Your report {number}: the delivery block was lifted",
    },
    "de": {
        "received": "Ihre Meldung {number}: Wir kümmern uns darum",
        "confirmed": "Ihre Meldung {number}: bestätigt, Lieferungen gestoppt",
        "dismissed": "Ihre Meldung {number}: abgeschlossen",
        "block_lifted": "Ihre Meldung {number}: die Liefersperre wurde aufgehoben",
    },
}
_BODY = {
    "en": {
        "received": "Thank you for your report. Its number is {number}.",
        "confirmed": "Our trust-and-safety team has confirmed your report {number}. "
        "Deliveries from this seller and its accounts to your address stay stopped.",
        "dismissed": "Our trust-and-safety team has closed your report {number}.",
        "block_lifted": "Our trust-and-safety team has lifted the delivery block of your "
        "report {number}. If parcels you did not order arrive again, please tell us.",
        "link": "What we found, your rights and what we did: {url}",
        "private": "This link is private: anyone who has it can see your report.",
    },
    "de": {
        "received": "Danke für Ihre Meldung. Sie hat die Nummer {number}.",
        "confirmed": "Unser Trust-and-Safety-Team hat Ihre Meldung {number} bestätigt. "
        "Lieferungen dieses Verkäufers und seiner Konten an Ihre Adresse bleiben gestoppt.",
        "dismissed": "Unser Trust-and-Safety-Team hat Ihre Meldung {number} abgeschlossen.",
        "block_lifted": "Unser Trust-and-Safety-Team hat die Liefersperre Ihrer Meldung "
        "{number} aufgehoben. Wenn wieder unbestellte Pakete kommen, melden Sie sich bitte.",
        "link": "Was wir gefunden haben, Ihre Rechte und was wir getan haben: {url}",
        "private": "Dieser Link ist privat: Wer ihn hat, kann Ihre Meldung sehen.",
    },
}


def queue(session: Session, *, case: Case, email: str | None, kind: str, now: datetime) -> None:
    """Writes the update for the reporter (nothing when they gave no e-mail address)."""
    if not email:
        return
    sent_before = session.scalar(
        select(func.count()).where(CaseMessage.case_id == case.id, CaseMessage.kind == kind)
    )
    session.add(
        CaseMessage(
            case_id=case.id,
            kind=kind,
            email=email,
            language=language_of(case.language),
            key=f"unsolicited:{case.number}:{kind}:{int(sent_before or 0)}",
            status="pending",
            due_at=now,
            attempts=0,
            created_at=now,
        )
    )


def render(kind: str, number: str, language: str, url: str) -> Rendered:
    lang = language_of(language)
    words = _BODY[lang]
    paragraphs = [
        words[kind].format(number=number),
        words["link"].format(url=url),
        words["private"],
    ]
    text = "\n\n".join(paragraphs) + "\n\n— Shopsafe\n"
    markup = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return Rendered(
        subject=_SUBJECT[lang][kind].format(number=number),
        text=text,
        html=f'<!doctype html><html lang="{lang}"><body>{markup}</body></html>',
        language=lang,
    )


def _due(session: Session, now: datetime, limit: int) -> list[tuple[CaseMessage, Case]]:
    query = (
        select(CaseMessage, Case)
        .join(Case, Case.id == CaseMessage.case_id)
        .where(CaseMessage.status == "pending", CaseMessage.due_at <= now)
        .order_by(CaseMessage.due_at, CaseMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=CaseMessage)
    return [(m, c) for m, c in session.execute(query)]


def deliver_due(
    engine: Engine,
    *,
    transport: Transport,
    mail_from: str,
    base_url: str,
    now: datetime,
    limit: int = 50,
) -> int:
    """Sends the due updates (one transaction; rows locked on PostgreSQL, so several
    workers never send the same one). Returns how many were accepted."""
    sent = 0
    with transaction(engine) as session:
        for message, case in _due(session, now, limit):
            url = links.status_url(base_url, case.number, case.access_salt)
            rendered = render(message.kind, case.number, message.language, url)
            mid = message_id(message.id, message.key, mail_from)
            body = compose(
                rendered,
                mail_from=mail_from,
                to_email=message.email,
                to_name=None,
                message_id=mid,
                idempotency_key=message.key,
                at=now,
            )
            name = message.key.replace(":", "-")
            result = transport.send(Envelope(sender_address(mail_from), message.email, body, name))
            message.attempts += 1
            message.message_id = mid
            if result.outcome == "accepted":
                message.status, message.sent_at = "sent", now
                sent += 1
            elif result.outcome == "permanent" or message.attempts >= MAX_ATTEMPTS:
                message.status, message.last_error = "failed", result.detail
            else:
                message.due_at, message.last_error = now + RETRY * message.attempts, result.detail
    return sent
