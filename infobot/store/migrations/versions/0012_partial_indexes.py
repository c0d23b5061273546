"""two indexes hold only the rows their queries ask for (partial indexes)

Revision ID: 0012
Revises: 0011

An import adds 100,000s of drafts, each with its ``story.imported`` event; every index on
the two tables is written for every one of them. Two of those indexes are only ever
searched for a few of their rows:

- ``ix_stories_queue``: the queue and the pinned stories, always the *approved* stories
  (``status = 'approved'`` in every query it serves: ``infobot.store.queries.stories``
  and ``infobot.store.stories``); drafts, rejected and posted stories need not be in it;
- ``ix_events_delivery_id``: a delivery's events, looked up by ``delivery_id = ...`` or
  ``IN (...)``, which both imply ``delivery_id IS NOT NULL``; the story events (most of the
  trail: an import writes one per story) have no delivery.

Both keep their names and columns; SQLite and PostgreSQL use a partial index for a query
whose conditions imply its ``WHERE`` (``tests/test_lean.py`` reads the plans).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

APPROVED = sa.text("status = 'approved'")
WITH_DELIVERY = sa.text("delivery_id IS NOT NULL")
QUEUE_COLUMNS = ["campaign_id", "status", "pin_date", "sort_key", "id"]


def upgrade() -> None:
    op.drop_index("ix_stories_queue", table_name="stories")
    op.create_index(
        "ix_stories_queue",
        "stories",
        QUEUE_COLUMNS,
        sqlite_where=APPROVED,
        postgresql_where=APPROVED,
    )
    op.drop_index("ix_events_delivery_id", table_name="events")
    op.create_index(
        "ix_events_delivery_id",
        "events",
        ["delivery_id"],
        sqlite_where=WITH_DELIVERY,
        postgresql_where=WITH_DELIVERY,
    )


def downgrade() -> None:
    op.drop_index("ix_events_delivery_id", table_name="events")
    op.create_index("ix_events_delivery_id", "events", ["delivery_id"])
    op.drop_index("ix_stories_queue", table_name="stories")
    op.create_index("ix_stories_queue", "stories", QUEUE_COLUMNS)
