"""A recall's remedy progress: what `GET /api/v1/recalls/{id}/stats` reports as
`remedies_requested`, `remedies_completed` and `units_corrected`, and refunds paid.

Imports nothing from the notifications package, so that it can call this."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shopsafe.remedies import report_repository as reports
from shopsafe.remedies import state
from shopsafe.remedies.schemas import Money, Progress


def progress(session: Session, recall_id: int, seller_id: int | None = None) -> Progress:
    """Remedy cases of a recall: requested (every case), completed (refunded, replaced,
    repaired or closed), units corrected (back, destroyed or made safe), refunds paid.
    With `seller_id`: the cases holding lines it sold, its units, its share of refunds."""
    by_state = reports.cases_by_state(session, recall_id, seller_id)
    return Progress(
        remedies_requested=sum(n for n, _ in by_state.values()),
        remedies_completed=sum(n for s, (n, _) in by_state.items() if s in state.COMPLETED),
        units_corrected=sum(u for s, (_, u) in by_state.items() if s in state.CORRECTED),
        cases_by_state={s: n for s, (n, _) in sorted(by_state.items())},
        refunds_paid=[
            Money(amount=str(v), currency=c)
            for c, v in reports.refunds_paid(session, recall_id, seller_id).items()
        ],
    )
