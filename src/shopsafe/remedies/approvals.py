"""Publishing from the consoles, with the optional operator approval of seller recalls
(setting `seller_recalls_need_approval`). Publishing itself is `shopsafe.recalls.service`;
this adds the approval step and queues the `recall.published` webhook."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from shopsafe.audit import service as audit
from shopsafe.auth.schemas import Principal
from shopsafe.config import get_settings
from shopsafe.kit.clock import now
from shopsafe.kit.errors import Conflict, NotFound
from shopsafe.recalls import service as recalls
from shopsafe.recalls.models import Recall
from shopsafe.remedies import repository as repo
from shopsafe.remedies import webhooks
from shopsafe.remedies.models import RecallApproval

Outcome = Literal["published", "pending"]
OPERATOR = Principal(role="operator")


def publish(session: Session, *, recall_id: int, principal: Principal, actor: str) -> Outcome:
    """Publishes the recall, or, for a seller when approval is required, asks for it."""
    recall = recalls.get(session, recall_id, principal)
    if recall.status == "published":
        return "published"
    if not principal.is_operator and get_settings().seller_recalls_need_approval:
        ask(session, recall=recall, actor=actor)
        return "pending"
    _publish(session, recall.id, principal)
    return "published"


def _publish(session: Session, recall_id: int, principal: Principal) -> Recall:
    recall = recalls.publish(session, recall_id=recall_id, principal=principal)
    webhooks.recall_published(session, recall)
    return recall


def ask(session: Session, *, recall: Recall, actor: str) -> RecallApproval:
    if recall.status != "draft":
        raise Conflict("only a draft can be sent for approval", code="recall_not_draft")
    recalls.validated(recalls.as_input(session, recall))  # every problem now, not later
    approval = repo.approval_of(session, recall.id, lock=True)
    stamp = now()
    if approval is None:
        approval = RecallApproval(recall_id=recall.id, status="pending", requested_by=actor,
                                  requested_at=stamp)  # fmt: skip
        session.add(approval)
    elif approval.status != "pending":
        approval.status, approval.requested_by, approval.requested_at = "pending", actor, stamp
        approval.decided_by = approval.decided_at = approval.note = None
    else:
        return approval
    session.flush()
    audit.record(session, actor=actor, action="recall.approval_requested",
                 subject_type="recall", subject_id=recall.id)  # fmt: skip
    return approval


def decide(
    session: Session, *, recall_id: int, approve: bool, actor: str, note: str | None = None
) -> RecallApproval:
    """An operator approves (and so publishes) or rejects a seller's recall."""
    approval = repo.approval_of(session, recall_id, lock=True)
    if approval is None:
        raise NotFound(f"recall {recall_id} is not waiting for approval")
    if approval.status != "pending":
        raise Conflict(f"this recall was already {approval.status}", code="already_decided")
    approval.status = "approved" if approve else "rejected"
    approval.decided_by, approval.decided_at, approval.note = actor, now(), note
    if approve:
        _publish(session, recall_id, OPERATOR)
    audit.record(
        session, actor=actor, action=f"recall.{approval.status}", subject_type="recall",
        subject_id=recall_id, data={"note": note} if note else {},
    )  # fmt: skip
    session.flush()
    return approval
