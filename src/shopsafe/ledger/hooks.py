"""What runs after each batch the order importers write (`import_orders(on_written=...)`).

Every importer (command line, API, demo) passes `after_import`, so a new kind of reaction
to imported orders is added here once, not at every call site.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from shopsafe.recalls import publishing
from shopsafe.unsolicited import actions as unsolicited


def after_import(session: Session, order_ids: list[int]) -> None:
    """Published recalls match the new orders (and hold them); orders to an address with
    an active delivery block of an unsolicited-package case are held."""
    publishing.after_import(session, order_ids)
    unsolicited.after_import(session, order_ids)
