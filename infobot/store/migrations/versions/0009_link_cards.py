"""link_cards: the card of the page a story links to, read at approval (Bluesky)

Revision ID: 0009
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("thumb", sa.LargeBinary(), nullable=True),
        sa.Column("thumb_mime", sa.String(length=40), nullable=False),
        sa.Column("image_url", sa.Text(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_link_cards_story_id_stories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_cards")),
        sa.UniqueConstraint("story_id", name=op.f("uq_link_cards_story_id")),
    )


def downgrade() -> None:
    op.drop_table("link_cards")
