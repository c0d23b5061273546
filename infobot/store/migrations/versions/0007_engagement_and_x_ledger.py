"""engagement_posts, engagement_snapshots and the X ledger (x_requests)

Revision ID: 0007
Revises: 0005

Issue 14: each sent delivery gets a read schedule with its latest counts
(``engagement_posts``), every read is kept (``engagement_snapshots``), and every request
made to X is kept with its cost in micro-dollars (``x_requests``). Nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

METRICS = ("likes", "reposts", "replies", "quotes", "bookmarks", "impressions")


def _counts() -> list[sa.Column[int]]:
    names = [*METRICS, *(f"rest_{m}" for m in METRICS)]
    columns: list[sa.Column[int]] = [sa.Column(n, sa.BigInteger(), nullable=True) for n in names]
    columns.append(sa.Column("parts", sa.Integer(), nullable=False))
    return columns


def upgrade() -> None:
    op.create_table(
        "engagement_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("next_read_at", sa.DateTime(), nullable=True),
        sa.Column("last_read_at", sa.DateTime(), nullable=True),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("reads", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("gone_at", sa.DateTime(), nullable=True),
        *_counts(),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_engagement_posts_delivery_id_deliveries"),
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_engagement_posts_story_id_stories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_posts")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_engagement_posts_delivery_id")),
    )
    with op.batch_alter_table("engagement_posts", schema=None) as batch_op:
        batch_op.create_index("ix_engagement_posts_due", ["state", "next_read_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_engagement_posts_story_id"), ["story_id"], unique=False
        )
    op.create_table(
        "engagement_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        *_counts(),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_engagement_snapshots_delivery_id_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_snapshots")),
    )
    with op.batch_alter_table("engagement_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_snapshots_delivery", ["delivery_id", "read_at"], unique=False
        )
    op.create_table(
        "x_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("cost_micros", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_x_requests")),
    )
    with op.batch_alter_table("x_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_x_requests_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("x_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_x_requests_at"))
    op.drop_table("x_requests")
    with op.batch_alter_table("engagement_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_snapshots_delivery")
    op.drop_table("engagement_snapshots")
    with op.batch_alter_table("engagement_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_posts_story_id"))
        batch_op.drop_index("ix_engagement_posts_due")
    op.drop_table("engagement_posts")
