"""feed subscriptions and pulls: scheduled authority pulls by the worker

Revision ID: 22f3d7941495
Revises: 5b1e0c9d2a47
Create Date: 2026-12-06 23:42:19.447152
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shopsafe.db.types

revision = "22f3d7941495"
down_revision = "5b1e0c9d2a47"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("next_pull_at", shopsafe.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("created_at", shopsafe.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_subscriptions")),
        sa.UniqueConstraint("source", "url", name=op.f("uq_feed_subscriptions_source_url")),
    )
    op.create_table(
        "feed_pulls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("started_at", shopsafe.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", shopsafe.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["feed_subscriptions.id"],
            name=op.f("fk_feed_pulls_subscription_id_feed_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_pulls")),
    )
    with op.batch_alter_table("feed_pulls", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feed_pulls_subscription_started", ["subscription_id", "started_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("feed_pulls", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_pulls_subscription_started")

    op.drop_table("feed_pulls")
    op.drop_table("feed_subscriptions")
