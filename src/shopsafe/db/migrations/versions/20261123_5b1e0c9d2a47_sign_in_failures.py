"""sign-in failures for the sign-in throttle

Revision ID: 5b1e0c9d2a47
Revises: e5a3638396c0
Create Date: 2026-11-23 20:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shopsafe.db.types

revision = "5b1e0c9d2a47"
down_revision = "e5a3638396c0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_key", sa.String(length=64), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("at", shopsafe.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_failures_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_sign_in_failures_client_key_at", ["client_key", "at"], unique=False
        )
        batch_op.create_index("ix_sign_in_failures_email_key_at", ["email_key", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failures_email_key_at")
        batch_op.drop_index("ix_sign_in_failures_client_key_at")
        batch_op.drop_index(batch_op.f("ix_sign_in_failures_at"))
    op.drop_table("sign_in_failures")
