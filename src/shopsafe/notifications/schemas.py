"""What the notification API answers (CONTRACT §5 `…/stats`; the undeliverable list)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class RecallStats(BaseModel):
    """Counters of one recall, computed from the notice and delivery records."""

    affected_customers: int = Field(description="Distinct buyers of affected order lines.")
    recipients: int = Field(description="People to notify (active notices).")
    notified: int = Field(description="Recipients whose notice a mail server accepted.")
    email_accepted: int = Field(
        description="E-mails of this recall (notices, reminders, corrections) accepted."
    )
    email_failed: int = Field(
        description="E-mails given up: refused for good, suppressed, or out of retries."
    )
    acknowledged: int = Field(description="Recipients who acknowledged the notice.")
    remedies_requested: int = Field(description="Remedy cases opened.")
    remedies_completed: int = Field(
        description="Remedy cases refunded, replaced, repaired or closed."
    )
    units_affected: int = Field(description="Affected units (serials in range, else quantity).")
    units_corrected: int = Field(
        description="Units of remedy cases received back, destroyed or made safe."
    )
    reach_rate: float = Field(description="notified ÷ recipients (0 when nobody is to be told).")
    correction_rate: float = Field(description="units_corrected ÷ units_affected.")


class PostalAddress(BaseModel):
    name: str | None
    line1: str | None
    line2: str | None
    postal_code: str
    city: str | None
    country: str


class Undeliverable(BaseModel):
    """A person e-mail did not reach, with where a letter can go instead."""

    notice_id: int
    email: str
    role: str = Field(description="buyer, admin (of a business buyer) or gift_recipient")
    customer_id: str = Field(description="The buyer's customer id (for a gift: who sent it).")
    language: str
    reason: str | None = Field(description="The mail server's answer, or why we gave up.")
    failed_at: dt.datetime | None
    address: PostalAddress | None = Field(
        description="The latest ship-to address in the ledger (for a gift: of the gift)."
    )


class UndeliverablePage(BaseModel):
    items: list[Undeliverable]
    next_cursor: str | None
