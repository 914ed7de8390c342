"""What the remedy API takes and answers (CONTRACT §5 "Remedies")."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shopsafe.remedies.state import STATES


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RemedyCaseIn(_In):
    recall_id: int = Field(ge=1)
    customer_id: str = Field(min_length=1, max_length=64, description="The shop's customer id.")
    remedy: Literal["refund", "replacement", "repair", "dispose"] = Field(
        description="One of the remedies the recall offers; `dispose` is refund-after-disposal."
    )


class TransitionIn(_In):
    to: str = Field(max_length=40, description="The state to move to: " + ", ".join(STATES))
    amount: str | None = Field(
        None,
        max_length=20,
        description="For `refunded`: the amount to refund, at least the price paid for the "
        "affected units (default: exactly that price).",
    )
    disposition: Literal["destroyed", "recycled", "refurbished", "returned_to_supplier"] | None = (
        Field(None, description="What became of a returned product.")
    )
    note: str | None = Field(None, max_length=2000)


class Money(BaseModel):
    amount: str
    currency: str


class RefundOut(BaseModel):
    id: int
    amount: str
    owed: str = Field(description="The price paid for the affected units.")
    currency: str
    status: str
    issued_at: dt.datetime


class ReturnOut(BaseModel):
    carrier: str
    tracking_number: str
    status: str
    dangerous_goods: str | None
    disposition: str | None
    label_issued_at: dt.datetime
    in_transit_at: dt.datetime | None
    delivered_at: dt.datetime | None


class RemedyCaseOut(BaseModel):
    id: int
    recall_id: int
    customer_id: str
    remedy: str
    state: str
    amount: str = Field(description="The price paid for the affected units (at least what a "
                        "refund pays).")  # fmt: skip
    currency: str
    label_url: str | None = Field(description="The return label (PDF), when there is a return.")
    rma: str
    units: int
    amounts: list[Money] = Field(description="The price paid per currency.")
    next_states: list[str] = Field(description="Where the seller or an operator can move it.")
    refunds: list[RefundOut]
    return_shipment: ReturnOut | None
    replacement_order_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CarrierEventOut(BaseModel):
    event_id: str
    tracking_number: str
    outcome: str = Field(description="moved, unchanged, duplicate or no_move")
    case_id: int | None
    state: str | None


class Progress(BaseModel):
    """A recall's remedies: what `…/stats` reports and the dashboard shows."""

    remedies_requested: int
    remedies_completed: int
    units_corrected: int
    cases_by_state: dict[str, int]
    refunds_paid: list[Money]


RemedyName = Literal["refund", "replacement", "repair", "dispose"]
