"""Who has to be told about a recall. Pure: no database.

Each affected buyer; the admin e-mails of a business buyer; the recipient of a gift order
(told about the product, not about the buyer's order). One notice per e-mail address, the
closest role winning: buyer before admin before gift recipient.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ROLE_ORDER = {"buyer": 0, "admin": 1, "gift_recipient": 2}


@dataclass(frozen=True)
class Recipient:
    email: str
    role: str
    customer_id: int
    name: str | None
    language: str


Buyer = tuple[int, str, str | None, str, str, list[str]]
Gift = tuple[int, str, str | None]


def recipients(buyers: Iterable[Buyer], gifts: Iterable[Gift]) -> dict[str, Recipient]:
    """e-mail (lower-case) → recipient."""
    chosen: dict[str, Recipient] = {}
    languages: dict[int, str] = {}

    def offer(candidate: Recipient) -> None:
        current = chosen.get(candidate.email)
        if current is None or ROLE_ORDER[candidate.role] < ROLE_ORDER[current.role]:
            chosen[candidate.email] = candidate

    for pk, email, name, language, account_type, admins in sorted(buyers):
        languages[pk] = language
        offer(Recipient(email.lower(), "buyer", pk, name, language))
        if account_type == "business":
            for admin in admins:
                offer(Recipient(admin.lower(), "admin", pk, None, language))
    for buyer, email, name in sorted(gifts, key=lambda g: (g[0], g[1])):
        offer(Recipient(email.lower(), "gift_recipient", buyer, name, languages.get(buyer, "en")))
    return chosen
