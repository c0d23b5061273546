"""campaigns: platforms, languages, share form, stories page, active, settings applied

Revision ID: 0006
Revises: 0005

Campaigns are run from the web and the CLI, no longer only from the settings. A campaign
row now holds the platforms it posts to and its languages (empty until the settings are
applied at the next start), whether its share form and public stories page are open,
whether it runs at all, and, for the campaign the settings made, the settings' values as
last applied, so that a later start applies only a setting that changed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): the stories, slots and blackouts refer to campaigns.
    op.add_column("campaigns", sa.Column("platforms", sa.Text(), nullable=False, server_default=""))
    op.add_column(
        "campaigns", sa.Column("languages", sa.Text(), nullable=False, server_default="en")
    )
    for name, default in (
        ("share_form", sa.false()),
        ("stories_page", sa.false()),
        ("active", sa.true()),
        ("from_settings", sa.false()),
    ):
        op.add_column(
            "campaigns", sa.Column(name, sa.Boolean(), nullable=False, server_default=default)
        )
    op.add_column("campaigns", sa.Column("settings_applied", sa.Text(), nullable=True))
    op.add_column("campaigns", sa.Column("updated_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        for name in (
            "updated_at",
            "settings_applied",
            "from_settings",
            "active",
            "stories_page",
            "share_form",
            "languages",
            "platforms",
        ):
            batch.drop_column(name)
