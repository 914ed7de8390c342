"""Who is asking, as the API layer sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["operator", "seller"]


@dataclass(frozen=True)
class Principal:
    """The holder of a valid API token. A seller token carries its seller's ids."""

    role: Role
    seller_id: int | None = None
    seller_external_id: str | None = None
    # How the audit log names who acts (a console's signed-in person, an automatic job);
    # unset: the role ("operator") or the seller ("seller:S-7").
    name: str | None = None

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"
