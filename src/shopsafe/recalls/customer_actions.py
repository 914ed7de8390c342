"""What a customer does about a recall on their own page: acknowledge it, choose a remedy.

Both answers are kept on the customer's notice and written to the audit log, inside the
caller's transaction (services never commit). The remedy is recorded here; the remedy
process picks it up from the notice.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from shopsafe.audit import service as audit
from shopsafe.kit.clock import now
from shopsafe.kit.errors import Conflict, InvalidInput, NotFound
from shopsafe.notifications.models import RecallNotice
from shopsafe.recalls import customer_alerts
from shopsafe.recalls.models import Recall


def _notice(session: Session, customer_id: int, recall_id: int) -> tuple[RecallNotice, Recall]:
    notice = customer_alerts.buyer_notice(session, customer_id, recall_id, lock=True)
    recall = session.get(Recall, recall_id) if notice is not None else None
    if notice is None or recall is None:
        raise NotFound(f"recall {recall_id} not found")
    if recall.status != "published":
        raise Conflict("this recall has ended", code="recall_closed")
    return notice, recall


def acknowledge(
    session: Session, *, customer_id: int, recall_id: int, answer: str, actor: str
) -> RecallNotice:
    """ "I have stopped using it" or "I no longer have it"; the latest answer counts, the
    time of the first one is kept."""
    if answer not in customer_alerts.ACKNOWLEDGEMENTS:
        raise InvalidInput(
            [f"answer: must be one of {', '.join(customer_alerts.ACKNOWLEDGEMENTS)}"]
        )
    notice, _recall = _notice(session, customer_id, recall_id)
    if notice.acknowledgement == answer:
        return notice
    stamp = now()
    notice.acknowledgement = answer
    if notice.acknowledged_at is None:
        notice.acknowledged_at = stamp
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="notice.acknowledged",
        subject_type="recall_notice",
        subject_id=notice.id,
        data={"recall_id": recall_id, "answer": answer},
    )
    return notice


def choose_remedy(
    session: Session, *, customer_id: int, recall_id: int, remedy: str, actor: str
) -> RecallNotice:
    """Records the customer's choice among the remedies the recall offers. Choosing the
    same again changes nothing; a different choice once one is recorded is refused (409)."""
    notice, recall = _notice(session, customer_id, recall_id)
    offered = list(recall.content.get("remedies") or [])
    if remedy not in offered:
        raise InvalidInput([f"remedy: this recall offers {', '.join(offered) or 'no remedy'}"])
    if notice.remedy_choice == remedy:
        return notice
    if notice.remedy_choice is not None:
        raise Conflict(
            f"a {notice.remedy_choice} has already been requested", code="remedy_already_chosen"
        )
    notice.remedy_choice = remedy
    notice.remedy_chosen_at = now()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="notice.remedy_chosen",
        subject_type="recall_notice",
        subject_id=notice.id,
        data={"recall_id": recall_id, "remedy": remedy},
    )
    return notice
