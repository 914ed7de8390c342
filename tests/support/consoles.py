"""Console visitors for the page tests: accounts of a role (seller, operator, customer)
signed in through the real sign-in form, and a valid recall form."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from shopsafe.app import create_app
from shopsafe.auth import service as auth_service
from shopsafe.db.session import transaction
from shopsafe.ledger.models import Customer, Seller
from tests.support.customer_pages import PASSWORD, sign_in

RECALL_FORM = {
    "title": "Bed rail straps can tear", "product_name": "Adult portable bed rail",
    "brand": "MPINOI", "hazard": "The strap can tear and the rail can fall.",
    "instructions": "Stop using the bed rail.", "identifier_location": "Label under the base.",
    "contact_phone": "+49 800 1234567", "images": "https://example.com/rail.jpg",
    "remedies": ["refund", "replacement"], "gtins": "04006381333931",
}  # fmt: skip


def account(engine: Engine, email: str, role: str, seller: str | None = None,
            customer: str | None = None) -> str:  # fmt: skip
    with transaction(engine) as session:
        seller_pk = session.scalar(select(Seller.id).where(Seller.external_id == seller))
        customer_pk = session.scalar(select(Customer.id).where(Customer.external_id == customer))
        auth_service.create_account(session, email=email, password=PASSWORD, role=role,
                                    seller_id=seller_pk, customer_id=customer_pk)  # fmt: skip
    return email


def browser(engine: Engine, email: str) -> TestClient:
    client = TestClient(create_app(engine))
    assert sign_in(client, email).status_code == 303
    return client
