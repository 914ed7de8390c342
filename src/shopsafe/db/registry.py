"""Imports every domain's tables so that `Base.metadata` knows the whole schema."""

from __future__ import annotations

from shopsafe.auth import models as auth_models
from shopsafe.db.base import Base
from shopsafe.ledger import models as ledger_models

__all__ = ["Base", "auth_models", "ledger_models"]
