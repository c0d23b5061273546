"""stories in several languages, essential stories, and pre-election periods

Revision ID: 0008
Revises: 0005

``stories.versions`` holds a story's versions in the campaign's other languages (JSON) and
``stories.languages`` every language it has text in, so that a bilingual campaign's queue
holds only stories ready in all of its languages: existing stories have their own language.
``stories.essential_*`` records an approver's decision that a story goes out inside a
pre-election period; ``election_periods`` holds the periods of each campaign.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("versions", sa.Text(), server_default="", nullable=False))
        batch.add_column(
            sa.Column("languages", sa.String(length=64), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("essential_reason", sa.Text(), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("essential_by", sa.String(length=200), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("essential_at", sa.DateTime(), nullable=True))
    stories = sa.table("stories", sa.column("language", sa.String), sa.column("languages"))
    op.execute(stories.update().values(languages=stories.c.language))
    op.create_table(
        "election_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_election_periods_campaign_id_campaigns"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election_periods")),
        sa.UniqueConstraint(
            "campaign_id",
            "first_day",
            "last_day",
            name=op.f("uq_election_periods_campaign_id_first_day_last_day"),
        ),
    )


def downgrade() -> None:
    op.drop_table("election_periods")
    with op.batch_alter_table("stories") as batch:
        for column in ("essential_at", "essential_by", "essential_reason", "languages", "versions"):
            batch.drop_column(column)
