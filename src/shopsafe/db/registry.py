"""Imports every domain's tables so that `Base.metadata` knows the whole schema."""

from __future__ import annotations

from shopsafe.audit import models as audit_models
from shopsafe.auth import models as auth_models
from shopsafe.brushing import models as brushing_models
from shopsafe.db.base import Base
from shopsafe.feeds import models as feed_models
from shopsafe.ledger import models as ledger_models
from shopsafe.notifications import models as notification_models
from shopsafe.recalls import models as recall_models
from shopsafe.remedies import models as remedy_models
from shopsafe.unsolicited import models as unsolicited_models

__all__ = [
    "Base",
    "audit_models",
    "auth_models",
    "brushing_models",
    "feed_models",
    "ledger_models",
    "notification_models",
    "recall_models",
    "remedy_models",
    "unsolicited_models",
]
