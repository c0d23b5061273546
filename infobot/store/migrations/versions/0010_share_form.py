"""submissions (the share form's consent records and private links) and intake_counts

Revision ID: 0010
Revises: 0005

Stories from the public share form arrive in the new status ``submitted`` (the status
column already takes any name up to 20 characters). ``stories.erased_at`` says when a
withdrawn story's personal fields were erased.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=True),
        sa.Column("form_nonce", sa.String(length=64), nullable=False),
        sa.Column("consent_version", sa.String(length=20), nullable=False),
        sa.Column("consent_post", sa.Boolean(), nullable=False),
        sa.Column("consent_name", sa.Boolean(), nullable=False),
        sa.Column("consent_role", sa.Boolean(), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("erased_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_submissions_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_submissions_story_id_stories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("form_nonce", name=op.f("uq_submissions_form_nonce")),
        sa.UniqueConstraint("story_id", name=op.f("uq_submissions_story_id")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_submissions_token_digest")),
    )
    with op.batch_alter_table("submissions") as batch:
        batch.create_index(batch.f("ix_submissions_withdrawn_at"), ["withdrawn_at"], unique=False)
    op.create_table(
        "intake_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_counts")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_intake_counts_scope_key")),
    )
    with op.batch_alter_table("intake_counts") as batch:
        batch.create_index(batch.f("ix_intake_counts_window_start"), ["window_start"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("intake_counts") as batch:
        batch.drop_index(batch.f("ix_intake_counts_window_start"))
    op.drop_table("intake_counts")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index(batch.f("ix_submissions_withdrawn_at"))
    op.drop_table("submissions")
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("erased_at")
