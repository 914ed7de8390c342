"""Alembic environment: runs with the engine handed over by `shopsafe.db.migrate`, or with
`SHOPSAFE_DATABASE_URL` when Alembic is called from the command line."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from shopsafe.db.registry import Base
from shopsafe.db.session import default_engine

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    engine = default_engine()

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
